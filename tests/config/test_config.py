"""City configuration: strict keys with helpful errors, paths, areas, every shipped config loads."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cwbtools.cli import main as cwb
from cwbtools.config import CityConfig, financial_year, load_config, parse_config, resolve_path, shipped_configs
from cwbtools.errors import ConfigError
from cwbtools.paths import configs_dir, shared_data_dir

BASE = """
name: Testville
slug: testville
place: {name: Preston, lad_codes: [E07000123]}
wider_area: [E07000117, E07000118]
years: [2019/20, 2018/19]
anchors:
  - name: Testville Council
    kind: council
    ledgers: [{path: ledger.csv}]
"""


def write(tmp_path: Path, text: str, ledger: bool = True) -> Path:
    path = tmp_path / "city.yml"
    path.write_text(textwrap.dedent(text))
    if ledger:
        (tmp_path / "ledger.csv").write_text("Supplier Name,Amount,Payment Date\nA Ltd,10.00,01/05/2019\n")
    return path


def test_minimal_config_defaults(tmp_path):
    config = load_config(write(tmp_path, BASE))
    assert config.years == ["2018/19", "2019/20"]  # sorted
    assert config.baseline_year == "2018/19"
    # The wider area includes the place, as CLES counts it.
    assert config.wider_area.lad_codes == ["E07000117", "E07000118", "E07000123"]
    assert config.definitions.deprived.deciles == [1, 2]
    assert config.definitions.benchmark.local_share == 0.311
    assert config.definitions.benchmark.sme_share == 0.47
    assert (config.definitions.respend.sme, config.definitions.respend.large) == (0.63, 0.40)
    assert config.ledger_files(config.anchors[0])[0][1] == [(tmp_path / "ledger.csv").resolve()]


def test_misspelt_key_names_key_location_file_and_nearest(tmp_path):
    path = write(tmp_path, BASE + "baseline_yaer: 2019/20\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    msg = str(err.value)
    assert "baseline_yaer" in msg and "'baseline_year'" in msg and str(path) in msg and "top level" in msg


def test_source_path_is_not_a_yaml_key(tmp_path):
    with pytest.raises(ConfigError, match="unknown key 'source_path'"):
        load_config(write(tmp_path, BASE + "source_path: /etc/passwd\n"))
    assert load_config(write(tmp_path, BASE)).source_path == (tmp_path / "city.yml").resolve()


def test_misspelt_nested_key(tmp_path):
    text = BASE.replace("ledgers: [{path: ledger.csv}]", "ledgers: [{path: ledger.csv, overides: {}}]")
    with pytest.raises(
        ConfigError, match=r"unknown key 'overides' at anchors\[0\]\.ledgers\[0\].*did you mean 'overrides'"
    ):
        load_config(write(tmp_path, text))
    text = BASE + "definitions:\n  deprived: {decile: [1]}\n"
    with pytest.raises(ConfigError, match=r"'decile' at definitions\.deprived.*did you mean 'deciles'"):
        load_config(write(tmp_path, text))


def test_misspelt_anchor_kind_suggests_nearest(tmp_path):
    with pytest.raises(ConfigError, match="did you mean 'council'"):
        load_config(write(tmp_path, BASE.replace("kind: council", "kind: counsil")))


@pytest.mark.parametrize(
    "bad, words",
    [
        ("slug: testville", "slug: ../etc"),
        ("years: [2019/20, 2018/19]", "years: [2019/21]"),
    ],
)
def test_invalid_values(tmp_path, bad, words):
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, BASE.replace(bad, words)))


def test_baseline_must_be_a_configured_year(tmp_path):
    with pytest.raises(ConfigError, match="baseline_year 2017/18 is not one of years"):
        load_config(write(tmp_path, BASE + "baseline_year: 2017/18\n"))


def test_scenario_needs_exactly_one_target(tmp_path):
    text = BASE + "scenarios:\n  - {name: x, measure: place_share, to_share: 0.1, points: 0.05}\n"
    with pytest.raises(ConfigError, match="exactly one of to_share or points"):
        load_config(write(tmp_path, text))
    text = BASE + "scenarios:\n  - {name: x, measure: place_shar, points: 0.05}\n"
    with pytest.raises(ConfigError, match="did you mean 'place_share'"):
        load_config(write(tmp_path, text))


def test_missing_ledger_names_anchor_and_path(tmp_path):
    path = write(tmp_path, BASE, ledger=False)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    msg = str(err.value)
    assert "Testville Council" in msg and "ledger.csv" in msg and str(tmp_path / "ledger.csv") in msg
    # Checked lazily when asked not to check now.
    assert load_config(path, check_inputs=False).missing_inputs()


def test_anchor_needs_ledgers_or_supplier_sheet(tmp_path):
    text = BASE.replace("    ledgers: [{path: ledger.csv}]\n", "")
    with pytest.raises(ConfigError, match="either ledgers or a supplier_sheet"):
        load_config(write(tmp_path, text))


def test_paths_expand_variables_and_fall_back_to_shared_data(tmp_path, monkeypatch):
    monkeypatch.setenv("CWB_DATA", str(tmp_path / "shared"))
    (tmp_path / "shared" / "spend").mkdir(parents=True)
    (tmp_path / "shared" / "spend" / "x.csv").write_text("a\n")
    assert resolve_path("${CWB_DATA}/spend/x.csv") == tmp_path / "shared" / "spend" / "x.csv"
    # Relative: beside the config when there, else in the shared data folder.
    assert resolve_path("spend/x.csv", tmp_path / "configs") == (tmp_path / "shared" / "spend" / "x.csv")
    (tmp_path / "configs" / "spend").mkdir(parents=True)
    (tmp_path / "configs" / "spend" / "x.csv").write_text("a\n")
    assert resolve_path("spend/x.csv", tmp_path / "configs") == (tmp_path / "configs" / "spend" / "x.csv")


def test_financial_year_labels():
    assert financial_year("2019/20") == "2019/20"
    assert financial_year("1999/00") == "1999/00"
    with pytest.raises(ValueError):
        financial_year("2019-20")


def test_respend_in_benchmark_says_where_it_moved(tmp_path):
    """Re-spend is set once, per supplier type: the old benchmark keys are an error that says so."""
    text = BASE + "definitions:\n  benchmark: {local_share: 0.3, respend_local_sme: 0.7, respend_large: 0.3}\n"
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    msg = str(err.value)
    assert "definitions.benchmark" in msg and "respend_local_sme moved to definitions.respend.sme" in msg
    assert "respend_large moved to definitions.respend.large" in msg


def test_sme_max_employees_is_refused_with_the_reason(tmp_path):
    with pytest.raises(ConfigError, match=r"definitions\.sme.*max_employees.*fewer than 250"):
        load_config(write(tmp_path, BASE + "definitions:\n  sme: {max_employees: 100}\n"))


def test_definitions_table_echoes_values_in_force_and_defaults(tmp_path):
    text = BASE + (
        "definitions:\n  deprived: {deciles: [1]}\n  benchmark: {local_share: 0.25}\n"
        "  exclusions:\n    not_influenceable: {suppliers: [Big Framework Ltd], suppliers_file: frameworks.csv}\n"
    )
    table = load_config(write(tmp_path, text), check_inputs=False).definitions_table()
    assert (
        table.set_index("definition").loc["Not influenceable: named suppliers", "value"]
        == "Big Framework Ltd; file frameworks.csv"
    )
    assert list(table.columns) == ["definition", "value", "default", "source"]
    row = table.set_index("definition").loc["Deprived area"]
    assert row["value"] == "IMD 2019 deciles 1 (national)" and row["default"] == "IMD 2019 deciles 1, 2 (national)"
    row = table.set_index("definition").loc["Benchmark: local share"]
    assert (row["value"], row["default"]) == ("0.250", "0.311")
    assert table["source"].str.len().min() > 5


def test_not_influenceable_moved_into_exclusions_is_refused_with_where(tmp_path):
    """Issue 18: one set of exclusion rules; the old block is refused, saying where each key went."""
    with pytest.raises(ConfigError, match=r"not_influenceable moved into definitions\.exclusions.*transfers\.expenses"):
        load_config(write(tmp_path, BASE + "definitions:\n  not_influenceable: {sic_divisions: ['35']}\n"))
    config = load_config(write(tmp_path, BASE + "definitions:\n  base: all\n"), check_inputs=False)
    assert config.analysis_definitions().base == "all"
    with pytest.raises(ConfigError, match="base"):
        load_config(write(tmp_path, BASE + "definitions:\n  base: everything\n"), check_inputs=False)


def test_parse_config_rejects_non_mapping():
    with pytest.raises(ConfigError, match="YAML mapping"):
        parse_config(["a"], "x.yml")


def test_named_wider_area_resolves(built_reference, tmp_path):
    config = load_config(write(tmp_path, BASE.replace("wider_area: [E07000117, E07000118]", "wider_area: Lancashire")))
    assert len(config.wider_area.lad_codes) == 12 and "E07000123" in config.wider_area.lad_codes
    gm = load_config(
        write(tmp_path, BASE.replace("wider_area: [E07000117, E07000118]", "wider_area: Greater Manchester"))
    )
    assert "E08000001" in gm.wider_area.lad_codes and "E07000123" in gm.wider_area.lad_codes  # place added
    named = load_config(write(tmp_path, BASE.replace("{name: Preston, lad_codes: [E07000123]}", "{name: Preston}")))
    assert named.place.lad_codes == ["E07000123"]


def test_unknown_wider_area_is_an_error(built_reference, tmp_path):
    with pytest.raises(ConfigError, match="wider_area.*Lancashir"):
        load_config(write(tmp_path, BASE.replace("wider_area: [E07000117, E07000118]", "wider_area: Lancashir")))


def test_bad_lad_code_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not a local authority district code"):
        load_config(write(tmp_path, BASE.replace("E07000118]", "Preston]")))


@pytest.mark.parametrize("path", shipped_configs(), ids=lambda p: p.stem)
def test_every_shipped_config_validates(path):
    config = load_config(path, check_inputs=False, resolve_areas=False)
    assert config.slug == path.stem
    assert config.place.lad_codes


@pytest.mark.parametrize("path", [p for p in shipped_configs() if p.stem != "preston-demo"], ids=lambda p: p.stem)
def test_real_configs_resolve_their_data(path, shared_data, built_reference):
    config = load_config(path)  # raises when a ledger is missing
    assert config.input_files() and all(p.exists() for p in config.input_files())
    assert str(shared_data_dir()) in str(config.input_files()[0])
    assert set(config.place.lad_codes) <= set(config.wider_area.lad_codes)


def test_real_config_without_shared_data_says_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("CWB_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError) as err:
        load_config(configs_dir() / "hyndburn.yml", resolve_areas=False)
    assert "Hyndburn Borough Council" in str(err.value) and "nowhere" in str(err.value)
    assert "CWB_DATA" in str(err.value)


def test_cli_config_check(tmp_path, capsys):
    good = write(tmp_path, BASE)
    assert cwb(["config", "check", str(good)]) == 0
    assert "ok" in capsys.readouterr().out
    bad = tmp_path / "bad.yml"
    bad.write_text(BASE + "scenarioz: []\n")
    assert cwb(["config", "check", str(bad)]) == 2
    assert "did you mean 'scenarios'" in capsys.readouterr().err


def test_demo_config_is_synthetic_and_states_cles_scenario():
    config = load_config(configs_dir() / "preston-demo.yml", resolve_areas=False)
    assert isinstance(config, CityConfig) and config.synthetic
    assert config.years == ["2012/13", "2016/17"] and len(config.anchors) == 6
    (scenario,) = config.scenarios
    assert (scenario.measure, scenario.from_share, scenario.to_share, scenario.base_year) == (
        "place_share",
        0.05,
        0.10,
        "2012/13",
    )
    row = config.definitions_table().set_index("definition").loc[f"Scenario: {scenario.name}"]
    assert row["value"] == "place_share from 5.0% to 10.0% of 2012/13 spend"
    assert config.definitions_table().iloc[0]["value"].startswith("SYNTHETIC")
