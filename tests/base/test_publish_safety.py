"""Outputs safe to publish (issue 15): nobody named, no live formula.

One whole-city `cwb run` (a separate process, as a user runs it) of a copy of a real Oxford ledger
with people planted in it, in every format ledgers write them, for large sums so that they would
top the supplier tables if named. Ingest's person detector catches some of these formats and not
others; the reports must name none of them, because a payee is named only with positive evidence
of an organisation (`cwbtools.organisations`). Then every spreadsheet file a reader can download
is opened cell by cell: no text cell may start a formula.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import subprocess
import sys
import textwrap
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from cwbtools import publish
from cwbtools.organisations import has_organisation_evidence, name_shown

QUARTER = "expenditure-over-500-apr-jun-2014.csv"
SAMPLE_ROWS = 400

# (payee, the strings no report may contain). Amounts are large: named, they would top every list.
PEOPLE = [
    ("WHITCOMBE, ELEANOR", ["Whitcombe"]),  # SURNAME, FIRSTNAME
    ("PEMBERTON JONATHAN MR", ["Pemberton"]),  # SURNAME FIRSTNAME MR
    ("J QUIGGLESWORTH (REFUND)", ["Quigglesworth"]),  # J SURNAME (REFUND)
    ("Refund - P Blenkinsop", ["Blenkinsop"]),  # Refund - P Surname
    ("Søren Abernethy", ["Abernethy", "Søren"]),  # a first name with non-ASCII letters
    ("Payment to Ms Ottoline Featherstonehaugh re damages", ["Featherstonehaugh", "Ottoline"]),
    ("Haverstock J", ["Haverstock"]),  # Smith J
    ("MR & MRS JARNDYCE", ["Jarndyce"]),
    ("Dr. Ana María Zubizarreta", ["Zubizarreta"]),
    ("O'DONOGHUE-TRESSLER, SEAN", ["Donoghue-Tressler"]),
    ("MISS K ABERCROMBIE", ["Abercrombie"]),  # ingest catches this one
    ("Keziah Fotheringay", ["Fotheringay"]),  # an unfamiliar first name, no title
    ("Cressida Hall", ["Cressida"]),  # a surname that is an organisation word
    ("STONE AMBROSE MR", ["Ambrose"]),
]
# A company payee whose description names a person at home.
ADDRESS_PAYEE = "Juniper Lettings Ltd"
ADDRESS_DESCRIPTION = "Deposit for Mr Horace Wetherell, 14 Juniper Close, Oxford OX4 9ZZ"
ADDRESS_NEEDLES = ["Wetherell", "14 Juniper Close", "OX4 9ZZ"]
# A person's payment that ingest sets aside (the amount does not read): quarantine.csv keeps the row.
SET_ASIDE = ("ASHWORTH-VANE, PRUDENCE", "TBC", "Compensation for Mrs Prudence Ashworth-Vane, 3 Larch Mews")
SET_ASIDE_NEEDLES = ["Ashworth-Vane", "Prudence", "Larch Mews"]
# Organisations (a legal form: positive evidence) whose names are formulas: shown, and neutralised.
FORMULAS = ['=HYPERLINK("http://x","y") Ltd', "+44 123 Services Ltd", "-cmd Trading Ltd", "@SUM(A1) Limited"]

NEEDLES = sorted(
    {n for _, ns in PEOPLE for n in ns} | {p for p, _ in PEOPLE} | set(ADDRESS_NEEDLES) | set(SET_ASIDE_NEEDLES)
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _plant(src: Path, dst: Path) -> None:
    """The first SAMPLE_ROWS rows of the real ledger, a Description column added, then our rows."""
    with open(src, newline="", encoding="utf-8-sig", errors="replace") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0] + ["Description"], [r + [""] for r in rows[1 : SAMPLE_ROWS + 1]]
    col = {h.strip().lower(): i for i, h in enumerate(header)}
    template = next(r for r in body if r[col["supplier name"]].strip() and r[col["amount"]].strip())
    plants = (
        [(p, None, "") for p, _ in PEOPLE]
        + [(ADDRESS_PAYEE, None, ADDRESS_DESCRIPTION)]
        + [(f, None, "") for f in FORMULAS]
        + [SET_ASIDE]
    )
    for i, (name, amount, description) in enumerate(plants):
        row = list(template)
        row[col["supplier name"]] = name
        row[col["amount"]] = amount or f"{2_500_000 + 10_000 * i}.00"
        row[col["supplier id"]] = f"9{i:07d}"
        row[col["trans no"]] = f"CWBPLANT-{i}"
        row[col["description"]] = description
        body.append(row)
    sample = "\n".join(",".join(r) for r in rows[1 : SAMPLE_ROWS + 1])
    clashes = [n for n in NEEDLES if _fold(n) in _fold(sample)]
    assert not clashes, f"the real sample already holds {clashes}: choose other planted names"
    with open(dst, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *body])


@pytest.fixture(scope="module")
def planted(tmp_path_factory, built_reference, spend_dir):
    """One `cwb run` of the planted city: {root, reports, city, processed, code, stderr}."""
    root = tmp_path_factory.mktemp("planted")
    ledgers = root / "ledgers"
    ledgers.mkdir()
    _plant(spend_dir / "oxford" / QUARTER, ledgers / QUARTER)
    processed = root / "processed"
    processed.mkdir()
    (processed / "reference").symlink_to(built_reference)
    config = root / "planted-town.yml"
    config.write_text(
        textwrap.dedent(f"""\
        name: Planted Town
        slug: planted-town
        place: {{name: Oxford, lad_codes: [E07000178]}}
        wider_area: Oxfordshire
        years: [2014/15]
        baseline_year: 2014/15
        anchors:
          - name: Planted Test Council
            kind: council
            ledgers: [{{path: "{ledgers}"}}]
        """)
    )
    reports = root / "reports"
    env = dict(os.environ, CWB_PROCESSED=str(processed), CWB_REPORTS=str(reports))
    cwb = Path(sys.executable).with_name("cwb")
    command = [str(cwb)] if cwb.exists() else [sys.executable, "-m", "cwbtools.cli"]
    proc = subprocess.run([*command, "run", str(config)], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return {
        "root": root,
        "reports": reports,
        "city": reports / "planted-town",
        "processed": processed / "planted-town",
        "ledgers": ledgers,
    }


# ---------------------------------------------------------------------------------------------
# Reading every kind of output as text


def _xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(
            z.read(n).decode("utf-8", "replace")
            for n in z.namelist()
            if n.endswith(".xml") and ("sharedStrings" in n or "/worksheets/" in n)
        )


def _json_text(raw: str) -> str:
    try:
        return json.dumps(json.loads(raw), ensure_ascii=False)
    except ValueError:
        return raw


def file_text(path: Path) -> str:
    """What a reader could read in the file: JSON unescaped (`\\u00f8`), HTML entities decoded
    (twice: notebooks hold HTML inside JSON), workbooks' XML."""
    if path.suffix == ".xlsx":
        text = _xlsx_text(path)
    else:
        text = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix in (".json", ".ipynb"):
            text = _json_text(text)
    text = html.unescape(html.unescape(text))
    return _fold(text.replace("\\'", "'"))


