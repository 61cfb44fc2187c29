"""A sweep's results folder: written as runs finish, resumable, never mistaken for complete.

Unlike a run's folder, which is staged and renamed into place (``model.run.output``),
a sweep's folder grows while the sweep runs, so that a sweep killed after hours
keeps what it did. It reuses the output module's checks and manifest:

- ``manifest.json`` says ``"complete": false`` from the first moment until the last
  file is written; only then does it say true.
- Each finished run writes its time series to ``timeseries/point=<P>/replicate-<R>.parquet``
  (a temporary name renamed into place), then appends its row to ``runs.csv`` and
  flushes it, so a row in ``runs.csv`` means the run's files are complete.
- A process killed while appending leaves at most a partial last line, which
  :meth:`SweepStore.open` drops; ``--resume`` then reruns only the runs without a row.
- When every run is in, ``runs.csv`` is rewritten sorted by point and replicate (the
  rows' bytes untouched), so the same experiment gives the same file whatever ran it.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.run import output
from model.run import store as result_store
from model.scenario.loading import ScenarioError

KIND = "sweep"
RUNS = "runs.csv"
POINTS = "points.csv"
TIMES = "run_times.csv"
TIMESERIES = "timeseries"
MANIFEST = "manifest.json"
TIME_COLUMNS = ("point", "replicate", "seconds", "worker", "session")
# Every file a sweep writes (what a later --force may replace), as patterns relative to the folder.
FILES = (RUNS, POINTS, TIMES, "experiment.yaml", "scenario.yaml", "sensitivity.csv", "figures/*",
         f"{TIMESERIES}/point=*/replicate-*.parquet", f"{TIMESERIES}/point=*/.replicate-*.parquet.tmp", ".*.tmp")


def format_value(value: Any) -> str:
    """One CSV cell: ten significant digits for floats (as ``timeseries.csv``), plain text otherwise."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return f"{value:.10g}"
    text = str(value)
    if any(c in text for c in ',"\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def format_row(values: Iterable[Any]) -> str:
    """A CSV line, newline included."""
    return ",".join(format_value(v) for v in values) + "\n"


@dataclass
class SweepStore:
    """The folder of one sweep, open for appending."""

    out: Path
    columns: tuple[str, ...]
    done: set[tuple[int, int]]
    manifest: dict[str, Any]

    @classmethod
    def open(cls, out: Path, *, columns: tuple[str, ...], fingerprint: str, resume: bool, force: bool,
             points: pd.DataFrame, files: dict[str, str], manifest: dict[str, Any]) -> SweepStore:
        """Create the folder, or reopen it with ``resume``; refuse anything else.

        Args:
            out: the folder.
            columns: the columns of ``runs.csv``.
            fingerprint: the design's hash; a resumed folder must hold the same design.
            resume: continue a sweep found in ``out`` (start afresh when there is none).
            force: replace a folder an earlier domwork command wrote.
            points: ``points.csv``.
            files: other files to write once at the start (name -> text).
            manifest: the manifest's fields besides ``complete`` and the sessions.

        Raises:
            ScenarioError: when ``out`` cannot be used (see :func:`model.run.output.check_out_dir`), holds
                something other than a domwork result (with ``force``), or a different sweep (with ``resume``).
                The caller holds the folder's lock (:func:`model.run.store.claimed`).
        """
        existing = out / MANIFEST
        if resume and out.is_dir() and any(out.iterdir()):
            previous = _read_manifest(existing, out)
            if previous.get("kind") != KIND:
                raise ScenarioError(f"--resume {out}: holds a domwork {previous.get('kind', 'result')}, "
                                    "not a sweep; give the sweep's folder")
            if previous.get("fingerprint") != fingerprint:
                raise ScenarioError(f"--resume {out}: the sweep there was made from another experiment (design, "
                                    "base scenario, replicates, months or metrics differ); give a new --out")
            output.check_out_dir(out, force=True)
            store = cls(out, columns, set(), previous)
            store.done = store._recover()
            store.manifest.update(runs_done=len(store.done), files=list(FILES))
            store.write_manifest()  # its count is the rows of runs.csv, whatever the killed session last wrote
            return store
        output.check_out_dir(out, force)  # with force, only a folder of domwork's files is replaced
        if out.exists():
            result_store.clear_owned(out)
        out.mkdir(parents=True, exist_ok=True)
        output.make_shared(out)
        (out / TIMESERIES).mkdir()
        store = cls(out, columns, set(), {**manifest, "kind": KIND, "fingerprint": fingerprint, "complete": False,
                                           "runs_done": 0, "sessions": [], "files": list(FILES)})
        store.write_manifest()  # first: an interrupted start already says incomplete
        points.to_csv(out / POINTS, index=False, lineterminator="\n", float_format="%.12g")
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8")
        (out / RUNS).write_text(format_row(columns), encoding="utf-8")
        (out / TIMES).write_text(format_row(TIME_COLUMNS), encoding="utf-8")
        return store

    def _recover(self) -> set[tuple[int, int]]:
        """Runs already in ``runs.csv``; a partial last line (a kill mid-write) is dropped."""
        done: set[tuple[int, int]] = set()
        for name, header in ((RUNS, self.columns), (TIMES, TIME_COLUMNS)):
            path = self.out / name
            data = path.read_bytes() if path.exists() else b""
            keep = data[:data.rfind(b"\n") + 1]
            if not keep.startswith(format_row(header).encode()):
                raise ScenarioError(f"--resume {self.out}: {name} is not the one this sweep writes; give a new --out")
            if len(keep) != len(data):
                with path.open("r+b") as handle:
                    handle.truncate(len(keep))
            if name == RUNS:
                lines = keep.decode("utf-8").splitlines()[1:]
                unique = []
                for line in lines:
                    point, replicate = line.split(",", 2)[:2]
                    key = (int(point), int(replicate))
                    if key not in done:  # a row is never written twice; keep the first if it were
                        done.add(key)
                        unique.append(line)
                if len(unique) != len(lines):
                    path.write_text("\n".join([",".join(self.columns), *unique]) + "\n", encoding="utf-8")
        return done

    def write_manifest(self) -> None:
        """Rewrite ``manifest.json`` atomically."""
        tmp = self.out / f".{MANIFEST}.tmp"
        output.write_json(tmp, self.manifest)
        os.replace(tmp, self.out / MANIFEST)

    def add(self, results: list[dict[str, Any]], session: int) -> None:
        """Store finished runs: their time series first, then their rows (flushed to disk).

        Raises:
            model.run.errors.DiskFull: when the disk is full: the runs stored before are kept.
        """
        try:
            self._add(results, session)
        except OSError as err:
            if err.errno not in result_store.FULL:
                raise
            raise result_store.disk_full(
                err, self.out, f"the {len(self.done):,} finished runs in {self.out} are kept: rerun with --resume "
                f"--out {self.out} to do only the rest") from None

    def _add(self, results: list[dict[str, Any]], session: int) -> None:
        for result in results:
            ts = result.get("timeseries")
            if ts is not None:
                folder = self.out / TIMESERIES / f"point={result['point']:06d}"
                folder.mkdir(exist_ok=True)
                target = folder / f"replicate-{result['replicate']:04d}.parquet"
                tmp = folder / f".{target.name}.tmp"
                ts.to_parquet(tmp, index=False)
                os.replace(tmp, target)
        rows = io.StringIO()
        times = io.StringIO()
        for result in results:
            rows.write(format_row(result["row"]))
            times.write(format_row((result["point"], result["replicate"], round(result["seconds"], 4),
                                    result["worker"], session)))
        # Times first: a row in runs.csv is what marks a run done.
        for name, text in ((TIMES, times), (RUNS, rows)):
            with (self.out / name).open("a", encoding="utf-8") as handle:
                handle.write(text.getvalue())
                handle.flush()
                os.fsync(handle.fileno())
        for result in results:
            self.done.add((result["point"], result["replicate"]))
        self.manifest["runs_done"] = len(self.done)
        self.write_manifest()  # the count follows the rows at once

    def finish_runs(self) -> pd.DataFrame:
        """Sort ``runs.csv`` by point and replicate (bytes of each row untouched) and return it."""
        path = self.out / RUNS
        lines = path.read_text(encoding="utf-8").splitlines()
        header, rows = lines[0], lines[1:]
        rows.sort(key=lambda line: tuple(int(x) for x in line.split(",", 2)[:2]))
        tmp = self.out / f".{RUNS}.tmp"
        tmp.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return pd.read_csv(path)


def _read_manifest(path: Path, out: Path) -> dict[str, Any]:
    if not output.is_result_folder(out):
        raise ScenarioError(f"--resume {out}: the folder holds no domwork {MANIFEST}, so it was not written "
                            "by domwork; refusing to resume it")
    return json.loads(path.read_text(encoding="utf-8"))
