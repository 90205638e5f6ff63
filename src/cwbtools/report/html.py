"""What readers see: executed notebooks rendered as HTML with the code hidden (the index of every
city's reports is `index.py`; what each report was made from, `provenance.py`).

Pages are single self-contained files (CSS inlined, charts as data URIs, no scripts) so they open
offline, from a file share or an e-mail attachment, and show no console errors. Everything a
notebook outputs as HTML or Markdown is sanitised before it reaches a page: outputs carry supplier
names and ledger text, which are not ours to trust.
"""

from __future__ import annotations

import functools
import html
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nh3

from ..paths import reports_dir
from . import present
from .glossary import glossary_html
from .present import NO_VALUE

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

#: The three notebooks in reading order, with the title a reader sees when a notebook has no H1.
NOTEBOOKS = {
    "01_baseline": "Baseline",
    "02_change_over_time": "Change over time",
    "03_next_steps": "Next steps",
}
DEFINITIONS_CSV = "definitions.csv"

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class City:
    name: str
    slug: str
    synthetic: bool = False


@dataclass
class NotebookRecord:
    """One executed notebook of a city's run: `stem` (`01_baseline`), the executed `.ipynb`, how
    long it ran, and the CSVs it wrote (names under `data/`; None = take them from its links)."""

    stem: str
    executed: Path
    seconds: float = 0.0
    tables: list[str] | None = None
    title: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    #: The page's body (`page_body`), when made already (`cwb run` makes it while other notebooks run).
    body: str | None = None


# ---------------------------------------------------------------------------------------------
# Paths: outputs never leave reports/


def check_slug(slug: str) -> str:
    """A slug is a single lower-case path segment: anything else could write outside reports/."""
    if not isinstance(slug, str) or not _SLUG.match(slug):
        from ..errors import ConfigError

        raise ConfigError(
            f"slug {slug!r} is not allowed: use lower-case letters, digits, '-' or '_' "
            "(at most 64, starting with a letter or digit)"
        )
    return slug


def inside(root: Path, path: Path) -> Path:
    """`path` resolved, refusing anything that is not strictly inside `root`."""
    root = Path(root).resolve()
    resolved = Path(path).resolve()
    if resolved == root or not resolved.is_relative_to(root):
        from ..errors import CwbError

        raise CwbError(f"refusing to write {resolved}: outside the reports folder {root}")
    return resolved


def city_dir(slug: str, root: Path | None = None) -> Path:
    root = Path(root) if root is not None else reports_dir()
    return inside(root, root / check_slug(slug))


# ---------------------------------------------------------------------------------------------
# Sanitising HTML that comes out of notebooks

_TAGS = {
    "a",
    "abbr",
    "acronym",
    "b",
    "blockquote",
    "i",
    "li",
    "ol",
    "ul",
    "p",
    "div",
    "span",
    "pre",
    "code",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "colgroup",
    "col",
    "img",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "sup",
    "sub",
    "small",
    "em",
    "strong",
}
_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]+$")
_SAFE_HREF = re.compile(r"^(https?://|mailto:|#|(?![a-z][a-z0-9+.-]*:)[^\s]*$)", re.IGNORECASE)


def _attribute_value(tag: str, name: str, value: str) -> str | None:
    """The value of an allowed attribute, or None to drop it: links go to the web, mail or this
    folder; images are inline data or files beside the page."""
    if tag == "a" and name == "href" and not _SAFE_HREF.match(value.strip()):
        return None
    if tag == "img" and name == "src":
        src = value.strip()
        if not (_IMAGE_DATA.match(src) or re.match(r"^(?![a-z][a-z0-9+.-]*:)[^\s]+$", src, re.I)):
            return None
    return value


# The `<` that starts a tag or end tag (a letter follows) that is not allowed: its name, up to a
# space, `/`, `>` or the end, is not one of `_TAGS` (ASCII letters in either case), or it runs
# straight into another `<` (`<b<script>`). One pattern, no callback.
_UNKNOWN_TAG = re.compile(
    r"<(?=/?[A-Za-z])(?!/?(?:"
    + "|".join("".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in t) for t in sorted(_TAGS))
    + r")(?:[\s/>]|\Z))"
)


def _escape_unknown_tags(text: str) -> str:
    """`<script>` becomes `&lt;script>`: text, not a tag. nh3 would drop an unknown tag (and the
    content of `<script>`/`<style>`), and a supplier named `<script>...` must still be read as named."""
    return _UNKNOWN_TAG.sub("&lt;", text)


