"""docs/CONTRACTS.md and `cwbtools.schema` say the same thing, both ways, and the code uses them.

The tables of CONTRACTS.md are parsed: a column, value or label in the document but not in
`schema` fails, as does one in `schema` but not in the document, or the two in another order.
"""

from __future__ import annotations

import ast
import re
import typing
from pathlib import Path

import pyarrow as pa

from cwbtools import schema

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = (ROOT / "docs" / "CONTRACTS.md").read_text(encoding="utf-8")


def _section(number: int) -> str:
    match = re.search(rf"^## {number}\. .*?(?=^## |\Z)", CONTRACTS, re.MULTILINE | re.DOTALL)
    assert match, f"CONTRACTS.md has no section {number}"
    return match.group(0)


def _tables(section: str) -> list[list[list[str]]]:
    """The body rows of each markdown table in `section`, as lists of cells."""
    tables: list[list[list[str]]] = []
    rows = None
    for line in section.splitlines():
        if not line.startswith("|"):
            rows = None
            continue
        cells = [c.strip() for c in line.strip()[1:-1].split("|")]
        if rows is None:  # the header row starts a table
            rows = []
            tables.append(rows)
        elif not set("".join(cells)) <= set("-: "):
            rows.append(cells)
    return tables


def _name(cell: str) -> str:
    match = re.fullmatch(r"`([^`]+)`", cell)
    assert match, f"not a `name` cell: {cell!r}"
    return match.group(1)


def _names(table: list[list[str]]) -> list[str]:
    return [_name(row[0]) for row in table]


def _same(in_doc: list, in_code: list, what: str) -> None:
    """Equal lists, with a message saying which side has what."""
    only_doc = [x for x in in_doc if x not in in_code]
    only_code = [x for x in in_code if x not in in_doc]
    assert in_doc == in_code, f"{what}: in CONTRACTS.md only {only_doc}, in schema.py only {only_code}" + (
        "" if only_doc or only_code else "; same names, another order"
    )


def _listed(section: str, file: str) -> list[str]:
    """The column list written as `DIR/<file>`: `a, b, c`."""
    match = re.search(rf"`DIR/{re.escape(file)}`: `([^`]+)`", section)
    assert match, f"CONTRACTS.md lists no columns for {file}"
    return [c.strip() for c in match.group(1).split(",")]


def test_transaction_columns_and_types():
    contract, added, _reasons = _tables(_section(1))
    _same([(_name(r[0]), r[1]) for r in contract], list(schema.TRANSACTION_CONTRACT.items()), "§1 columns")
    _same([(_name(r[0]), r[1]) for r in added], list(schema.TRANSACTION_ADDED.items()), "§1 columns ingest adds")
    assert [*schema.TRANSACTION_CONTRACT, *schema.TRANSACTION_ADDED] == schema.TRANSACTION_COLUMNS


def test_reconciliation_quarantine_and_reasons():
    section = _section(1)
    _same(_listed(section, "reconciliation.csv"), schema.RECONCILIATION_COLUMNS, "reconciliation.csv")
    _same(_listed(section, "quarantine.csv"), schema.QUARANTINE_COLUMNS, "quarantine.csv")
    _same(_listed(section, "column_maps.csv"), schema.COLUMN_MAP_COLUMNS, "column_maps.csv")
    said = section.split("`read_from` how", 1)[1].split("`note`")[0]
    _same([v for v in re.findall(r"`([a-z_]+)`", said)], schema.COLUMN_MAP_SOURCES, "column_maps read_from values")
    reasons = _tables(section)[2]
    _same([_name(r[0]) for r in reasons if r[1] == "ingest"], schema.INGEST_REASONS, "ingest reasons")
    _same([_name(r[0]) for r in reasons if r[1] == "city pipeline"], schema.CITY_REASONS, "city pipeline reasons")
    _same(_names(reasons), schema.SET_ASIDE_REASONS, "all reasons")


def test_supplier_and_spend_columns():
    contract, evidence = _tables(_section(3))
    _same(_names(contract), schema.SUPPLIER_CONTRACT_COLUMNS, "§3 columns")
    _same(_names(evidence), schema.SUPPLIER_EVIDENCE_COLUMNS, "§3 evidence columns")
    spend, trace = _tables(_section(4))
    _same(_names(spend), schema.SPEND_COLUMNS, "§4 columns")
    _same(_names(trace), schema.SPEND_TRACE_COLUMNS, "§4 columns beyond the contract")


