"""``domwork schema``: every scenario key with its type, unit, default and description."""

from __future__ import annotations

import argparse
import sys

from model.commands.common import EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Run ``domwork schema`` from parsed arguments."""
    from model.scenario import reference

    sys.stdout.write(reference.as_markdown() if args.markdown else reference.as_text())
    return EXIT_OK
