"""Draw each real config's top 100 payees by spend, unlabelled (issue 18).

    .venv/bin/python tests/data/top_payees/build_list.py              # writes /tmp/top_payees_draw.csv
    .venv/bin/python tests/data/top_payees/build_list.py --check      # checks labelled_top_payees.csv

The payments are those the pipeline kept, `data/processed/<slug>/spend.parquet` of every config in
`configs/` that is not synthetic; of it only `anchor`, `payment_id` and `amount_pence` are read.
The payee name is the one the ledger publishes, read again with `cwbtools.ingest` and joined on
`payment_id` (spend.parquet already writes the names of payees the tool takes for persons as
`(individual)`, which is the classifier's output, not the ledger's). A payment whose ledger name
ingest blanks as redacted (Oxford's "Redacted personal data") is grouped as `(name withheld in
ledger)`. Per config, spend is totalled over all its years and anchors by `name_key` and the TOP_N
largest net totals are kept. Never read: `supplier_type`, `individual`, `name_shown` or any other
column the tool derives, so the draw cannot lean on the classifier it will measure.

Every row also carries, for the person labelling, what the ledgers publish about the payee:
company, charity and other ids (GM's `CHC-`, `NHS-`, `CQC-`, `URN-`), the publisher's company name
and SIC, expense categories, service areas, descriptions and Fire's supplier classification.

The draw goes to `--out` (default in /tmp, never the repo): it holds names as published, a private
person's among them. Only the labelled list is kept (`labelled_top_payees.csv`, where such names
are written `(individual)`); it is the frozen artefact, see README.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

TOP_N = 100
WITHHELD = "(name withheld in ledger)"
HERE = Path(__file__).resolve().parent
LABELLED = HERE / "labelled_top_payees.csv"
COLUMNS = ["config", "name", "spend_pence", "anchors", "label", "public_kind", "in_base", "evidence", "note"]
# label -> whether issue 18's procurement base keeps the payment (README: "Labels")
IN_BASE = {
    "private": "yes",
    "vcse": "yes",
    "housing_association": "yes",
    "university": "yes",
    "gp_practice": "yes",
    "public_corporation": "yes",
    "unknown": "yes",
    "public_body": "no",
    "transfer": "no",
    "self": "no",
    "individual": "no",
}
PUBLIC_KINDS = {
    "public_body": {
        "council",
        "combined_authority",
        "nhs",
        "police",
        "fire",
        "central_government",
        "school",
        "fe_college",
    },
    "public_corporation": {"local_company", "almo", "central_corporation"},
}
PUBLIC_KINDS["self"] = PUBLIC_KINDS["transfer"] = PUBLIC_KINDS["public_body"]
INDIVIDUAL_NAME = "(individual)"
CONTEXT_COLUMNS = [
    "company_number",
    "charity_number",
    "other_id",
    "supplier_id",
    "ledger_company_name",
    "ledger_sic_code",
    "supplier_classification",
    "expense_category",
    "service_area",
    "description",
]

_LEGAL_TAIL = re.compile(r"(?: (?:ltd|limited|plc|llp|public limited company))+$")


def name_key(name: object) -> str:
    """The grouping key of a published payee name:

    1. the text before the first `#` (Bolton's ledger writes `Payee#site or alias`:
       `Bolton Cares Limited#Internal Invoices`, `Keymen Associates Ltd#Mayday Homecare`);
    2. casefolded, `&` read as `and`, every other non-alphanumeric character a space, spaces collapsed;
    3. a leading `the` and trailing legal forms (`ltd`, `limited`, `plc`, `llp`,
       `public limited company`) dropped.

    Nothing else is merged: `X Ltd` and `X Holdings Ltd`, a council and its pension fund, or two
    spellings of one body (`Stockport MBC`, `Stockport Council`) stay apart."""
    text = str(name).split("#", 1)[0].casefold().replace("&", " and ")
    text = re.sub(r"\s+", " ", re.sub(r"[^0-9a-z]+", " ", text)).strip()
    text = re.sub(r"^the ", "", text)
    return _LEGAL_TAIL.sub("", text).strip()


def real_configs() -> list[str]:
    from cwbtools.config import load_config  # the draw needs the package; --check does not
    from cwbtools.paths import configs_dir

    return sorted(
        p.stem
        for p in configs_dir().glob("*.yml")
        if not load_config(p, check_inputs=False, resolve_areas=False).synthetic
    )


def ledger_rows(slug: str) -> pd.DataFrame:
    """One row per payment_id of the config's ledgers as ingest reads them (published name and ids)."""
    from cwbtools.config import load_config
    from cwbtools.ingest import ingest_paths

    config = load_config(slug, resolve_areas=False)
    parts = [
        ingest_paths([config.resolve_path(ledger.path) for ledger in anchor.ledgers], anchor=anchor.name).transactions
        for anchor in config.anchors
    ]
    tx = pd.concat(parts, ignore_index=True)
    # payment_id is a content hash: identical rows share it (and their name)
    return tx.drop_duplicates("payment_id")[["payment_id", "supplier_name", *[c for c in CONTEXT_COLUMNS if c in tx]]]


