"""Where a table's header row is, and, when it has none, which columns hold what by content."""

from __future__ import annotations

import re

from .columns import CORE_FIELDS, DATA_LIKE, HEADER_MIN_SCORE, ColumnMap, header_score, map_header
from .parsing import parse_amount_pence, parse_date
from .tables import is_blank


def find_header(
    rows: list[list], tail: list[list] | None = None, overrides=None
) -> tuple[int | None, ColumnMap | None]:
    """(index in `rows` or -1 for the tail's header, map) of the best header; (None, None) if none.

    The best-scoring row, or two rows read as one (`stacked`) when a merged top row groups the
    cells under it. Of two header rows one above the other, the lower wins a tie: it is the one
    nearest the data, the upper a report writer's machine header (`columns,text apar_id,...`).
    """
    best_i, best_score, best_cells = None, HEADER_MIN_SCORE - 1, None
    for i, row in enumerate(rows):
        cells, score = row, header_score(row)
        if i and _header_like(row) and _header_like(rows[i - 1]) and _merged_band(rows[i - 1], row):
            both = stacked(rows[i - 1], row)
            if (s := header_score(both)) > score:
                cells, score = both, s
        if score > best_score or (score == best_score and best_i is not None and i == best_i + 1):
            best_i, best_score, best_cells = i, score, cells
    if best_i is not None:
        cm = map_header(best_cells, overrides)
        cm.header_rows = 1 if best_cells is rows[best_i] else 2  # both rows are header, neither is data
        return best_i, _with_title(cm, rows[: best_i + 1 - cm.header_rows])
    for row in reversed(tail or []):
        if header_score(row) >= HEADER_MIN_SCORE:
            return -1, map_header(row, overrides)
    if overrides:
        for i, row in enumerate(rows):
            cm = map_header(row, overrides)
            if not cm.missing_core():
                return i, _with_title(cm, rows[:i])
    return None, None


def _header_like(row: list) -> bool:
    """Two or more cells, all text that no data cell looks like (no number, date or amount)."""
    texts = [c for c in row if not (c is None or (isinstance(c, str) and not c.strip()))]
    return len(texts) >= 2 and all(isinstance(c, str) and not DATA_LIKE.search(c) for c in texts)


def _blank(row: list, j: int) -> bool:
    return j >= len(row) or row[j] is None or (isinstance(row[j], str) and not row[j].strip())


def _merged_band(top: list, bottom: list) -> bool:
    """`top` groups the cells under it: each of its cells spans blanks to its right (merged across)
    or stands over a blank (merged down). A title or key/value row (`Organisation Name`, `Barnsley
    MBC`) over a full header does not."""
    width = max(len(top), len(bottom))
    return all(_blank(top, j + 1) or _blank(bottom, j) for j in range(width) if not _blank(top, j) and j + 1 < width)


def stacked(top: list, bottom: list) -> list[str]:
    """Two header rows read as one: `Supplier` merged over `Name` and `Code` gives `Supplier Name`,
    `Supplier Code`. A merged cell is written in its first column only, so a top cell runs right
    over the blanks after it."""
    width = max(len(top), len(bottom))
    out, above = [], ""
    for j in range(width):
        t = top[j] if j < len(top) else None
        b = bottom[j] if j < len(bottom) else None
        if t is not None and str(t).strip():
            above = str(t).strip()
        below = "" if b is None else str(b).strip()
        out.append(" ".join(x for x in (above, below) if x))
    return out


def _with_title(cm: ColumnMap, above: list[list]) -> ColumnMap:
    """The text of the rows above a header (title, period, parameters), for `evidence` to read."""
    cm.title = [c.strip() for r in above for c in r if isinstance(c, str) and c.strip()][:40]
    return cm


_ORG_HINT = re.compile(r"\b(ltd|limited|plc|llp|council|services|trust|group|company|uk|co)\b", re.IGNORECASE)
_URL = re.compile(r"(https?://|www\.)", re.IGNORECASE)
_DATE_SHAPE = re.compile(r"\d{1,4}[/\-. ][\w]{1,9}[/\-. ]\d{2,4}")


def infer_columns(rows: list[list]) -> ColumnMap | None:
    """Recognise date, amount and supplier columns of a header-less table by what they hold."""
    sample = [r for r in rows if not is_blank(r)][:300]
    if len(sample) < 3:
        return None
    width = max(len(r) for r in sample)
    stats = []
    for j in range(width):
        vals = [r[j] if j < len(r) else None for r in sample]
        filled = [v for v in vals if not (v is None or (isinstance(v, str) and not v.strip()))]
        if len(filled) < 0.8 * len(sample):
            stats.append(None)
            continue
        dates = sum(
            1 for v in filled if parse_date(v) is not None and (not isinstance(v, str) or _DATE_SHAPE.search(v))
        )
        money = sum(1 for v in filled if parse_amount_pence(v) is not None)
        decimal = sum(
            1 for v in filled if isinstance(v, (float, int)) or (isinstance(v, str) and re.search(r"\d\.\d\d\s*$", v))
        )
        text = [str(v) for v in filled if isinstance(v, str) and re.search(r"[A-Za-z]{2}", v)]
        org = sum(1 for t in text if _ORG_HINT.search(t))
        url = sum(1 for t in text if _URL.match(t.strip()))
        stats.append(
            dict(
                n=len(filled),
                dates=dates,
                money=money,
                decimal=decimal,
                text=len(text),
                org=org,
                url=url,
                distinct=len(set(map(str, filled))),
                length=sum(len(t) for t in text) / max(len(text), 1),
            )
        )
    cols: dict[str, int] = {}
    cand = [(s["dates"] / s["n"], j) for j, s in enumerate(stats) if s and s["dates"] >= 0.8 * s["n"]]
    if cand:
        cols["payment_date"] = max(cand)[1]
    cand = [
        (s["distinct"] > 1, s["decimal"] / s["n"], j)
        for j, s in enumerate(stats)
        if s and j not in cols.values() and s["money"] >= 0.9 * s["n"]
    ]
    if cand:
        # a column that never changes (the LGA schema's `IrrecoverableVATAmount`, all 0.00) is not
        # the amount while another varies; then ties go to the rightmost: amounts close a ledger line
        cols["amount"] = max(cand)[2]
    cand = [
        (s["url"] < 0.5 * s["n"] and s["distinct"] > 1, s["org"] / s["n"], s["distinct"], j)
        for j, s in enumerate(stats)
        if s and j not in cols.values() and s["text"] >= 0.8 * s["n"]
    ]
    if cand:
        # a web address (`OrganisationURI`: `.../london-borough-council/hounslow`) or one value on
        # every row names the publisher, not the payee
        cols["supplier_name"] = max(cand)[3]
    if any(f not in cols for f in CORE_FIELDS):
        return None
    rest = [(s["length"], j) for j, s in enumerate(stats) if s and j not in cols.values() and s["text"] >= 0.8 * s["n"]]
    if rest:
        cols["description"] = max(rest)[1]
    return ColumnMap(columns=cols, header=None, inferred=True, notes=["no header row: columns recognised by content"])
