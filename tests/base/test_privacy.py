"""Privacy: after a full `cwb run`, no output names a private person or a redacted payee.

The run (tests/data/bad/city_run.py) is real Oxford ledger rows, with the council's own
"Redacted personal data" payees, plus payments to people we name. Every file the run writes (the
report folder's HTML, notebooks, CSV, JSON, and the city's processed tables) is scanned for every
payee name that ingest treats as a person or a redaction, and for each person we added; none may
appear. People are shown only as one aggregate line.

Those names are the ones ingest already hides, so the reports are also scanned for every payee of
the inputs that the display rule does not name (no evidence of an organisation: `name_shown`
false in the city's suppliers table), whatever ingest made of it. tests/base/test_publish_safety.py
plants people in the formats ingest misses.
"""

from __future__ import annotations

import html
import io
import re
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from cwbtools.schema import INDIVIDUALS_LABEL

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "bad"))
import city_run  # noqa: E402

AGGREGATE_NAMES = {"(individual)", "(payees not named)", "(individuals)"}


@pytest.fixture(scope="module")
def run(built_reference, spend_dir):
    result = city_run.privacy_city_run()
    assert result["code"] == 0, result["stderr"][-3000:]
    return result


@pytest.fixture(scope="module")
def payees(run) -> tuple[list[str], list[str]]:
    """(people, markers): every payee in the inputs that ingest treats as a private person (with the
    people we added), and every redaction marker the publisher used instead of a name."""
    tx = city_run.ingest_inputs(run["root"]).transactions
    names = tx["supplier_name"].astype("string").str.strip()
    flagged_people = set(names[tx["individual"] & ~tx["redacted"]].dropna())
    markers = set(names[tx["redacted"]].dropna())
    assert any("redacted" in n.lower() for n in markers), "the sample lost Oxford's redacted payees"
    people = sorted(n for n in flagged_people | set(city_run.PEOPLE) if len(n) >= 6)
    return people, sorted(markers)


@pytest.fixture(scope="module")
def unnamed(run) -> list[str]:
    """Every payee name of the inputs whose supplier the display rule does not name (several words,
    so that a name is not a word prose uses), with the people we added."""
    from cwbtools.suppliers import supplier_key

    tx = city_run.ingest_inputs(run["root"]).transactions
    tx = tx.assign(supplier_key=supplier_key(tx))
    suppliers = pd.read_parquet(run["processed"] / "suppliers.parquet")
    shown = set(suppliers.loc[suppliers["name_shown"].astype(bool), "supplier_key"])
    all_names = tx["supplier_name"].astype("string").str.strip()
    names = all_names[~tx["supplier_key"].isin(shown)].dropna()
    assert set(city_run.PEOPLE) <= set(names), "a person we added is named by the display rule"
    # `NAYLOR POWELL` is hidden, and is also the start of a name shown (`Naylor Powell Estate Agents`).
    named = " | ".join(all_names[tx["supplier_key"].isin(shown)].dropna().str.lower())
    return sorted(
        n
        for n in set(names)
        if len(n) >= 6 and len(n.split()) >= 2 and not re.search(r"(?<!\w)" + re.escape(n.lower()) + r"(?!\w)", named)
    )


