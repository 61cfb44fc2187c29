"""The ``domwork`` command line. It parses, calls the model's functions and reports."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from model import __version__
from model.scenario import ScenarioError, check_overrides, load_scenario, parse_set, to_yaml

EXIT_OK, EXIT_FAULT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


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
    run.add_argument("scenario", nargs="?", type=Path, help="scenario YAML file (default: built-in baseline)")
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
    run.set_defaults(handler=cmd_run, parser=run)

    compare = sub.add_parser("compare", help="compare scenarios: paired effects with intervals, the standards "
                             "scorecard, who gains and who pays")
    compare.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO.yaml",
                         help="scenario files; the first is the reference the others are compared with")
    compare.add_argument("--out", type=Path, help="output folder (default: results/<first>-compare-<time>)")
    compare.add_argument("--force", action="store_true", help="replace a folder an earlier domwork command wrote")
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
    compare.add_argument("--workers", type=int, help="processes for replicates (default: every core)")
    compare.add_argument("--quiet", action="store_true", help="no progress bar or table")
    compare.set_defaults(handler=cmd_compare)

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
    bench.set_defaults(handler=cmd_bench, parser=bench)

    validate = sub.add_parser("validate", help="run the validation suite and write report.md with its figures")
    validate.add_argument("--out", type=Path, help="output folder (default: results/validate-<time>)")
    validate.add_argument("--force", action="store_true", help="replace an earlier validation folder")
    validate.add_argument("--quick", action="store_true",
                          help="small runs (a minute or two): the same checks, less statistical power")
    validate.add_argument("--workers", type=int, help="processes for replicates (default: every core)")
    validate.add_argument("--check", dest="checks", action="append", default=[], metavar="NAME",
                          help="run only this check (repeatable; e.g. steady_state)")
    validate.add_argument("--quiet", action="store_true", help="no progress bar")
    validate.set_defaults(handler=cmd_validate, parser=validate)

    sweep = sub.add_parser("sweep", help="run an experiment: a sweep or a sensitivity study, resumable")
    sweep.add_argument("experiment", type=Path, help="experiment YAML file (see docs/experiments.md)")
    sweep.add_argument("--out", type=Path, help="output folder (default: results/<name>-sweep-<time>)")
    _distributed_options(sweep, "continue the sweep in --out: only missing runs")
    sweep.set_defaults(handler=cmd_sweep, parser=sweep)

    calibrate = sub.add_parser("calibrate", help="fit scenario parameters to target moments (resumable)")
    calibrate.add_argument("calibration", type=Path, help="calibration YAML file (see docs/calibration.md)")
    calibrate.add_argument("--out", type=Path, help="output folder (default: results/<name>-calibrate-<time>)")
    calibrate.add_argument("--budget", type=int, default=200,
                           help="model runs to spend, all candidates' replicates counted (default 200)")
    _distributed_options(calibrate, "continue a calibration killed in --out: finished candidates are not rerun")
    calibrate.set_defaults(handler=cmd_calibrate, parser=calibrate)

    viz = sub.add_parser("viz", help="serve the live app: the city map, live plots and a policy twin")
    viz.add_argument("scenario", nargs="?", type=Path, help="scenario YAML file (default: built-in baseline)")
    viz.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    viz.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    viz.set_defaults(handler=cmd_viz, parser=viz)

    schema = sub.add_parser("schema", help="print every scenario key with type, unit, default and description")
    schema.add_argument("--markdown", action="store_true", help="print a Markdown table instead")
    schema.set_defaults(handler=cmd_schema, parser=schema)
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


def _overrides(args: argparse.Namespace) -> dict:
    overrides = parse_set(args.sets)
    # Checked on their own first: an option given as well must not hide a bad --set value.
    check_overrides(overrides)
    for key in ("replicates", "months", "seed"):
        value = getattr(args, key, None)
        if value is not None:
            overrides[key] = value  # command-line options win over the file
    return overrides


@contextmanager
def loading(freeze: bool = True) -> Iterator[None]:
    """Import and load without the cycle collector; with ``freeze``, keep what was loaded out of later collections.

    Imports make a few hundred thousand long-lived objects and next to no garbage:
    collecting while they load cost 0.15-0.2 s of a run's start-up, for nothing.
    Frozen (``gc.freeze``), what they loaded is skipped by later collections, a
    forked replicate's and the one at exit. Only the program freezes: a Python
    session calling :func:`main` keeps its garbage collectable.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


