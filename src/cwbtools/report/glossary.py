"""The glossary appendix of every reader's page, generated from `docs/GLOSSARY.md`: the words a
reader meets (LM3, bounds, located, procurement spend, ...) in plain words, so statistical terms
are explained once, at the end, not in the text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..paths import repo_root

GLOSSARY_FILE = Path("docs") / "GLOSSARY.md"
_CODE = re.compile(r"`([^`]+)`")


def terms(text: str) -> list[dict]:
    """The rows of the glossary's table as `{"term", "meaning"}`, in the file's order (its
    `where the rule lives` column is for developers and is left out)."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else []
        if len(cells) < 2 or cells[0].lower() == "term" or set(cells[0]) <= set("-: "):
            continue
        rows.append({"term": cells[0], "meaning": cells[1]})
    return rows


def _inline(text: str) -> str:
    """Markdown's inline code as `<code>`, everything else as escaped text."""
    parts = _CODE.split(text)
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p) for i, p in enumerate(parts))


def glossary_html(path: Path | None = None) -> str:
    """The glossary as a definition list (`<dl class="glossary">`); empty when the file is not
    there (an installed package without the repository's docs)."""
    path = Path(path) if path is not None else repo_root() / GLOSSARY_FILE
    try:
        rows = terms(path.read_text(encoding="utf-8"))
    except OSError:
        return ""
    items = "\n".join(f"<dt>{_inline(r['term'])}</dt><dd>{_inline(r['meaning'])}</dd>" for r in rows)
    return f'<dl class="glossary">\n{items}\n</dl>' if rows else ""