def _texts(folder: Path):
    """(path, text) of every output file; parquet as the text of its string columns."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name == ".lock":
            continue
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            cols = [c for c, t in zip(table.column_names, table.schema.types) if "string" in str(t)]
            yield path, "\n".join(str(v) for c in cols for v in table.column(c).to_pylist() if v is not None)
        else:
            yield path, path.read_bytes().decode("utf-8", errors="replace")


def _outputs(run) -> list[Path]:
    return [run["city"], run["reports"] / "index.html", run["processed"]]


def _cells(path: Path, text: str) -> set[str]:
    """The values a table holds (CSV and parquet cells, HTML table cells), stripped and lower-cased."""
    if path.suffix == ".csv":
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError:
            return set()
        return {str(v).strip().lower() for col in frame.columns for v in frame[col]} | {
            c.lower() for c in frame.columns
        }
    if path.suffix in (".html", ".ipynb", ".parquet"):
        return {m.strip().lower() for m in re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", text)} | (
            {line.strip().lower() for line in text.splitlines()} if path.suffix == ".parquet" else set()
        )
    return set()


@pytest.mark.slow
@pytest.mark.realdata
def test_no_output_of_a_full_run_names_a_person_or_a_redacted_payee(run, payees):
    people, markers = payees
    # A person's name must appear nowhere, prose included. A redaction marker ("Redacted", "Redacted
    # personal data") is a word prose may use ("redacted payees are not named"), so it must not
    # appear as a payee: as a cell of any table.
    patterns = [(name, re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)", re.IGNORECASE)) for name in people]
    scanned = 0
    found = []
    for folder in _outputs(run):
        items = [(folder, folder.read_text())] if folder.is_file() else list(_texts(folder))
        for path, text in items:
            scanned += 1
            where = path.relative_to(run["root"])
            found += [f"{where}: {name!r}" for name, pat in patterns if pat.search(text)]
            cells = _cells(path, text)
            found += [f"{where}: marker {m!r} as a payee" for m in markers if m.lower() in cells]
    assert scanned > 20  # HTML, notebooks, tables, summary, processed tables
    assert not found, "people named in outputs:\n" + "\n".join(found[:30])


@pytest.mark.slow
@pytest.mark.realdata
def test_no_report_names_a_payee_without_evidence_of_an_organisation(run, unnamed):
    """The display rule, checked from the inputs: a payee with no register match, identifier or
    organisation word is named in no report file, in a table or in prose."""
    assert len(unnamed) > len(city_run.PEOPLE)  # Oxford's own unrecognised payees are in the list
    patterns = [(n, re.compile(r"(?<!\w)" + re.escape(n) + r"(?!\w)", re.IGNORECASE)) for n in unnamed]
    found = []
    for folder in [run["city"], run["reports"] / "index.html"]:
        items = [(folder, folder.read_text())] if folder.is_file() else list(_texts(folder))
        for path, text in items:
            text = html.unescape(text)
            found += [f"{path.relative_to(run['root'])}: {n!r}" for n, pat in patterns if pat.search(text)]
    assert not found, "payees without evidence of an organisation named:\n" + "\n".join(found[:30])


@pytest.mark.slow
@pytest.mark.realdata
def test_people_appear_only_as_one_aggregate_line(run):
    data = run["city"] / "data"
    seen = False
    for path in sorted(data.glob("*.csv")):
        try:
            table = pd.read_csv(path, dtype=str)
        except pd.errors.EmptyDataError:  # a table with no columns (see the report): nothing to name
            continue
        if "supplier_type" not in table.columns or "supplier_name" not in table.columns:
            continue
        people = table[table["supplier_type"] == "individual"]
        assert set(people["supplier_name"]) <= AGGREGATE_NAMES, path.name
        seen |= len(people) > 0 or (table["supplier_name"] == INDIVIDUALS_LABEL).any()
    assert seen, "the people we paid should show as an aggregate somewhere"
    top = pd.read_csv(data / "top-suppliers.csv", dtype={"supplier_name": str})
    # People and payees not shown to be organisations share one line (the display rule).
    people = top[top["supplier_name"] == INDIVIDUALS_LABEL]
    assert len(people) <= 1
    # Payments to people leave the procurement base (issue 18) as one unnamed line of "where every
    # pound went"; those not known to be people stay in the base, on the one aggregate line above.
    pounds = pd.read_csv(data / "where-every-pound.csv")
    excluded = pounds.loc[pounds["line"] == "Individuals (not named)", "payments"]
    assert len(excluded) == 1
    assert int(excluded.iloc[0]) + int(people["payments"].sum()) >= 2 * len(city_run.PEOPLE)
    assert not (top["supplier_type"] == "individual").any() or set(
        top.loc[top["supplier_type"] == "individual", "supplier_name"]
    ) == {INDIVIDUALS_LABEL}


def test_the_scan_sees_names_in_every_kind_of_output(tmp_path):
    """The scanner itself: a name planted in a CSV, an HTML table and a parquet column is found."""
    import pyarrow as pa

    (tmp_path / "a.csv").write_text("supplier_name,spend\nRedacted,1\n")
    (tmp_path / "b.html").write_text(
        "<p>redacted payees are not named</p><table><tr><td>Mr Planted Person</td></tr></table>"
    )
    pq.write_table(pa.table({"supplier_name": ["Ms Parquet Person"]}), tmp_path / "c.parquet")
    texts = dict(_texts(tmp_path))
    assert "Ms Parquet Person" in texts[tmp_path / "c.parquet"]
    assert "redacted" in _cells(tmp_path / "a.csv", texts[tmp_path / "a.csv"])
    assert "mr planted person" in _cells(tmp_path / "b.html", texts[tmp_path / "b.html"])
    assert "redacted" not in _cells(tmp_path / "b.html", texts[tmp_path / "b.html"])  # prose is not a payee
