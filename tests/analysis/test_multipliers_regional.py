"""Regional multipliers (issue 21): Flegg's FLQ on the IOAT 2020 Type I table, sized from BRES
employment (downloaded, read in NOMIS's CSV format) or from IMD 2019 population."""

from __future__ import annotations

import http.server
import threading

import numpy as np
import pandas as pd
import pytest

from cwbtools.analysis import multipliers as m
from cwbtools.reference.download import download

# A 3-sector table, rows supplying and columns buying.
A3 = pd.DataFrame([[0.1, 0.2, 0.0], [0.05, 0.1, 0.3], [0.2, 0.0, 0.1]], index=list("abc"), columns=list("abc"))
# log2(1 + share) = 0.25 and delta = 0.5, so lambda = 0.25 ** 0.5 = 0.5 exactly.
SHARE = 2**0.25 - 1


def test_flq_reproduces_a_hand_computed_three_sector_example():
    size = m.RegionalSize(SHARE, "hand", {"a": 2.0, "b": 0.5, "c": 1.0})
    assert m.flq_lambda(SHARE, 0.5) == pytest.approx(0.5)
    # FLQ_ij = lambda x SLQ_i / SLQ_j (diagonal: lambda x SLQ_i), capped at 1:
    #   a: [0.5*2, 0.5*4, 0.5*2] -> [1, 1, 1]; b: [0.5*0.25, 0.5*0.5, 0.5*0.5] = [0.125, 0.25, 0.25];
    #   c: [0.5*0.5, 0.5*2, 0.5*1] -> [0.25, 1, 0.5]. r_ij = a_ij x FLQ_ij:
    hand = [[0.1, 0.2, 0.0], [0.00625, 0.025, 0.075], [0.05, 0.0, 0.05]]
    r = m.flq_coefficients(A3, size, 0.5)
    np.testing.assert_allclose(r.to_numpy(), hand, atol=1e-12)
    # Type I multipliers are the column sums of (I - R)^-1: each below the national one.
    regional = m.type1_multipliers(r)
    national = m.type1_multipliers(A3)
    np.testing.assert_allclose(regional, np.linalg.inv(np.eye(3) - np.array(hand)).sum(axis=0))
    assert (regional < national).all() and (regional >= 1).all()


def test_without_location_quotients_flq_is_lambda_on_every_coefficient():
    r = m.flq_coefficients(A3, m.RegionalSize(SHARE, "population"), 0.5)
    np.testing.assert_allclose(r.to_numpy(), A3.to_numpy() * 0.5)
    # The whole nation (share 1) is the national table itself.
    whole = m.flq_coefficients(A3, m.RegionalSize(1.0, "nation"), 0.25)
    np.testing.assert_allclose(whole.to_numpy(), A3.to_numpy())


def test_national_table_and_a_boroughs_regional_table(built_reference, shared_data):
    from cwbtools.reference import load_lsoa

    table, a = m.load_multipliers(), m.load_coefficients()
    # The coefficients read are the ones behind the published multipliers.
    np.testing.assert_allclose(
        m.type1_multipliers(a).reindex(table["ioat_code"]), table["output_multiplier"], atol=1e-9
    )
    size = m.size_from_population(load_lsoa(), ["E07000123"])  # Preston
    assert 0.001 < size.share < 0.004 and "England's share of the UK" in size.basis
    reg = m.regional_multipliers(table, a, size, 0.25).set_index("ioat_code")
    # The review's finding: about 1.5 nationally, about 1.1 for one borough.
    assert reg.loc["J62", "national_multiplier"] == pytest.approx(1.506, abs=5e-4)
    assert 1.05 < reg.loc["J62", "output_multiplier"] < 1.15
    assert (reg["output_multiplier"] <= reg["national_multiplier"] + 1e-12).all()


