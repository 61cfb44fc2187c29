"""``domwork viz``: serve the live app."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    """Run ``domwork viz`` from parsed arguments."""
    from model.viz import server

    return server.serve(args.scenario, args.host, args.port, say=lambda text: print(text, flush=True),
                        max_sessions=args.max_sessions)
