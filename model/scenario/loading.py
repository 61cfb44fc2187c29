"""Loading scenario files: YAML, ``extends``, ``--set`` overrides and strict validation.

Every problem becomes a :class:`ScenarioError` whose message names the file, the
key path and what is wrong, in a few lines a user can act on.
"""

from __future__ import annotations

import difflib
import math
import re
import reprlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from model.scenario.schema import Scenario

SET_SOURCE = "--set"

# A scenario is a few kB and a few hundred keys. Anything far bigger is a
# mistake (or an attack: a YAML "billion laughs" expands exponentially through
# aliases), refused before it is expanded.
MAX_FILE_BYTES = 1_000_000
MAX_VALUES = 20_000
MAX_DEPTH = 20
# Lines in a validation message: at most this many errors, then "... and N more".
MAX_ERROR_LINES = 4


class ScenarioError(ValueError):
    """Bad input in a scenario or experiment: the CLI prints it and exits with status 2."""


class _ScenarioLoader(yaml.SafeLoader):
    """Safe loading with the YAML 1.2 core schema for scalars.

    YAML 1.1 (PyYAML's default) reads ``yes``, ``no``, ``on`` and ``off`` as
    booleans, ``010`` as 8, ``1:30`` as 90 and ``2016-03-17`` as a date. Here
    only ``true`` and ``false`` are booleans, integers are decimal (or ``0x``),
    ``1e-3`` is a float, and the rest stays a string that validation refuses
    where a number or a boolean belongs: nothing is coerced behind the user's back.
    """


_ScenarioLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                           "tag:yaml.org,2002:timestamp"}]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CORE_SCALARS = (  # (tag, pattern, first characters); ints before floats: the first match wins
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    ("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F]+)$"), list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
                r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
     list("-+0123456789.")),
)
for _tag, _pattern, _first in _CORE_SCALARS:
    _ScenarioLoader.add_implicit_resolver(_tag, _pattern, _first)


class _ScenarioDumper(yaml.SafeDumper):
    """Quotes every string that a YAML 1.1 or a YAML 1.2 reader would take for something else.

    ``"1e3"`` is a string to YAML 1.1 but a float to :class:`_ScenarioLoader`,
    so a resolved ``scenario.yaml`` must quote it to read back the same.
    """


for _tag, _pattern, _first in _CORE_SCALARS:
    _ScenarioDumper.add_implicit_resolver(_tag, _pattern, _first)


def _load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_ScenarioLoader)


