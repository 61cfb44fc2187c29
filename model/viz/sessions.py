"""Browser sessions of the live app: what each holds, a cap on how many, and memory given back on close.

Each browser session (a solara kernel) gets its own :class:`Session`: its city
model, its settings and its comparison. Nothing is shared between sessions. A
session that closes (its tab closed and the kernel culled, see
``server.CULL_TIMEOUT``) cancels its comparison and drops its models, so that
its memory goes back. Sessions beyond the cap (``--max-sessions``) get a message
instead of a model.
"""

from __future__ import annotations

import gc
import os
import threading
from dataclasses import dataclass, field
from typing import Any

MAX_SESSIONS_ENV = "DOMWORK_VIZ_MAX_SESSIONS"
DEFAULT_MAX_SESSIONS = 8


@dataclass
class Session:
    """What one browser session holds.

    Attributes:
        kernel: solara's kernel id of the session.
        admitted: whether the session is within the cap (else the page says so and builds nothing).
        settings: the city page's controls moved by the user, by key (the picker and seed too).
        city: the city page's model, once built.
        jobs: running comparisons (objects with ``cancel()``), cancelled when the session closes.
    """

    kernel: str
    admitted: bool
    settings: dict[str, Any] = field(default_factory=dict)
    city: Any = None
    jobs: list[Any] = field(default_factory=list)

    def close(self) -> None:
        """Cancel the session's comparisons and drop its models."""
        for job in self.jobs:
            job.cancel()
        self.jobs.clear()
        self.city = None
        self.settings.clear()


_lock = threading.Lock()
_sessions: dict[str, Session] = {}


def max_sessions() -> int:
    """The cap on open sessions (``DOMWORK_VIZ_MAX_SESSIONS``, default 8)."""
    try:
        return max(1, int(os.environ.get(MAX_SESSIONS_ENV, DEFAULT_MAX_SESSIONS)))
    except ValueError:
        return DEFAULT_MAX_SESSIONS


def open_session(kernel: str) -> Session:
    """The session of ``kernel``, made on its first call (admitted while fewer than the cap are open)."""
    with _lock:
        session = _sessions.get(kernel)
        if session is None:
            admitted = sum(s.admitted for s in _sessions.values()) < max_sessions()
            session = _sessions[kernel] = Session(kernel, admitted)
        return session


def close_session(kernel: str) -> None:
    """Close ``kernel``'s session: cancel its comparisons, drop its models, give the memory back."""
    with _lock:
        session = _sessions.pop(kernel, None)
    if session is not None:
        session.close()
        gc.collect()


def open_count() -> tuple[int, int]:
    """Sessions open and admitted, and all sessions open."""
    with _lock:
        return sum(s.admitted for s in _sessions.values()), len(_sessions)


def current() -> Session:
    """The session of the kernel this code runs in (closed with the kernel)."""
    import solara

    kernel = solara.get_kernel_id()
    with _lock:
        known = kernel in _sessions
    session = open_session(kernel)
    if not known:
        closed = solara.kernel_closed_event()
        threading.Thread(target=lambda: (closed.wait(), close_session(kernel)), daemon=True,
                         name=f"domwork-session-{kernel[:8]}").start()
    return session