def clean_html(fragment: Any) -> str:
    """Sanitise an HTML fragment: tags outside a small allow-list are escaped, so they show as
    text (`<script>` reads as `<script>`), attributes that can run code or fetch are dropped."""
    text = fragment.decode() if isinstance(fragment, bytes) else str(fragment)
    return nh3.clean(
        _escape_unknown_tags(text),
        tags=_TAGS,
        clean_content_tags=set(),
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_value,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel=None,
        strip_comments=True,
    )


# ---------------------------------------------------------------------------------------------
# Rendering one executed notebook


class _Headings(HTMLParser):
    """Headings with ids, for the table of contents (the anchor `¶` link is not part of the text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[dict] = []
        self._current: dict | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-4]", tag) and attrs.get("id"):
            self._current = {"level": int(tag[1]), "id": attrs["id"], "text": ""}
        elif self._current is not None and tag == "a" and "anchor-link" in (attrs.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._skip:
            self._skip -= 1
        elif self._current is not None and tag == f"h{self._current['level']}":
            self._current["text"] = " ".join(self._current["text"].split())
            self.items.append(self._current)
            self._current = None

    def handle_data(self, data):
        if self._current is not None and not self._skip:
            self._current["text"] += data


# A heading element, so only headings go through the parser: a page is mostly tables and images.
_HEADING = re.compile(r"<h([1-4])(?=[\s/>]).*?</h\1\s*>", re.DOTALL | re.IGNORECASE)


def headings(body_html: str) -> list[dict]:
    parser = _Headings()
    parser.feed("".join(m.group(0) for m in _HEADING.finditer(body_html)))
    return parser.items


# Every tag (and comment), each read whole with its quoted attribute values: an `<img` written
# inside another tag's attribute (a title quoting markup) is part of that tag, not an image.
_TAG = re.compile(r"""<!--.*?-->|<[A-Za-z/!?](?:[^>"']++|"[^"]*+"|'[^']*+')*+>""", re.DOTALL)
_IMG_NAME = re.compile(r"<img(?=[\s/>])", re.IGNORECASE)
_ATTR_NAMES = re.compile(r"""(?<=\s)([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""")
_IMG_TAG = re.compile(r"""<img(?:[^>"']++|"[^"]*+"|'[^']*+')*+>""", re.IGNORECASE)
_NO_ALT = "No description has been provided for this image"


def _has_alt(tag: re.Match | None) -> bool:
    # An unfinished tag (no `>`) is not a tag: nothing to add to it.
    return tag is None or any(a.lower() == "alt" for a in _ATTR_NAMES.findall(tag.group(0)[4:]))


def _alt_for_every_image(body: str) -> str:
    """What nbconvert's HTMLExporter adds after rendering, without its parse of the whole page: an
    `alt` on every image that has none (a notebook's image output without alt metadata)."""
    # Each `<img` read on its own (one inside another tag's attribute too): when all have an alt,
    # as on every page so far, there is nothing to add and no need to read every tag.
    if all(_has_alt(_IMG_TAG.match(body, m.start())) for m in _IMG_NAME.finditer(body)):
        return body

    def one(m: re.Match) -> str:
        tag = m.group(0)
        if not _IMG_NAME.match(tag) or _has_alt(m):
            return tag
        return f'{tag[:4]} alt="{_NO_ALT}"{tag[4:]}'

    return _TAG.sub(one, body)


@functools.cache
def _exporter():
    """One exporter per process: building it and compiling its templates costs more than a page.
    Called under `_EXPORTING` only: made once, and nbconvert registers each notebook's filters on it."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class BodyExporter(HTMLExporter):
        """HTMLExporter without its last step, a BeautifulSoup parse and re-serialisation of the
        whole page (a third of a page's time) that only adds image alt texts and focus to
        JupyterLab cells (the classic template has none): `_alt_for_every_image` does the first."""

        def from_notebook_node(self, nb, resources=None, **kw):
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            resources = self._init_resources(resources)
            data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
            self.register_filter("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            self.register_filter("filter_data_type", data_type)
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _alt_for_every_image(body), resources

        def _preprocess(self, nb, resources):
            """nbconvert's own, without its two deep copies of the notebook (a caller's copy is kept
            intact: ours is read for this page only) and its checks after each preprocessor (the
            notebook was normalised and validated when read, and nbconvert's preprocessors keep it
            valid; the check would compile a second, relaxed schema)."""
            for preprocessor in self._preprocessors:
                nb, resources = preprocessor(nb, resources)
            return nb, resources

    exporter = BodyExporter(
        template_name="classic",
        template_file="cwb_body.html.j2",
        extra_template_paths=[str(TEMPLATES)],
        filters={"cwb_clean": clean_html},
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="¶",
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={"remove_cell", "remove-cell"},
            remove_all_outputs_tags={"remove_output", "remove-output"},
        ),
        enabled=True,
    )
    return exporter


_EXPORTING = threading.Lock()


def warm() -> None:
    """Make ready what every page needs (nbconvert imported, the exporter built, the templates
    compiled: about half a second), so a caller can do it while the notebooks run rather than
    after them. Safe from any thread; rendering does it anyway when not done."""
    import nbformat

    with _EXPORTING:
        _exporter().from_notebook_node(nbformat.v4.new_notebook())  # compiles the template chain
    _jinja().get_template("page.html.j2")


def notebook_body(executed: Path) -> str:
    """The cells of an executed notebook as sanitised HTML, code hidden."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    with _EXPORTING:
        body, _ = _exporter().from_notebook_node(nb)
    return body


@functools.cache
def _jinja():
    """One environment per process, so each template is compiled once (jinja2 caches templates
    per environment, and an environment is safe to share between threads)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def _seconds_text(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


_CSV_LINK = re.compile(r'href="(data/[^"#?]+\.csv)"')
_BASED_ON = re.compile(r'<p class="cwb-based-on">(.*?)</p>', re.DOTALL)
_CAPTION = re.compile(
    r'(<figcaption class="cwb-based-on"><strong>.*?</strong> )(.*?)( <a href="data/[^"]*">|</figcaption>)', re.DOTALL
)
_MISSING = re.compile(r'<div class="cwb-note cwb-missing"><p>(.*?)</p></div>', re.DOTALL)


def once_per_page(body: str) -> str:
    """A note repeated on a page is shown once: what a table or chart is based on (the same
    coverage sentence under every table) only where it first appears, and a missing input's note
    once, later places pointing back to it."""
    seen: set[str] = set()

    def based_on(m: re.Match) -> str:
        if m.group(1) in seen:
            return ""
        seen.add(m.group(1))
        return m.group(0)

    def caption(m: re.Match) -> str:
        if m.group(2) in seen:
            return m.group(1).rstrip() + m.group(3)
        seen.add(m.group(2))
        return m.group(0)

    # Tables and charts in the order they appear: one pattern for both.
    either = re.compile(f"{_BASED_ON.pattern}|{_CAPTION.pattern}", re.DOTALL)

    def one(m: re.Match) -> str:
        if m.group(1) is not None:
            return based_on(_BASED_ON.match(m.group(0)))
        return caption(_CAPTION.match(m.group(0)))

    body = either.sub(one, body)
    notes: dict[str, str] = {}

    def missing(m: re.Match) -> str:
        text = m.group(1)
        if text not in notes:
            notes[text] = f"cwb-note-{len(notes) + 1}"
            return f'<div class="cwb-note cwb-missing" id="{notes[text]}"><p>{text}</p></div>'
        return (
            f'<div class="cwb-note cwb-missing"><p>Not shown, for the reason '
            f'<a href="#{notes[text]}">given above</a>.</p></div>'
        )

    return _MISSING.sub(missing, body)


_HEADING_OR_SCROLL = re.compile(
    r'<h([1-6])(\s[^>]*)?>(.*?)</h\1>|<div class="cwb-scroll">(?=<table[^>]*><thead><tr>(.*?)</tr></thead>)?',
    re.DOTALL,
)
#: On an A4 page (report.css `@media print`) a table of more columns is set smaller; one of more
#: than `PRINT_COLUMNS` cannot be read on paper at all and is left to its CSV there.
WIDE_COLUMNS, PRINT_COLUMNS = 12, 24


def accessible(body: str) -> str:
    """Headings in order, every scrolling table reachable by keyboard and fitted to paper.

    A section's heading (one with an id: the notebook's Markdown) never sits more than one level
    below the section before it; a table's title (no id, `present.table`'s `<h4>`) sits one level
    below its section, so a table under a `##` section is titled `<h3>`. A table that scrolls
    sideways is a region that takes focus, named after its title, and says how wide it is for print
    (`cwb-wide`, `cwb-too-wide`). Checked with axe-core in tests/report/test_accessibility.py."""
    section, title = 1, None  # the page's own <h1> (its header) comes first

    def one(m: re.Match) -> str:
        nonlocal section, title
        if m.group(1) is None:
            label = html.escape(f"Table: {title}" if title else "Table")
            title = None
            columns = (m.group(4) or "").count("<th")
            width = " cwb-too-wide" if columns > PRINT_COLUMNS else " cwb-wide" if columns > WIDE_COLUMNS else ""
            return (
                f'<div class="cwb-scroll{width}" data-columns="{columns}" tabindex="0" role="region" '
                f'aria-label="{label}">'
            )
        level, attrs, inner = int(m.group(1)), m.group(2) or "", m.group(3)
        if 'id="' in attrs:
            level = section = min(level, section + 1)
        else:
            level = min(level, section + 1)
            title = " ".join(html.unescape(re.sub(r"<[^>]+>", "", inner)).split())
        return f"<h{level}{attrs}>{inner}</h{level}>"

    return _HEADING_OR_SCROLL.sub(one, body)


def page_body(executed: Path) -> str:
    """What a page shows of an executed notebook: its outputs, a repeated note once, accessible."""
    return accessible(once_per_page(notebook_body(executed)))


def render_notebook(
    record: NotebookRecord,
    out_html: Path,
    *,
    city: City,
    siblings: Iterable[NotebookRecord],
    provenance: dict,
    definitions=None,
) -> Path:
    """Write one reader's page: the notebook's outputs (code hidden), a table of contents, links
    to its tables' CSVs, the definitions in force and the provenance block."""
    body = record.body if record.body is not None else page_body(record.executed)
    toc = headings(body)
    h1 = next((h for h in toc if h["level"] == 1), None)
    title = record.title or (h1["text"] if h1 else NOTEBOOKS.get(record.stem, record.stem))
    record.title = title
    toc = [h for h in toc if h["level"] in (2, 3)]

    report_folder = Path(out_html).parent
    names = record.tables
    if names is None:  # not told which CSVs the notebook wrote: take them from its own links
        names = [link[len("data/") :] for link in _CSV_LINK.findall(body)]
    tables = [
        {"name": n, "href": f"data/{n}"} for n in sorted(dict.fromkeys(names)) if (report_folder / "data" / n).is_file()
    ]

    # The place's downloads (`workbook.write_downloads`), linked from the top of every page.
    from .datapackage import PACKAGE_FILE
    from .workbook import workbook_name

    downloads = [
        {"href": f, "text": text}
        for f, text in (
            (workbook_name(city.slug), "All tables (Excel workbook)"),
            (PACKAGE_FILE, "Data package (JSON)"),
        )
        if (report_folder / f).is_file()
    ]

    # A notebook that shows the definitions itself is not followed by a second copy.
    definitions_shown = any(h["text"].strip().lower().startswith("definitions in force") for h in toc)
    definitions_html = None
    if definitions is not None and len(definitions) and not definitions_shown:
        definitions_html = accessible(present.table_html(definitions, limit=None)[0])

    page = (
        _jinja()
        .get_template("page.html.j2")
        .render(
            css=_css(),
            title=title,
            short_title=NOTEBOOKS.get(record.stem, title),
            city=city,
            toc=toc,
            body=body,
            tables=tables,
            downloads=downloads,
            siblings=[
                {"title": NOTEBOOKS.get(s.stem, s.stem), "href": f"{s.stem}.html", "current": s.stem == record.stem}
                for s in siblings
            ],
            definitions_html=definitions_html,
            definitions_shown=definitions_shown,
            definitions_href=f"data/{DEFINITIONS_CSV}",
            provenance=_provenance_view(provenance),
            notebook_record=f"{record.stem}.ipynb",
            notebook_seconds_text=_seconds_text(record.seconds),
            glossary_html=glossary_html(),
        )
    )
    from .provenance import hide_local_paths

    # Notes quote the files they could not read: the page names them without the machine's folders.
    _write_atomic(Path(out_html), hide_local_paths(page))
    return Path(out_html)


def _provenance_view(prov: dict) -> dict:
    """Provenance for readers: paths relative to the repository or `${CWB_DATA}`, and a word
    where a value is not known (never `None`)."""
    from .provenance import _shown, display_path, hide_local_paths

    view = {k: _shown(v) if not isinstance(v, dict | list) else v for k, v in prov.items()}
    view["config_file"] = display_path(prov.get("config_file")) or "not recorded"
    view["run_seconds_text"] = _seconds_text(prov.get("run_seconds"))
    view["sources"] = [
        {
            "name": _shown(s.get("name")),
            "file": display_path(s.get("file")) or "not supplied",
            "date": _shown(s.get("date")),
            "licence": _shown(s.get("licence")),
            "rows_text": f"{s['rows']:,}" if isinstance(s.get("rows"), int) else NO_VALUE,
        }
        for s in prov.get("sources", [])
    ]
    view["sources_note"] = hide_local_paths(str(prov.get("sources_note") or ""))
    view["attribution"] = hide_local_paths(str(prov.get("attribution") or ""))
    return view


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
