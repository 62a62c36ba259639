"""tracker: keep officials' pledges and the events that bear on them, and score them.

The library API (see docs/python.md): read, read_at, report, assess, rows, init, add_promise, add_event,
restate, rate, link, add_term, and TrackerError. (`read`, not `load`: tracker.load is the module that
finds record files.) Each is imported on first use, so `import tracker`
stays as quick as the command line's start.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = ("read", "read_at", "report", "assess", "rows", "init", "add_promise", "add_event", "restate", "rate",
        "link", "add_term")
__all__ = [*_API, "TrackerError", "__version__"]


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    if name == "TrackerError":
        from .errors import TrackerError

        return TrackerError
    raise AttributeError(f"module 'tracker' has no attribute {name!r}")
