"""Failures that are not bad input nor a bug: the command line says them in a line and exits 1."""

from __future__ import annotations


class RunFailed(Exception):
    """The work could not be done for a reason outside the program (lost processes, a full disk)."""


class WorkersLost(RunFailed):
    """Worker processes or machines were lost more often than the command will replace them."""


class DiskFull(RunFailed):
    """The disk (or the user's quota) ran out while a result folder was written."""
