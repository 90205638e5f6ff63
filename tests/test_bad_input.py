"""Bad input: every file in the corpus ends in a reconciled ingest or a clear error, never a traceback.

The committed corpus (`tests/data/bad/`, outcomes in MANIFEST.csv) is checked as written; then every
kind is built again at other seeds (other suppliers, amounts, row counts, positions of the bad
cells) and must behave the same, so what is tested is the mechanism, not a list of file names.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cwbtools.cli import main

BAD = Path(__file__).parent / "data" / "bad"
sys.path.insert(0, str(BAD))
import make_corpus  # noqa: E402

MANIFEST = list(csv.DictReader(io.StringIO((BAD / "MANIFEST.csv").read_text(encoding="utf-8"), newline="")))
EXPECTED_KEPT = json.loads((BAD / "expected_kept.json").read_text(encoding="utf-8"))
REASON_COLUMNS = [
    f"reason_{r}"
    for r in (
        "blank",
        "total_row",
        "repeated_header",
        "no_amount",
        "unreadable_amount",
        "no_date",
        "unreadable_date",
        "date_time_only",
        "no_supplier",
        "duplicate_of_other_file",
        "sheet_not_a_ledger",
    )
]


def _cli(argv: list[str]) -> tuple[int, str]:
    """Run `cwb` in-process. Anything escaping `main` would have been a traceback for the user."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    except Exception as exc:  # noqa: BLE001 - the point of the suite
        pytest.fail(f"cwb {' '.join(argv[:1])} ended in a traceback: {type(exc).__name__}: {exc}")
    return code, err.getvalue()


def check(folder: Path, e: make_corpus.Expect, tmp_path: Path) -> None:
    files = [str(folder / f) for f in e.files]
    if e.command == "config":
        code, err = _cli(["config", "check", *files])
    else:
        out = tmp_path / "out"
        code, err = _cli(["ingest", *files, "--anchor", "Bad Input Council", "--out", str(out), "--quiet"])

    if e.outcome == "error":
        assert code not in (0, None), f"{e.files}: expected an error, got exit 0"
        assert "Traceback" not in err
        for fragment in e.message:
            assert fragment in err, f"error message does not name {fragment!r}: {err[:500]}"
        # One readable message: control bytes from a binary file are escaped, not sent to the terminal.
        assert len(err) < 4000 and not any(ord(c) < 32 and c not in "\n\t" for c in err), err[:300]
        return

    assert code == 0, err
    rec = pd.read_csv(out / "reconciliation.csv")
    tx = pd.read_parquet(out / "transactions.parquet")
    quarantine = pd.read_csv(out / "quarantine.csv")
    # Every file balances to the penny and to the row.
    assert (rec.pence_read == rec.pence_kept + rec.pence_set_aside).all()
    assert (rec.rows_read == rec.rows_kept + rec.rows_set_aside).all()
    assert (rec.rows_set_aside == rec[REASON_COLUMNS].sum(axis=1)).all()
    assert sorted(rec.source_file) == sorted(Path(f).name for f in e.files)
    assert int(rec.rows_kept.sum()) == e.rows_kept == len(tx)
    assert int(rec.pence_kept.sum()) == e.pence_kept == int(tx.amount_pence.sum())
    assert tx.amount_pence.dtype == "int64"
    reasons = {c[len("reason_") :]: int(rec[c].sum()) for c in REASON_COLUMNS if rec[c].sum()}
    assert reasons == e.reasons
    assert len(quarantine) == int(rec.rows_set_aside.sum())
    assert int(quarantine.amount_pence.sum()) == int(rec.pence_set_aside.sum())
    if e.kept is not None:
        got = sorted(zip(tx.payment_date.astype(str), tx.supplier_name, tx.amount_pence.astype(int)))
        assert got == sorted((d, s, p) for d, s, p in e.kept)


def _expect_from_manifest(row: dict) -> make_corpus.Expect:
    reasons = dict(kv.split("=") for kv in row["reasons"].split(";") if kv)
    return make_corpus.Expect(
        outcome=row["outcome"],
        files=row["files"].split(";"),
        rows_kept=int(row["rows_kept"]),
        pence_kept=int(row["pence_kept"]),
        reasons={k: int(v) for k, v in reasons.items()},
        message=[m for m in row["message"].split(";") if m],
        command=row["command"],
        kept=[tuple(x) for x in EXPECTED_KEPT[row["case"]]] if row["case"] in EXPECTED_KEPT else None,
    )