def _top_values(s: pd.Series, amounts: pd.Series, n: int = 3) -> str:
    """The `n` values carrying the most spend, `value (£k)`, ` | `-joined."""
    s = s.astype("string").str.strip()
    ok = s.notna() & s.ne("")
    if not ok.any():
        return ""
    g = amounts[ok].groupby(s[ok]).sum().sort_values(ascending=False).head(n)
    return " | ".join(f"{v} ({a / 100_000:,.0f}k)" for v, a in g.items())


def top_payees(payments: pd.DataFrame, top_n: int = TOP_N) -> pd.DataFrame:
    """The `top_n` largest net totals by `name_key` of (anchor, name, amount_pence, ...) rows: the name
    shown is the group's spelling with the most spend (ties: alphabetical), anchors `; `-joined, and
    the context columns' top values."""
    t = payments.copy()
    t["name"] = t["name"].astype(str).str.strip()
    t["name_key"] = t["name"].map(lambda n: n if n == WITHHELD else name_key(n))
    total = t.groupby("name_key")["amount_pence"].sum()
    keys = (
        total.reset_index().sort_values(["amount_pence", "name_key"], ascending=[False, True]).head(top_n)["name_key"]
    )
    rows = []
    for key in keys:
        g = t[t["name_key"] == key]
        spellings = (
            g.groupby("name")["amount_pence"]
            .sum()
            .reset_index()
            .sort_values(["amount_pence", "name"], ascending=[False, True])
        )
        row = {
            "name_key": key,
            "name": spellings["name"].iloc[0],
            "spend_pence": int(g["amount_pence"].sum()),
            "anchors": "; ".join(sorted(set(g["anchor"]))),
            "payments": len(g),
            "spellings": " | ".join(spellings["name"].head(6)),
            "years": " ".join(sorted(g["financial_year"].dropna().unique())),
        }
        for col in CONTEXT_COLUMNS:
            row[col] = _top_values(g[col], g["amount_pence"]) if col in g else ""
        rows.append(row)
    return pd.DataFrame(rows)


def draw(slugs: list[str]) -> pd.DataFrame:
    from cwbtools.paths import processed_dir

    out = []
    for slug in slugs:
        spend = pd.read_parquet(
            processed_dir() / slug / "spend.parquet", columns=["anchor", "financial_year", "payment_id", "amount_pence"]
        )
        payments = spend.merge(ledger_rows(slug), on="payment_id", how="left", validate="many_to_one")
        payments["name"] = payments["supplier_name"].fillna(WITHHELD)
        top = top_payees(payments)
        top.insert(0, "config", slug)
        top.insert(1, "rank", range(1, len(top) + 1))
        out.append(top)
        print(
            f"{slug}: {len(spend)} payments, top {len(top)} payees hold "
            f"{top['spend_pence'].sum() / spend['amount_pence'].sum():.1%} of net spend",
            file=sys.stderr,
        )
    return pd.concat(out, ignore_index=True)


def check(path: Path = LABELLED) -> list[str]:
    """What is wrong with the labelled list (empty when nothing): the scheme of README.md, row by row."""
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(t.columns) != COLUMNS:
        return [f"columns {list(t.columns)} != {COLUMNS}"]
    bad = []
    for i, r in t.iterrows():
        where = f"row {i + 2} ({r.config}, {r['name'][:40]!r})"
        if r.label not in IN_BASE:
            bad.append(f"{where}: unknown label {r.label!r}")
            continue
        want = "no" if "inter_anchor" in r.note else IN_BASE[r.label]
        if r.in_base != want:
            bad.append(f"{where}: in_base {r.in_base!r}, the label says {want!r}")
        kinds = PUBLIC_KINDS.get(r.label, set())
        if r.public_kind and r.public_kind not in kinds:
            bad.append(f"{where}: public_kind {r.public_kind!r} not allowed for {r.label}")
        if r.label in ("public_body", "public_corporation", "self") and not r.public_kind:
            bad.append(f"{where}: {r.label} without public_kind")
        if (r.label == "individual") != (r["name"] == INDIVIDUAL_NAME):
            bad.append(f"{where}: individuals, and only they, are named {INDIVIDUAL_NAME!r}")
        if not r.evidence:
            bad.append(f"{where}: no evidence")
        if r.label == "unknown" and not r.note:
            bad.append(f"{where}: unknown without saying why")
    for slug, g in t.groupby("config"):
        spend = g["spend_pence"].astype("int64")
        if len(g) != TOP_N or not spend.is_monotonic_decreasing:
            bad.append(f"{slug}: {len(g)} rows, or not in spend order")
    return bad


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/top_payees_draw.csv"))
    ap.add_argument("--check", action="store_true", help=f"check {LABELLED.name} against the label scheme")
    ap.add_argument("configs", nargs="*", help="config slugs (default: every real config)")
    args = ap.parse_args(argv)
    if args.check:
        problems = check()
        print("\n".join(problems) or f"{LABELLED.name}: ok", file=sys.stderr)
        return 1 if problems else 0
    table = draw(args.configs or real_configs())
    for col in ("label", "public_kind", "in_base", "evidence", "note"):
        table[col] = ""
    table.to_csv(args.out, index=False)
    print(f"wrote {len(table)} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
