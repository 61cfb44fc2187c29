"""``domwork scenarios``: the shipped scenarios, experiments, calibrations and assumption sets, with what each is."""

from __future__ import annotations

import argparse
import shutil
import textwrap

from model import shipped
from model.commands.common import EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Run ``domwork scenarios`` from parsed arguments."""
    width = max(60, min(120, shutil.get_terminal_size((100, 20)).columns))
    for kind, how in (("scenarios", "domwork run NAME"), ("experiments", "domwork sweep NAME"),
                      ("calibration", "domwork calibrate NAME"),
                      ("assumptions", "domwork compare A B --assumptions NAME,...|all")):
        rows = shipped.describe(kind)
        if not rows:
            continue
        print(f"{kind} ({how}; from {shipped.folder(kind)}):")
        name_width = max(len(name) for name, _ in rows) + 2
        for name, description in rows:
            text = description or "(no description)"
            lines = textwrap.wrap(text, width - name_width - 2) or [""]
            print(f"  {name:<{name_width}}{lines[0]}")
            for line in lines[1:]:
                print(f"  {'':<{name_width}}{line}")
        print()
    return EXIT_OK