def test_coded_values():
    """Every column CONTRACTS gives as "one of `a`, `b`" is in `schema.VALUES` with those values, in order."""
    listed = {}
    for number in (1, 3, 4):
        for table in _tables(_section(number)):
            for row in table:
                match = re.search(r"one of ((?:`[^`]+`(?:, )?)+)", row[-1])
                if match:
                    listed[_name(row[0])] = re.findall(r"`([^`]+)`", match.group(1))
    assert sorted(listed) == sorted(schema.VALUES)
    for column, values in schema.VALUES.items():
        _same(listed[column], values, f"values of {column}")


def test_individual_labels():
    labels = set(re.findall(r'"(\([^")]*\))"', CONTRACTS))
    assert labels == {schema.INDIVIDUAL_LABEL, schema.INDIVIDUALS_LABEL, schema.INDIVIDUALS_KEY}
    assert f'`supplier_key == "{schema.INDIVIDUAL_KEY}"`' in CONTRACTS


# ---------------------------------------------------------------------------------------------
# The code writes what the schema says


def test_ingest_writes_the_schema(tmp_path):
    from cwbtools.ingest import ingest_paths, parquet

    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "Supplier Name,Amount,Date\nAcme Ltd,10.00,01/05/2019\nMr J Smith,5.00,02/05/2019\n"
        "Beta plc,,03/05/2019\nTotal,15.00,\n",
        encoding="utf-8",
    )
    result = ingest_paths([ledger], "Test Council")
    assert list(result.transactions.columns) == schema.TRANSACTION_COLUMNS
    assert list(result.reconciliation.columns) == schema.RECONCILIATION_COLUMNS + [
        f"reason_{r}" for r in schema.INGEST_REASONS
    ]
    assert list(result.quarantine.columns) == schema.QUARANTINE_COLUMNS
    assert set(result.quarantine["reason"]) == {"no_amount", "total_row"}
    assert set(result.transactions["date_source"]) == {"ledger"}
    assert result.transactions["supplier_name"].tolist() == ["Acme Ltd", "Mr J Smith"]
    assert result.transactions["individual"].tolist() == [False, True]

    arrow = {"string": pa.string(), "int64": pa.int64(), "date32": pa.date32(), "bool": pa.bool_()}
    types = {**schema.TRANSACTION_CONTRACT, **schema.TRANSACTION_ADDED}
    assert {f.name: f.type for f in parquet.arrow_schema()} == {c: arrow[t.rstrip("?")] for c, t in types.items()}


def test_other_lists_of_coded_values_agree():
    """Lists kept elsewhere for their own reasons (display names, config validation) cover the same values."""
    from cwbtools import definitions
    from cwbtools.analysis import baseline
    from cwbtools.config import definitions as config
    from cwbtools.report import charts

    assert list(baseline.BUSINESS_TYPE_NAMES) == schema.SUPPLIER_TYPES
    assert set(charts.GEO_COLOURS) == set(schema.GEO_ORDER)
    allowed = typing.get_args(typing.get_args(config.NotInfluenceable.model_fields["supplier_types"].annotation)[0])
    # Public bodies and individuals leave the procurement base itself (`analysis.base`): not a choice here.
    assert set(allowed) == set(schema.SUPPLIER_TYPES) - {"public", "individual"}
    assert list(definitions.RESPEND_TYPES) == [t for t in schema.SUPPLIER_TYPES if t != "individual"]


def test_labels_and_value_lists_are_written_only_in_schema():
    """No module spells out an individuals label, or a whole list of coded values, again."""
    labels = {schema.INDIVIDUAL_LABEL, schema.INDIVIDUALS_LABEL, schema.INDIVIDUALS_KEY}
    lists = {frozenset(v) for v in (schema.GEO_ORDER, schema.SUPPLIER_TYPES, schema.RESOLVED_BY, schema.INGEST_REASONS)}
    found = []
    for path in sorted((ROOT / "src" / "cwbtools").rglob("*.py")):
        if path.name == "schema.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        annotations = {id(n) for s in ast.walk(tree) if isinstance(s, ast.Subscript) for n in ast.walk(s.slice)}
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Constant) and node.value in labels:
                found.append(f"{where} {node.value!r}")
            elif isinstance(node, (ast.List, ast.Tuple)) and id(node) not in annotations:
                values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                if len(values) == len(node.elts) and frozenset(values) in lists:
                    found.append(f"{where} {values}")
    assert not found, "import these from cwbtools.schema instead:\n" + "\n".join(found)
