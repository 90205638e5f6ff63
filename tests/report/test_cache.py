"""`report.cache`: the registers located by postcode are made once per reference build and read
back the same; a copy made from other inputs is made again."""

from __future__ import annotations

import pandas as pd

from cwbtools import reference
from cwbtools.report import cache


def test_located_registers_are_kept_read_back_equal_and_remade_when_stale(built_reference, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "cache_dir", lambda: tmp_path)
    calls = []
    real = reference.lookup_postcodes

    def lookup(postcodes):
        calls.append(len(postcodes))
        return real(postcodes)

    monkeypatch.setattr(reference, "lookup_postcodes", lookup)
    first = cache.located_registers()
    again = cache.located_registers()
    assert len(calls) == 1, "the second call reads the kept table"
    regs = reference.load_registers()
    found = real(regs["postcode"])
    expected = regs.assign(lad_code=found["lad_code"].to_numpy(), ward_code=found["ward_code"].to_numpy())
    pd.testing.assert_frame_equal(first, expected)
    pd.testing.assert_frame_equal(again, expected)
    assert again["lad_code"].notna().any()

    # Another reference build (or other code) gives another stamp: the table is made again.
    monkeypatch.setattr(cache, "_stamp", lambda inputs: "another build")
    pd.testing.assert_frame_equal(cache.located_registers(), expected)
    assert len(calls) == 2
    # An unreadable copy is made again rather than trusted.
    (tmp_path / "registers-located.parquet").write_bytes(b"not parquet")
    pd.testing.assert_frame_equal(cache.located_registers(), expected)
    assert len(calls) == 3
