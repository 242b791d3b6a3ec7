"""Downloads: exactly the data displayed, as CSV a spreadsheet cannot execute; and the one
gate every download drawn by a browser (chart PNG/SVG by kaleido, report PDF by chromium)
goes through."""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable

import pandas as pd

from etl.errors import UserError
from etl.safe_csv import neutralise, to_csv_bytes

__all__ = ["neutralise", "to_csv", "label", "Busy", "Renderer", "RENDERER"]


def to_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV of `df` with formulas neutralised (etl.safe_csv, shared with the CLI), no index."""
    return to_csv_bytes(df)


def label(df: pd.DataFrame, what: str = "data") -> str:
    n = len(df)
    return f"Download {what} as CSV ({n:,} row{'s' if n != 1 else ''})"


class Busy(UserError):
    """429 Too Many Requests: no browser may be started for this request now."""


BUSY = ("Busy (429 Too Many Requests): {why}. Try again shortly — images and PDFs are "
        "drawn one at a time.")


class Renderer:
    """Every chart image and PDF the dashboard draws starts a headless chromium: anyone who
    can reach the dashboard could otherwise start browsers at will. One renderer per server
    process: at most `slots` drawings at once (a request waits up to `wait` seconds for one),
    and per browser session one at a time and at most `per_minute` a minute."""

    def __init__(self, slots: int = 1, per_minute: int = 6, wait: float = 15.0):
        self.slots, self.per_minute, self.wait = slots, per_minute, wait
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {}
        self._drawing: set[str] = set()
        self._notices: dict[str, str] = {}

    def _admit(self, session: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._recent) > 10_000:  # forget sessions with nothing in the last minute
                self._recent = {s: q for s, q in self._recent.items() if q and now - q[-1] < 60}
            if session in self._drawing:
                self._refuse(session, "this page is still drawing your last image or PDF")
            recent = self._recent.setdefault(session, deque())
            while recent and now - recent[0] >= 60:
                recent.popleft()
            if len(recent) >= self.per_minute:
                self._refuse(session, f"at most {self.per_minute} images or PDFs a minute "
                                      "per visitor")
            recent.append(now)
            self._drawing.add(session)

    def _refuse(self, session: str, why: str):
        message = BUSY.format(why=why)
        self._notices[session] = message
        raise Busy(message)

    def run(self, session: str, draw: Callable[[], bytes]) -> bytes:
        """`draw()` when the session may draw and a slot frees up in time; else Busy."""
        self._admit(session)
        try:
            if not self._free.acquire(timeout=self.wait):
                with self._lock:
                    recent = self._recent.get(session)
                    if recent:  # a refused request is not counted against the session
                        recent.pop()
                    self._refuse(session, "every renderer is in use")
            try:
                return draw()
            finally:
                self._free.release()
        finally:
            with self._lock:
                self._drawing.discard(session)

    def notice(self, session: str) -> str | None:
        """The busy message a download could not show (it runs outside the page), once."""
        with self._lock:
            return self._notices.pop(session, None)


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= 1 else default


# TWINIMPACT_RENDERERS: drawings at once (default 1); TWINIMPACT_RENDERS_PER_MINUTE: per
# browser session (default 6)
RENDERER = Renderer(slots=_int_env("TWINIMPACT_RENDERERS", 1),
                    per_minute=_int_env("TWINIMPACT_RENDERS_PER_MINUTE", 6))
