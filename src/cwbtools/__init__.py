"""cwbtools: community wealth building supply-chain analysis for any place."""

__version__ = "0.1.0"
