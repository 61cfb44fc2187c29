"""``domwork bench``: speed and memory at several scales of the city, beside a plain Mesa model."""

from __future__ import annotations

import argparse
import time

from model.commands.common import EXIT_OK
from model.scenario.loading import ScenarioError, load_scenario


def _scales(text: str) -> tuple[float, ...]:
    try:
        scales = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise ScenarioError(f"--scales {text!r}: expected numbers separated by commas, e.g. 0.01,0.1,1") from None
    if not scales or any(not 0 < x <= 10 for x in scales):
        raise ScenarioError(f"--scales {text!r}: each scale must be above 0 and at most 10")
    return tuple(sorted(scales))


def run(args: argparse.Namespace) -> int:
    """Run ``domwork bench`` from parsed arguments."""
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
    from model.bench import city as bench
    from model.run import output
    from model.run.progress import Progress
    from model.run.resources import check_memory

    check_memory(load_scenario(bench.FULL_CITY, bench.city_at(max(scales), args.months)), "--scales")
    out = args.out or output.default_out_dir("bench")
    output.claim(out, args.force)
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
