"""``domwork calibrate``: fit scenario parameters to target moments, resumable."""

from __future__ import annotations

import argparse
import os
import sys
import time

from model import shipped
from model.commands.common import EXIT_INTERRUPTED, EXIT_OK
from model.scenario.loading import ScenarioError, check_overrides, parse_set

# Most model runs a calibration may spend (about a day of the baseline at 1:100 on 16 cores). Its search
# design is planned from the budget before any run: --budget 1e9 took 9 GB in a minute.
MAX_BUDGET = 100_000


def run(args: argparse.Namespace) -> int:
    """Run ``domwork calibrate`` from parsed arguments."""
    from model.experiments import executors
    from model.run import output, store
    from model.run.progress import Progress
    from model.run.resources import calibrate_disk_bytes, check_disk
    from model.validation import calibration

    if not 1 <= args.budget <= MAX_BUDGET:
        raise ScenarioError(f"--budget {args.budget:,}: must be between 1 and {MAX_BUDGET:,} model runs (a "
                            "calibration's candidates are planned from it before any run)")
    sets = parse_set(args.sets)
    check_overrides(sets)
    args.calibration = shipped.resolve(args.calibration, "calibration")  # a shipped calibration by name
    c = calibration.load_calibration(args.calibration, sets)
    calibration.check_budget(c, args.budget)
    if args.workers is not None and args.workers < 1:
        raise ScenarioError(f"--workers {args.workers}: must be at least 1")
    if args.resume and args.out is None:
        raise ScenarioError("--resume: give the --out folder of the calibration to resume")
    if args.dask is not None and args.dask != "local":
        executors.probe(args.dask)  # an address where no scheduler speaks fails here, in seconds
    out = args.out or output.default_out_dir(c.name, "calibrate")
    check_disk(out, calibrate_disk_bytes(args.budget, len(c.targets)), str(args.calibration))
    calibration.prepare_folder(c, out, force=args.force, resume=args.resume)
    store.claim(out)  # until the command ends: a second command on this folder is refused
    calibration.prepare_folder(c, out, force=args.force, resume=args.resume)  # again, under the lock
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
