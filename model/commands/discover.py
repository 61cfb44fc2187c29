"""``domwork discover``: where, among a finished sweep's levers and uncertainties, a condition holds (PRIM)."""

from __future__ import annotations

import argparse
import time

from model.commands.common import EXIT_OK
from model.scenario.loading import ScenarioError

MAX_BOXES = 10


def run(args: argparse.Namespace) -> int:
    """Run ``domwork discover`` from parsed arguments: every input is checked before anything is written."""
    from model.experiments import discovery, discovery_report
    from model.run import output

    if not 0 < args.threshold <= 1:
        raise ScenarioError(f"--threshold {args.threshold:g}: a density, above 0 and at most 1")
    if not 1 <= args.boxes <= MAX_BOXES:
        raise ScenarioError(f"--boxes {args.boxes}: from 1 to {MAX_BOXES}")
    started = time.perf_counter()
    sweep = discovery.read_sweep(args.sweep)
    cases = discovery.cases(sweep, args.where)
    out = args.out or output.default_out_dir(sweep.name, "discover")
    inside = args.sweep.resolve()
    if out.resolve() == inside or inside in out.resolve().parents:
        raise ScenarioError(f"--out {out}: is in the sweep's folder {args.sweep}, whose files the sweep keeps (its "
                            "--resume and --force would refuse or replace them); give a folder outside it")
    output.claim(out, args.force)
    found = discovery.discover(sweep, cases, threshold=args.threshold, boxes=args.boxes)
    with output.staged_dir(out, args.force) as tmp:
        discovery_report.write_tables(found, tmp)
        (tmp / "figures").mkdir()
        discovery_report.figure(found, tmp / "figures" / "discover.png")
        (tmp / "report.md").write_text(discovery_report.report(found), encoding="utf-8")
        output.write_json(tmp / "manifest.json", output.manifest(
            args.argv, [], time.perf_counter() - started, kind="discover", sweep=str(args.sweep), where=args.where,
            threshold=args.threshold, boxes=args.boxes, prim=found.prim_version,
            runs_meeting=int(cases.met.sum()), runs_used=int(cases.used.sum())))
    print(discovery_report.summary(found))
    print(f"Written to {out}/ (boxes.csv, trajectory.csv, report.md, figures/discover.png)")
    return EXIT_OK
