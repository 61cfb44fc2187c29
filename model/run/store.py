"""The one store of result folders: a lock per folder, the files a command wrote, stale leftovers cleaned.

Every command that writes a result folder (run, compare, sweep, calibrate, validate,
bench) goes through here:

- **A lock.** :func:`claim` takes an exclusive lock on the folder for as long as the
  command writes it: a second command on the same folder is refused at once (exit 2),
  naming the holder's process id and command. The lock is a POSIX record lock on a
  file beside the folder (``.<name>.lock``): the operating system drops it when the
  holder ends, however it ends, and processes forked from the holder (pool workers)
  do not hold it.
- **The files a command wrote.** Its ``manifest.json`` lists them (``files``: paths or
  patterns, relative to the folder). ``--force`` replaces a folder only when every file
  in it is on that list, and otherwise refuses, naming the others: notes or charts a
  user put in a result folder are never deleted.
- **Stale leftovers.** Staged folders (``.<name>.partial-<host>-<pid>-...``) of
  processes that no longer run are removed when the next command claims a folder beside them.
- **Finished replicates.** :class:`ReplicateCache` keeps each replicate's time series as
  it finishes, so that a killed comparison resumes without running them again.
"""

from __future__ import annotations

import errno
import fcntl
import fnmatch
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from model.scenario.loading import ScenarioError

MANIFEST = "manifest.json"
PARTIAL = ".partial-"
# What domwork commands wrote before manifests listed their files: every name they could write.
EARLIER_FILES = (
    MANIFEST, "scenario.yaml", "timeseries.csv", "summary.json", "figures/*", "comparison.csv", "pairing.csv",
    "replicates.csv", "scenarios/*.yaml", "report.md", "report.html", "comparison.xlsx", "group_effects.csv",
    "runs.csv", "points.csv", "run_times.csv", "timeseries/*", "experiment.yaml", "sensitivity.csv",
    "evaluations.csv", "calibration.csv", "fit.csv", "fitted.yaml", "posterior.csv", "bench.json", "bench.md",
    "bench.png", "boxes.csv", "replicates/*", ".*.tmp",
)
SHOWN = 5  # files named in a refusal, at most


# --- the lock ---------------------------------------------------------------------------------------


def lock_path(out: Path) -> Path:
    """The lock file of ``out``: beside it, so that it exists before the folder does and outlives its replacement."""
    folder = out.absolute()
    return folder.parent / f".{folder.name}.lock"


@dataclass
class _Held:
    fd: int
    path: Path
    thread: int
    count: int
    made: list[Path]  # folders made to hold the lock file: removed with it when still empty


_held: dict[Path, _Held] = {}
_guard = threading.Lock()
_command: list[str] | None = None


def set_command(argv: list[str]) -> None:
    """The command to name in the lock file (``domwork run ...``; default: this process's arguments)."""
    global _command
    _command = list(argv)


def _key(out: Path) -> Path:
    folder = out.absolute()
    return folder.parent.resolve() / folder.name


