"""The CQC care directory (`CQC care directory with filters`, `DD_Month_YYYY_CQC_directory.csv`) as
register rows: care homes and home-care agencies at their own sites.

A council pays a care home, or a home-care agency's branch, that serves its residents; the directory
gives each location's own postcode, while a company register gives only the operator's office, often
far away. So a CQC location is a trading site: a ledger's CQC location id (`other_id` `CQC-...`)
places the payee at the home, not at its operator's office, and a location's name finds it too.

The file as CQC publishes it: a four-line title block, then a header row (`Name`, `Also known as`,
`Address`, `Postcode`, ..., `Service types`, ..., `Provider name`, ..., `CQC Location ID (for office
use only)`, `CQC Provider ID (for office use only)`); `Service types` lists a location's services
separated by `|`. `cwb reference download cqc --url URL` saves it as `data/raw/CQC_directory.csv`.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from ..identifiers import postcodes
from ._common import require_columns
from .registers import _finish

FILE = "CQC_directory.csv"
SOURCE = "cqc"
NAME, POSTCODE, SERVICES = "Name", "Postcode", "Service types"
LOCATION_ID = "CQC Location ID (for office use only)"
PROVIDER, PROVIDER_ID = "Provider name", "CQC Provider ID (for office use only)"
# Social care a council buys: residential and nursing homes, care at home and what is kin to it.
SOCIAL_CARE = (
    "Residential homes",
    "Nursing homes",
    "Homecare agencies",
    "Supported living",
    "Extra Care housing services",
    "Shared Lives",
)


def _text(path: Path) -> str:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.lower().endswith(".csv")]
            if not names:
                raise InputFileError(f"{path}: no CSV inside the zip (expected the CQC care directory)")
            return z.read(names[0]).decode("utf-8-sig", errors="replace")
    return path.read_bytes().decode("utf-8-sig", errors="replace")


def read_cqc_directory(path: Path | str) -> pd.DataFrame:
    """The directory's care homes and home-care agencies as register rows (CONTRACTS §2, source
    `cqc`): one per location, named as CQC names it, `other_id` `CQC-<location id>`, its postcode."""
    path = Path(path)
    lines = _text(path).splitlines()
    # The header follows a title block of a few lines; found by its first column, not counted.
    start = next((i for i, line in enumerate(lines[:50]) if line.startswith(f"{NAME},")), None)
    if start is None:
        raise InputFileError(f"{path}: not the CQC care directory (no header row beginning `Name,`)")
    raw = pd.read_csv(io.StringIO("\n".join(lines[start:])), dtype=str, keep_default_na=False)
    require_columns(raw, [NAME, POSTCODE, SERVICES, PROVIDER, LOCATION_ID], path)
    services = raw[SERVICES].str.split("|")
    care = services.map(lambda items: any(s.strip() in SOCIAL_CARE for s in items))
    d = raw[care & (raw[LOCATION_ID].str.strip() != "")]
    out = pd.DataFrame(
        {
            "name": d[NAME].str.strip(),
            "other_id": "CQC-" + d[LOCATION_ID].str.strip(),
            "postcode": postcodes(d[POSTCODE]),
            "kind": "care_home",
            "status": "active",
            "address": d["Address"].str.strip() if "Address" in d else None,
        }
    )
    return _finish(out, SOURCE)


def find(raw: Path) -> Path | None:
    """The downloaded directory in `raw` (`cwb reference download cqc`), or None."""
    path = raw / FILE
    return path if path.exists() else None
