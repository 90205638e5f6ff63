"""A config file read safely and validated: size and YAML expansion bounded, areas named in words
resolved to LAD codes, and every mistake one line naming the key, where it sits and the file.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ConfigError
from ..paths import configs_dir
from .model import CityConfig, _lad_codes


def _valid_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys valid at `loc` (the location of an extra key, without the key itself)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
        if current is None:
            return []
    return list(current.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "top level"


_MAX_ERRORS = 5  # a message is one line: the first few mistakes, then how many more
_MAX_QUOTE = 80
_MAX_MESSAGE = 700  # characters of one validator's message


def _value_at(data: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _quote(value: Any) -> str:
    """A value from the config as a message shows it: short text quoted, anything else by type
    (an expanded list or a long text is never written out)."""
    if value is None:
        return "the value given"
    if isinstance(value, (str, int, float, bool)) and len(str(value)) <= _MAX_QUOTE:
        return repr(value)
    return f"a {type(value).__name__}"


def _explain(exc: ValidationError, source: str, data: Any = None) -> str:
    """One line from pydantic's errors, built from each error's location and message only: the
    input pydantic would quote may be huge (expanded aliases) and is never formatted."""
    lines = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        # Union shorthand validators add the type name to the location; drop it.
        loc = tuple(p for p in loc if p not in {"str", "list[str]", "dict[str,any]"})
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            valid = _valid_keys(CityConfig, loc[:-1])
            near = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            parent = _where(loc[:-1])
            lines.append(
                f"unknown key {_quote(key)} at {parent} in {source}{hint} (valid keys there: {', '.join(valid)})"
            )
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            allowed = re.findall(r"'([^']*)'", expected)
            # A dict key's location ends in "[key]" after the key itself.
            value = loc[-2] if loc and loc[-1] == "[key]" else _value_at(data, loc)
            near = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5) if isinstance(value, str) else []
            hint = f"; did you mean '{near[0]}'?" if near else ""
            lines.append(f"{_where(loc)} in {source}: {_quote(value)} is not one of {expected}{hint}")
        elif kind == "missing":
            lines.append(f"{_where(loc)} in {source}: required key '{loc[-1]}' is missing")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            # room for a list of valid values (every field an override may name) and a path
            msg = msg if len(msg) <= _MAX_MESSAGE else msg[:_MAX_MESSAGE] + "..."
            lines.append(f"{_where(loc)} in {source}: {msg}")
    lines = list(dict.fromkeys(lines))
    more = f"; and {len(lines) - _MAX_ERRORS} more" if len(lines) > _MAX_ERRORS else ""
    return "; ".join(lines[:_MAX_ERRORS]) + more


def _resolve_areas(config: CityConfig, source: str) -> None:
    need_place = not config.place.lad_codes
    need_wider = bool(config.wider_area.name) and not config.wider_area.lad_codes
    if need_place or need_wider:
        try:
            from ..reference import resolve_area
        except ImportError as exc:  # reference stage not installed
            raise ConfigError(
                f"{source}: naming an area needs the reference tables ({exc}); "
                "give lad_codes instead or run `cwb reference build`"
            ) from exc
    if need_place:
        try:
            name, codes = resolve_area(config.place.name)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported with the key that caused it
            raise ConfigError(f"place.name in {source}: cannot resolve {config.place.name!r}: {exc}") from exc
        config.place.lad_codes = _lad_codes(list(codes))
    if need_wider:
        try:
            name, codes = resolve_area(config.wider_area.name)
        except Exception as exc:  # noqa: BLE001
            raise ConfigError(f"wider_area in {source}: cannot resolve {config.wider_area.name!r}: {exc}") from exc
        if not list(codes):
            raise ConfigError(f"wider_area in {source}: {config.wider_area.name!r} matches no local authority")
        config.wider_area.lad_codes = _lad_codes(list(codes))
    # CLES counts the wider area including the place.
    codes = list(config.wider_area.lad_codes)
    for code in config.place.lad_codes:
        if code not in codes:
            codes.append(code)
    config.wider_area.lad_codes = codes


def parse_config(
    data: Any,
    source: str = "<config>",
    config_dir: Path | None = None,
    resolve_areas: bool = True,
    check_paths: bool = True,
) -> CityConfig:
    """A config from already-parsed YAML (a dict). See `load_config`."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a city config is a YAML mapping of keys (name, slug, place, ...)")
    try:
        config = CityConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, source, data)) from None
    if config_dir is not None:
        config.source_path = config_dir / Path(source).name
    if check_paths:
        config.check_paths()
    if resolve_areas:
        _resolve_areas(config, source)
    return config


