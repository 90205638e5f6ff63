"""Messages safe to publish: an ordinary mistake ends in ONE line naming the file, what is wrong
and what to do (exit 2, no traceback); config loading is bounded; an input path outside the data
folders is refused and its contents never reach a message or reports/; a killed run's temporary
folders are swept by the next run and never taken for a report.

Each mistake goes through a real `cwb` process, as a user meets it.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from cwbtools.config import MAX_CONFIG_NODES, load_config
from cwbtools.errors import ConfigError, InputFileError
from cwbtools.paths import repo_root
from cwbtools.report import folders, parameters, run
from cwbtools.report.index import write_index

HERE = Path(__file__).parent
STANDINS = HERE / "data" / "notebooks"

CITY = """\
name: Message Town
slug: message-town
place: {{name: Preston, lad_codes: [E07000123]}}
wider_area: {{name: Lancashire, lad_codes: [E07000117, E07000123]}}
years: [2019/20]
anchors:
  - name: Message Town Council
    kind: council
    ledgers: [{ledger}]
"""
LEDGER = "Supplier Name,Amount,Payment Date\nAcme Ltd,10.00,01/05/2019\n"


# Every mistake is refused quickly and in little memory: each call runs under these caps unless a
# test that runs whole notebooks lifts them.
MEMORY = 1 << 30
TIMEOUT = 60


def cwb(*args: str, memory: int | None = MEMORY, timeout: float = TIMEOUT, env: dict | None = None):
    """`cwb ARGS` in its own process; `memory` caps its address space (bytes)."""

    def limit():
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-m", "cwbtools.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=repo_root(),
        preexec_fn=limit,
        env=env,
    )


def one_line_error(proc, *names: str) -> str:
    """Exit 2, exactly one line on stderr, naming each of `names`, and no traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr[-2000:]
    assert lines[0].startswith("cwb: error: ")
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


# ---- ordinary mistakes -------------------------------------------------------------------------


def test_a_config_saved_as_windows_1252_is_one_line_saying_to_save_as_utf8(tmp_path):
    (tmp_path / "ledger.csv").write_text(LEDGER)
    config = tmp_path / "cafe.yml"
    config.write_bytes(
        CITY.format(ledger="ledger.csv").replace("Message Town Council", "Café £ Council").encode("cp1252")
    )
    line = one_line_error(cwb("run", str(config), "--reports", str(tmp_path / "reports")), str(config))
    assert "not UTF-8" in line and "line 7" in line and "save the file with UTF-8" in line
    assert not (tmp_path / "reports").exists()


def test_a_folder_named_as_the_config_is_one_line(tmp_path):
    folder = tmp_path / "city.yml"
    folder.mkdir()
    (folder / "real.yml").write_text("name: x\n")
    line = one_line_error(cwb("run", str(folder), "--reports", str(tmp_path / "reports")), str(folder))
    assert "is a folder" in line and "real.yml" in line


def test_config_check_of_one_bad_config_is_one_line(tmp_path):
    folder = tmp_path / "city.yml"
    folder.mkdir()
    one_line_error(cwb("config", "check", str(folder)), str(folder), "is a folder")


def test_ingest_out_naming_an_existing_file_is_one_line(tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER)
    out = tmp_path / "results.parquet"
    out.write_bytes(b"not a folder")
    line = one_line_error(cwb("ingest", str(ledger), "--anchor", "X", "--out", str(out), "--quiet"), str(out))
    assert "name a folder" in line
    assert out.read_bytes() == b"not a folder"


