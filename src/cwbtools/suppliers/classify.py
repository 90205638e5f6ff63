"""What a supplier is: its type (SME, large, VCSE, public, public corporation, individual) from
registers, names and identifiers (who is public is `suppliers.public`'s to say), and a sector
guessed from the ledger's expense category when no register gives one.
"""

from __future__ import annotations

import pandas as pd

# SIC 2007 sections by division (first two digits of the code).
_SECTION_RANGES = [
    ("A", 1, 3),
    ("B", 5, 9),
    ("C", 10, 33),
    ("D", 35, 35),
    ("E", 36, 39),
    ("F", 41, 43),
    ("G", 45, 47),
    ("H", 49, 53),
    ("I", 55, 56),
    ("J", 58, 63),
    ("K", 64, 66),
    ("L", 68, 68),
    ("M", 69, 75),
    ("N", 77, 82),
    ("O", 84, 84),
    ("P", 85, 85),
    ("Q", 86, 88),
    ("R", 90, 93),
    ("S", 94, 96),
    ("T", 97, 98),
    ("U", 99, 99),
]
_SECTION_OF_DIVISION = {f"{d:02d}": s for s, lo, hi in _SECTION_RANGES for d in range(lo, hi + 1)}


# Sector from the ledger's expense category, used only when no register gives a SIC (then
# `sic_inferred`). Section only: a category says what was bought, not the supplier's exact trade.
# First pattern that matches wins; anything else stays unknown.
EXPENSE_SECTIONS = [
    (r"\b(?:electric|gas|energy|utilit|power)", "D"),
    (r"\b(?:water|sewer|waste|refuse|recycl|skip hire)", "E"),
    (r"\b(?:construct|building works|repairs?|maintenance|roofing|capital works|highway)", "F"),
    (r"\b(?:fuel|stationery|equipment|furniture|clothing|uniform|materials|supplies)", "G"),
    (r"\b(?:transport|travel|taxi|bus|coach|vehicle hire|postage|courier|car allowance)", "H"),
    (r"\b(?:catering|food|provisions|hotel|accommodation)", "I"),
    (r"\b(?:software|computer|\bit\b|ict|telephon|mobile|internet|licen[cs]e|advertis|publicat)", "J"),
    (r"\b(?:insurance|bank|finance charge|interest)", "K"),
    (r"\b(?:rent|lease|property|rates)", "L"),
    (r"\b(?:legal|audit|consultan|professional|architect|survey|engineer)", "M"),
    (r"\b(?:agency|temporary staff|cleaning|security|recruit|grounds)", "N"),
    (r"\b(?:training|education|tuition|school|course)", "P"),
    (r"\b(?:care|health|medical|nursing|residential|domiciliary|fostering|social)", "Q"),
    (r"\b(?:leisure|sport|arts|culture|library|museum|events)", "R"),
    (r"\b(?:subscription|membership)", "S"),
]


VCSE_NAME = r"\b(?:cic|community interest company|co-?operative|registered society|charity|charitable)\b"
# A registered society (co-operative or community benefit society: the FCA Mutuals register) has an
# IP, RS, SP or NP number at Companies House.
REGISTERED_SOCIETY_NUMBER = r"^(?:IP|RS|SP|NP)"

# SIC codes that name no trade: none given (`0`, as GM publishes it), dormant, non-trading.
_NO_TRADE_SIC = {"00000", "99999", "74990"}

# A ledger's business-type column (`supplier_classification`: `LTD`, `SOLE`, `CHTY`, ...), whole
# cell only: a column of expense headings under that name (Lancashire Fire's) says nothing here.
# `public` is recorded and no more: who is public is `suppliers.public`'s to say.
LEDGER_TYPES = [
    (
        r"ltd|limited|plc|llp|company|limited company|private limited company|public limited company|"
        r"partnership|part|ptnr",
        "company",
    ),
    (r"sole|sole trader|sole traders|sole trader/partnership|self employed|self-employed", "sole_trader"),
    (r"chty|charity|charities|vcse|vcs|voluntary|third sector|voluntary sector|cic|social enterprise", "vcse"),
    (r"sme", "sme"),
    (r"public|public sector|government|govt|local authority|la|nhs|public body", "public"),
]