# NOMIS API CSV (dataset NM_189_1, BRES open access): its header and row shape, two districts and
# Great Britain, two divisions. Employment rows count; employees rows must be ignored.
_BRES_HEADER = (
    '"DATE","DATE_NAME","DATE_CODE","DATE_TYPE","DATE_TYPECODE","DATE_SORTORDER","GEOGRAPHY","GEOGRAPHY_NAME",'
    '"GEOGRAPHY_CODE","GEOGRAPHY_TYPE","GEOGRAPHY_TYPECODE","GEOGRAPHY_SORTORDER","INDUSTRY","INDUSTRY_NAME",'
    '"INDUSTRY_CODE","INDUSTRY_TYPE","INDUSTRY_TYPECODE","INDUSTRY_SORTORDER","EMPLOYMENT_STATUS",'
    '"EMPLOYMENT_STATUS_NAME","EMPLOYMENT_STATUS_CODE","EMPLOYMENT_STATUS_TYPE","EMPLOYMENT_STATUS_TYPECODE",'
    '"EMPLOYMENT_STATUS_SORTORDER","MEASURE","MEASURE_NAME","MEASURE_CODE","MEASURE_TYPE","MEASURE_TYPECODE",'
    '"MEASURE_SORTORDER","MEASURES","MEASURES_NAME","OBS_VALUE","OBS_STATUS","OBS_STATUS_NAME","OBS_CONF",'
    '"OBS_CONF_NAME","URN","RECORD_OFFSET","RECORD_COUNT"'
)


def _bres_row(geo_code, geo_name, division, name, status, value):
    status_id, status_name = {"employment": (4, "Employment"), "employees": (1, "Employees")}[status]
    return (
        f'"2022","2022","2022","date","0","0","1778384897","{geo_name}","{geo_code}",'
        f'"local authorities: district / unitary (as of April 2021)","424","0","146800700",'
        f'"{division} : {name}","{division}","SIC 2007 division (2 digit)","29","0","{status_id}","{status_name}",'
        f'"{status_id}","employment status","0","0","1","Count","1","measure","0","0","20100","Value",'
        f'"{value}","A","Normal Value","F","Free (free of disclosure)","x","{0}","12"'
    )


def _bres_csv() -> bytes:
    rows = [_BRES_HEADER]
    for geo, name, it, build in (
        ("E07000123", "Preston", 3_000, 1_000),
        ("K04000001", "Great Britain", 1_000_000, 3_000_000),
    ):
        rows.append(
            _bres_row(geo, name, "62", "Computer programming, consultancy and related activities", "employment", it)
        )
        rows.append(_bres_row(geo, name, "43", "Specialised construction activities", "employment", build))
        rows.append(
            _bres_row(geo, name, "62", "Computer programming, consultancy and related activities", "employees", 1)
        )
    return ("\n".join(rows) + "\n").encode()


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def nomis():
    _Handler.body = _bres_csv()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_bres_downloaded_and_read_gives_employment_share_and_lqs(nomis, tmp_path, capsys):
    path = download("bres", url=f"{nomis}/api/v01/dataset/NM_189_1.data.csv?geography=x", dest=tmp_path)
    assert path.name == m.BRES_FILENAME  # always where the reader looks, whatever the URL's name
    bres = m.read_bres(path)
    assert set(bres["sic_division"]) == {"62", "43"}
    size = m.size_from_bres(bres, ["E07000123"])
    assert size.share == pytest.approx(4_000 / 4_000_000)  # employees rows ignored
    # IT: (3000/4000) / (1e6/4e6) = 3; construction (43 -> the joined F industry): (1000/4000)/(3e6/4e6) = 1/3.
    assert size.lq["J62"] == pytest.approx(3.0) and size.lq["F41, F42 & F43"] == pytest.approx(1 / 3)
    assert "BRES" in size.basis
    # BRES, when supplied, is preferred to population.
    assert m.regional_size(["E07000123"], None, bres) == size


def test_bres_needs_its_columns(tmp_path):
    bad = tmp_path / "bres.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(Exception, match="not a NOMIS BRES CSV"):
        m.read_bres(bad)