def _check_structure(data: Any, where: str, prefix: tuple[str, ...] = ()) -> None:
    """Refuse YAML whose aliases make it cyclic, too deep or too big once expanded."""
    sizes: dict[int, int] = {}

    def size(value: Any, path: tuple[str, ...], open_: set[int]) -> int:
        if not isinstance(value, (dict, list)):
            return 1
        key = id(value)
        dotted = ".".join(path) or "(top level)"
        if key in open_:
            raise ScenarioError(f"{where}: {dotted}: a YAML alias refers to itself (a cycle)")
        if key in sizes:
            return sizes[key]
        if len(path) > MAX_DEPTH:
            raise ScenarioError(f"{where}: {dotted}: nested more than {MAX_DEPTH} levels deep")
        open_.add(key)
        total = 1
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for k, v in items:
            total += size(v, (*path, str(k)), open_)
            if total > MAX_VALUES:
                raise ScenarioError(
                    f"{where}: {dotted}: holds more than {MAX_VALUES:,} values once YAML aliases are expanded; "
                    "a scenario has a few hundred keys")
        open_.discard(key)
        sizes[key] = total
        return total

    size(data, prefix, set())


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping, with safe loading only."""
    if not path.exists():
        raise ScenarioError(f"{path}: file not found")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder, not a YAML file")
    if not path.is_file():
        raise ScenarioError(f"{path}: is not a regular file (a device, a pipe or a socket); give a YAML file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(f"{path}: {size:,} bytes is too big for a scenario file (at most {MAX_FILE_BYTES:,})")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{path}: cannot be read as UTF-8 text ({err.__class__.__name__})") from None
    if not text.strip():
        raise ScenarioError(f"{path}: the file is empty; a scenario is a YAML mapping of keys")
    try:
        data = _load_yaml(text)
    except RecursionError:
        raise ScenarioError(f"{path}: nested too deeply to be a scenario") from None
    except yaml.constructor.ConstructorError as err:
        where = f" (line {err.problem_mark.line + 1})" if err.problem_mark else ""
        raise ScenarioError(
            f"{path}{where}: YAML tag not allowed: {err.problem}. Scenarios hold plain data only."
        ) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(f"{path}{where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        kinds = {list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
        kind = kinds.get(type(data), "empty" if data is None else f"a {type(data).__name__}")
        raise ScenarioError(f"{path}: the top level is {kind}; a scenario is a mapping of keys")
    _check_structure(data, str(path))
    return data


def _fields(model_cls: type[BaseModel]) -> dict[str, Any]:
    return model_cls.model_fields


def _sub_model(model_cls: type[BaseModel], key: str) -> type[BaseModel] | None:
    annotation = _fields(model_cls)[key].annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _unknown_key_message(where: str, dotted: str, key: str, known: Iterable[str]) -> str:
    known = sorted(known)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{where}: unknown key '{dotted}'{hint}. Known keys here: {', '.join(known)}"


def check_keys(data: Mapping[str, Any], where: str, model_cls: type[BaseModel] = Scenario,
               prefix: str = "") -> None:
    """Refuse unknown keys, naming the full dotted path and the nearest known key."""
    fields = _fields(model_cls)
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if not isinstance(key, str) or key not in fields:
            raise ScenarioError(_unknown_key_message(where, dotted, str(key), fields))
        sub = _sub_model(model_cls, key)
        if sub is not None and isinstance(value, Mapping):
            check_keys(value, where, sub, f"{dotted}.")


def _merge(base: dict[str, Any], top: Mapping[str, Any], source: str, origin: dict[str, str],
           prefix: str = "") -> None:
    """Merge ``top`` into ``base`` key by key, recording which source set each leaf."""
    for key, value in top.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value, source, origin, f"{dotted}.")
        else:
            base[key] = _copy(value)
            for leaf in _leaves(value, dotted):
                origin[leaf] = source


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _leaves(value: Any, dotted: str) -> Iterable[str]:
    if isinstance(value, Mapping) and value:
        for k, v in value.items():
            yield from _leaves(v, f"{dotted}.{k}")
    else:
        yield dotted


def _resolve(path: Path, chain: tuple[Path, ...], origin: dict[str, str]) -> dict[str, Any]:
    path = path.resolve() if path.exists() else path
    if path in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path))
        raise ScenarioError(f"{chain[-1]}: 'extends' makes a cycle: {cycle}")
    data = read_yaml_mapping(path)
    check_keys(data, str(path))
    parent = data.pop("extends", None)
    check_layer(data, str(path))
    merged: dict[str, Any] = {}
    if parent is not None:
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError(f"{path}: 'extends' must be a file name, got {parent!r}")
        from model import shipped  # a name of a shipped scenario (extends: baseline) is found anywhere

        parent_path = path.parent / parent
        if not parent_path.exists():
            parent_path = shipped.find(parent) or parent_path
        if not parent_path.exists():
            raise ScenarioError(f"{path}: 'extends' names {parent!r}, which does not exist ({parent_path}) "
                                "and is not a shipped scenario")
        merged = _resolve(parent_path, (*chain, path), origin)
        # A description says what this file is; a child that gives none has none of its parent's.
        merged.pop("description", None)
    _merge(merged, data, str(path), origin)
    return merged


def parse_set(items: Iterable[str]) -> dict[str, Any]:
    """Turn ``["a.b=1", "c=true"]`` into ``{"a.b": 1, "c": True}``, values read as YAML scalars."""
    overrides: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError(f"--set {item!r}: expected dotted.key=VALUE")
        try:
            value = _load_yaml(raw) if raw.strip() else ""
        except (yaml.YAMLError, RecursionError):
            value = raw
        _check_structure(value, SET_SOURCE, tuple(key.split(".")))
        overrides[key] = value
    return overrides


def _check_set_path(dotted: str, source: str = SET_SOURCE) -> None:
    model_cls: type[BaseModel] | None = Scenario
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if model_cls is None:
            raise ScenarioError(f"{source}: {dotted}: '{'.'.join(parts[:i])}' is a value, not a section")
        fields = _fields(model_cls)
        if part not in fields:
            raise ScenarioError(_unknown_key_message(source, dotted, part, fields))
        model_cls = _sub_model(model_cls, part)


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any], origin: dict[str, str],
                    labels: Mapping[str, str] | None = None, source: str = SET_SOURCE) -> None:
    """Set dotted keys in a nested mapping, after checking each path exists in the schema."""
    for dotted, value in overrides.items():
        if dotted == "extends":
            raise ScenarioError(f"{source}: extends: 'extends' can only be given in a file")
        _check_set_path(dotted, (labels or {}).get(dotted, source))
        parts = dotted.split(".")
        node = data
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value
        for leaf in _leaves(value, dotted):
            origin[leaf] = (labels or {}).get(dotted, source)


_REPR = reprlib.Repr(maxlevel=3, maxdict=4, maxlist=4, maxstring=60, maxother=60)


def _describe(error: Mapping[str, Any]) -> str:
    message = error["msg"]
    value = error.get("input")
    if error["type"] in {"missing"}:
        return message
    shown = _REPR.repr(value)  # bounded, whatever the size of the value
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{message} (got {shown})"


def _source(dotted: str, origin: Mapping[str, str], default_source: str) -> str:
    return origin.get(dotted) or next(
        (src for key, src in origin.items() if key.startswith(dotted + ".") or dotted.startswith(key + ".")),
        default_source,
    )


def _non_finite(data: Any, prefix: str = "") -> Iterable[tuple[str, float]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from _non_finite(value, f"{prefix}{key}.")
    elif isinstance(data, float) and not math.isfinite(data):
        yield prefix[:-1], data


def _model_validate(data: Mapping[str, Any], origin: Mapping[str, str], default_source: str) -> Scenario:
    for dotted, value in _non_finite(data):
        raise ScenarioError(f"{_source(dotted, origin, default_source)}: {dotted}: "
                            f"must be a finite number (got {value})")
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        errors = err.errors()
        shown = errors if len(errors) <= MAX_ERROR_LINES + 1 else errors[:MAX_ERROR_LINES]
        lines = []
        for error in shown:
            dotted = ".".join(str(p) for p in error["loc"])
            where = _source(dotted, origin, default_source)
            # ``--months: months: ...`` would say the key twice.
            named = where if where == "--" + dotted.replace("_", "-") else f"{where}: {dotted}"
            lines.append(f"{named}: {_describe(error)}")
        if len(errors) > len(shown):
            lines.append(f"... and {len(errors) - len(shown)} more")
        raise ScenarioError("\n".join(lines)) from None


def check_layer(data: Mapping[str, Any], where: str) -> None:
    """Validate the values one source gives (a file, ``--set``, an option) on their own.

    Each value is checked where it is written, so a bad value is reported even
    when a later source overrides it (``--set months=ten --months 2``). The
    checks that need the whole scenario (shares that sum to 1) run once, at the end.
    """
    _model_validate(data, {}, where)


def check_overrides(overrides: Mapping[str, Any], source: str = SET_SOURCE,
                    labels: Mapping[str, str] | None = None) -> None:
    """Validate dotted overrides as one layer: each path exists and each value is valid."""
    layer: dict[str, Any] = {}
    origin: dict[str, str] = {}
    apply_overrides(layer, overrides, origin, labels, source)
    _model_validate(layer, origin, source)


def validate(data: Mapping[str, Any], origin: Mapping[str, str], default_source: str) -> Scenario:
    """Build a :class:`Scenario`, turning validation errors into one line each (a few lines at most)."""
    scenario = _model_validate(data, origin, default_source)
    _check_consistency(scenario, origin, default_source)
    return scenario


SHARE_SUM_TOLERANCE = 1e-6
# Blocks whose shares divide one whole: each must sum to 1, so that a partial block
# cannot silently merge with the defaults (``{live_in_nanny: 1.0}`` is refused, not 61%).
SHARE_BLOCKS = ("workers.job_type_share", "demand.type_share")


def _check_consistency(scenario: Scenario, origin: Mapping[str, str], where: str) -> None:
    for dotted in SHARE_BLOCKS:
        block: Any = scenario
        for part in dotted.split("."):
            block = getattr(block, part)
        shares = block.model_dump()
        total = sum(shares.values())
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            listed = ", ".join(f"{k}={v:g}" for k, v in shares.items())
            raise ScenarioError(
                f"{_source(dotted, origin, where)}: {dotted}: the shares must sum to 1, got {total:g} ({listed}); "
                "give every job type's share (unset ones keep their defaults)")
    if scenario.agencies.employee_based_share + scenario.agencies.membership_share > 1:
        source = _source("agencies.employee_based_share", origin, where)
        raise ScenarioError(
            f"{source}: agencies.employee_based_share + agencies.membership_share must be at most 1"
        )


def load_scenario(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None,
                  labels: Mapping[str, str] | None = None, source: str = SET_SOURCE) -> Scenario:
    """Load a scenario file (or the built-in baseline when ``path`` is None).

    Args:
        path: a YAML scenario file; ``extends`` in it is resolved relative to it.
        overrides: dotted keys and values applied last (what ``--set`` gives).
        labels: how to name the source of an override in messages (``--months`` rather than ``--set``).
        source: how to name the overrides in messages when ``labels`` does not (``--set``).

    Returns:
        The validated scenario, every default filled in.

    Raises:
        ScenarioError: with a message naming the file, the key path and the problem.
    """
    origin: dict[str, str] = {}
    if path is None:
        data: dict[str, Any] = {}
        where = "built-in baseline"
    else:
        path = Path(path)
        data = _resolve(path, (), origin)
        where = str(path)
    if overrides:
        check_overrides(overrides, source, labels)
        apply_overrides(data, dict(overrides), origin, labels, source)
    return validate(data, origin, where)


def flat_values(section: BaseModel, prefix: str = "") -> dict[str, Any]:
    """Every leaf value of a scenario (or a section), by dotted key."""
    out: dict[str, Any] = {}
    for name in type(section).model_fields:
        value = getattr(section, name)
        if isinstance(value, BaseModel):
            out.update(flat_values(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}, "c.d": 2}`` as ``{"a.b": 1, "c.d": 2}``: every leaf by its dotted path."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def load_scenario_data(data: Mapping[str, Any], overrides: Mapping[str, Any] | None = None,
                       where: str = "scenario") -> Scenario:
    """A scenario from a dict of keys (nested or dotted) over the built-in baseline, then ``overrides``."""
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{where}: expected a mapping of scenario keys, got {type(data).__name__}")
    keys = flatten(data)
    if "extends" in keys:
        raise ScenarioError(f"{where}: extends: only a scenario file can extend another; load that file instead")
    return load_scenario(None, {**keys, **(overrides or {})}, source=where)


def to_yaml(scenario: Scenario) -> str:
    """The scenario fully resolved, every default written out, as YAML."""
    data = scenario.model_dump(mode="json", exclude={"extends"})
    return yaml.dump(data, Dumper=_ScenarioDumper, sort_keys=False, allow_unicode=True)
