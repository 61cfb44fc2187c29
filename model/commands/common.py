"""What several sub-commands share: exit statuses, options to overrides, kernels made ready."""

from __future__ import annotations

import argparse
import sys

from model.scenario.loading import check_overrides, parse_set

EXIT_OK, EXIT_FAULT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def overrides(args: argparse.Namespace) -> dict:
    """The ``--set`` overrides, checked, with ``--replicates``, ``--months`` and ``--seed`` on top."""
    result = parse_set(args.sets)
    # Checked on their own first: an option given as well must not hide a bad --set value.
    check_overrides(result)
    for key in ("replicates", "months", "seed"):
        value = getattr(args, key, None)
        if value is not None:
            result[key] = value  # command-line options win over the file
    return result


def prepare_kernels(quiet: bool) -> None:
    """Compile or load the model's kernels before the progress bar, saying so when they must be compiled."""
    from model.core import jit

    if not quiet and not jit.cached_on_disk():
        print("compiling the model's kernels: once after an install or an update, up to a minute ...",
              file=sys.stderr, flush=True)
    jit.ready()


def seeds(scenario) -> list[int]:
    """The seed of each replicate of ``scenario``."""
    from model.core.rng import replicate_seed

    return [replicate_seed(scenario.seed, r) for r in range(scenario.replicates)]
