"""Progress bars on a terminal; silence in --json mode and when output is piped."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn


def wanted(json_mode: bool = False) -> bool:
    return not json_mode and sys.stderr.isatty()


class _Quiet:
    def add_task(self, *_a, **_k):
        return 0

    def update(self, *_a, **_k):
        pass

    def advance(self, *_a, **_k):
        pass


@contextmanager
def bar(enabled: bool):
    """Yield an object with rich's add_task/update/advance; a no-op one when disabled."""
    if not enabled:
        yield _Quiet()
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:>.0f}/{task.total:>.0f}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as progress:
        yield progress