def sic_codes(codes: pd.Series) -> pd.Series:
    """SIC 2007 codes in one spelling (5 digits: `8110` is 08110, as published as an integer), from
    a register or a ledger; a code that names no trade or no known division is null."""
    sic = codes.astype("string").str.extract(r"(\d{4,5})", expand=False).str.zfill(5)
    ok = sic.str[:2].isin(list(_SECTION_OF_DIVISION)).fillna(False) & ~sic.isin(list(_NO_TRADE_SIC)).fillna(False)
    return sic.where(ok.astype(bool)).astype("string")


def ledger_types(values: pd.Series) -> pd.Series:
    """A ledger's business-type cell as `company`, `sole_trader`, `vcse`, `sme` or `public`; null otherwise."""
    text = values.astype("string").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    out = pd.Series(pd.NA, index=values.index, dtype="string")
    for pattern, kind in LEDGER_TYPES:
        hit = out.isna().astype(bool) & text.str.fullmatch(pattern).fillna(False).astype(bool)
        out = out.mask(hit, kind)
    return out


def _section_from_expense(category: pd.Series) -> pd.Series:
    text = category.astype("string").str.lower().fillna("")
    out = pd.Series(pd.NA, index=category.index, dtype="string")
    for pattern, section in EXPENSE_SECTIONS:
        hit = out.isna().astype(bool) & _has(text, pattern)
        out = out.mask(hit, section)
    return out


def _has(series: pd.Series, pattern: str) -> pd.Series:
    return series.astype("string").fillna("").str.contains(pattern, regex=True).astype(bool)


def _supplier_type(s: pd.DataFrame) -> pd.Series:
    """The type from size, VCSE evidence and `public_class` (who is public is decided once, in
    `suppliers.public`); a crosswalk's type and individuals win."""
    name = (
        s["supplier_name"].astype("string").str.lower().fillna("")
        + " "
        + s["registered_name"].astype("string").str.lower().fillna("")
    )
    kind = s["register_kind"].astype("string").fillna("")
    size = s["register_size"].astype("string").fillna("")
    number = s["company_number"].astype("string").fillna("")
    t = pd.Series("unknown", index=s.index, dtype="string")
    t = t.mask(size == "sme", "sme")
    # Gender Pay Gap employers have 250+ staff: never SMEs.
    t = t.mask((size == "large").astype(bool) | s["in_gpg"].astype(bool), "large")
    # Registered societies (IP/RS numbers), charities, co-ops and CICs are VCSE.
    vcse = (
        s["charity_number"].notna().astype(bool)
        | kind.isin(["charity", "coop", "cic"]).astype(bool)
        | _has(number, REGISTERED_SOCIETY_NUMBER)
    )
    t = t.mask(vcse, "vcse")
    register_said = t.ne("unknown").astype(bool)
    # The ledger's business type (`ledger_type`) after the register: a sole trader is an SME where
    # the register gave no size or form; a charity code is VCSE, as a charity number is (form beats
    # size). `company` says neither (CICs and co-ops are companies too): the name still speaks.
    ledger = s.get("ledger_type", pd.Series(pd.NA, index=s.index)).astype("string").fillna("")
    smallest = ledger.isin(["sole_trader", "sme"]).astype(bool)
    t = t.mask(t.eq("unknown").astype(bool) & smallest, "sme")
    t = t.mask(ledger.eq("vcse").astype(bool), "vcse")
    # The ledger's VCSE flag (`ledger_vcse`, the supplier's most-paid value) below the register: yes
    # makes VCSE where the register gave neither size nor form (over a business type's size reading);
    # no keeps the name from making it VCSE.
    flag = s.get("ledger_vcse", pd.Series(pd.NA, index=s.index)).astype("boolean")
    t = t.mask(flag.eq(True).fillna(False).astype(bool) & ~register_said, "vcse")
    flag_no = flag.eq(False).fillna(False).astype(bool)
    # Names last: a ledger's sole trader or SME, or a supplier the ledger says is not VCSE, is not
    # made VCSE by a word of its name.
    t = t.mask(_has(name, VCSE_NAME) & ~smallest & ~flag_no, "vcse")
    public_class = s["public_class"].astype("string")
    t = t.mask(public_class.eq("public_corporation").fillna(False).astype(bool), "public_corporation")
    t = t.mask(public_class.eq("general_government").fillna(False).astype(bool), "public")
    t = t.mask(s["crosswalk_type"].notna().astype(bool), s["crosswalk_type"])
    return t.mask(s["individual"].astype(bool), "individual")