MAX_CONFIG_BYTES = 1 << 20  # shipped configs are 1-3 KB; a data file named by mistake is refused unread
MAX_CONFIG_NODES = 100_000  # YAML nodes after aliases are expanded ("billion laughs" stops here)


def _read_config_text(path: Path) -> str:
    """The config's text, or a ConfigError saying what the file is instead (never its contents)."""
    if path.is_dir():
        inside = sorted(p.name for p in path.glob("*.yml"))[:5]
        hint = f" (it holds {', '.join(inside)})" if inside else ""
        raise ConfigError(f"{path}: is a folder, not a config file; name a .yml file{hint}")
    if not path.is_file():
        raise ConfigError(f"{path}: is not a regular file (a device or pipe?); name a .yml config file")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot be read ({exc.strerror or type(exc).__name__}); check the file's permissions"
        ) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{path}: is larger than {MAX_CONFIG_BYTES >> 20} MB, too large for a city config "
            "(a few KB of YAML); name the .yml config, not a data file"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"{path}: is not UTF-8 text (byte 0x{raw[exc.start]:02X} at line {line}, column {column}, "
            "perhaps a '£' or 'é' saved as Windows-1252); save the file with UTF-8 encoding"
        ) from None


class _ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a document whose aliases expand beyond MAX_CONFIG_NODES
    nodes or refer to themselves, before anything is built from it."""

    def construct_document(self, node):
        _check_expansion(node)
        return super().construct_document(node)


def _check_expansion(root: yaml.Node) -> None:
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            size[key] = 1
            continue
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > MAX_CONFIG_NODES:
                mark = node.start_mark
                raise _Refused(
                    f"its aliases (*name) expand to more than {MAX_CONFIG_NODES:,} values "
                    f"(from line {mark.line + 1}); write the values out, or use fewer aliases"
                )
            continue
        if key in size:
            continue
        if key in open_:
            raise _Refused(f"an alias at line {node.start_mark.line + 1} refers to itself; remove the loop")
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


class _Refused(Exception):
    """A YAML document refused by `_ConfigLoader`: the reason, without the document."""


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    """Where and what PyYAML found wrong, in one line and without the snippet of the file it quotes."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        return f"line {line}: character U+{char:04X} is not allowed in YAML (a binary file?)"
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = " ".join(str(getattr(exc, "problem", None) or type(exc).__name__).split())[:200]
    return (f"line {mark.line + 1}, column {mark.column + 1}: " if mark else "") + problem


def _read_yaml(path: Path) -> Any:
    text = _read_config_text(path)
    try:
        return yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as exc:
        raise ConfigError(f"{path}: refused: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"{path}: is not valid YAML ({_yaml_problem(exc, text)}); check the indentation, brackets and quotes there"
        ) from None
    except RecursionError:
        raise ConfigError(f"{path}: is nested too deeply to be a city config; check its brackets") from None


def load_config(path: str | Path, check_inputs: bool | None = None, resolve_areas: bool = True) -> CityConfig:
    """Load and check a city config.

    A bare name (`preston-demo`) is looked up in `configs/`. Unknown or misspelt keys, an unknown
    area, or (for real-data configs, unless `check_inputs=False`) a ledger missing from disk raise a
    `ConfigError` that names the key, file, anchor or path. Synthetic configs are not checked for
    inputs here: `city_spend` writes the demo ledgers when they are missing. The file is read
    bounded (MAX_CONFIG_BYTES, aliases expanding to at most MAX_CONFIG_NODES values) and an input
    path outside the data folders is refused (see `CityConfig`).
    """
    path = Path(path)
    if not path.exists() and not path.suffix and (configs_dir() / f"{path}.yml").exists():
        path = configs_dir() / f"{path}.yml"
    if not path.exists():
        available = sorted(p.stem for p in configs_dir().glob("*.yml"))
        raise ConfigError(f"config file {path} not found (configs available: {', '.join(available)})")
    data = _read_yaml(path)
    config = parse_config(data, str(path), resolve_areas=False, check_paths=False)
    config.source_path = path.resolve()
    config.check_paths()
    if resolve_areas:
        _resolve_areas(config, str(path))
    if check_inputs is None:
        check_inputs = not config.synthetic
    if check_inputs:
        config.check_inputs()
    return config


def shipped_configs() -> list[Path]:
    return sorted(configs_dir().glob("*.yml"))
