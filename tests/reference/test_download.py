"""The downloader against a local HTTP server on 127.0.0.1 (no other network exists in CI)."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from cwbtools import cli
from cwbtools.errors import CwbError
from cwbtools.reference.download import catalogue, download, fetch

PAYLOAD = b"pcds,lsoa11cd\nPR1 2RL,E01033224\n" * 5000


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("BasicCompanyData.csv", "CompanyName, CompanyNumber\nA,1\n")
    return buf.getvalue()


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes, int | None]] = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        status, body, announced = self.routes.get(self.path.split("?")[0], (404, b"not found", None))
        self.send_response(status)
        self.send_header("Content-Length", str(announced if announced is not None else len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    _Handler.routes = {
        "/data.csv": (200, PAYLOAD, None),
        "/short.csv": (200, PAYLOAD[:100], 5000),  # the connection ends before the announced size
        "/page.zip": (200, b"<html>please log in</html>", None),
        "/ch.zip": (200, _zip_bytes(), None),
        "/empty.csv": (200, b"", None),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_streams_and_checks_sha256(server, tmp_path):
    dest = tmp_path / "sub" / "data.csv"
    got = fetch(f"{server}/data.csv", dest, sha256=hashlib.sha256(PAYLOAD).hexdigest())
    assert got == dest and dest.read_bytes() == PAYLOAD
    assert list(dest.parent.iterdir()) == [dest]  # no temporary file left behind


def test_wrong_checksum_leaves_nothing(server, tmp_path):
    dest = tmp_path / "data.csv"
    with pytest.raises(CwbError, match=rf"{server}/data.csv.*SHA-256"):
        fetch(f"{server}/data.csv", dest, sha256="0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_existing_file_survives_a_failed_download(server, tmp_path):
    dest = tmp_path / "data.csv"
    dest.write_bytes(b"the good old copy")
    with pytest.raises(CwbError, match="short.csv"):
        fetch(f"{server}/short.csv", dest)
    assert dest.read_bytes() == b"the good old copy"
    assert list(tmp_path.iterdir()) == [dest]


@pytest.mark.parametrize(
    "path, message",
    [
        ("/missing.csv", "HTTP 404"),
        ("/empty.csv", "empty"),
    ],
)
def test_errors_name_the_url(server, tmp_path, path, message):
    with pytest.raises(CwbError, match=message) as err:
        fetch(f"{server}{path}", tmp_path / "x.csv")
    assert f"{server}{path}" in str(err.value)


def test_unreachable_host_names_the_url(tmp_path):
    # Port 9 on localhost: nothing listens, so the connection is refused at once.
    with pytest.raises(CwbError, match=r"http://127\.0\.0\.1:9/x\.zip"):
        fetch("http://127.0.0.1:9/x.zip", tmp_path / "x.zip", timeout=5)


def test_zip_expected_but_html_received(server, tmp_path):
    with pytest.raises(CwbError, match="not a zip"):
        fetch(f"{server}/page.zip", tmp_path / "page.zip", is_zip=True)
    assert list(tmp_path.iterdir()) == []


def test_cli_download_with_url_override(server, tmp_path, capsys):
    code = cli.main(["reference", "download", "companies-house", "--url", f"{server}/ch.zip", "--dest", str(tmp_path)])
    assert code == 0
    assert zipfile.is_zipfile(tmp_path / "ch.zip")
    assert "sha256" in capsys.readouterr().out


def test_cli_unknown_name_is_a_clean_error(tmp_path, capsys):
    assert cli.main(["reference", "download", "nonsense", "--dest", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "nonsense" in err and "companies-house" in err and "Traceback" not in err


def test_catalogue_urls_are_https_and_companies_house_is_monthly():
    import datetime as dt

    cat = catalogue(dt.date(2026, 11, 22))
    assert cat["companies-house"].url.endswith("BasicCompanyDataAsOneFile-2026-11-01.zip")
    assert all(src.url.startswith("https://") for src in cat.values() if src.url)
    assert {"companies-house", "onspd", "pcd-oa-lsoa", "imd2019-file1", "imd2019-file2"} <= set(cat)


def test_download_helper_uses_catalogue_name_when_no_url(monkeypatch, tmp_path):
    seen = {}

    def fake_fetch(url, dest, sha256=None, is_zip=False):
        seen.update(url=url, dest=dest, is_zip=is_zip)
        Path(dest).write_bytes(b"x")
        return dest

    monkeypatch.setattr("cwbtools.reference.download.fetch", fake_fetch)
    download("imd2019-file1", dest=tmp_path)
    assert seen["url"] == catalogue()["imd2019-file1"].url
    assert seen["dest"] == tmp_path / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"
    assert seen["is_zip"] is False


def test_ons_products_need_a_url(tmp_path):
    with pytest.raises(CwbError, match="onspd.*--url"):
        download("onspd", dest=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_override_url_without_a_file_name_keeps_the_catalogue_name(server, tmp_path):
    _Handler.routes["/items/abc/data"] = (200, _zip_bytes(), None)
    got = download("onspd", url=f"{server}/items/abc/data?dl=1", dest=tmp_path)
    assert got == tmp_path / "ONSPD.zip" and zipfile.is_zipfile(got)


# -- the CQC care directory (issue 19, point 5) ------------------------------------------------------
# The file as CQC publishes it (`DD_Month_YYYY_CQC_directory.csv`): a four-line title block, then
# this header; `Service types` separated by `|`. Rows made up, in its format.
CQC_HEADER = (
    "Name,Also known as,Address,Postcode,Phone number,Service's website (if available),Service types,"
    "Date of latest check,Specialisms/services,Provider name,Local authority,Region,Location URL,"
    "CQC Location ID (for office use only),CQC Provider ID (for office use only)"
)
CQC_FILE = (
    "\r\n".join(
        [
            "CQC Locations data" + "," * 14,
            "," * 14,
            "This data was produced on 01 May 2024" + "," * 14,
            "," * 14,
            CQC_HEADER,
            'Riverside Court Care Home,,"1 River Road, Preston",PR1 2AB,01772 000000,,Residential homes|Nursing homes,'
            "01/02/2024,Dementia,Faraway Care Group Limited,Lancashire,North West,https://www.cqc.org.uk/location/"
            "1-1000000001,1-1000000001,1-200000001",
            'Faraway Care Group Limited - Preston Branch,,"2 Mill Street, Preston",pr1 3cd,,,Homecare agencies,'
            "01/03/2024,Caring for adults over 65 yrs,Faraway Care Group Limited,Lancashire,North West,,"
            "1-1000000002,1-200000001",
            'Preston Dental Practice,,"3 High Street, Preston",PR1 4EF,,,Dentist,01/01/2024,Dental,'
            "Smile Ltd,Lancashire,North West,,1-1000000003,1-200000002",
        ]
    )
    + "\r\n"
).encode("utf-8")


def test_cqc_download_needs_a_url_and_says_where_to_find_it(tmp_path):
    with pytest.raises(CwbError, match=r"cqc.*--url.*cqc\.org\.uk/about-us/transparency/using-cqc-data"):
        download("cqc", dest=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_cqc_download_saves_where_the_build_reads_it_and_gives_care_sites(server, tmp_path):
    from cwbtools.reference import cqc

    _Handler.routes["/files/2024-05/01_May_2024_CQC_directory.csv"] = (200, CQC_FILE, None)
    code = cli.main(
        [
            "reference",
            "download",
            "cqc",
            "--url",
            f"{server}/files/2024-05/01_May_2024_CQC_directory.csv",
            "--dest",
            str(tmp_path),
        ]
    )
    assert code == 0 and cqc.find(tmp_path) == tmp_path / "CQC_directory.csv"
    rows = cqc.read_cqc_directory(tmp_path / "CQC_directory.csv")
    # The care home and the home-care branch, each at its own site; the dentist is not social care.
    assert list(rows["name"]) == ["Riverside Court Care Home", "Faraway Care Group Limited - Preston Branch"]
    assert list(rows["other_id"]) == ["CQC-1-1000000001", "CQC-1-1000000002"]
    assert list(rows["postcode"]) == ["PR1 2AB", "PR1 3CD"]
    assert set(rows["source"]) == {"cqc"} and rows["company_number"].isna().all()


def test_cqc_reader_refuses_another_file(tmp_path):
    from cwbtools.errors import InputFileError
    from cwbtools.reference import cqc

    (tmp_path / "CQC_directory.csv").write_text("pcds,lsoa11cd\nPR1 2RL,E01033224\n")
    with pytest.raises(InputFileError, match="not the CQC care directory"):
        cqc.read_cqc_directory(tmp_path / "CQC_directory.csv")


def test_a_cqc_id_in_the_ledger_places_the_care_home_at_its_site_not_its_operators_office(tmp_path):
    from cwbtools.identifiers import supplier_name
    from cwbtools.reference import cqc
    from cwbtools.suppliers import resolve_suppliers, supplier_key

    (tmp_path / "CQC_directory.csv").write_bytes(CQC_FILE)
    operator = pd.DataFrame(
        {
            "source": ["companies_house"],
            "name": ["FARAWAY CARE GROUP LIMITED"],
            "company_number": ["01111111"],
            "postcode": ["SW1A 1AA"],
            "charity_number": [None],
            "other_id": [None],
        }
    ).assign(name_norm=lambda d: d["name"].map(supplier_name))
    registers = pd.concat([operator, cqc.read_cqc_directory(tmp_path / "CQC_directory.csv")], ignore_index=True)
    postcodes = pd.DataFrame(
        {
            "postcode": ["PR1 2AB", "SW1A 1AA"],
            "lad_code": ["E07000123", "E09000033"],
            "ward_code": ["w1", "w2"],
            "lsoa_code": ["l1", "l2"],
            "imd_decile": [3, 9],
        }
    )
    tx = pd.DataFrame(
        {
            "anchor": ["Council"],
            "financial_year": ["2019/20"],
            "amount_pence": [100_000],
            "supplier_name": ["Faraway Care Group Limited"],
            "other_id": ["CQC-1-1000000001"],
            "company_number": [None],
            "charity_number": [None],
            "postcode": [None],
            "individual": [False],
            "redacted": [False],
            "expense_category": [None],
        }
    )
    tx["supplier_key"] = supplier_key(tx)
    got = resolve_suppliers(tx, registers=registers, postcodes=postcodes, public_bodies=pd.DataFrame()).suppliers
    assert got.loc[0, "postcode"] == "PR1 2AB" and got.loc[0, "lad_code"] == "E07000123"
    assert got.loc[0, "register_source"] == "cqc" and got.loc[0, "resolved_by"] == "identifier"