def _outputs(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.rglob("*")) if p.is_file()]


def found_needles(folder: Path, needles: list[str]) -> list[str]:
    hits = []
    for path in _outputs(folder):
        text = file_text(path)
        hits += [f"{path.relative_to(folder)}: {n!r}" for n in needles if _fold(n) in text]
    return hits


# ---------------------------------------------------------------------------------------------
# Nobody named


@pytest.mark.slow
@pytest.mark.realdata
def test_no_report_file_names_a_planted_person(planted):
    files = _outputs(planted["reports"])
    kinds = {p.suffix for p in files}
    assert {".html", ".csv", ".ipynb", ".json"} <= kinds and len(files) > 30
    hits = found_needles(planted["reports"], NEEDLES)
    assert not hits, "planted people in reports/:\n" + "\n".join(hits[:40])


@pytest.mark.slow
@pytest.mark.realdata
def test_the_scan_would_see_a_name_that_got_through(planted):
    """The planted organisations are named (so the people would have been, had they been shown),
    and the scan finds text it is asked to look for in each kind of file."""
    top = (planted["city"] / "data" / "top-suppliers.csv").read_text(encoding="utf-8")
    assert "Juniper Lettings" in top and "Services Ltd" in top
    assert found_needles(planted["reports"], ["Juniper Lettings"])
    assert any(p.name.endswith(".ipynb") for p in _outputs(planted["city"]))


@pytest.mark.slow
@pytest.mark.realdata
def test_people_are_counted_not_dropped(planted):
    """Hidden is not lost: the planted payments are still in the spend (their sum in the totals)."""
    spend = pd.read_parquet(planted["processed"] / "spend.parquet")
    ids = spend["row_number"].gt(SAMPLE_ROWS + 1)  # the planted rows follow the real sample
    assert ids.sum() == len(PEOPLE) + 1 + len(FORMULAS)
    shown = spend.loc[ids].set_index("row_number")["name_shown"]
    assert not shown.loc[[SAMPLE_ROWS + 2 + i for i in range(len(PEOPLE))]].any()


