"""`reports/<slug>/summary.json`: the machine-readable result of a city's run.

Each notebook merges its own part in. Written sorted and atomically so that two runs on the same
inputs give byte-identical files and a reader never sees half a file. Schema: docs/SUMMARY.md.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

SUMMARY_FILE = "summary.json"
# docs/SUMMARY.md's version: 2 measures every figure on `base` (issue 18); 1 measured all kept spend.
SCHEMA_VERSION = 2


def _clean(value: Any) -> Any:
    """JSON-safe, deterministic values: numpy scalars to Python, NaN to None, floats rounded."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 10)
    return value


def _deep_merge(base: dict, part: dict) -> dict:
    out = dict(base)
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def read(report_dir: str | Path) -> dict:
    path = Path(report_dir) / SUMMARY_FILE
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def update(report_dir: str | Path, part: dict) -> dict:
    """Merge `part` into the summary (nested dicts merged key by key), stamp `schema_version`, and
    write it atomically."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    merged = {**_deep_merge(read(report_dir), _clean(part)), "schema_version": SCHEMA_VERSION}
    text = json.dumps(merged, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=report_dir, prefix=".summary.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, report_dir / SUMMARY_FILE)
    return merged