def holder(out: Path) -> str:
    """Who holds the lock of ``out``, in words (from what the holder wrote in the lock file)."""
    try:
        data = json.loads(lock_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another process"
    command = " ".join(str(part) for part in data.get("command") or [])
    host = data.get("host")
    where = f" on {host}" if host and host != socket.gethostname() else ""
    return f"process {data.get('pid', '?')}{where} ({command}, since {data.get('started_utc', '?')})"


def _try_lock(path: Path) -> int | None:
    """An open descriptor holding the lock of ``path``, or None when another process holds it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            if err.errno in (errno.EACCES, errno.EAGAIN):
                return None
            raise
        # The holder before us may have removed the file between our open and our lock: lock the file there now.
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


def _acquire(out: Path, option: str) -> None:
    key = _key(out)
    with _guard:
        held = _held.get(key)
        if held is not None:
            if held.thread != threading.get_ident():
                raise ScenarioError(f"{option} {out}: another command in this process is writing there; "
                                    "give another folder")
            held.count += 1
            return
        path = lock_path(out)
        made = []
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            made.append(folder)
            folder = folder.parent
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _try_lock(path)
        if fd is None:
            raise ScenarioError(f"{option} {out}: another domwork command is writing there: {holder(out)}; "
                                "wait for it to end, or give another folder")
        info = {"pid": os.getpid(), "host": socket.gethostname(), "command": _command or sys.argv,
                "started_utc": datetime.now(UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
        _held[key] = _Held(fd, path, threading.get_ident(), 1, made)
    clean_stale_partials(key.parent)


def _release(out: Path, everything: bool = False) -> None:
    key = _key(out)
    with _guard:
        held = _held.get(key)
        if held is None:
            return
        held.count -= 1
        if held.count > 0 and not everything:
            return
        del _held[key]
        with suppress(OSError):
            held.path.unlink()  # before unlocking: a newcomer then locks a new file (see _try_lock)
        os.close(held.fd)
        for folder in held.made:  # deepest first; a folder the command filled stays
            with suppress(OSError):
                folder.rmdir()


@contextmanager
def claimed(out: Path, option: str = "--out") -> Iterator[None]:
    """Hold the lock of ``out`` for the block (re-entrant within a thread).

    Raises:
        ScenarioError: when another process (or another thread here) holds it.
    """
    _acquire(out, option)
    try:
        yield
    finally:
        _release(out)


def claim(out: Path, option: str = "--out") -> None:
    """Hold the lock of ``out`` until :func:`release_all` (the command line calls it when a command ends)."""
    _acquire(out, option)


def release(out: Path) -> None:
    """Give back one :func:`claim` of ``out``."""
    _release(out)


def count(out: Path) -> int:
    """How many claims of ``out`` this process holds."""
    held = _held.get(_key(out))
    return 0 if held is None else held.count


def release_all() -> None:
    """Drop every lock this process holds."""
    for key in list(_held):
        _release(key, everything=True)


def held(out: Path) -> bool:
    """Whether this process holds the lock of ``out``."""
    return _key(out) in _held


# --- the files a command wrote ----------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's domwork manifest, or None when it has none (or one domwork did not write)."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() and not path.is_symlink() else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    # ``written_by`` since 0.2; earlier manifests name domwork among their versions.
    if data.get("written_by") == "domwork" or "domwork" in (data.get("versions") or {}):
        return data
    return None


def listing(folder: Path) -> list[str]:
    """Every file under ``folder`` (symbolic links included, not followed), relative, sorted, ``/``-separated."""
    found = []
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        for name in files + [d for d in dirs if (base / d).is_symlink()]:
            found.append((base / name).relative_to(folder).as_posix())
    return sorted(found)


def _owned(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def patterns_of(manifest: dict[str, Any]) -> list[str]:
    """The files a manifest says its command wrote (paths or patterns)."""
    files = manifest.get("files")
    if isinstance(files, list) and all(isinstance(f, str) for f in files):
        return [*files, MANIFEST]
    return list(EARLIER_FILES)


def foreign_files(folder: Path) -> list[str] | None:
    """Files in ``folder`` that its domwork command did not write; None when no domwork command wrote it."""
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    patterns = patterns_of(manifest)
    return [name for name in listing(folder) if not _owned(name, patterns)]


def clear_owned(folder: Path) -> None:
    """Delete the files of ``folder`` that its command wrote, and the folders they leave empty; nothing else."""
    manifest = read_manifest(folder)
    if manifest is None:
        return
    patterns = patterns_of(manifest)
    names = listing(folder)
    # The manifest last: an interruption leaves a folder that is still recognisably domwork's.
    for name in sorted(names, key=lambda n: n == MANIFEST):
        if _owned(name, patterns):
            (folder / name).unlink(missing_ok=True)
    for root, _, _ in sorted(os.walk(folder), key=lambda item: -len(item[0])):
        if Path(root) != folder:
            with suppress(OSError):
                Path(root).rmdir()  # only when empty


def record_files(folder: Path) -> None:
    """Write into the folder's manifest the list of every file in it (what ``--force`` may later replace)."""
    path = folder / MANIFEST
    if not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    data["files"] = [name for name in listing(folder) if name != MANIFEST]
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def describe_unfinished(folder: Path) -> str | None:
    """``an unfinished domwork sweep (12 of 40 runs done)``, or None when the folder holds no unfinished work."""
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("complete", True):
        return None
    kind = manifest.get("kind") or manifest.get("command_name") or "command"
    done = ""
    if manifest.get("runs_done") is not None and manifest.get("runs") is not None:
        done = f" ({manifest['runs_done']:,} of {manifest['runs']:,} runs done)"
    elif kind == "compare":
        count = len([n for n in listing(folder) if n.startswith("replicates/")])
        done = f" ({count:,} replicates done)"
    elif kind == "calibrate":
        with suppress(OSError):
            rows = (folder / "evaluations.csv").read_text(encoding="utf-8").count("\n")
            done = f" ({max(rows - 1, 0):,} candidates done)"
    return f"an unfinished domwork {kind}{done}"


# --- a full disk ------------------------------------------------------------------------------------

FULL = (errno.ENOSPC, errno.EDQUOT)


def newest_file(folder: Path) -> Path | None:
    """The file under ``folder`` written last (the one a write failed in, when the error does not say)."""
    newest: tuple[float, Path] | None = None
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            with suppress(OSError):
                stamp = path.lstat().st_mtime
                if newest is None or stamp >= newest[0]:
                    newest = (stamp, path)
    return None if newest is None else newest[1]


def disk_full(err: OSError, folder: Path, kept: str, shown_as: Path | None = None) -> Exception:
    """A :class:`model.run.errors.DiskFull` naming the file, the room left and what was kept.

    Args:
        err: the error (``ENOSPC`` or ``EDQUOT``).
        folder: where the file was written (its newest file is named when ``err`` names none).
        kept: what is kept, in words.
        shown_as: the folder to name in place of ``folder`` (a staged folder is named as its target).
    """
    from model.run.errors import DiskFull

    path = Path(err.filename) if err.filename else newest_file(folder)
    if path is not None and shown_as is not None:
        with suppress(ValueError):
            path = shown_as / path.relative_to(folder)
    what = "the quota" if err.errno == errno.EDQUOT else "no space left on the device"
    try:
        free = f"{shutil.disk_usage(folder if folder.exists() else folder.parent).free / 2**20:,.1f} MiB free there now"
    except OSError:
        free = "free space unknown"
    named = f"writing {path}" if path is not None else f"writing in {shown_as or folder}"
    return DiskFull(f"{what}: {named} failed ({free}); {kept}. Free some space and run the command again")


# --- staged folders and their leftovers -------------------------------------------------------------


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:20] or "host"