@pytest.mark.slow
@pytest.mark.realdata
def test_processed_tables_keep_no_description_or_raw_text_naming_a_person(planted):
    """Best effort outside reports/: the spend table's descriptions and the quarantine's raw cells
    do not carry the planted person's name or home address."""
    hits = []
    spend = pd.read_parquet(planted["processed"] / "spend.parquet")
    text = _fold(spend.astype("string").fillna("").to_csv(index=False))
    hits += [f"spend.parquet: {n!r}" for n in ADDRESS_NEEDLES if _fold(n) in text]
    quarantine = pd.read_csv(planted["processed"] / "quarantine.csv", dtype=str, keep_default_na=False)
    assert (quarantine["reason"] == "unreadable_amount").sum() >= 1  # the set-aside plant is there
    for name in ("quarantine.csv", "duplicates.csv"):
        hits += [f"{name}: {n!r}" for n in NEEDLES if _fold(n) in file_text(planted["processed"] / name)]
    assert not hits, "\n".join(hits)


# ---------------------------------------------------------------------------------------------
# No live formula


def _csv_cells(path: Path):
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            yield from row


def live_formulas(folder: Path) -> list[str]:
    bad = []
    for path in _outputs(folder):
        if path.suffix == ".csv":
            cells = list(_csv_cells(path))
        elif path.suffix == ".xlsx":
            frames = pd.read_excel(path, sheet_name=None, dtype=str, header=None)
            cells = [v for f in frames.values() for v in f.to_numpy().ravel() if isinstance(v, str)]
        else:
            continue
        bad += [
            f"{path.relative_to(folder)}: {c[:60]!r}"
            for c in cells
            if publish.is_formula_like(c) and not publish._NUMBER.match(c)
        ]
    return bad


@pytest.mark.slow
@pytest.mark.realdata
def test_no_downloadable_cell_is_a_formula(planted):
    assert not live_formulas(planted["reports"]), "\n".join(live_formulas(planted["reports"])[:30])
    top = list(
        csv.DictReader(
            io.StringIO((planted["city"] / "data" / "top-suppliers.csv").read_text(encoding="utf-8"), newline="")
        )
    )
    names = {r["supplier_name"] for r in top}
    # The planted formulas reached the table (named: a legal form), as inert text.
    assert {"'" + f for f in FORMULAS} <= names, sorted(n for n in names if "Ltd" in n or "Limited" in n)[:20]


@pytest.mark.slow
@pytest.mark.realdata
def test_processed_csvs_hold_no_live_formula(planted):
    assert not live_formulas(planted["processed"]), "\n".join(live_formulas(planted["processed"])[:30])


def test_the_formula_scan_sees_a_live_formula(tmp_path):
    (tmp_path / "a.csv").write_text('name,n\n"=HYPERLINK(""http://x"",""y"")",1\n-12.5,2\n', encoding="utf-8")
    assert live_formulas(tmp_path) == ['a.csv: \'=HYPERLINK("http://x","y")\'']


