"""``domwork sweep``: an experiment file's runs, resumable, on local processes or Dask."""

from __future__ import annotations

import argparse
import sys

from model import shipped
from model.commands.common import EXIT_INTERRUPTED, EXIT_OK
from model.scenario.loading import parse_set


def run(args: argparse.Namespace) -> int:
    """Run ``domwork sweep`` from parsed arguments."""
    from model.experiments import sweep
    from model.run.progress import Progress

    args.experiment = shipped.resolve(args.experiment, "experiments")  # a shipped experiment by name
    design = sweep.prepare(args.experiment, parse_set(args.sets), workers=args.workers, dask=args.dask,
                           out=args.out, resume=args.resume, force=args.force)
    out = args.out or sweep.default_out(design)
    try:
        with Progress(design.runs, f"{design.name}: {design.runs:,} runs", quiet=args.quiet, unit="run") as bar:
            outcome = sweep.run_sweep(design, out, workers=args.workers, dask=args.dask, resume=args.resume,
                                      force=args.force, argv=args.argv, progress=bar.update)
    except KeyboardInterrupt:
        print(f"domwork: interrupted; {sweep.state(out)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.quiet:
        print(sweep.report(outcome))
    return EXIT_OK
