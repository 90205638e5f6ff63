"""What a supplier is: its type (SME, large, VCSE, public, individual) from registers, names and
identifiers, and a sector guessed from the ledger's expense category when no register gives one.
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


# Public bodies by name: councils, NHS, police, fire, schools, colleges, universities, government.
PUBLIC_NAME = (
    r"\b(?:council|borough|county council|nhs|clinical commissioning|foundation trust|health board|police|"
    r"constabulary|fire and rescue|fire authority|primary school|high school|infant school|junior school|"
    r"academy trust|sixth form|college|university|combined authority|hm revenue|department for|ministry of|"
    r"crown prosecution|her majesty|his majesty|magistrates|coroner)\b"
)


VCSE_NAME = r"\b(?:cic|community interest company|co-?operative|registered society|charity|charitable)\b"


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
    name = (
        s["supplier_name"].astype("string").str.lower().fillna("")
        + " "
        + s["registered_name"].astype("string").str.lower().fillna("")
    )
    kind = s["register_kind"].astype("string").fillna("")
    size = s["register_size"].astype("string").fillna("")
    other = s["other_id"].astype("string").fillna("")
    number = s["company_number"].astype("string").fillna("")
    t = pd.Series("unknown", index=s.index, dtype="string")
    t = t.mask(size == "sme", "sme")
    # Gender Pay Gap employers have 250+ staff: never SMEs.
    t = t.mask((size == "large").astype(bool) | s["in_gpg"].astype(bool), "large")
    # Registered societies (IP/RS numbers), charities, co-ops and CICs are VCSE.
    vcse = (
        s["charity_number"].notna().astype(bool)
        | _has(name, VCSE_NAME)
        | kind.isin(["charity", "coop", "cic"]).astype(bool)
        | _has(number, r"^(?:IP|RS|SP|NP)")
    )
    t = t.mask(vcse, "vcse")
    public = (
        _has(name, PUBLIC_NAME)
        | kind.eq("public").astype(bool)
        | _has(other, r"^(?:NHS|URN|PRN)-")
        | s["register_source"].eq("nhs_ods").fillna(False).astype(bool)
    )
    t = t.mask(public, "public")
    t = t.mask(s["crosswalk_type"].notna().astype(bool), s["crosswalk_type"])
    return t.mask(s["individual"].astype(bool), "individual")
