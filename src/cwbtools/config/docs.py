"""docs/CONFIG.md, written from the config models: every key with its type, default and the
sentence its docstring gives it, so the reference cannot drift from what `load_config` accepts.

`cwb config doc --out docs/CONFIG.md` rewrites it; tests/config/test_config_doc.py fails when the
file and the models disagree, or when a key has no description.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import json
import textwrap
import types
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ..ingest.columns import override_fields
from ..ingest.limits import Limits
from .model import CityConfig, Ledger

_INTRO = """\
# City configuration reference

<!-- Generated from the config models (src/cwbtools/config/model.py, definitions.py) by
`cwb config doc --out docs/CONFIG.md`; tests/config/test_config_doc.py fails when it is out of date.
Edit the models' docstrings, not this file. -->

One YAML file per place in `configs/`; `cwb config check FILE` validates it. Unknown keys are
refused with the nearest valid key, so a misspelt key is never silently ignored. Every input
path may use `${CWB_DATA}`, `${CWB_PROCESSED}` or `${CWB_RAW}`; a relative path is looked for
beside the config first, then in the shared data folder, and must lead into one of the data
folders unless `allow_outside_data: true` (docs/SECURITY.md).

A minimal config:

```yaml
name: Hyndburn
slug: hyndburn
place: {name: Hyndburn, lad_codes: [E07000120]}
wider_area: Lancashire
years: [2018/19, 2019/20]
anchors:
  - name: Hyndburn Borough Council
    kind: council
    ledgers:
      - ${CWB_DATA}/spend/hyndburn
```

Each section below is one mapping of the config; `[]` marks a list of them. A key whose
default is *required* must be given.
"""


# What a key's description cannot say from the model alone: lists that live with the code using them.
_NOTES = {
    (Ledger, "overrides"): lambda: (
        "Fields an override may name: " + ", ".join(f"`{f}`" for f in override_fields()) + "."
    ),
    (CityConfig, "ingest_limits"): lambda: (
        "Limits and their defaults: " + ", ".join(f"`{n}` {getattr(Limits(), n):,}" for n in Limits.names()) + "."
    ),
}


def _type(annotation: Any) -> str:
    """An annotation in a reader's words: `text`, `list of text`, `one of: a, b`."""
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping (its section below)"
    names = {str: "text", int: "integer", float: "number", bool: "true/false", dt.date: "date (YYYY-MM-DD)"}
    if annotation in names:
        return names[annotation]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return "one of: " + ", ".join(f"`{a}`" for a in args)
    if origin in (Union, types.UnionType):
        kept = [a for a in args if a is not type(None)]
        text = " or ".join(_type(a) for a in kept)
        return f"{text} (optional)" if len(kept) < len(args) else text
    if origin is list:
        return f"list of {_type(args[0])}"
    if origin is dict:
        return f"mapping of {_type(args[0])} to {_type(args[1])}"
    return str(annotation)


def _default(field) -> str:
    if field.is_required():
        return "*required*"
    value = field.default_factory() if field.default_factory is not None else field.default
    if value is PydanticUndefined or value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "(below)"
    if isinstance(value, (list, dict)) and not value:
        return "empty"
    return f"`{json.dumps(value, ensure_ascii=False, default=str)}`"


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in get_args(annotation) for m in _models_in(a)]


@cache
def _attribute_docstrings(cls: type) -> dict[str, str]:
    """Each attribute `cls` annotates in its own body -> the string right after it (its docstring)."""
    try:
        source = textwrap.dedent("".join(inspect.getsourcelines(cls)[0]))
    except (OSError, TypeError):
        return {}
    body = ast.parse(source).body[0].body
    return {
        node.target.id: inspect.cleandoc(after.value.value)
        for node, after in zip(body, body[1:], strict=False)
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Constant)
        and isinstance(after.value.value, str)
    }


def description(model: type[BaseModel], name: str) -> str | None:
    """A key's description: its `Field(description=...)`, else the docstring under it in the class
    that declares it (the models' docstrings are read here, when the doc is made, not at import)."""
    given = model.model_fields[name].description
    if given is not None:
        return given
    declaring = next((c for c in model.__mro__ if name in c.__dict__.get("__annotations__", {})), None)
    return None if declaring is None else _attribute_docstrings(declaring).get(name)


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return True
    return any(_is_list(a) for a in get_args(annotation) if get_origin(annotation) in (Union, types.UnionType))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def sections(model: type[BaseModel] = CityConfig, prefix: str = "") -> list[tuple[str, type[BaseModel]]]:
    """(key path, model) for the config's top level and every nested mapping, in reading order."""
    out = [(prefix, model)]
    for name, field in model.model_fields.items():
        for sub in _models_in(field.annotation):
            path = f"{prefix}.{name}" if prefix else name
            out += sections(sub, path + ("[]" if _is_list(field.annotation) else ""))
    return out


def undescribed(model: type[BaseModel] = CityConfig) -> list[str]:
    """Keys with no description (the doc is refused while there are any)."""
    return [
        f"{path + '.' if path else ''}{name}"
        for path, m in sections(model)
        for name in m.model_fields
        if not (description(m, name) or "").strip()
    ]


def config_reference(model: type[BaseModel] = CityConfig) -> str:
    """docs/CONFIG.md as text. A ValueError lists any key without a description."""
    missing = undescribed(model)
    if missing:
        raise ValueError(f"config keys with no description (give each a docstring): {', '.join(missing)}")
    parts = [_INTRO]
    for path, m in sections(model):
        title = f"`{path}`" if path else "Top level"
        parts.append(f"\n## {title}\n")
        doc = inspect.cleandoc(m.__doc__ or "") if m.__doc__ != BaseModel.__doc__ else ""
        if doc:
            parts.append(" ".join(doc.split()) + "\n")
        parts.append("| key | type | default | description |\n|---|---|---|---|")
        for name, field in m.model_fields.items():
            row = [f"`{name}`", _type(field.annotation), _default(field), description(m, name) or ""]
            parts.append("| " + " | ".join(_cell(c) for c in row) + " |")
        for name, field in m.model_fields.items():
            if (m, name) in _NOTES:
                parts.append(f"\n{_NOTES[m, name]()}")
            for example in field.examples or []:
                snippet = yaml.safe_dump({name: example}, sort_keys=False, allow_unicode=True).rstrip()
                parts.append(f"\nExample of `{name}`:\n\n```yaml\n{snippet}\n```")
    return "\n".join(parts) + "\n"
