"""Regenerate the measured parts of ``docs/policies.md`` from a real comparison (``make policies``).

The page's prose (each lever, its mechanism, the evidence) is written by hand. The
numbers, tables and figures between ``<!-- measured:NAME -->`` and ``<!-- /measured -->``
markers are rewritten from the output folder of one ``domwork compare`` run of the
baseline against every policy scenario, so they always come from the command the page
shows.

    python -m model.experiments.policies_doc            # run the comparison, then update the page
    python -m model.experiments.policies_doc --no-run   # update the page from an earlier run
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

import pandas as pd

from model.experiments import measures
from model.experiments.compare import Difference
from model.experiments.report import diff_text

ROOT = Path(__file__).resolve().parent.parent.parent
SCENARIOS = Path("scenarios")
# Not a policy option: the whole city at 1:1, the same market as the baseline at a scale that takes minutes.
EXCLUDED = ("baseline.yaml", "guangzhou_full.yaml")
OUT = Path("results/policies")
DOC = Path("docs/policies.md")
FIGURES = Path("docs/figures/policies")
SECTIONS = ("Differences from baseline", "Standards scorecard", "Who gains, who pays", "Replicates and precision")
_MARKER = re.compile(r"(<!-- measured:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /measured -->)", re.S)


def policy_files() -> list[Path]:
    """Every scenario file but the baseline and the whole city, by name."""
    return sorted(p for p in (ROOT / SCENARIOS).glob("*.yaml") if p.name not in EXCLUDED)


def command(out: Path = OUT) -> list[str]:
    """The ``domwork compare`` command the page's numbers come from (paths relative to the project)."""
    files = [str(SCENARIOS / p.name) for p in policy_files()]
    # no_agencies has no agencies at all: its workers and households are paired, its agencies cannot be.
    return ["domwork", "compare", str(SCENARIOS / "baseline.yaml"), *files, "--allow-different", "agencies.count",
            "--out", str(out), "--force", "--quiet"]


def _section(report: str, title: str) -> str:
    """A ``## title...`` section of report.md without its heading."""
    match = re.search(rf"^## {re.escape(title)}.*?\n(.*?)(?=^## |\Z)", report, re.S | re.M)
    return match.group(1).strip() if match else ""


def _effects_in_words(table: pd.DataFrame, scenario: str) -> str:
    rows = table[table["scenario"] == scenario].set_index("metric")
    if rows.empty:
        return "_Not in the last run._"
    available = set(rows.index)
    clear, unclear = [], []
    for measure in (*measures.HEADLINE, *measures.SCORECARD):
        resolved = measure.resolve(available)
        if resolved is None or any(resolved[0] == c for c, _ in clear + unclear):
            continue
        column, label = resolved
        r = rows.loc[column]
        low = None if pd.isna(r["diff_ci_low"]) else float(r["diff_ci_low"])
        high = None if pd.isna(r["diff_ci_high"]) else float(r["diff_ci_high"])
        d = Difference(int(r["replicates"]), float(r["diff_vs_first"]), low, high, None, None)
        if low is not None and (low > 0 or high < 0):
            clear.append((column, f"{label} {diff_text(column, d)}"))
        else:
            unclear.append((column, label))
    n = int(rows["replicates"].iloc[0])
    text = f"Measured ({n} paired replicates, against the baseline): "
    text += "; ".join(t for _, t in clear) if clear else "no headline metric moves clearly"
    if unclear:
        text += ". No clear change (the 95% interval includes 0) in " + ", ".join(lab for _, lab in unclear)
    return text + "."


def _tables(out: Path, manifest: dict) -> str:
    report = (out / "report.md").read_text(encoding="utf-8")
    parts = []
    for title in SECTIONS:
        body = _section(report, title)
        body = body.replace("](figures/", f"]({FIGURES.relative_to('docs')}/")
        parts.append(f"### {title}\n\n{body}\n")
    parts.append(f"### Effects chart\n\n![effects]({FIGURES.relative_to('docs')}/effects.png)\n")
    parts.append("### The scenarios over time\n\n" + "\n".join(
        f"![{name}]({FIGURES.relative_to('docs')}/{name})" for name in
        ("compare_formalization.png", "compare_wages.png", "compare_unemployment.png", "compare_agency_use.png")))
    wall = manifest.get("wall_seconds", 0.0)
    parts.append(f"Wall time of the run: {wall / 60:,.1f} minutes on {manifest.get('cpu_count')} cores "
                 f"(git commit `{manifest.get('git_commit')}`).")
    return "\n".join(parts) + "\n"


def update(doc: Path, out: Path) -> None:
    """Rewrite the measured parts of ``doc`` from the comparison folder ``out``; copy its figures."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    table = pd.read_csv(out / "comparison.csv")
    figures = ROOT / FIGURES
    figures.mkdir(parents=True, exist_ok=True)
    for png in sorted((out / "figures").glob("*.png")):
        shutil.copyfile(png, figures / png.name)
    blocks = {"command": "```sh\n" + " ".join(command(out)) + "\n```\n", "tables": _tables(out, manifest)}

    def replace(match: re.Match) -> str:
        name = match.group("name")
        body = blocks.get(name)
        if body is None:
            body = _effects_in_words(table, name) + "\n"
        return match.group(1) + body + match.group(4)

    text = (ROOT / doc).read_text(encoding="utf-8")
    (ROOT / doc).write_text(_MARKER.sub(replace, text), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the comparison (unless ``--no-run``), then update the page."""
    parser = argparse.ArgumentParser(prog="python -m model.experiments.policies_doc", description=__doc__)
    parser.add_argument("--no-run", action="store_true", help="use the comparison already in --out")
    parser.add_argument("--out", type=Path, default=OUT, help=f"comparison folder (default {OUT})")
    args = parser.parse_args(argv)
    if not args.no_run:
        from model.cli import main as domwork

        status = domwork(command(args.out)[1:])
        if status != 0:
            return status
    update(DOC, args.out)
    print(f"{DOC} updated from {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
