"""The files that ship with domwork: scenarios, experiments, calibration files and assumption sets.

In a clone they are the project's own folders (``scenarios/``, ``experiments/``,
``calibration/``, ``assumptions/``). An installed wheel carries them as data under
``<prefix>/share/domwork/`` (``pyproject.toml``, ``[tool.setuptools.data-files]``), so
``domwork run fee_cap`` works from any folder, and a scenario file anywhere can say
``extends: baseline``.
"""

from __future__ import annotations

import site
import sys
import sysconfig
from pathlib import Path

import yaml

KINDS = ("scenarios", "experiments", "calibration", "assumptions")
PROJECT = Path(__file__).resolve().parent.parent


def folder(kind: str) -> Path | None:
    """Where the shipped files of ``kind`` are: the clone's folder, else the installed data; None if neither."""
    if kind not in KINDS:
        raise ValueError(f"no shipped files of kind {kind!r}; the kinds are {', '.join(KINDS)}")
    candidates = [PROJECT / kind] if (PROJECT / "pyproject.toml").is_file() else []
    prefixes = [sysconfig.get_paths().get("data"), sys.prefix, sys.base_prefix, getattr(site, "USER_BASE", None)]
    candidates += [Path(prefix) / "share" / "domwork" / kind for prefix in prefixes if prefix]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None


def find(name: str | Path, kind: str = "scenarios") -> Path | None:
    """The shipped file that ``name`` names (``fee_cap`` or ``fee_cap.yaml``), or None.

    Only a bare name counts: ``dir/fee_cap`` or an absolute path is a path, never a shipped name.
    """
    text = str(name)
    if not text or "/" in text or "\\" in text or text.startswith("."):
        return None
    where = folder(kind)
    if where is None:
        return None
    for candidate in (where / text, where / f"{text}.yaml"):
        if candidate.is_file():
            return candidate
    return None


def resolve(path: Path | None, kind: str = "scenarios") -> Path | None:
    """``path`` itself when it exists (or is None), else the shipped file it names, else ``path`` unchanged.

    A file in the current folder wins over a shipped one of the same name; a missing
    file that names no shipped one is left for the loader to report.
    """
    if path is None or Path(path).exists():
        return path
    return find(path, kind) or path


def names(kind: str = "scenarios") -> list[str]:
    """The shipped files of ``kind`` by name (without ``.yaml``), sorted."""
    where = folder(kind)
    return sorted(p.stem for p in where.glob("*.yaml")) if where is not None else []


def describe(kind: str = "scenarios") -> list[tuple[str, str]]:
    """``(name, description)`` of every shipped file of ``kind`` (the description's first sentence or line)."""
    where = folder(kind)
    rows = []
    for name in names(kind):
        try:
            data = yaml.safe_load((where / f"{name}.yaml").read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            data = None
        text = str(data.get("description") or "") if isinstance(data, dict) else ""
        rows.append((name, " ".join(text.split())))
    return rows


def base_scenario(where: str, key: str, value: str, relative_to: Path) -> Path:
    """The scenario file a key of another file names: relative to that file, else a shipped scenario.

    Args:
        where: the file that names it (for messages).
        key: the key that names it (``scenario``, ``extends``, ``vary.scenario``).
        value: the name as written.
        relative_to: the folder of the file that names it.

    Raises:
        ScenarioError: naming the file, the key, the name and the path it was looked for at.
    """
    from model.scenario.loading import ScenarioError

    path = relative_to / value
    if path.exists():
        return path
    found = find(value)
    if found is not None:
        return found
    shipped = ", ".join(names()) or "none found"
    raise ScenarioError(f"{where}: {key}: {value!r} does not exist ({path.absolute()}), nor is it a shipped scenario "
                        f"({shipped})")
