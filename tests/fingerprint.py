"""Fingerprints of model runs: did a change keep every result to the last bit?

Speed work must not change what the model does. This runs every shipped scenario
(one replicate, a few years, at its own size) and hashes each month's metrics and
the final state of every column of every table. Take fingerprints before a change
and check them after it (from the project root, with the project's environment)::

    python -m tests.fingerprint --save /tmp/before.json
    python -m tests.fingerprint --check /tmp/before.json

A scenario whose fingerprint moved is listed with the first metric and month that
differ. Metrics and columns are compared by name: one added since the fingerprints
were saved is listed as new, not as a difference, so a change that adds an output or
a column can still show that everything else kept its bits. Bits depend on the
platform and library versions: compare on one machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np

from model import DomesticWorkModel, load_scenario

ROOT = Path(__file__).resolve().parent.parent
MONTHS = 36


# Settings no shipped scenario uses, run on top of the baseline.
VARIANTS = {"baseline_wage_posting": {"wages.regime": "posting"}}


def runs() -> dict[str, tuple[Path, dict]]:
    """Every shipped scenario but the whole city, and the variants."""
    found = {p.stem: (p, {}) for p in sorted((ROOT / "scenarios").glob("*.yaml")) if p.stem != "guangzhou_full"}
    found.update({name: (ROOT / "scenarios" / "baseline.yaml", extra) for name, extra in VARIANTS.items()})
    return found


def run(path: Path, months: int = MONTHS, extra: dict | None = None) -> tuple[dict[str, str], list[dict[str, float]]]:
    """Hashes of one run's metric history and final tables, and the history itself."""
    model = DomesticWorkModel(load_scenario(path, {"months": months, "replicates": 1, **(extra or {})}))
    history = []
    for _ in range(months):
        model.step()
        history.append({k: float(v) for k, v in model.metrics.items()})
    hashes = {"metrics": hashlib.sha256(json.dumps(history, sort_keys=True).encode()).hexdigest()}
    for name in ("workers", "households", "agencies"):
        table = getattr(model, name)
        for column in table.COLUMNS:
            digest = hashlib.sha256(np.ascontiguousarray(table.view(column)).tobytes())
            hashes[f"{name}.{column}"] = digest.hexdigest()
    return hashes, history


def _same(a: float, b: float) -> bool:
    """Equal, an empty month (nan) equal to an empty month."""
    return a == b or (math.isnan(a) and math.isnan(b))


def differences(before: dict, now: dict) -> tuple[list[str], str | None, list[str]]:
    """Columns whose final state moved, the first metric that moved (month, name, values), and new names."""
    new = sorted(set(now["hashes"]) - set(before["hashes"]) - {"metrics"})
    new += sorted(set(now["history"][0]) - set(before["history"][0])) if now["history"] else []
    moved = [k for k in now["hashes"] if k != "metrics" and k in before["hashes"]
             and now["hashes"][k] != before["hashes"][k]]
    first = next(((m, k, before["history"][m][k], v) for m, row in enumerate(now["history"])
                  for k, v in row.items() if k in before["history"][m] and not _same(before["history"][m][k], v)),
                 None)
    where = f"month {first[0] + 1}, {first[1]}: {first[2]!r} -> {first[3]!r}" if first else None
    return moved, where, new


def main(argv: list[str] | None = None) -> int:
    """Save or check fingerprints."""
    parser = argparse.ArgumentParser(prog="python -m tests.fingerprint", description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write fingerprints (and histories) to this file")
    group.add_argument("--check", type=Path, help="compare with fingerprints saved earlier")
    parser.add_argument("--months", type=int, default=MONTHS)
    args = parser.parse_args(argv)
    found = {}
    for name, (path, extra) in runs().items():
        hashes, history = run(path, args.months, extra)
        found[name] = {"hashes": hashes, "history": history}
        print(f"{name:28s} {hashes['metrics'][:12]}", flush=True)
    if args.save:
        args.save.write_text(json.dumps({"months": args.months, "runs": found}))
        return 0
    saved = json.loads(args.check.read_text())
    moved = 0
    for name, run_now in found.items():
        before = saved["runs"].get(name)
        if before is None:
            continue
        columns, where, new = differences(before, run_now)
        if new:
            print(f"new in {name}: {', '.join(new)}")
        if not columns and where is None:
            continue
        moved += 1
        print(f"MOVED {name}: {', '.join(columns) or 'no column'}; first difference {where or 'in the tables only'}")
    print(f"{len(found) - moved} of {len(found)} scenarios identical")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