def partial_prefix(out: Path, what: str = "") -> str:
    """The name a staged folder of ``out`` starts with: it says which process on which machine made it."""
    return f".{out.name}{PARTIAL}{what}{_host()}-{os.getpid()}-"


_PARTIAL_NAME = re.compile(r"^\.(?P<name>.+)\.partial-(?:old-)?(?P<host>[A-Za-z0-9]+)-(?P<pid>\d+)-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_partials(parent: Path) -> list[Path]:
    """Remove staged folders in ``parent`` left by processes of this machine that no longer run.

    A folder is removed only when its name says which process made it, that process is
    gone, and no process holds the lock of the result folder it was for.
    """
    removed = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    host = _host()
    for entry in entries:
        match = _PARTIAL_NAME.match(entry.name)
        if match is None or match["host"] != host or not entry.is_dir() or entry.is_symlink():
            continue
        pid = int(match["pid"])
        if pid == os.getpid() or _alive(pid):
            continue
        target = parent / match["name"]
        if _key(target) not in _held:
            lock = lock_path(target)
            fd = _try_lock(lock) if lock.exists() else None
            if lock.exists() and fd is None:
                continue  # someone works on that folder now
            if fd is not None:
                with suppress(OSError):
                    lock.unlink()
                os.close(fd)
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


# --- finished replicates, for resuming ----------------------------------------------------------------


class ReplicateCache:
    """Each finished replicate's time series in ``<folder>/replicates/<scenario key>/replicate-<k>.parquet``.

    The key hashes the resolved scenario, the months and the model's source, so a
    replicate is reused only where it would come out the same. The folder is made
    (with a manifest saying it is unfinished) when the first replicate is stored.
    """

    FOLDER = "replicates"
    FILES = ("replicates/*/replicate-*.parquet", "replicates/*/.replicate-*.parquet.tmp")

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        self.folder = folder
        self.manifest = manifest
        self._keys: dict[int, str] = {}
        self.reused = 0
        self.stored = 0

    def key(self, scenario, months: int) -> str:
        """A short hash of what a replicate's results depend on."""
        from model.experiments.executors import source_hash
        from model.scenario.loading import to_yaml

        ident = id(scenario)
        if ident not in self._keys:
            text = f"{source_hash()}\n{months}\n{to_yaml(scenario)}"
            self._keys[ident] = hashlib.sha256(text.encode()).hexdigest()[:20]
        return self._keys[ident]

    def path(self, scenario, months: int, replicate: int) -> Path:
        """Where replicate ``replicate`` of ``scenario`` is kept."""
        return self.folder / self.FOLDER / self.key(scenario, months) / f"replicate-{replicate:04d}.parquet"

    def get(self, scenario, months: int, replicate: int):
        """The kept time series of a replicate, or None."""
        import pandas as pd

        path = self.path(scenario, months, replicate)
        if not path.is_file():
            return None
        self.reused += 1
        return pd.read_parquet(path)

    def put(self, scenario, months: int, replicate: int, frame) -> None:
        """Keep a finished replicate (written whole under a temporary name, then renamed)."""
        from model.run import output

        if not (self.folder / MANIFEST).exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            output.make_shared(self.folder)
            output.write_json(self.folder / MANIFEST, {**self.manifest, "complete": False,
                                                         "files": list(self.FILES)})
        path = self.path(scenario, months, replicate)
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(tmp, index=False)
        except OSError as err:
            if err.errno not in FULL:
                raise
            tmp.unlink(missing_ok=True)
            raise disk_full(err, self.folder, f"the {self.stored + self.reused:,} finished replicates in "
                            f"{self.folder} are kept: rerun with --resume --out {self.folder}") from None
        os.replace(tmp, path)
        self.stored += 1