def test_the_corpus_is_the_size_the_issue_asks_and_every_file_has_an_outcome():
    assert len(MANIFEST) >= 30
    assert {r["outcome"] for r in MANIFEST} == {"reconciled", "error"}
    for row in MANIFEST:
        for f in row["files"].split(";"):
            assert (BAD / row["case"] / f).is_file(), f


@pytest.mark.parametrize("row", MANIFEST, ids=[r["case"] for r in MANIFEST])
def test_committed_corpus(row, tmp_path):
    check(BAD / row["case"], _expect_from_manifest(row), tmp_path)


_VARIANTS = [c for c in make_corpus.CASES if c.__name__ not in make_corpus.COMMITTED_ONLY]


@pytest.mark.parametrize("seed", [7])
@pytest.mark.parametrize("case", _VARIANTS, ids=[c.__name__ for c in _VARIANTS])
def test_unseen_files_of_the_same_kind_behave_the_same(case, seed, tmp_path):
    e = make_corpus.build(case, tmp_path / "corpus", seed)
    check(tmp_path / "corpus" / case.__name__, e, tmp_path)


def test_manifest_matches_the_generator(tmp_path):
    """MANIFEST.csv is what make_corpus.py says at seed 0: the outcomes written down are not stale."""
    by_case = {r["case"]: r for r in MANIFEST}
    for case in _VARIANTS:
        row = make_corpus.manifest_row(case.__name__, make_corpus.build(case, tmp_path, 0))
        assert {k: str(v) for k, v in row.items()} == by_case[case.__name__], case.__name__


def test_a_folder_of_every_bad_ledger_fails_on_the_first_unreadable_file_by_name(tmp_path):
    """A folder holding good and bad files: the error names the bad file, and nothing half-written is left
    as if it were a result."""
    folder = tmp_path / "ledgers"
    folder.mkdir()
    make_corpus.write_csv(folder / "a-good.csv", make_corpus.ledger(make_corpus.payments(make_corpus.random.Random(3))))
    (folder / "b-broken.csv").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    out = tmp_path / "out"
    code, err = _cli(["ingest", str(folder), "--anchor", "Bad Input Council", "--out", str(out), "--quiet"])
    assert code != 0 and "b-broken.csv" in err
    assert not (out / "transactions.parquet").exists()


def test_no_traceback_reaches_the_user_from_a_real_process(tmp_path):
    """Through the installed entry point, as a user runs it: exit 2, one line, no traceback."""
    env_files = [BAD / "binary_junk" / "binary_junk.csv"]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cwbtools.cli",
            "ingest",
            *map(str, env_files),
            "--anchor",
            "X",
            "--out",
            str(tmp_path / "out"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("cwb: error: ") and "Traceback" not in proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "make, says",
    [(make_corpus.one_gigabyte_line, "no line break"), (make_corpus.huge_line_after_rows, "line 52 is longer than")],
    ids=["one_line", "after_rows"],
)
def test_a_one_gigabyte_line_is_refused_without_reading_it(make, says, tmp_path):
    """1 GB in one line (sparse: no disk, no time to make), alone or after good rows. Refused with an
    error naming the file and line; the child process's peak memory stays far below the line's size."""
    big = make(tmp_path / "one_line.csv")
    code = (
        "import resource, sys\n"
        "from cwbtools.cli import main\n"
        f"rc = main(['ingest', {str(big)!r}, '--anchor', 'X', '--out', {str(tmp_path / 'out')!r}, '--quiet'])\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so it would report the RSS of
        # the (large) pytest process that forked this child.
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
        "print(rc, int(hwm) // 1024)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    rc, peak_mb = map(int, proc.stdout.split())
    assert rc == 2
    assert "one_line.csv" in proc.stderr and says in proc.stderr, proc.stderr
    assert peak_mb < 400, f"peak {peak_mb} MB for a file that should have been refused as read"
