"""A comparison asked for on the Compare page: what it is (:class:`Analysis`), and running it (:class:`Job`).

An analysis names its scenarios as the page offers them (never by path) and is
resolved by the server into scenario files of its own. It runs as
``python -m model.viz.compare_job JOB_DIR``, a process in its own session, so the
page stays live, Cancel stops it and all its pool workers at once, and a session
that closes takes its job with it. Finished comparisons are kept in a cache
folder by the analysis's key (its resolved scenarios, settings and the project's
version): the same analysis, from a link in another browser say, shows the same
numbers at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from model import __version__
from model.scenario.loading import ScenarioError, load_scenario, parse_set, to_yaml

MAX_OPTIONS = 5
MAX_MONTHS = 600
MAX_REPLICATES = 40
CACHE_ENV = "DOMWORK_VIZ_CACHE"  # the folder of finished comparisons (default: the user's cache folder)
PROGRESS = "progress.json"
DONE = "out"
LINK_KEYS = ("ref", "opt", "months", "replicates", "precision", "seed", "v")


@dataclass(frozen=True)
class Option:
    """A compared option: an offered scenario by name, with key changes set on the page.

    Attributes:
        scenario: a name the page offers (empty: the reference's scenario).
        changes: dotted keys set on the page (``--set`` syntax), in order.
    """

    scenario: str = ""
    changes: tuple[str, ...] = ()

    def text(self) -> str:
        """``fee_cap.yaml``, ``baseline.yaml | policies.training.enabled=true``: the link's form."""
        return " | ".join([self.scenario, *self.changes])

    @classmethod
    def parse(cls, text: str) -> Option:
        """The option of :meth:`text`'s form."""
        scenario, *changes = (part.strip() for part in text.split("|"))
        return cls(scenario, tuple(c for c in changes if c))


@dataclass(frozen=True)
class Analysis:
    """What the Compare page compares: the reference, up to five options, months, replicates or precision, seed.

    Attributes:
        reference: the reference scenario, a name the page offers.
        options: the options compared with it.
        months: months simulated.
        replicates: replicates of every scenario (of the first round with precision targets).
        precision: ``METRIC=HALFWIDTH`` targets (``domwork compare --precision``); empty: fixed replicates.
        seed: the seed (None: the reference's own).
        version: the project's version the analysis was made with.
    """

    reference: str
    options: tuple[Option, ...]
    months: int = 24
    replicates: int = 3
    precision: tuple[str, ...] = ()
    seed: int | None = None
    version: str = __version__

    def check(self) -> None:
        """Refuse what the page cannot run, with a message for the page.

        Raises:
            ScenarioError: no option or more than five, months or replicates out of range, bad precision.
        """
        from model.experiments.compare import parse_precision

        if not self.reference:
            raise ScenarioError("Compare: pick a reference scenario")
        if not self.options:
            raise ScenarioError("Compare: add at least one option to compare with the reference")
        if len(self.options) > MAX_OPTIONS:
            raise ScenarioError(f"Compare: at most {MAX_OPTIONS} options ({len(self.options)} given)")
        if not 1 <= self.months <= MAX_MONTHS:
            raise ScenarioError(f"Months: {self.months} is out of range (1 to {MAX_MONTHS})")
        if not 1 <= self.replicates <= MAX_REPLICATES:
            raise ScenarioError(f"Replicates: {self.replicates} is out of range (1 to {MAX_REPLICATES})")
        if self.seed is not None and self.seed < 0:
            raise ScenarioError(f"Seed: {self.seed} must be 0 or more")
        parse_precision(self.precision)
        for option in self.options:
            parse_set(option.changes)

    def query(self) -> str:
        """The link's query: everything needed to run the same analysis, and the version."""
        items: list[tuple[str, str]] = [("page", "compare"), ("ref", self.reference)]
        items += [("opt", option.text()) for option in self.options]
        items += [("months", str(self.months)), ("replicates", str(self.replicates))]
        items += [("precision", item) for item in self.precision]
        if self.seed is not None:
            items.append(("seed", str(self.seed)))
        items.append(("v", self.version))
        return urlencode(items)

    @classmethod
    def from_query(cls, query: str) -> Analysis | None:
        """The analysis of a link's query (None when the query names no reference).

        Raises:
            ScenarioError: a number that is not one.
        """
        pairs = parse_qsl(query.lstrip("?"))
        if not any(key == "ref" for key, _ in pairs):
            return None
        values: dict[str, list[str]] = {}
        for key, value in pairs:
            values.setdefault(key, []).append(value)

        def number(key: str, default: int | None) -> int | None:
            if key not in values:
                return default
            try:
                return int(values[key][0])
            except ValueError:
                raise ScenarioError(f"Link: {key}={values[key][0]!r} is not a whole number") from None

        return cls(values["ref"][0], tuple(Option.parse(o) for o in values.get("opt", [])),
                   number("months", 24), number("replicates", 3), tuple(values.get("precision", [])),
                   number("seed", None), values.get("v", ["unknown"])[0])


@dataclass
class Resolved:
    """An analysis resolved by the server: each scenario's label, where it came from, and its YAML."""

    labels: list[str]
    sources: list[str]
    overrides: list[dict[str, Any]]
    yamls: list[str]
    key: str = ""
    argv: list[str] = field(default_factory=list)


def resolve(analysis: Analysis, path_of) -> Resolved:
    """Load every scenario of ``analysis`` through ``path_of`` (a name the page offers to its file).

    Every option gets the reference's seed, start month and population sizes (unless its key
    changes set them), so that its replicates pair with the reference's.

    Raises:
        ScenarioError: a name not offered, a bad key change, or scenarios that cannot be paired.
    """
    analysis.check()
    common: dict[str, Any] = {"months": analysis.months, "replicates": analysis.replicates}
    if analysis.seed is not None:
        common["seed"] = analysis.seed
    picks = [Option(analysis.reference), *analysis.options]
    labels, sources, overrides, yamls = [], [], [], []
    for k, option in enumerate(picks):
        name = option.scenario or analysis.reference
        path = path_of(name)
        changes = parse_set(option.changes)
        if k == 0:  # the reference's city (its seed and sizes) is every option's: options differ in policy
            city = load_scenario(path, common, labels=dict.fromkeys(common, "page"))
            common = {**common, **{key: _value(city, key) for key in PAIRED}}
        scenario = load_scenario(path, {**common, **changes},
                                 labels=dict.fromkeys(changes, f"option {k}") | dict.fromkeys(common, "page"))
        label = scenario.name if not changes else f"{scenario.name}+{k}"
        while label in labels:
            label += "'"
        labels.append(label)
        sources.append(name)
        overrides.append(changes)
        yamls.append(to_yaml(scenario.model_copy(update={"name": _safe(label)})))
    key = hashlib.sha256(json.dumps([yamls, analysis.precision, __version__]).encode("utf-8")).hexdigest()[:16]
    argv = command(analysis, labels)
    return Resolved(labels, sources, overrides, yamls, key, argv)


PAIRED = ("seed", "start_month", "workers.count", "households.count", "agencies.count")


def _value(scenario: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        scenario = getattr(scenario, part)
    return scenario


def _safe(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in label)


def command(analysis: Analysis, labels: list[str]) -> list[str]:
    """The ``domwork compare`` command that gives the same numbers, over the scenario files of the downloads."""
    argv = ["domwork", "compare", *(f"{_safe(label)}.yaml" for label in labels),
            "--replicates", str(analysis.replicates), "--months", str(analysis.months)]
    if analysis.seed is not None:
        argv += ["--seed", str(analysis.seed)]
    for item in analysis.precision:
        argv += ["--precision", item]
    return argv


def python_snippet(analysis: Analysis, resolved: Resolved) -> str:
    """A Python snippet that runs the same comparison from the shipped or downloaded scenario files."""
    lines = ["from model.experiments.compare import load_entrants, parse_precision, run_comparison",
             "from model.experiments.report import write_outputs", "",
             "files = [" + ", ".join(repr(f"{_safe(label)}.yaml") for label in resolved.labels) + "]",
             f"common = {{'months': {analysis.months}, 'replicates': {analysis.replicates}"
             + (f", 'seed': {analysis.seed}" if analysis.seed is not None else "") + "}",
             "entrants = load_entrants(files, common)",
             f"result = run_comparison(entrants, {analysis.replicates}, "
             f"parse_precision({list(analysis.precision)!r}))",
             "write_outputs(result, 'my-comparison', False, None, 0.0)"]
    return "\n".join(lines)


def cache_root() -> Path:
    """Where finished comparisons are kept (``DOMWORK_VIZ_CACHE``, else the user's cache folder)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "domwork" / "compare"


class Job:
    """One comparison of one session: a process of its own, its progress, Cancel, and its results folder."""

    def __init__(self, analysis: Analysis, resolved: Resolved, root: Path | None = None) -> None:
        self.analysis = analysis
        self.resolved = resolved
        self.root = root or cache_root()
        self.folder = self.root / resolved.key
        self.started = time.perf_counter()
        self.process: subprocess.Popen | None = None
        self.work: Path | None = None
        self.state = "done" if (self.folder / "manifest.json").exists() else "new"
        self.cached = self.state == "done"
        self.error = ""
        self.seconds = 0.0

    def start(self) -> None:
        """Run the comparison in its own process (unless the cache holds it)."""
        if self.state != "new":
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix=f".job-{self.resolved.key}-", dir=self.root))
        for label, text in zip(self.resolved.labels, self.resolved.yamls, strict=True):
            (self.work / f"{_safe(label)}.yaml").write_text(text, encoding="utf-8")
        spec = {"files": [f"{_safe(label)}.yaml" for label in self.resolved.labels],
                "replicates": self.analysis.replicates, "precision": list(self.analysis.precision),
                "argv": self.resolved.argv}
        (self.work / "job.json").write_text(json.dumps(spec), encoding="utf-8")
        with (self.work / "stderr.txt").open("w") as errors:  # the child keeps its own copy of the file
            self.process = subprocess.Popen([sys.executable, "-m", "model.viz.compare_job", str(self.work)],
                                            stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
        self.state = "running"

    def progress(self) -> tuple[float, str]:
        """Share done (0-1) and words for it."""
        if self.state == "done":
            return 1.0, "done" + (" (from the cache)" if self.cached else f" in {self.seconds:.1f} s")
        if self.work is None:
            return 0.0, self.state
        try:
            done = json.loads((self.work / PROGRESS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0.0, f"starting ({time.perf_counter() - self.started:.0f} s)"
        share = done["done"] / max(done["total"], 1)
        return share, f"{done['what']}: {share:.0%} ({time.perf_counter() - self.started:.0f} s)"

    def poll(self) -> str:
        """``running``, ``done``, ``failed`` or ``cancelled``; a finished run moves into the cache."""
        if self.state != "running" or self.process is None:
            return self.state
        code = self.process.poll()
        if code is None:
            return self.state
        self.seconds = time.perf_counter() - self.started
        out = self.work / DONE
        if code == 0 and (out / "manifest.json").exists():
            with contextlib.suppress(OSError):  # another session finished the same analysis first: same files
                out.rename(self.folder)
            self.state = "done"
        else:
            text = (self.work / "stderr.txt").read_text(encoding="utf-8", errors="replace").strip().splitlines()
            self.error = text[-1] if text else f"the comparison stopped (status {code})"
            self.state = "failed"
        shutil.rmtree(self.work, ignore_errors=True)
        return self.state

    def cancel(self) -> None:
        """Stop the comparison and every process it started; its partial files go."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        if self.state == "running":
            self.state = "cancelled"
            if self.work is not None:
                shutil.rmtree(self.work, ignore_errors=True)


class FileProgress:
    """Progress of the job's rounds written to a file the page reads (stands in for the terminal's bar)."""

    path: Path | None = None

    def __init__(self, total: int, description: str, quiet: bool = False, unit: str = "month") -> None:
        del quiet, unit
        self.total, self.what, self.done = total, description, 0
        self._write()

    def _write(self) -> None:
        if self.path is not None:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"done": self.done, "total": self.total, "what": self.what}))
            tmp.replace(self.path)

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` months."""
        self.done += n
        self._write()

    def __enter__(self) -> FileProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def main(work: str) -> int:
    """Run the job of folder ``work`` (its scenario files and ``job.json``); results into ``work/out``."""
    from model.experiments import compare
    from model.experiments.report import write_outputs

    folder = Path(work)
    spec = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    FileProgress.path = folder / PROGRESS
    compare.Progress = FileProgress  # this process only: the rounds' progress goes to the page
    started = time.perf_counter()
    entrants = compare.load_entrants([folder / name for name in spec["files"]])
    targets = compare.parse_precision(spec["precision"])
    result = compare.run_comparison(entrants, spec["replicates"], targets,
                                    max_replicates=max(compare.DEFAULT_MAX_REPLICATES, spec["replicates"]),
                                    workers=min(2, os.cpu_count() or 1), quiet=False)
    write_outputs(result, folder / DONE, False, spec["argv"], started)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
