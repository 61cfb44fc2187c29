"""The ``domwork`` command line: the parser, the dispatch to :mod:`model.commands` and errors to exit statuses."""

from __future__ import annotations

import argparse
import gc
import importlib
import signal
import sys
import traceback
from pathlib import Path

import yaml

from model import __version__
from model.commands.common import EXIT_FAULT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from model.run import store
from model.run.errors import RunFailed
from model.scenario.loading import ScenarioError


class _Parser(argparse.ArgumentParser):
    """argparse that exits with status 2 and a one-line message."""

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        print(f"domwork: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """All sub-commands and their options."""
    parser = _Parser(prog="domwork", description="Simulate migrant domestic work in a Guangzhou-like city.")
    parser.add_argument("--version", action="version", version=f"domwork {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a scenario and write results and figures")
    run.add_argument("scenario", nargs="?", type=Path,
                     help="scenario YAML file, or a shipped scenario's name (domwork scenarios lists them; "
                          "default: built-in baseline)")
    run.add_argument("--out", type=Path, help="output folder (default: results/<name>-<time>)")
    run.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    run.add_argument("--replicates", type=int, help="independent runs (overrides the file)")
    run.add_argument("--months", type=int, help="months to simulate (overrides the file)")
    run.add_argument("--seed", type=int, help="seed (overrides the file)")
    run.add_argument("--workers", type=int, help="processes for replicates and figures (default: every core)")
    run.add_argument("--set", dest="sets", action="append", default=[], metavar="dotted.key=VALUE",
                     help="override a scenario key, typed as the schema says (repeatable)")
    run.add_argument("--quiet", action="store_true",
                     help="no progress bar or progress messages (the summary is still printed)")
    run.set_defaults(handler="run", parser=run)

    compare = sub.add_parser("compare", help="compare scenarios: paired effects with intervals, the standards "
                             "scorecard, who gains and who pays")
    compare.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO.yaml",
                         help="scenario files; the first is the reference the others are compared with")
    compare.add_argument("--out", type=Path, help="output folder (default: results/<first>-compare-<time>)")
    compare.add_argument("--force", action="store_true", help="replace a folder an earlier domwork command wrote")
    compare.add_argument("--resume", action="store_true",
                         help="continue a comparison killed in --out: its finished replicates are not rerun")
    compare.add_argument("--replicates", type=int,
                         help="replicates of every scenario (with --precision: of the first round)")
    compare.add_argument("--months", type=int, help="months to simulate (overrides the files)")
    compare.add_argument("--seed", type=int, help="seed (overrides the files)")
    compare.add_argument("--set", dest="sets", action="append", default=[], metavar="dotted.key=VALUE",
                         help="override a key in every scenario, typed as the schema says (repeatable)")
    compare.add_argument("--precision", action="append", default=[], metavar="METRIC=HALFWIDTH",
                         help="add paired replicates until the difference's 95%% half-width is at most HALFWIDTH "
                              "(or 'sign': until the interval excludes 0); repeatable")
    compare.add_argument("--max-replicates", type=int, help="most replicates a scenario gets with --precision "
                         "(default 40)")
    compare.add_argument("--allow-different", action="append", default=[], metavar="KEY",
                         help="let a population size (workers.count, households.count, agencies.count) differ")
    compare.add_argument("--assumptions", metavar="NAME,...|all",
                         help="run the whole comparison under each assumption set (shipped names, 'baseline', files; "
                              "'all': baseline and every shipped set) and say which effects keep their sign")
    compare.add_argument("--posterior", type=Path, metavar="POSTERIOR.csv",
                         help="carry parameter uncertainty into the effects: replicate k of every scenario runs "
                              "with a parameter set drawn by weight from this sample (posterior.csv of calibrate "
                              "--method posterior), each set on two seeds (default 20 replicates)")
    compare.add_argument("--workers", type=int, help="processes for replicates (default: every core)")
    compare.add_argument("--quiet", action="store_true", help="no progress bar or table")
    compare.set_defaults(handler="compare")

    bench = sub.add_parser("bench", help="measure speed and memory at 1:100, 1:10 and 1:1 of the city")
    bench.add_argument("--out", type=Path, help="output folder (default: results/bench-<time>)")
    bench.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    bench.add_argument("--months", type=int, default=120, help="months at each scale (default 120)")
    bench.add_argument("--scales", default="0.01,0.1,1", help="shares of the city to run (default 0.01,0.1,1)")
    bench.add_argument("--scaling-scale", type=float, default=None,
                       help="scale of the replicate-scaling run: 4 replicates on 1 and on 2 processes "
                            "(default: 0.1, or the largest of --scales if smaller)")
    bench.add_argument("--scaling-months", type=int, default=None,
                       help="months of the replicate-scaling run (default: 60, or --months if fewer)")
    bench.add_argument("--no-scaling", action="store_true", help="skip the replicate-scaling run")
    bench.add_argument("--no-compile-timing", action="store_true",
                       help="do not time compiling the kernels with an empty cache (about a minute); "
                            "their loading is still timed")
    bench.add_argument("--repeats", type=int, default=1,
                       help="run each measurement this many times and keep the fastest (default 1)")
    bench.add_argument("--quiet", action="store_true", help="no progress bar; still prints the table")
    bench.set_defaults(handler="bench", parser=bench)

    validate = sub.add_parser("validate", help="run the validation suite and write report.md with its figures")
    validate.add_argument("--out", type=Path, help="output folder (default: results/validate-<time>)")
    validate.add_argument("--force", action="store_true", help="replace an earlier validation folder")
    validate.add_argument("--quick", action="store_true",
                          help="small runs (a minute or two): the same checks, less statistical power")
    validate.add_argument("--workers", type=int, help="processes for replicates (default: every core)")
    validate.add_argument("--check", dest="checks", action="append", default=[], metavar="NAME",
                          help="run only this check (repeatable; e.g. steady_state)")
    validate.add_argument("--quiet", action="store_true", help="no progress bar")
    validate.set_defaults(handler="validate", parser=validate)

    sweep = sub.add_parser("sweep", help="run an experiment: a sweep or a sensitivity study, resumable")
    sweep.add_argument("experiment", type=Path, help="experiment YAML file (see docs/experiments.md)")
    sweep.add_argument("--out", type=Path, help="output folder (default: results/<name>-sweep-<time>)")
    _distributed_options(sweep, "continue the sweep in --out: only missing runs")
    sweep.set_defaults(handler="sweep", parser=sweep)

    calibrate = sub.add_parser("calibrate", help="fit scenario parameters to target moments (resumable)")
    calibrate.add_argument("calibration", type=Path, help="calibration YAML file (see docs/calibration.md)")
    calibrate.add_argument("--out", type=Path, help="output folder (default: results/<name>-calibrate-<time>)")
    calibrate.add_argument("--method", choices=("smd", "posterior"), default="smd",
                           help="smd: a point estimate by simulated minimum distance (the default); posterior: a "
                                "sample of parameter sets by ABC-SMC, written to posterior.csv")
    calibrate.add_argument("--budget", type=int,
                           help="model runs to spend, all candidates' replicates counted (default 200 with smd; "
                                "with posterior, eight candidates per particle and generation)")
    _distributed_options(calibrate, "continue a calibration killed in --out: finished candidates are not rerun")
    calibrate.set_defaults(handler="calibrate", parser=calibrate)

    scenarios = sub.add_parser("scenarios", help="list the shipped scenarios, experiments and calibrations by name")
    scenarios.set_defaults(handler="scenarios", parser=scenarios)

    viz = sub.add_parser("viz", help="serve the live app: the city map, live plots and a policy twin")
    viz.add_argument("scenario", nargs="?", type=Path, help="scenario YAML file (default: built-in baseline)")
    viz.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    viz.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    viz.add_argument("--max-sessions", type=int, default=8,
                     help="browser sessions served at once; more get a message (default 8)")
    viz.set_defaults(handler="viz", parser=viz)

    discover = sub.add_parser("discover", help="scenario discovery: the levers and uncertainties of a finished sweep "
                              "where a condition holds (PRIM)")
    discover.add_argument("sweep", type=Path, metavar="SWEEP_DIR", help="a folder that domwork sweep wrote")
    discover.add_argument("--where", required=True, metavar="EXPR",
                          help="the condition, over runs.csv's columns (dotted keys as written, or in backticks) "
                               "and a lever's paired effect: effect(metric) (absolute) or change(metric) (relative), "
                               "e.g. \"change(employed) < -0.02\" (see docs/experiments.md)")
    discover.add_argument("--out", type=Path, help="output folder (default: results/<name>-discover-<time>)")
    discover.add_argument("--force", action="store_true", help="replace a folder an earlier domwork command wrote")
    discover.add_argument("--threshold", type=float, default=0.8,
                          help="the density a box should reach: of the steps of PRIM's trajectory that reach it, "
                               "the one with the highest coverage x density is kept (default 0.8)")
    discover.add_argument("--boxes", type=int, default=1,
                          help="boxes to seek, each among the runs outside the earlier ones; a later box is kept "
                               "only if it reaches --threshold (default 1)")
    discover.set_defaults(handler="discover", parser=discover)

    schema = sub.add_parser("schema", help="print every scenario key with type, unit, default and description")
    schema.add_argument("--markdown", action="store_true", help="print a Markdown table instead")
    schema.set_defaults(handler="schema", parser=schema)
    return parser


def _distributed_options(command: argparse.ArgumentParser, resume: str) -> None:
    """The options of the long, resumable commands that run on local processes or Dask (sweep, calibrate)."""
    command.add_argument("--workers", type=int, help="local processes, or LocalCluster workers (default: every core)")
    command.add_argument("--dask", metavar="ADDRESS|local", help="run on Dask: a scheduler address, or local")
    command.add_argument("--force", action="store_true", help="replace a folder an earlier domwork command wrote")
    command.add_argument("--resume", action="store_true", help=resume)
    command.add_argument("--set", dest="sets", action="append", default=[], metavar="dotted.key=VALUE",
                         help="override a key of the base scenario (repeatable)")
    command.add_argument("--quiet", action="store_true", help="no progress bar or messages")


def _sigterm(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``domwork`` console script.

    Called without ``argv`` (as the program), the process ends when the command
    does: its objects are left to the operating system rather than collected one
    by one at exit (0.3-0.5 s after a run at 1:100; more at the whole city).
    """
    parser = build_parser()
    as_program = argv is None
    argv = sys.argv[1:] if argv is None else list(argv)
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # the sub-command's own usage, not the top level's
        getattr(args, "parser", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    args.argv = ["domwork", *argv]  # what the manifest records, also when called from Python
    args.program = as_program
    store.set_command(args.argv)
    previous = signal.signal(signal.SIGTERM, _sigterm)
    try:
        command = importlib.import_module(f"model.commands.{args.handler}")
        return command.run(args)
    except ScenarioError as err:
        print(f"domwork: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("domwork: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except RunFailed as err:
        print(f"domwork: {err}", file=sys.stderr)
        return EXIT_FAULT
    except yaml.YAMLError as err:  # pragma: no cover - load_scenario turns these into ScenarioError
        print(f"domwork: {err}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # an internal fault: say so, with the traceback for a bug report
        if isinstance(err, OSError) and err.errno in store.FULL:  # a full disk outside the result stores
            where = f" writing {err.filename}" if err.filename else ""
            print(f"domwork: no space left on the device{where} ({err.strerror}); free some space and run the "
                  "command again (a sweep, comparison or calibration keeps what it finished: add --resume)",
                  file=sys.stderr)
            return EXIT_FAULT
        traceback.print_exc()
        print("domwork: internal error (a bug; please report it with the lines above)", file=sys.stderr)
        return EXIT_FAULT
    finally:
        signal.signal(signal.SIGTERM, previous)
        store.release_all()  # the result folders' locks end with the command
        if as_program:
            gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
