"""Result folders that are never half-written or silently replaced.

A run writes into a hidden staged folder beside the target and renames it into
place only when every file is written. An existing non-empty target is refused
unless ``force``, and even then only a folder that a domwork command wrote (it
holds that command's ``manifest.json``, which lists the files it wrote) is
replaced, and only when it holds nothing else: never the user's other files.
Interrupted runs leave no folder that looks complete. Every writer holds the
folder's lock (:mod:`model.run.store`) from its checks to its last file.
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
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from model.run import store
from model.scenario.loading import ScenarioError

RESULTS_DIR = Path("results")


def default_out_dir(name: str, kind: str = "") -> Path:
    """``results/<name>[-<kind>]-<UTC time>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    label = f"{name}-{kind}" if kind else name
    return RESULTS_DIR / f"{label}-{stamp}"


def _protected(out: Path) -> str | None:
    """What replacing ``out`` would destroy besides earlier results, if anything."""
    target = out.resolve()
    folders = {"the current folder": Path.cwd(), "the domwork project": Path(__file__).resolve().parents[2]}
    with suppress(RuntimeError, KeyError):  # no HOME and no password entry
        folders["your home folder"] = Path.home()
    for label, folder in folders.items():
        resolved = folder.resolve()
        if target == resolved or target in resolved.parents:
            return label
    return None


def check_out_dir(out: Path, force: bool) -> None:
    """Refuse what could not become the output folder before any work is done.

    Refused: a path that is a file or under a file, a symbolic link, a folder we
    cannot write in, an existing non-empty folder (unless ``force``), and a folder
    holding the current folder, the home folder or the project (even with ``force``).
    """
    if out.is_symlink():
        raise ScenarioError(f"--out {out}: is a symbolic link; give the folder it points to")
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"--out {out}: exists and is not a folder")
    protected = _protected(out)
    if protected is not None:
        raise ScenarioError(f"--out {out}: holds {protected}; give a new folder for the results")
    if out.is_dir() and any(out.iterdir()):
        unfinished = store.describe_unfinished(out)
        if not force:
            if unfinished is not None:
                raise ScenarioError(f"--out {out}: holds {unfinished}; rerun with --resume --out {out} to finish it "
                                    "(--force would discard what it finished)")
            raise ScenarioError(f"--out {out}: folder exists and is not empty; use --force to replace it "
                                "(only a folder that a domwork command wrote can be replaced)")
        foreign = store.foreign_files(out)
        if foreign is None:
            raise ScenarioError(
                f"--out {out}: holds files that no domwork command wrote (there is no domwork {MANIFEST}); "
                "--force replaces only an earlier result folder, never other files: give a new folder")
        if foreign:
            shown = ", ".join(foreign[:store.SHOWN]) + (f" and {len(foreign) - store.SHOWN} more"
                                                        if len(foreign) > store.SHOWN else "")
            raise ScenarioError(
                f"--out {out}: --force replaces only files domwork wrote, and this folder also holds {shown}; "
                "move them out of it, or give a new folder")
    # The run writes beside ``out`` at the end: find out now, not after hours of work, if it cannot.
    ancestor = out.absolute().parent
    while not ancestor.exists() and not ancestor.is_symlink() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ScenarioError(f"--out {out}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ScenarioError(f"--out {out}: no permission to create folders in {ancestor}")


MANIFEST = store.MANIFEST


def claim(out: Path, force: bool) -> None:
    """Check ``out`` (see :func:`check_out_dir`) and hold its lock until the command ends.

    Raises:
        ScenarioError: ``out`` cannot be used, or another command is writing there.
    """
    check_out_dir(out, force)
    store.claim(out)
    try:
        check_out_dir(out, force)  # again, under the lock: the holder before us may have changed it
    except BaseException:
        store.release(out)
        raise


def is_result_folder(folder: Path) -> bool:
    """Whether ``folder`` is one that a domwork command wrote: it holds that command's manifest."""
    return store.read_manifest(folder) is not None


def make_shared(folder: Path) -> None:
    """Give a folder made by ``tempfile.mkdtemp`` (always 0700) the permissions of the user's umask."""
    mask = os.umask(0)
    os.umask(mask)
    folder.chmod(0o777 & ~mask)


@contextmanager
def staged_dir(out: Path, force: bool) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``out`` when the block completes.

    The folder's lock is held throughout. An existing ``out`` (with ``force``) is
    moved aside, not deleted, until the new folder is in place, so an interruption
    at any moment leaves either the old results or the new ones under ``out``,
    complete, and never a mix. The manifest written in the block gets the list of
    the files written (what a later ``--force`` may replace). Files that appeared in
    the old folder while this one was made (not its command's) move into the new one.
    """
    if not store.held(out):  # else checked when claimed, and files put there since are carried over
        check_out_dir(out, force)
    with store.claimed(out):
        if store.count(out) == 1:
            check_out_dir(out, force)  # again, under the lock
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=store.partial_prefix(out), dir=out.parent))
        make_shared(tmp)
        old: Path | None = None
        try:
            try:
                yield tmp
                store.record_files(tmp)
            except OSError as err:
                if err.errno not in store.FULL:
                    raise
                kept = "nothing was written under " + str(out) + (
                    " (the earlier results there are kept)" if out.exists() else "")
                raise store.disk_full(err, tmp, kept, shown_as=out) from None
            if out.exists():
                old = Path(tempfile.mkdtemp(prefix=store.partial_prefix(out, "old-"), dir=out.parent))
                os.replace(out, old / out.name)
                try:
                    os.replace(tmp, out)
                except BaseException:
                    os.replace(old / out.name, out)  # put the earlier results back
                    raise
                _carry_over(old / out.name, out)
            else:
                os.replace(tmp, out)
        finally:
            for leftover in (tmp, old):
                if leftover is not None and leftover.exists():
                    shutil.rmtree(leftover, ignore_errors=True)


def _carry_over(old: Path, new: Path) -> None:
    """Move into ``new`` the files of ``old`` that its command did not write (put there while we ran)."""
    names = store.foreign_files(old)
    for name in store.listing(old) if names is None else names:
        target = new / name
        if target.exists() or target.is_symlink():
            target = target.with_name(f"{target.name}.kept")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old / name, target)


def write_json(path: Path, data: Any) -> None:
    """JSON with sorted keys and a final newline (stable bytes)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n", encoding="utf-8")


def git_commit() -> str | None:
    """The project's git commit, when run from a checkout."""
    root = Path(__file__).resolve().parents[2]
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
        "written_by": "domwork",
        "command": command if command is not None else sys.argv,
        "seeds": seeds,
        "versions": versions(),
        "git_commit": git_commit(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "wall_seconds": round(wall_seconds, 3),
        "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
    }
