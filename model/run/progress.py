"""Progress display for long work: a bar on a terminal, silence otherwise or with --quiet."""

from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm

# No monitor thread: worker processes can then be forked safely (see model.run.runner).
tqdm.monitor_interval = 0


class Progress:
    """A context manager whose ``update(n)`` advances a bar by ``n`` steps."""

    def __init__(self, total: int, description: str, quiet: bool = False, unit: str = "month") -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.bar = tqdm(total=total, desc=description, unit=unit, file=sys.stderr,
                        dynamic_ncols=True, leave=False) if self.enabled else None

    def update(self, n: int = 1) -> None:
        """Advance by ``n``."""
        if self.bar is not None:
            self.bar.update(n)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.close()