def cmd_run(args: argparse.Namespace) -> int:
    """``domwork run``."""
    options = {key: f"--{key}" for key in ("replicates", "months", "seed") if getattr(args, key) is not None}
    with loading(freeze=args.program):
        scenario = load_scenario(args.scenario, _overrides(args), labels=options)
        from model import output, plots, runner
        from model.progress import Progress
        from model.resources import check_memory

    if args.workers is not None and args.workers < 1:
        raise ScenarioError(f"--workers {args.workers}: must be at least 1")
    # Every replicate running at once holds its own model.
    processes = args.workers if args.workers is not None else runner.default_workers(scenario.replicates)
    check_memory(scenario, str(args.scenario or "built-in baseline"), processes=processes)
    out = args.out or output.default_out_dir(scenario.name)
    output.check_out_dir(out, args.force)

    started = time.perf_counter()
    _prepare_kernels(args.quiet)
    total = scenario.replicates * scenario.months
    with Progress(total, f"{scenario.name}: {scenario.replicates} replicates x {scenario.months} months",
                  quiet=args.quiet) as bar:
        ts = runner.run_replicates(scenario, workers=args.workers, progress=bar.update)
    summary = runner.summarize(ts)
    seeds = _seeds(scenario)
    with output.staged_dir(out, args.force) as tmp:
        (tmp / "scenario.yaml").write_text(to_yaml(scenario), encoding="utf-8")
        ts.to_csv(tmp / "timeseries.csv", index=False, float_format="%.10g", lineterminator="\n")
        output.write_json(tmp / "summary.json", summary)
        plots.write_run_figures(ts, tmp / "figures", title=_title(scenario), context=plots.Context.of(scenario),
                                processes=args.workers)
        output.write_json(tmp / "manifest.json", output.manifest(
            args.argv, seeds, time.perf_counter() - started, scenario=scenario.name,
            replicates=scenario.replicates, months=scenario.months,
            scenario_file=str(args.scenario) if args.scenario else None))
    _report(out, summary)
    return EXIT_OK


def _prepare_kernels(quiet: bool) -> None:
    """Compile or load the model's kernels before the progress bar, saying so when they must be compiled."""
    from model import jit

    if not quiet and not jit.cached_on_disk():
        print("compiling the model's kernels: once after an install or an update, up to a minute ...",
              file=sys.stderr, flush=True)
    jit.ready()


def cmd_compare(args: argparse.Namespace) -> int:
    """``domwork compare``."""
    from model.experiments import compare_command

    return compare_command.run(args)


def _seeds(scenario) -> list[int]:
    from model.rng import replicate_seed

    return [replicate_seed(scenario.seed, r) for r in range(scenario.replicates)]


def _title(scenario) -> str:
    return f"{scenario.name} ({scenario.replicates} replicates)"


def _report(out: Path, summary: dict) -> None:
    from model.runner import MIN_REPLICATES_FOR_INTERVAL

    def interval(key: str, scale: float, fmt: str) -> str:
        s = summary[key]
        value = format(scale * s["mean"], fmt)
        if s["ci_low"] is None:
            return value
        return f"{value} [{format(scale * s['ci_low'], fmt)}, {format(scale * s['ci_high'], fmt)}]"

    replicates = next(iter(summary.values()))["replicates"]
    print(f"Results in {out}/ (figures in {out}/figures/)")
    if replicates < MIN_REPLICATES_FOR_INTERVAL:
        print(f"  {replicates} replicate(s): no 95% interval can be given with fewer than "
              f"{MIN_REPLICATES_FOR_INTERVAL}")
    else:
        print(f"  mean of the last 12 months over {replicates} replicates [95% interval]")
    print(f"  {'mean_wage':<24} {interval('mean_wage', 1, ',.0f')} yuan/month")
    for key in ("contract_share", "insured_share", "unemployment_rate", "annual_turnover",
                "agency_placement_share", "referral_placement_share"):
        print(f"  {key:<24} {interval(key, 100, '.1f')} %")


def _scales(text: str) -> tuple[float, ...]:
    try:
        scales = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise ScenarioError(f"--scales {text!r}: expected numbers separated by commas, e.g. 0.01,0.1,1") from None
    if not scales or any(not 0 < x <= 10 for x in scales):
        raise ScenarioError(f"--scales {text!r}: each scale must be above 0 and at most 10")
    return tuple(sorted(scales))


