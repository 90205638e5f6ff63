"""One full `cwb run` of a small real-data city seeded with people and markup, shared by
tests/base/test_privacy.py and tests/test_safety.py (cached: made once per pytest session).

The ledgers are real Oxford City Council rows (two quarters, two financial years, with the
council's own "Redacted personal data" payees) plus rows we add: payments to named private people
and suppliers whose names are HTML. The run is a separate process, as a user runs it, with:
- `CWB_PROCESSED` in a temporary folder (the built reference tables linked in), so nothing lands
  in the user's data/processed;
- a `sitecustomize` that refuses and logs any connection to a non-loopback address, in the run and
  in every notebook kernel it starts (kernels talk to it over loopback ZeroMQ, which is allowed).
"""

from __future__ import annotations

import csv
import functools
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROWS_PER_FILE = 250
QUARTERS = ["expenditure-over-500-apr-jun-2014.csv", "expenditure-over-500-apr-jun-2015.csv"]

# Private people paid by the council in our added rows: titles, and plain first-name surname.
PEOPLE = [
    "Mr Jonathan Pemberton-Hale",
    "Mrs Eleanor Whitcombe",
    "Dr Priya Ramaswamy",
    "Ms Siobhan O'Halloran",
    "Sarah Jane Blenkinsop",
    "MR T QUIGGLESWORTH",
]
# Markup as supplier names, paid enough to reach the top-suppliers tables.
MARKUP = ['<script>alert("cwb-xss")</script> Ltd', '<img src=x onerror=alert("cwb-img")> Services Ltd']

_SITECUSTOMIZE = """
import os, socket

_LOG = os.environ.get("CWB_NET_LOG")
_real_connect = socket.socket.connect
_real_create = socket.create_connection


def _local(address):
    if not isinstance(address, tuple):
        return True  # a unix socket
    host = str(address[0])
    return host in ("localhost", "::1", "0.0.0.0") or host.startswith("127.")


def _refuse(address):
    if _LOG:
        with open(_LOG, "a") as fh:
            fh.write(f"{os.getpid()} {address!r}\\n")
    raise OSError(f"network blocked by the test: {address!r}")


def connect(self, address):
    if not _local(address):
        _refuse(address)
    return _real_connect(self, address)


def create_connection(address, *args, **kwargs):
    if not _local(address):
        _refuse(address)
    return _real_create(address, *args, **kwargs)


socket.socket.connect = connect
socket.create_connection = create_connection
"""


def _sample(src: Path, dst: Path, extra: list[tuple[str, str]]) -> None:
    """The first ROWS_PER_FILE rows of a real ledger (every redacted row kept), then our rows."""
    with open(src, newline="", encoding="utf-8-sig", errors="replace") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    keep = body[:ROWS_PER_FILE] + [r for r in body[ROWS_PER_FILE:] if any("redact" in c.lower() for c in r)]
    col = {h.strip().lower(): i for i, h in enumerate(header)}
    template = next(r for r in keep if r[col["supplier name"]].strip() and r[col["amount"]].strip())
    for i, (name, amount) in enumerate(extra):
        row = list(template)
        row[col["supplier name"]] = name
        row[col["amount"]] = amount
        if "supplier id" in col:
            row[col["supplier id"]] = f"9{i:07d}"
        if "trans no" in col:
            row[col["trans no"]] = f"CWBTEST-{i}"
        keep.append(row)
    with open(dst, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *keep])


def ingest_inputs(root: Path):
    """The run's ledgers as ingest reads them (to learn which payees it treats as people)."""
    from cwbtools.ingest import ingest_paths

    return ingest_paths([root / "ledgers"], anchor="Privacy Test Council")


@functools.cache
def privacy_city_run() -> dict:
    from cwbtools.paths import reference_dir, shared_data_dir

    root = Path(tempfile.mkdtemp(prefix="cwb-privacy-run-"))
    ledgers = root / "ledgers"
    ledgers.mkdir()
    oxford = shared_data_dir() / "spend" / "oxford"
    extras = [(p, f"{1234 + 111 * i}.56") for i, p in enumerate(PEOPLE)] + [(m, "987654.32") for m in MARKUP]
    for quarter in QUARTERS:
        _sample(oxford / quarter, ledgers / quarter, extras)

    processed = root / "processed"
    processed.mkdir()
    (processed / "reference").symlink_to(reference_dir())
    site = root / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    config = root / "privacy-town.yml"
    config.write_text(
        textwrap.dedent(f"""\
        name: Privacy Town
        slug: privacy-town
        place: {{name: Oxford, lad_codes: [E07000178]}}
        wider_area: Oxfordshire
        years: [2014/15, 2015/16]
        baseline_year: 2014/15
        anchors:
          - name: Privacy Test Council
            kind: council
            ledgers: [{{path: "{ledgers}"}}]
        """)
    )
    reports = root / "reports"
    env = dict(
        os.environ,
        CWB_PROCESSED=str(processed),
        CWB_NET_LOG=str(root / "network.log"),
        PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    env.pop("CWB_REPORTS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "cwbtools.cli", "run", str(config), "--reports", str(reports)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return {
        "root": root,
        "reports": reports,
        "city": reports / "privacy-town",
        "processed": processed / "privacy-town",
        "config": config,
        "code": proc.returncode,
        "stdout": proc.stdout,
        "stderr": proc.stderr,
        "network_log": root / "network.log",
        "env": env,
    }
