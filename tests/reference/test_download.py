"""The downloader against a local HTTP server on 127.0.0.1 (no other network exists in CI)."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import zipfile
from pathlib import Path

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
