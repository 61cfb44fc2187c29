"""``domwork calibrate``: fit scenario parameters to target moments, resumable."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from model import shipped
from model.commands.common import EXIT_INTERRUPTED, EXIT_OK
from model.scenario.loading import ScenarioError, check_overrides, parse_set

# Most model runs a calibration may spend (about a day of the baseline at 1:100 on 16 cores). Its search
# design is planned from the budget before any run: --budget 1e9 took 9 GB in a minute.
MAX_BUDGET = 100_000
DEFAULT_BUDGET = 200  # --method smd


def run(args: argparse.Namespace) -> int:
    """Run ``domwork calibrate`` from parsed arguments."""
    import pandas as pd

    from model.experiments import executors
    from model.run import output, store
    from model.run.progress import Progress
    from model.run.resources import calibrate_disk_bytes, check_disk
    from model.validation import calibration, posterior

    if args.budget is not None and not 1 <= args.budget <= MAX_BUDGET:
        raise ScenarioError(f"--budget {args.budget:,}: must be between 1 and {MAX_BUDGET:,} model runs (a "
                            "calibration's candidates are planned from it before any run)")
    sets = parse_set(args.sets)
    check_overrides(sets)
    args.calibration = shipped.resolve(args.calibration, "calibration")  # a shipped calibration by name
    c = calibration.load_calibration(args.calibration, sets)
    if args.budget is None:
        args.budget = DEFAULT_BUDGET if args.method == "smd" else min(posterior.planned_budget(c), MAX_BUDGET)
    (posterior if args.method == "posterior" else calibration).check_budget(c, args.budget)
    if args.workers is not None and args.workers < 1:
        raise ScenarioError(f"--workers {args.workers}: must be at least 1")
    if args.resume and args.out is None:
        raise ScenarioError("--resume: give the --out folder of the calibration to resume")
    if args.dask is not None and args.dask != "local":
        executors.probe(args.dask)  # an address where no scheduler speaks fails here, in seconds
    out = args.out or output.default_out_dir(c.name, "calibrate")
    check_disk(out, calibrate_disk_bytes(args.budget, len(c.targets)), str(args.calibration))
    calibration.prepare_folder(c, out, force=args.force, resume=args.resume, method=args.method)
    store.claim(out)  # until the command ends: a second command on this folder is refused
    calibration.prepare_folder(c, out, force=args.force, resume=args.resume, method=args.method)  # under the lock
    started = time.perf_counter()
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    backend = executors.dask(args.dask, args.workers) if args.dask else executors.local(workers)
    try:
        with backend as b, Progress(args.budget, f"{c.name}: up to {args.budget} runs", quiet=args.quiet,
                                    unit="run") as bar:
            calibration.calibrate(c, out, budget=args.budget, executor=b.executor, force=args.force,
                                           resume=args.resume, argv=args.argv, started=started, progress=bar.update,
                                           method=args.method, proposals=max(8, 2 * workers))
    except KeyboardInterrupt:
        print(f"domwork: interrupted; finished candidates are kept in {out}/: rerun with --resume --out {out}",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    for row in pd.read_csv(out / "calibration.csv").itertuples():
        print(f"  {row.parameter:<40} {row.estimate:.4g} [{row.ci_low:.4g}, {row.ci_high:.4g}]")
    files = "posterior.csv, " if args.method == "posterior" else ""
    runs = json.loads((out / output.MANIFEST).read_text(encoding="utf-8"))["runs"]
    print(f"{runs} model runs; results in {out}/ ({files}fitted.yaml, calibration.csv, fit.csv, report.md)")
    return EXIT_OK