def cmd_bench(args: argparse.Namespace) -> int:
    """``domwork bench``."""
    scales = _scales(args.scales)
    if args.scaling_scale is None:
        args.scaling_scale = min(0.1, max(scales))
    if args.scaling_months is None:
        args.scaling_months = min(60, args.months)
    for name in ("months", "scaling_months", "repeats"):
        if getattr(args, name) < 1:
            raise ScenarioError(f"--{name.replace('_', '-')} {getattr(args, name)}: must be at least 1")
    if not 0 < args.scaling_scale <= 10:
        raise ScenarioError(f"--scaling-scale {args.scaling_scale}: must be above 0 and at most 10")
    from model import bench, output
    from model.progress import Progress
    from model.resources import check_memory

    check_memory(load_scenario(bench.FULL_CITY, bench.city_at(max(scales), args.months)), "--scales")
    out = args.out or output.default_out_dir("bench")
    output.check_out_dir(out, args.force)
    started = time.perf_counter()
    scaling_scale = None if args.no_scaling else args.scaling_scale
    with Progress(len(scales) + 1 + (scaling_scale is not None), "bench", quiet=args.quiet, unit="run") as bar:
        report = bench.run_bench(scales, args.months, scaling_scale, args.scaling_months, progress=bar.update,
                                 repeats=args.repeats, small_scale=min(0.01, max(scales)),
                                 compile_timing=not args.no_compile_timing)
    text = bench.table(report)
    with output.staged_dir(out, args.force) as tmp:
        output.write_json(tmp / "bench.json", report)
        (tmp / "bench.md").write_text(text, encoding="utf-8")
        bench.figure(report, tmp / "bench.png")
        output.write_json(tmp / "manifest.json", output.manifest(args.argv, [], time.perf_counter() - started))
    print(text + f"\nWritten to {out}/ (bench.json, bench.md, bench.png)")
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    """``domwork sweep``."""
    from model.experiments import sweep
    from model.progress import Progress

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


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``domwork calibrate``."""
    from model import output
    from model.experiments import executors
    from model.progress import Progress
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


def cmd_validate(args: argparse.Namespace) -> int:
    """``domwork validate``: exit 1 when a check fails."""
    from model import output
    from model.progress import Progress
    from model.validation import suite

    names = {check.__name__ for check in suite.CHECKS}
    unknown = [name for name in args.checks if name not in names]
    if unknown:
        raise ScenarioError(f"--check {unknown[0]}: no such check; the checks are {', '.join(sorted(names))}")
    if args.workers is not None and args.workers < 1:
        raise ScenarioError(f"--workers {args.workers}: must be at least 1")
    out = args.out or output.default_out_dir("validate")
    output.check_out_dir(out, args.force)
    started = time.perf_counter()
    count = len(args.checks) or len(suite.CHECKS)
    with output.staged_dir(out, args.force) as tmp:
        with Progress(count, "validate", quiet=args.quiet, unit="check") as bar:
            results = suite.run_suite(tmp / "figures", quick=args.quick, workers=args.workers,
                                      only=tuple(args.checks), progress=lambda _: bar.update(1))
        (tmp / "report.md").write_text(suite.report(results, args.quick), encoding="utf-8")
        output.write_json(tmp / "manifest.json", output.manifest(
            args.argv, [], time.perf_counter() - started, quick=args.quick,
            checks={r.key: {"passed": r.passed, "seconds": round(r.seconds, 2), "runs": r.runs} for r in results}))
    for r in results:
        print(f"  {'PASS' if r.passed else 'FAIL'}  {r.title}")
    failed = [r for r in results if not r.passed]
    print(f"{len(results) - len(failed)} of {len(results)} checks pass; report in {out}/report.md")
    return EXIT_FAULT if failed else EXIT_OK


def cmd_viz(args: argparse.Namespace) -> int:
    """``domwork viz``."""
    from model.viz import server

    return server.serve(args.scenario, args.host, args.port, say=lambda text: print(text, flush=True))


def cmd_schema(args: argparse.Namespace) -> int:
    """``domwork schema``."""
    from model import schema_doc

    sys.stdout.write(schema_doc.as_markdown() if args.markdown else schema_doc.as_text())
    return EXIT_OK


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
    previous = signal.signal(signal.SIGTERM, _sigterm)
    try:
        return args.handler(args)
    except ScenarioError as err:
        print(f"domwork: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("domwork: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except yaml.YAMLError as err:  # pragma: no cover - load_scenario turns these into ScenarioError
        print(f"domwork: {err}", file=sys.stderr)
        return EXIT_USAGE
    except Exception:  # an internal fault: say so, with the traceback for a bug report
        traceback.print_exc()
        print("domwork: internal error (a bug; please report it with the lines above)", file=sys.stderr)
        return EXIT_FAULT
    finally:
        signal.signal(signal.SIGTERM, previous)
        if as_program:
            gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
