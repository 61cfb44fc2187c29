"""Result folders that are never half-written or silently replaced.

A run writes into a hidden temporary folder beside the target and renames it
into place only when every file is written. An existing non-empty target is
refused unless ``force``. Interrupted runs leave no folder that looks complete.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from model.scenario import ScenarioError

RESULTS_DIR = Path("results")


def default_out_dir(name: str, kind: str = "") -> Path:
    """``results/<name>[-<kind>]-<UTC time>``."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    label = f"{name}-{kind}" if kind else name
    return RESULTS_DIR / f"{label}-{stamp}"


def check_out_dir(out: Path, force: bool) -> None:
    """Refuse an existing non-empty folder (unless ``force``) or a path that is a file."""
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"--out {out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ScenarioError(f"--out {out}: folder exists and is not empty; use --force to replace it")


@contextmanager
def staged_dir(out: Path, force: bool) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``out`` when the block completes."""
    check_out_dir(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        yield tmp
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def write_json(path: Path, data: Any) -> None:
    """JSON with sorted keys and a final newline (stable bytes)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n", encoding="utf-8")


def git_commit() -> str | None:
    """The project's git commit, when run from a checkout."""
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, timeout=5, check=False).stdout.strip()
    return out.stdout.strip() + ("-dirty" if dirty else "")


def versions() -> dict[str, str]:
    """Versions of Python and the libraries results depend on."""
    found = {"python": platform.python_version()}
    for package in ("mesa", "numpy", "scipy", "pandas", "pydantic", "domwork"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def manifest(command: list[str] | None, seeds: list[int], wall_seconds: float, **extra: Any) -> dict[str, Any]:
    """Everything needed to rerun: command, seeds, versions, commit, wall time."""
    return {
        "command": command if command is not None else sys.argv,
        "seeds": seeds,
        "versions": versions(),
        "git_commit": git_commit(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "wall_seconds": round(wall_seconds, 3),
        "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **extra,
    }
