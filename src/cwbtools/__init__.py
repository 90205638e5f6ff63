"""cwbtools: community wealth building supply-chain analysis for any place."""

from functools import lru_cache


@lru_cache(maxsize=1)
def _version() -> str:
    """The version in pyproject.toml, its one home, as the installed package's metadata records it."""
    # importlib.metadata costs 50 ms to import, a twentieth of a `cwb ingest` that never asks
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cwbtools")
    except PackageNotFoundError:
        # A source tree on sys.path without `pip install` (PYTHONPATH=src) has no metadata: read the same
        # pyproject.toml, so provenance, the index page and the spend cache's key carry the same number.
        import tomllib
        from pathlib import Path

        try:
            with open(Path(__file__).resolve().parents[2] / "pyproject.toml", "rb") as fh:
                return tomllib.load(fh)["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "0+unknown"


def __getattr__(name: str):
    # `cwbtools.__version__`, read on first use (PEP 562)
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
