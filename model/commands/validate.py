"""``domwork validate``: the validation suite, its report and figures."""

from __future__ import annotations

import argparse
import time

from model.commands.common import EXIT_FAULT, EXIT_OK
from model.scenario.loading import ScenarioError


def run(args: argparse.Namespace) -> int:
    """Run ``domwork validate`` from parsed arguments: exit 1 when a check fails."""
    from model.run import output
    from model.run.progress import Progress
    from model.validation import suite

    names = {check.__name__ for check in suite.CHECKS}
    unknown = [name for name in args.checks if name not in names]
    if unknown:
        raise ScenarioError(f"--check {unknown[0]}: no such check; the checks are {', '.join(sorted(names))}")
    if args.workers is not None and args.workers < 1:
        raise ScenarioError(f"--workers {args.workers}: must be at least 1")
    out = args.out or output.default_out_dir("validate")
    output.claim(out, args.force)
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
