"""The ``domwork compare`` command: checks its options, runs the comparison, writes and prints the results."""

from __future__ import annotations

import argparse
import time

from model.commands.common import EXIT_OK
from model.experiments.compare import (
    DEFAULT_MAX_REPLICATES,
    MIN_INTERVAL,
    default_targets,
    load_entrants,
    parse_precision,
    run_comparison,
)
from model.experiments.report import terminal_table, write_outputs
from model.run import output, runner
from model.run.resources import check_memory
from model.scenario.loading import ScenarioError, parse_set


def run(args: argparse.Namespace) -> int:
    """Run ``domwork compare`` from parsed arguments; bad input raises :class:`ScenarioError` before any work."""
    options = {key: f"--{key}" for key in ("replicates", "months", "seed") if getattr(args, key) is not None}
    overrides = parse_set(args.sets)
    for key in options:
        overrides[key] = getattr(args, key)  # command-line options win over the files
    targets = parse_precision(args.precision)
    for name in ("max_replicates", "workers"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ScenarioError(f"--{name.replace('_', '-')} {value}: must be at least 1")
    entrants = load_entrants(args.scenarios, overrides, options, args.allow_different)
    if args.max_replicates is not None and not targets and args.replicates is not None:
        raise ScenarioError("--max-replicates: only used with --precision (or without --replicates, when the "
                            "default precision targets apply)")
    if not targets and args.replicates is None:
        targets = default_targets()
    # Without --replicates the files' own counts start the comparison: the largest of them.
    initial = max(e.scenario.replicates for e in entrants)
    if targets:
        initial = max(initial, MIN_INTERVAL)
    max_replicates = args.max_replicates if args.max_replicates is not None else max(DEFAULT_MAX_REPLICATES, initial)
    if targets and max_replicates < initial:
        raise ScenarioError(f"--max-replicates {max_replicates}: below the {initial} replicates of the first round "
                            f"({'--replicates' if args.replicates is not None else 'the files'})")
    most = max_replicates if targets else initial
    processes = args.workers if args.workers is not None else runner.default_workers(most)
    for entrant in entrants:
        # The comparison holds the timeseries of every replicate of every scenario.
        check_memory(entrant.scenario.model_copy(update={"replicates": most * len(entrants)}), entrant.source,
                     processes=processes)
    out = args.out or output.default_out_dir(entrants[0].label, "compare")
    output.check_out_dir(out, args.force)

    started = time.perf_counter()
    result = run_comparison(entrants, initial, targets, max_replicates=max_replicates, workers=args.workers,
                            quiet=args.quiet)
    write_outputs(result, out, args.force, args.argv, started)
    if not args.quiet:
        print(terminal_table(result))
        print(f"Results in {out}/ (report.md, comparison.csv, figures/); "
              f"{time.perf_counter() - started:,.1f} s")
    return EXIT_OK
