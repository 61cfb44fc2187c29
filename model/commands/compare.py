"""The ``domwork compare`` command: checks its options, runs the comparison, writes and prints the results."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from model import shipped
from model.commands.common import EXIT_INTERRUPTED, EXIT_OK
from model.experiments import assumptions, posterior_draws
from model.experiments.compare import (
    DEFAULT_MAX_REPLICATES,
    MIN_INTERVAL,
    default_targets,
    load_entrants,
    parse_precision,
    run_comparison,
)
from model.experiments.report import terminal_table, write_outputs
from model.run import output, runner, store
from model.run.resources import check_disk, check_memory, compare_disk_bytes
from model.scenario.loading import ScenarioError, parse_set

KIND = "compare"
# --posterior without --replicates: ten parameter sets, each on two seeds.
POSTERIOR_REPLICATES = 20


def run(args: argparse.Namespace) -> int:
    """Run ``domwork compare`` from parsed arguments; bad input raises :class:`ScenarioError` before any work."""
    if args.posterior is not None:
        args.posterior = shipped.resolve(args.posterior, "calibration")  # the shipped baseline-posterior.csv by name
        if args.precision or args.max_replicates is not None:
            raise ScenarioError(f"--precision and --max-replicates with --posterior {args.posterior}: an interval "
                                "that holds the parameters' uncertainty does not narrow with more replicates; give "
                                f"--replicates (default {POSTERIOR_REPLICATES}: each drawn set runs on two seeds)")
        if args.replicates is None:
            args.replicates = POSTERIOR_REPLICATES
    options = {key: f"--{key}" for key in ("replicates", "months", "seed") if getattr(args, key) is not None}
    overrides = parse_set(args.sets)
    for key in options:
        overrides[key] = getattr(args, key)  # command-line options win over the files
    targets = parse_precision(args.precision)
    for name in ("max_replicates", "workers"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ScenarioError(f"--{name.replace('_', '-')} {value}: must be at least 1")
    paths = [shipped.resolve(path) for path in args.scenarios]  # shipped scenarios by name: fee_cap
    # The whole comparison under each assumption set: each set's keys go to every scenario, after its file and
    # before the command line (what each entrant gets is decided here; a per-replicate layer, such as a parameter
    # set a replicate, belongs inside run_comparison). Without --assumptions, one run under no set.
    runs = [(s, load_entrants(paths, overrides, options, args.allow_different, assumptions=s))
            for s in assumptions.parse(args.assumptions)]
    entrants = runs[0][1]
    every = [e for _, under in runs for e in under]
    draws = None
    if args.posterior is not None:
        draws = posterior_draws.load_posterior(args.posterior, entrants[0].scenario)
        for _, under in runs:
            draws.check_common([(e.label, e.scenario) for e in under])
    if args.max_replicates is not None and not targets and args.replicates is not None:
        raise ScenarioError("--max-replicates: only used with --precision (or without --replicates, when the "
                            "default precision targets apply)")
    if not targets and args.replicates is None:
        targets = default_targets()
    # Without --replicates the files' own counts start the comparison: the largest of them.
    initial = max(e.scenario.replicates for e in every)
    if targets:
        initial = max(initial, MIN_INTERVAL)
    max_replicates = args.max_replicates if args.max_replicates is not None else max(DEFAULT_MAX_REPLICATES, initial)
    if targets and max_replicates < initial:
        raise ScenarioError(f"--max-replicates {max_replicates}: below the {initial} replicates of the first round "
                            f"({'--replicates' if args.replicates is not None else 'the files'})")
    most = max_replicates if targets else initial
    processes = args.workers if args.workers is not None else runner.default_workers(most)
    for entrant in every:
        # The comparison holds the timeseries of every replicate of every scenario under every set.
        check_memory(entrant.scenario.model_copy(update={"replicates": most * len(every)}), entrant.source,
                     processes=processes)
    if args.resume and args.out is None:
        raise ScenarioError("--resume: give the --out folder of the comparison to resume")
    if args.resume and args.force:
        raise ScenarioError("--resume and --force: choose one (continue the comparison, or replace it)")
    out = args.out or output.default_out_dir(entrants[0].label, "compare")
    check_disk(out, compare_disk_bytes([e.scenario for e in every], most), entrants[0].source)
    if args.resume:
        _claim_to_resume(out)
    else:
        output.claim(out, args.force)
        if out.exists() and args.force:
            store.clear_owned(out)  # its replicates go as the comparison's own start: a new one grows here
    # Each finished replicate is kept in out/replicates/ (the folder is made with the first), so a killed
    # comparison resumes; the finished comparison then replaces the folder whole.
    cache = store.ReplicateCache(out, output.manifest(args.argv, [], 0.0, kind=KIND))

    started = time.perf_counter()
    try:
        results = [run_comparison(under, initial, targets, max_replicates=max_replicates, workers=args.workers,
                                  quiet=args.quiet, cache=cache, assumptions=s.name, posterior=draws)
                   for s, under in runs]
    except KeyboardInterrupt:
        if not (out / output.MANIFEST).exists():
            raise  # nothing finished, nothing written
        print(f"domwork: interrupted; {cache.stored + cache.reused:,} finished replicates are kept in {out}/: "
              f"rerun the same command with --resume --out {out} to run only the rest", file=sys.stderr)
        return EXIT_INTERRUPTED
    write_outputs(results, out, args.force or (out / output.MANIFEST).exists(), args.argv, started,
                  sets=[s for s, _ in runs] if args.assumptions is not None else (), kind=KIND, complete=True,
                  replicates_reused=cache.reused)
    if not args.quiet:
        print(terminal_table(results))
        reused = f"; {cache.reused:,} finished replicates reused" if cache.reused else ""
        print(f"Results in {out}/ (report.md, comparison.csv, figures/); "
              f"{time.perf_counter() - started:,.1f} s{reused}")
    return EXIT_OK


def _claim_to_resume(out: Path) -> None:
    """Hold the lock of an unfinished comparison's folder; refuse any other folder."""
    for attempt in range(2):  # checked, then checked again under the lock
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise ScenarioError(f"--resume {out}: not a folder")
        if out.exists() and any(out.iterdir()):
            manifest = store.read_manifest(out)
            if manifest is None or manifest.get("kind") != KIND:
                what = "no domwork manifest" if manifest is None else f"a domwork {manifest.get('kind', 'result')}"
                raise ScenarioError(f"--resume {out}: holds {what}, not an unfinished comparison; "
                                    "give the folder of the comparison to resume")
            if manifest.get("complete", True):
                raise ScenarioError(f"--resume {out}: the comparison there is complete; nothing to resume "
                                    "(--force runs it again)")
            foreign = store.foreign_files(out) or []
            if foreign:
                raise ScenarioError(f"--resume {out}: also holds {', '.join(foreign[:store.SHOWN])}, which the "
                                    "comparison did not write; move them out of it first")
        elif attempt == 0:
            output.check_out_dir(out, force=False)  # nothing to resume: a new comparison, checked as one
        if attempt == 0:
            store.claim(out, "--resume")