def _alias_bomb(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_quickly_in_little_memory(tmp_path):
    """9 levels of 9 aliases: 9**9 (387 million) strings when expanded, on a field that must be one
    of a few words. Refused before anything is built from it, inside 1 GB and 30 s."""
    config = tmp_path / "bomb.yml"
    config.write_text(
        CITY.format(ledger="x.csv")
        .replace("kind: council", "kind: *l8")
        .replace("anchors:", _alias_bomb() + "anchors:")
    )
    start = time.perf_counter()
    proc = cwb("run", str(config), "--reports", str(tmp_path / "reports"), memory=1 << 30, timeout=30)
    seconds = time.perf_counter() - start
    line = one_line_error(proc, str(config))
    assert "aliases" in line and f"{MAX_CONFIG_NODES:,}" in line and "lol" not in line
    assert seconds < 30


def test_a_self_referring_alias_and_an_oversized_file_are_refused(tmp_path):
    loop = tmp_path / "loop.yml"
    loop.write_text("name: &n [*n]\n")
    with pytest.raises(ConfigError, match="refers to itself"):
        load_config(loop)
    big = tmp_path / "big.yml"
    big.write_text("name: x\nnotes: " + "y" * (2 << 20) + "\n")
    with pytest.raises(ConfigError, match="too large for a city config"):
        load_config(big)


def test_a_long_list_on_a_one_word_field_is_described_not_quoted(tmp_path):
    """Within the bounds, pydantic's message would write the whole input out; ours names its type."""
    config = tmp_path / "city.yml"
    config.write_text(CITY.format(ledger="x.csv").replace("kind: council", "kind: [" + "SECRETWORD, " * 2000 + "x]"))
    with pytest.raises(ConfigError) as err:
        load_config(config, check_inputs=False)
    message = str(err.value)
    assert "anchors[0].kind" in message and "a list" in message and "SECRETWORD" not in message
    assert len(message) < 1000


def test_broken_yaml_says_where_without_quoting_the_file(tmp_path):
    config = tmp_path / "broken.yml"
    config.write_text("name: SECRETWORD\nslug: [unclosed\n  anchors: {\n")
    line = one_line_error(cwb("config", "check", str(config)), str(config), "not valid YAML", "line ")
    assert "SECRETWORD" not in line and "unclosed" not in line


# ---- input paths outside the data folders ------------------------------------------------------

SYSTEM_FILE = Path("/etc/passwd")


def _system_line() -> str:
    return SYSTEM_FILE.read_text(errors="replace").splitlines()[0]


@pytest.fixture
def system_file():
    if not SYSTEM_FILE.is_file() or not SYSTEM_FILE.read_text(errors="replace").strip():
        pytest.skip("no /etc/passwd on this system")
    return SYSTEM_FILE


def _secret_in_tree(folder: Path, secret: str) -> list[str]:
    if not folder.exists():
        return []
    return [str(p) for p in folder.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


@pytest.mark.parametrize("how", ["absolute", "relative", "symlink", "creditors", "cwb_data"])
def test_a_ledger_path_to_a_system_file_is_refused_and_never_quoted(how, system_file, tmp_path):
    ledger = {
        "absolute": str(system_file),
        "relative": "../" * 12 + str(system_file).lstrip("/"),
        "symlink": "innocent.csv",
        "creditors": "ledger.csv",
        "cwb_data": "${CWB_DATA}/" + "../" * 12 + str(system_file).lstrip("/"),
    }[how]
    (tmp_path / "ledger.csv").write_text(LEDGER)
    (tmp_path / "innocent.csv").symlink_to(system_file)
    text = CITY.format(ledger=f'"{ledger}"')
    if how == "creditors":
        text += f"    creditors: {system_file}\n"
    config = tmp_path / "city.yml"
    config.write_text(text)
    reports = tmp_path / "reports"
    line = one_line_error(
        cwb("run", str(config), "--reports", str(reports)),
        str(config),
        "outside the data folders",
        "allow_outside_data: true",
    )
    assert _system_line() not in line
    assert not _secret_in_tree(reports, _system_line())


@pytest.mark.slow
def test_even_when_allowed_a_system_file_leaves_no_trace_in_reports(system_file, tmp_path):
    """The author says allow_outside_data and points a ledger at a system file: the real notebooks
    fail on it, and neither the terminal nor reports/ (its .failed/ included) holds a line of it."""
    try:
        parameters.notebook_paths()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"the real notebooks are not there: {exc}")
    config = tmp_path / "city.yml"
    config.write_text(CITY.format(ledger=f'"{system_file}"') + "allow_outside_data: true\n")
    reports = tmp_path / "reports"
    proc = cwb("run", str(config), "--reports", str(reports), memory=None, timeout=600)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert str(system_file) in proc.stderr and "not shown" in proc.stderr
    assert _system_line() not in proc.stderr + proc.stdout
    assert (reports / ".failed" / "message-town" / "01_baseline.ipynb").is_file()
    assert not _secret_in_tree(reports, _system_line())


def test_allow_outside_data_lets_the_author_read_elsewhere(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "ledger.csv").write_text(LEDGER)
    folder = tmp_path / "configs"
    folder.mkdir()
    config = folder / "city.yml"
    config.write_text(CITY.format(ledger=f'"{elsewhere / "ledger.csv"}"'))
    with pytest.raises(ConfigError, match="outside the data folders"):
        load_config(config, resolve_areas=False)
    config.write_text(CITY.format(ledger=f'"{elsewhere / "ledger.csv"}"') + "allow_outside_data: true\n")
    loaded = load_config(config, resolve_areas=False)
    assert loaded.input_files() == [(elsewhere / "ledger.csv").resolve()]


def test_a_hidden_file_beside_the_config_is_refused(tmp_path):
    """A config in one's home folder must not reach ~/.ssh: hidden files below a data folder are out."""
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_rsa").write_text("-----BEGIN KEY-----\n")
    config = tmp_path / "city.yml"
    config.write_text(CITY.format(ledger=".ssh/id_rsa"))
    with pytest.raises(ConfigError, match=r"anchors\[0\]\.ledgers\[0\] '\.ssh/id_rsa'.*outside the data folders"):
        load_config(config, resolve_areas=False, check_inputs=False)


def test_a_symlink_inside_a_ledger_folder_pointing_out_is_refused(system_file, tmp_path):
    (tmp_path / "ledgers").mkdir()
    (tmp_path / "ledgers" / "a.csv").write_text(LEDGER)
    (tmp_path / "ledgers" / "b.csv").symlink_to(system_file)
    config = tmp_path / "city.yml"
    config.write_text(CITY.format(ledger="ledgers"))
    with pytest.raises(ConfigError, match=r"file b\.csv.*outside the data folders"):
        load_config(config, resolve_areas=False)


def test_the_shipped_configs_and_fixtures_are_inside_the_data_folders():
    for path in [
        *sorted((repo_root() / "configs").glob("*.yml")),
        STANDINS / "standin-a.yml",
        STANDINS / "standin-b.yml",
    ]:
        load_config(path, check_inputs=False, resolve_areas=False).check_paths()


def test_an_unreadable_file_is_described_by_its_header_only(tmp_path):
    """Ingest quotes a top row only when it reads as a header (names a field, holds no number or
    date); a first row of data, or of a file that is no ledger at all, is never quoted."""
    from cwbtools.ingest import ingest_paths

    data_first = tmp_path / "people.csv"
    data_first.write_text("Jane Q Secretname,07700 900123,12 Hidden Street\nJohn Other,07700 900456,1 Road\n")
    with pytest.raises(InputFileError) as err:
        ingest_paths([data_first], anchor="X")
    assert "Secretname" not in str(err.value) and "900123" not in str(err.value)
    assert "not shown" in str(err.value)

    header = tmp_path / "staff.csv"
    header.write_text("Name,Team,Extension\nJane Q Secretname,Catering,2221\n")
    with pytest.raises(InputFileError) as err:
        ingest_paths([header], anchor="X")
    assert "'Name', 'Team', 'Extension'" in str(err.value) and "Secretname" not in str(err.value)


# ---- reports/.failed keeps no input ------------------------------------------------------------


def _executed(path: Path, outputs: list, error: tuple[str, str]) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("spend = city_spend(config)")
    cell.outputs = [
        *outputs,
        nbformat.v4.new_output("error", ename=error[0], evalue=error[1], traceback=[f"{error[0]}: {error[1]}"]),
    ]
    nb.cells = [nbformat.v4.new_code_cell("config_path = 'x'"), cell]
    nbformat.write(nb, str(path))


@pytest.mark.parametrize(
    "error",
    [
        ("ValueError", "could not convert 'Jane Q Secretname' to float"),
        ("InputFileError", "ledger.csv: no recognisable columns"),
    ],
)
def test_a_failed_build_is_kept_without_its_outputs(error, tmp_path):
    root = tmp_path / "reports"
    build = root / ".town.building-1-2-abc"
    (build / "data").mkdir(parents=True)
    (build / "data" / "suppliers.csv").write_text("supplier\nJane Q Secretname\n")
    (build / "01_baseline.html").write_text("<p>Jane Q Secretname</p>")
    _executed(
        build / "01_baseline.ipynb",
        [
            nbformat.v4.new_output("stream", name="stdout", text="Largest supplier: Jane Q Secretname\n"),
            nbformat.v4.new_output("display_data", data={"text/html": "<td>Jane Q Secretname</td>"}),
        ],
        error,
    )
    failure = run.Failure("Town", "01_baseline", "cell In [2]", f"{error[0]}: {error[1]}")
    folders.keep_failed(root, "town", build, [failure])
    kept = root / ".failed" / "town"
    assert sorted(p.name for p in kept.iterdir()) == ["01_baseline.ipynb", "FAILED.txt"]
    assert not _secret_in_tree(root, "Secretname")
    nb = nbformat.read(str(kept / "01_baseline.ipynb"), as_version=4)
    (out,) = nb.cells[1].outputs
    assert out.ename == error[0]
    if error[0] == "InputFileError":  # ours: written never to quote a file, so kept
        assert out.evalue == error[1] and error[1] in (kept / "FAILED.txt").read_text()
    assert nb.cells[1].source == "spend = city_spend(config)"


# ---- sweeping after an interruption ------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def copying_runner(monkeypatch):
    """Notebooks that "execute" by copying: the build-render-swap around them runs for real."""

    def execute(nb, out, params, kernel):
        shutil.copy(nb, out)
        return {"total": 0.0, "kernel": 0.0, "analysis": 0.0}

    monkeypatch.setattr(run, "_execute", execute)
    return run.load_plan(STANDINS / "standin-a.yml"), parameters.notebook_paths(STANDINS)


def test_a_dead_runs_folders_are_swept_by_the_next_run(copying_runner, tmp_path):
    plan, notebooks = copying_runner
    root = tmp_path / "reports"
    dead = _dead_pid()
    stale = root / f".{plan.slug}.building-{dead}-12345-abc_1"
    (stale / "data").mkdir(parents=True)
    (stale / "summary.json").write_text('{"city": "half built"}')
    (stale / "01_baseline.html").write_text("<p>half built</p>")
    moved_aside = root / f".{plan.slug}.old-{dead}-12345-abc_2"  # killed between the swap's renames
    moved_aside.mkdir()
    (moved_aside / "summary.json").write_text('{"city": "Standin Alpha", "previous": true}')
    mine = root / f".{plan.slug}.building-{os.getpid()}-{folders._start_time(os.getpid())}-abc_3"  # a live run's
    mine.mkdir()
    other = root / ".other-city.building-1-1-abc_4"  # another city's: not this run's to judge
    other.mkdir()

    result = run.run_city(plan, notebooks, root=root)
    assert result.ok, result.failures
    assert not stale.exists() and not moved_aside.exists()
    assert mine.exists() and other.exists()
    write_index(root)
    index = (root / "index.html").read_text()
    assert "building-" not in index and ".old-" not in index and "half built" not in index


def test_a_killed_swap_gets_its_previous_report_back(tmp_path):
    root = tmp_path / "reports"
    aside = root / f".town.old-{_dead_pid()}-1-abc"
    aside.mkdir(parents=True)
    (aside / "summary.json").write_text("{}")
    folders.sweep(root, "town")
    assert (root / "town" / "summary.json").is_file() and not aside.exists()


def _slow_standins(folder: Path) -> Path:
    """The stand-in notebooks, the first one sleeping long enough to be interrupted mid-run."""
    folder.mkdir()
    for nb_path in STANDINS.glob("*.ipynb"):
        nb = nbformat.read(str(nb_path), as_version=4)
        if nb_path.stem == "01_baseline":
            nb.cells.insert(1, nbformat.v4.new_code_cell("import time\ntime.sleep(60)"))
        nbformat.write(nb, str(folder / nb_path.name))
    return folder


def _start_run(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    root = tmp_path / "reports"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cwbtools.cli",
            "run",
            str(STANDINS / "standin-a.yml"),
            "--reports",
            str(root),
            "--notebooks",
            str(_slow_standins(tmp_path / "nbs")),
        ],
        cwd=repo_root(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # until the first notebook is running (its part folder exists)
        if list(root.glob(".standin-alpha.building-*/.parts/01_baseline")):
            time.sleep(1.0)
            return proc, root
        time.sleep(0.1)
    proc.kill()
    proc.communicate()
    pytest.fail("the run never started its first notebook")


@pytest.mark.slow  # a kernel starts
def test_sigkill_leaves_a_folder_the_next_run_sweeps(tmp_path):
    proc, root = _start_run(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    left = list(root.glob(".standin-alpha.building-*"))
    assert left, "SIGKILL runs no cleanup: the folder is there for the next run to find"
    assert folders.sweep(root, "standin-alpha") == left
    assert not list(root.glob(".standin-alpha.*"))


@pytest.mark.slow  # a kernel starts
def test_sigterm_removes_its_own_folder(tmp_path):
    proc, root = _start_run(tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 128 + signal.SIGTERM, err[-2000:]
    assert not list(root.glob(".standin-alpha.*")), "SIGTERM unwinds and removes the build folder"
    assert not (root / "standin-alpha").exists()
