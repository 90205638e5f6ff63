"""Nothing local leaks into a report: provenance names files relative to the repository or to
`${CWB_DATA}`, and never shows `None`."""

from __future__ import annotations

import pytest

from cwbtools.paths import repo_root, shared_data_dir
from cwbtools.report import provenance
from cwbtools.report.html import _provenance_view


def test_paths_are_shown_relative_to_the_repository_or_the_shared_data():
    show = provenance.display_path
    assert show(repo_root() / "configs" / "oldham.yml") == "configs/oldham.yml"
    assert show(shared_data_dir() / "reference" / "imd2019") == "${CWB_DATA}/reference/imd2019"
    member = f"{repo_root()}/data/raw/geocode.whl!geocode/ons/x.7z"
    assert show(member) == "data/raw/geocode.whl!geocode/ons/x.7z"
    assert show("/somewhere/else/private/file.csv") == "file.csv"
    assert show(None) == "" and show("cwbtools/data/x.csv") == "cwbtools/data/x.csv"
    note = f"file not found: {shared_data_dir()}/contracts/x.json (see {repo_root()}/configs/a.yml)"
    assert provenance.hide_local_paths(note) == "file not found: ${CWB_DATA}/contracts/x.json (see configs/a.yml)"


def test_the_provenance_block_shows_no_none_and_no_local_path():
    prov = {
        "config_file": str(repo_root() / "configs" / "oldham.yml"),
        "run_seconds": None,
        "sources": [
            {"name": "Companies House", "file": None, "date": None, "licence": "OGL", "rows": None},
            {"name": "IMD", "file": str(shared_data_dir() / "reference" / "imd2019"), "date": "2019", "rows": 32844},
        ],
        "sources_note": None,
        "attribution": None,
    }
    view = _provenance_view(prov)
    cells = [view["config_file"], view["sources_note"], view["attribution"]]
    cells += [str(v) for s in view["sources"] for v in s.values()]
    assert not [c for c in cells if c in ("None", "nan") or str(repo_root()) in c or str(shared_data_dir()) in c]
    assert view["config_file"] == "configs/oldham.yml"
    assert view["sources"][0]["file"] == "not supplied" and view["sources"][0]["date"] == "not stated"
    assert view["sources"][1]["rows_text"] == "32,844"


@pytest.mark.realdata
def test_built_provenance_names_no_local_folder(built_reference, tmp_path):
    config = repo_root() / "configs" / "oldham.yml"
    prov = provenance.build_provenance(config, __import__("datetime").datetime.now(), 1.0)
    text = repr(prov)
    assert str(repo_root()) not in text and str(shared_data_dir()) not in text
    assert prov["config_file"] == "configs/oldham.yml"
    assert all(s[k] is not None for s in prov["sources"] for k in ("name", "file", "date", "licence"))
