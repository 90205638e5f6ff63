"""docs/CONFIG.md is generated from the config models and must match them: every key, its type,
default and a sentence saying what it does."""

from __future__ import annotations

from pathlib import Path

import pytest

from cwbtools.cli import main as cwb
from cwbtools.config.definitions import Definitions, _Strict
from cwbtools.config.docs import config_reference, sections, undescribed
from cwbtools.ingest.columns import override_fields

DOC = Path(__file__).resolve().parents[2] / "docs" / "CONFIG.md"


def test_config_md_is_up_to_date_with_the_models():
    assert DOC.read_text(encoding="utf-8") == config_reference(), (
        "docs/CONFIG.md is out of date: run `cwb config doc --out docs/CONFIG.md`"
    )


def test_every_key_has_a_description():
    assert undescribed() == []


class Odd(_Strict):
    """A model with one undocumented key."""

    told: int = 1
    """Said."""
    untold: int = 2


def test_a_key_without_a_description_is_refused():
    assert undescribed(Odd) == ["untold"]
    with pytest.raises(ValueError, match="no description.*untold"):
        config_reference(Odd)


def test_every_key_of_every_section_is_in_the_doc():
    text = config_reference()
    for path, model in sections():
        assert (f"## `{path}`" if path else "## Top level") in text
        for name in model.model_fields:
            assert f"| `{name}` |" in text, (path, name)
    paths = [p for p, _ in sections()]
    assert {"anchors[].ledgers[]", "definitions", "definitions.respend", "scenarios[]", "published[]"} <= set(paths)


def test_the_doc_shows_overrides_with_an_example_and_its_fields():
    text = config_reference()
    assert "Example of `overrides`:\n\n```yaml\noverrides:\n  amount: Net Amount\n" in text
    assert all(f"`{f}`" in text for f in override_fields())
    assert "| `allow_outside_data` | true/false | `false` |" in text
    assert "Example of `scenarios`:" in text and "Example of `published`:" in text
    # defaults are the model's own
    local = Definitions().benchmark.local_share
    assert f"| `local_share` | number | `{local}` |" in text


def test_cli_config_doc_check(tmp_path, capsys):
    assert cwb(["config", "doc", "--check", str(DOC)]) == 0
    stale = tmp_path / "CONFIG.md"
    stale.write_text(DOC.read_text(encoding="utf-8").replace("overrides", "overides"), encoding="utf-8")
    assert cwb(["config", "doc", "--check", str(stale)]) == 2
    assert "out of date" in capsys.readouterr().err
    assert cwb(["config", "doc", "--out", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == config_reference()
