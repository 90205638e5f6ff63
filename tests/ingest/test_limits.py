"""Every resource bound of a ledger read is configurable (issue 17 point 8): `cwb ingest --limit
NAME=VALUE`, `ingest_limits:` in a city config, `ingest_paths(limits=...)`; a wrong name or value
is an error listing the names; the limits reach the threads that read; each is documented."""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
import threading
from pathlib import Path

import openpyxl
import pytest

from cwbtools.cli import main
from cwbtools.config import load_config
from cwbtools.errors import ConfigError
from cwbtools.ingest import core, ingest_paths, limits
from cwbtools.ingest.limits import Limits

ROOT = Path(__file__).resolve().parents[2]


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _ledger(path: Path, rows: int = 3, line: str = "") -> Path:
    body = "".join(f"Supplier {i} Ltd,{i + 1}.00,{1 + i % 28:02d}/05/2019{line}\n" for i in range(rows))
    path.write_text("Supplier Name,Amount,Payment Date\n" + body, encoding="utf-8")
    return path


def test_parse_reads_names_and_whole_numbers():
    got = Limits().parse(["max_sheet_rows=5_000_000", "max_cell_chars = 2,000"])
    assert (got.max_sheet_rows, got.max_cell_chars) == (5_000_000, 2_000)
    assert got.max_line_chars == Limits().max_line_chars


@pytest.mark.parametrize("item", ["max_sheet_row=5", "max_sheet_rows=lots", "max_sheet_rows=0", "max_sheet_rows=-1"])
def test_a_wrong_name_or_value_is_refused_listing_the_names(item):
    with pytest.raises(ValueError) as err:
        Limits().parse([item])
    assert all(name in str(err.value) for name in Limits.names())


def test_cwb_ingest_refuses_a_wrong_limit_in_one_line(tmp_path):
    ledger = _ledger(tmp_path / "a.csv")
    for item in ("nosuch=3", "max_cell_chars=abc", "max_cell_chars"):
        code, _, err = _cli("ingest", str(ledger), "--anchor", "T", "--out", str(tmp_path / "o"), "--limit", item)
        assert code == 2 and err.count("\n") == 1 and err.startswith("cwb: error: --limit"), err
        assert "max_payment_pounds" in err or "NAME=VALUE" in err
    assert not (tmp_path / "o").exists()


def test_ingest_paths_puts_its_limits_in_force_on_every_thread_that_reads(tmp_path, monkeypatch):
    seen: list[tuple[Limits, str]] = []
    real = core.process_block

    def spy(table, anchor, block):
        seen.append((limits.current(), threading.current_thread().name))
        return real(table, anchor, block)

    monkeypatch.setattr(core, "process_block", spy)
    mine = Limits().replace(max_cell_chars=12_345)
    book = openpyxl.Workbook()  # a sheet is cut into chunks of `chunk_rows`, read on the pool
    book.active.append(["Supplier Name", "Amount", "Payment Date"])
    for i in range(50):
        book.active.append([f"Supplier {i} Ltd", i + 1, f"{1 + i % 28:02d}/05/2019"])
    book.save(tmp_path / "a.xlsx")
    result = ingest_paths([tmp_path / "a.xlsx"], "T", chunk_rows=10, limits=mine)
    assert len(result.transactions) == 50
    assert len(seen) >= 5 and all(got == mine for got, _ in seen)
    if core.WORKERS > 1:  # the pool's threads, not only the caller's
        assert any(name.startswith("cwb-ingest") for _, name in seen)
    assert limits.current() == Limits()  # the run's limits end with the run


def test_limits_in_force_around_a_call_hold_when_it_names_none(tmp_path, monkeypatch):
    seen = []
    real = core.process_block

    def spy(table, anchor, block):
        seen.append(limits.current())
        return real(table, anchor, block)

    monkeypatch.setattr(core, "process_block", spy)
    mine = Limits().replace(max_sheet_rows=777)
    with limits.using(mine):
        ingest_paths([_ledger(tmp_path / "a.csv")], "T")
    assert seen and all(got == mine for got in seen)


def test_a_limit_given_to_cwb_ingest_reaches_the_reader(tmp_path):
    """A limit lowered on the command line bounds the read: a 200-character line is refused."""
    ledger = _ledger(tmp_path / "a.csv", line="," + "x" * 200)
    assert _cli("ingest", str(ledger), "--anchor", "T", "--out", str(tmp_path / "o1"), "--quiet")[0] == 0
    code, _, err = _cli(
        "ingest",
        str(ledger),
        "--anchor",
        "T",
        "--out",
        str(tmp_path / "o2"),
        "--quiet",
        "--limit",
        "max_line_chars=100",
    )
    assert code == 2 and "a.csv" in err and "100" in err, err


def test_cwb_inspect_reads_under_the_limits_it_is_given(tmp_path):
    ledger = _ledger(tmp_path / "a.csv", line="," + "x" * 200)
    code, out, _ = _cli("inspect", str(ledger), "--limit", "max_line_chars=100")
    assert code == 0 and "cannot be read" in out and "100" in out, out
    assert "cannot be read" not in _cli("inspect", str(ledger))[1]


CITY = """\
name: Limits Town
slug: limits-town
place: {name: Preston, lad_codes: [E07000123]}
wider_area: [E07000117, E07000123]
years: [2019/20]
anchors:
  - name: Limits Town Council
    kind: council
    ledgers: [ledger.csv]
"""


def _config(tmp_path: Path, extra: str = ""):
    _ledger(tmp_path / "ledger.csv")
    path = tmp_path / "city.yml"
    path.write_text(CITY + textwrap.dedent(extra), encoding="utf-8")
    return load_config(path, resolve_areas=False)


def test_a_city_configs_ingest_limits_reach_ingest(tmp_path, monkeypatch):
    from cwbtools import ingest
    from cwbtools.city import spend

    config = _config(tmp_path, "ingest_limits: {max_sheet_rows: 5000, max_payment_pounds: 1000000}\n")
    assert config.limits() == Limits().replace(max_sheet_rows=5000, max_payment_pounds=1_000_000)
    given = {}
    real = ingest.ingest_paths

    def spy(*args, **kwargs):
        given.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "ingest_paths", spy)
    [result] = spend._ingest_anchor(config, config.anchors[0])
    assert given["limits"] == config.limits() and len(result.transactions) == 3
    assert _config(tmp_path).limits() == Limits()  # none given: the defaults


def test_a_city_configs_ingest_limits_change_its_cache_key(tmp_path):
    from cwbtools.city import spend

    plain = spend.fingerprint(_config(tmp_path))
    assert spend.fingerprint(_config(tmp_path, "ingest_limits: {max_sheet_rows: 5000}\n")) != plain


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("ingest_limits: {max_sheet_row: 5000}\n", "unknown limit max_sheet_row"),
        ("ingest_limits: {max_sheet_rows: 0}\n", "max_sheet_rows"),
        ("ingest_limits: {max_sheet_rows: many}\n", "ingest_limits"),
    ],
)
def test_a_wrong_ingest_limit_in_a_config_is_refused_naming_it(tmp_path, extra, says):
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, extra)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_every_limit_is_documented_where_security_is():
    text = (ROOT / "docs" / "SECURITY.md").read_text(encoding="utf-8")
    for name in Limits.names():  # a row of the limits table, with the default in force
        assert re.search(rf"^\| `{name}` \| {getattr(Limits(), name):,} \| \w", text, re.M), name
    assert "--limit NAME=VALUE" in text and "ingest_limits" in text
