"""``domwork run``: a scenario's replicates, its time series, summary and figures in one result folder."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from model import shipped
from model.commands.common import EXIT_OK, overrides, prepare_kernels, seeds
from model.run.startup import loading
from model.scenario.loading import ScenarioError, load_scenario, to_yaml


def run(args: argparse.Namespace) -> int:
    """Run ``domwork run`` from parsed arguments."""
    options = {key: f"--{key}" for key in ("replicates", "months", "seed") if getattr(args, key) is not None}
    with loading(freeze=args.program):
        args.scenario = shipped.resolve(args.scenario)  # a shipped scenario's name: `domwork run fee_cap`
        scenario = load_scenario(args.scenario, overrides(args), labels=options)
        from model.run import output, plots, runner
        from model.run.progress import Progress
        from model.run.resources import check_disk, check_memory, run_disk_bytes

    if args.workers is not None and args.workers < 1:
        raise ScenarioError(f"--workers {args.workers}: must be at least 1")
    # Every replicate running at once holds its own model.
    processes = args.workers if args.workers is not None else runner.default_workers(scenario.replicates)
    check_memory(scenario, str(args.scenario or "built-in baseline"), processes=processes)
    out = args.out or output.default_out_dir(scenario.name)
    check_disk(out, run_disk_bytes(scenario), str(args.scenario or "built-in baseline"))
    output.claim(out, args.force)

    started = time.perf_counter()
    prepare_kernels(args.quiet)
    total = scenario.replicates * scenario.months
    with Progress(total, f"{scenario.name}: {scenario.replicates} replicates x {scenario.months} months",
                  quiet=args.quiet) as bar:
        ts = runner.run_replicates(scenario, workers=args.workers, progress=bar.update)
    summary = runner.summarize(ts)
    replicate_seeds = seeds(scenario)
    with output.staged_dir(out, args.force) as tmp:
        (tmp / "scenario.yaml").write_text(to_yaml(scenario), encoding="utf-8")
        ts.to_csv(tmp / "timeseries.csv", index=False, float_format="%.10g", lineterminator="\n")
        output.write_json(tmp / "summary.json", summary)
        plots.write_run_figures(ts, tmp / "figures", title=_title(scenario), context=plots.Context.of(scenario),
                                processes=args.workers)
        output.write_json(tmp / "manifest.json", output.manifest(
            args.argv, replicate_seeds, time.perf_counter() - started, scenario=scenario.name,
            replicates=scenario.replicates, months=scenario.months,
            scenario_file=str(args.scenario) if args.scenario else None))
    _report(out, summary)
    return EXIT_OK


def _title(scenario) -> str:
    return f"{scenario.name} ({scenario.replicates} replicates)"


def _report(out: Path, summary: dict) -> None:
    from model.run.runner import MIN_REPLICATES_FOR_INTERVAL

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
