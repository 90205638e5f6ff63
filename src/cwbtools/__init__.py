"""cwbtools: community wealth building supply-chain analysis for any place."""

from importlib.metadata import PackageNotFoundError, version


def _version() -> str:
    """The version in pyproject.toml, its one home, as the installed package's metadata records it."""
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


__version__ = _version()
