"""``domwork calibrate``: fit scenario parameters to target moments, resumable."""

from __future__ import annotations

import argparse
import os
import sys
import time

from model.commands.common import EXIT_INTERRUPTED, EXIT_OK
from model.scenario.loading import ScenarioError, check_overrides, parse_set


def run(args: argparse.Namespace) -> int:
    """Run ``domwork calibrate`` from parsed arguments."""
    from model.experiments import executors
    from model.run import output
    from model.run.progress import Progress
    from model.validation import calibration

    sets = parse_set(args.sets)
    check_overrides(sets)
    c = calibration.load_calibration(args.calibration, sets)
    calibration.check_budget(c, args.budget)
    if args.workers is not None and args.workers < 1:
        raise ScenarioError(f"--workers {args.workers}: must be at least 1")
    if args.resume and args.out is None:
        raise ScenarioError("--resume: give the --out folder of the calibration to resume")
    out = args.out or output.default_out_dir(c.name, "calibrate")
    calibration.prepare_folder(c, out, force=args.force, resume=args.resume)
    started = time.perf_counter()
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    backend = executors.dask(args.dask, args.workers) if args.dask else executors.local(workers)
    try:
        with backend as b, Progress(args.budget, f"{c.name}: up to {args.budget} runs", quiet=args.quiet,
                                    unit="run") as bar:
            result = calibration.calibrate(c, out, budget=args.budget, executor=b.executor, force=args.force,
                                           resume=args.resume, argv=args.argv, started=started, progress=bar.update)
    except KeyboardInterrupt:
        print(f"domwork: interrupted; finished candidates are kept in {out}/: rerun with --resume --out {out}",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    for key, value in result.estimate.items():
        low, high = result.ci[key]
        print(f"  {key:<40} {value:.4g} [{low:.4g}, {high:.4g}]")
    print(f"{result.runs} model runs; results in {out}/ (fitted.yaml, calibration.csv, fit.csv, report.md)")
    return EXIT_OK
