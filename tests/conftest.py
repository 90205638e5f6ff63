"""Shared fixtures: the real shared data, found through one configurable path.

Under CI (`CI` set) missing shared data is a failure, never a skip: a green run must mean the real
data was read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cwbtools.paths import reference_dir, shared_data_dir


def _missing(msg: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


def _require(path: Path) -> Path:
    if not path.exists():
        _missing(f"shared data missing: {path} (set CWB_DATA to the shared data folder)")
    return path


def require_built(path: Path, slug: str | None = None) -> Path:
    """A file `make test` builds before pytest (its reports and processed tables, from `cwb run`).
    Missing under CI is a failure: a green run must mean the built reports were read."""
    if not path.exists():
        how = f"cwb run configs/{slug}.yml" if slug else "make report"
        _missing(f"not built: {path} (run `{how}`; `make test` builds it)")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data` (or `CWB_DATA`)."""
    return _require(shared_data_dir())


@pytest.fixture(scope="session")
def spend_dir(shared_data: Path) -> Path:
    return _require(shared_data / "spend")


@pytest.fixture(scope="session")
def reference_data(shared_data: Path) -> Path:
    return _require(shared_data / "reference")


@pytest.fixture(scope="session")
def built_reference() -> Path:
    """Reference tables built by `cwb reference build` (run by `make test` before pytest)."""
    _require(reference_dir() / ".built")
    return reference_dir()


@pytest.fixture(scope="session")
def public_bodies(reference_data: Path):
    """The register of public bodies, built from the shared registers by the code under test (not the
    reference folder's copy, which may predate it). Built once per run; the build is timed."""
    import time

    from cwbtools.reference.public_bodies import build_public_bodies

    started = time.perf_counter()
    table = build_public_bodies(reference_data)
    table.attrs["build_seconds"] = time.perf_counter() - started
    return table
