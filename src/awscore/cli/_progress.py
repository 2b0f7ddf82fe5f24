"""A progress bar on standard error, for verbs that can run longer than a second.

The bar is drawn only when standard error is a terminal and the verb was not asked
for ``--json``: in a pipe, a file or a script it writes nothing at all. A small
thread redraws it ten times a second, so the elapsed time moves and the spinner
turns even while the main thread sits inside one long computation; it is erased
when the work ends, normally, with an error, or on Ctrl-C.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

__all__ = ["Progress", "progress"]

_SPINNER = "|/-\\"
#: The widest line the bar takes, whatever the terminal's width.
_MAX_WIDTH = 100
_CLEAR = "\r\x1b[K"


class Progress:
    """A redrawn one-line bar: ``label [#####-----] 3/8 step  1.2 s``.

    ``total`` is the number of :meth:`advance` calls the work makes, or ``None``
    for work that cannot say how far it is (the bar then only shows it is alive).
    """

    def __init__(
        self,
        label: str,
        total: int | None,
        *,
        stream: TextIO,
        enabled: bool,
        interval: float = 0.1,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.step = ""
        self.enabled = enabled
        self._stream = stream
        self._interval = interval
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = time.monotonic()
        self._turns = 0

    def __enter__(self) -> Progress:
        if self.enabled:
            self._started = time.monotonic()
            self._thread = threading.Thread(
                target=self._run, name="awscore-progress", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        with self._lock:
            self._stream.write(_CLEAR)
            self._stream.flush()

    def advance(self, step: str = "") -> None:
        """Count one unit of work done; ``step`` names the next one."""
        with self._lock:
            self.done += 1
            self.step = step

    def line(self, width: int) -> str:
        """The bar as it is drawn now, at most ``width`` columns."""
        elapsed = time.monotonic() - self._started
        spin = _SPINNER[self._turns % len(_SPINNER)]
        if self.total:
            share = min(self.done, self.total) / self.total
            slots = 20
            filled = round(share * slots)
            bar = "#" * filled + "-" * (slots - filled)
            text = (
                f"{self.label} [{bar}] {share:4.0%} {self.done}/{self.total} "
                f"{spin} {self.step}"
            )
        else:
            text = f"{self.label} {spin} {self.step}"
        tail = f"  {elapsed:.1f} s"
        room = max(0, width - len(tail))
        return text[:room].rstrip() + tail

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            width = min(_MAX_WIDTH, shutil.get_terminal_size().columns) - 1
            with self._lock:
                self._turns += 1
                self._stream.write(_CLEAR + self.line(width))
                self._stream.flush()


def progress(args: argparse.Namespace, label: str, total: int | None) -> Progress:
    """The progress bar of a verb: drawn on a terminal, silent otherwise.

    Silent when standard error is not a terminal, and under ``--json`` (whose
    readers are programs).
    """
    stream = sys.stderr
    enabled = stream.isatty() and not getattr(args, "json", False)
    return Progress(label, total, stream=stream, enabled=enabled)
