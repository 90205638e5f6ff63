"""A city's configuration: the validated model (`model.py`, its definitions block in `definitions.py`),
where its paths lead (`files.py`) and how a YAML file becomes one (`loading.py`)."""

from .files import resolve_path
from .loading import MAX_CONFIG_BYTES, MAX_CONFIG_NODES, load_config, parse_config, shipped_configs
from .model import CityConfig, financial_year

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_CONFIG_NODES",
    "CityConfig",
    "financial_year",
    "load_config",
    "parse_config",
    "resolve_path",
    "shipped_configs",
]