def test_guard_round_trip(tmp_path):
    """What we write is inert, and reads back as it was through the package's own readers."""
    from cwbtools.suppliers import read_crosswalk

    names = FORMULAS + ["\tTabbed Ltd", " =spaced Ltd", "Plain Ltd", "-12.50", "+9.67 (-0.96 to +20.31)"]
    frame = pd.DataFrame(
        {
            "supplier_name": names,
            "company_number": [f"{i:08d}" for i in range(len(names))],
            "postcode": "OX1 1BX",
            "supplier_type": "sme",
        }
    )
    path = publish.write_csv(frame, tmp_path / "crosswalk.csv")
    assert not live_formulas(tmp_path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert raw["supplier_name"].iloc[0] == "'" + FORMULAS[0] and raw["supplier_name"].iloc[7] == "-12.50"
    back = read_crosswalk(path)
    assert sorted(back["supplier_name"]) == sorted(n.strip() for n in names)  # the reader trims names


def test_review_round_trip(tmp_path):
    """A review file a person opened and saved: accepted rows reach the crosswalk without the quote."""
    from cwbtools.suppliers import fold_review, read_crosswalk

    review = pd.DataFrame(
        {
            "supplier_name": ["=EVIL() Ltd", "Plain Ltd"],
            "candidate_company_number": ["01234567", "07654321"],
            "candidate_postcode": ["OX1 1BX", "OX1 1BX"],
            "decision": ["accept", "accept"],
        }
    )
    publish.write_csv(review, tmp_path / "review.csv")
    assert fold_review(tmp_path / "review.csv", tmp_path / "crosswalk.csv") == (2, 0)
    assert not live_formulas(tmp_path)
    assert set(read_crosswalk(tmp_path / "crosswalk.csv")["supplier_name"]) == {"=EVIL() Ltd", "Plain Ltd"}


# ---------------------------------------------------------------------------------------------
# Where tables leave for readers


def test_for_readers_names_only_organisations_and_drops_free_text():
    from cwbtools.privacy import for_readers
    from cwbtools.schema import INDIVIDUALS_LABEL

    frame = pd.DataFrame(
        {
            "supplier_name": ["Cressida Hall", "Acme Ltd", "HEBBORN AMUSEMENTS", INDIVIDUALS_LABEL, "Jo Bloggs"],
            "supplier_type": ["unknown", "sme", "unknown", "individual", "sme"],
            "expense_category": ["Damages", "Stationery", "Rents", "Grants", "Rents"],
            "postcode": ["OX4 9ZZ", "OX1 1AA", "OX2 2BB", None, "OX3 3CC"],
            "description": ["x", "y", "z", "w", "v"],
            "spend_pence": [5, 4, 3, 2, 1],
        }
    )
    out = for_readers(frame)
    # Without `name_shown`, only the words of a name count: a legal form here.
    # Readers see one label for everyone not named, whatever the frame called them.
    assert out["supplier_name"].tolist() == [
        INDIVIDUALS_LABEL,
        "Acme Ltd",
        INDIVIDUALS_LABEL,
        INDIVIDUALS_LABEL,
        INDIVIDUALS_LABEL,
    ]
    assert out["expense_category"].isna().tolist() == [True, False, True, True, True]
    assert out["postcode"].notna().tolist() == [False, True, False, False, False]
    assert "description" not in out and out["spend_pence"].tolist() == [5, 4, 3, 2, 1]
    # With it (a register match found HEBBORN AMUSEMENTS), the column decides and then goes.
    out = for_readers(frame.assign(name_shown=[False, True, True, False, True]))
    assert out["supplier_name"].tolist() == [
        INDIVIDUALS_LABEL,
        "Acme Ltd",
        "HEBBORN AMUSEMENTS",
        INDIVIDUALS_LABEL,
        "Jo Bloggs",
    ]
    assert "name_shown" not in out


def test_present_table_writes_inert_csv_and_shows_the_text(tmp_path):
    from cwbtools.report import present

    frame = pd.DataFrame(
        {
            "supplier_name": FORMULAS,
            "spend_pence": [1, 2, 3, 4],
            "trend": ["+9.67 (-0.96 to +20.31)"] * 4,
            "change": [-1.5, 2.0, 0.0, 1.0],
        }
    )
    block = present.table(frame, "formulas", "t", "b", tmp_path)
    assert not live_formulas(tmp_path)
    back = pd.read_csv(tmp_path / "data" / "formulas.csv", dtype=str)
    assert back["supplier_name"].tolist() == ["'" + f for f in FORMULAS] and back["change"].iloc[0] == "-1.5"
    assert html.escape(FORMULAS[1]) in block.data and "'+44" not in block.data  # the page shows the name as is


# ---------------------------------------------------------------------------------------------
# The display rule on the hand-labelled payees


LABELLED = Path(__file__).resolve().parents[1] / "data" / "payees" / "labelled_payees.csv"


def test_no_labelled_person_is_shown():
    """Every payee a person labelled `person` in the frozen sample is hidden by the display rule
    (names alone: no register record is found for a person)."""
    if not LABELLED.exists():
        pytest.skip(f"{LABELLED} not written yet")
    payees = pd.read_csv(LABELLED, dtype=str, keep_default_na=False)
    people = payees[payees["label"].str.strip().str.lower() == "person"]
    assert len(people) >= 10
    frame = pd.DataFrame(
        {"supplier_key": [f"k{i}" for i in range(len(people))], "supplier_name": people["name"].to_numpy()}
    )
    shown = frame.loc[name_shown(frame).to_numpy(), "supplier_name"].tolist()
    assert not shown, f"people whose names would be shown: {shown}"


def test_planted_formats_have_no_organisation_evidence():
    assert not [p for p, _ in PEOPLE if has_organisation_evidence(p)]
    assert all(has_organisation_evidence(f) for f in FORMULAS + [ADDRESS_PAYEE])
