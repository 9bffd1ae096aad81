"""Ctrl-C in the commands: the first stops new work and lets the command sum up; the second quits.

The first SIGINT sets :attr:`Interrupt.cancelled` (for downloads, the manager's ``cancel``
event: transfers stop at once, their connections cut, keeping their partial files for resume; no
new one starts; other loops call :meth:`Interrupt.check` or look at the event); the command
prints what finished and exits with status 130 (128 + SIGINT, as shells report it),
without a traceback. A second SIGINT exits at once with the same status.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType, TracebackType

EXIT_INTERRUPTED = 130
#: What the first Ctrl-C does, as the message says it (the default: downloads).
TRANSFERS = (
    'stopping the transfers in flight (partial files are kept for resume) and starting no new one'
)


class Cancelled(Exception):  # noqa: N818 - a state, not a failure
    """Raised inside a transfer after Ctrl-C, so that it stops where it is."""


class Interrupt:
    """A context installing the two-step Ctrl-C handler of a command named ``command``.

    ``cancel``: the event the first Ctrl-C sets (e.g. a ``DownloadManager``'s ``cancel``);
    by default one of its own, :attr:`cancelled`. ``stopping`` says what happens next.
    """

    def __init__(
        self, command: str, cancel: threading.Event | None = None, stopping: str = TRANSFERS
    ) -> None:
        self.command = command
        self.cancelled = cancel if cancel is not None else threading.Event()
        self.stopping = stopping
        self._previous = None

    def __enter__(self) -> Interrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.cancelled.is_set():
            os._exit(EXIT_INTERRUPTED)
        self.cancelled.set()
        message = f'{self.command}: interrupted; {self.stopping}. Ctrl-C again to quit at once.\n'
        os.write(sys.stderr.fileno(), message.encode())

    def check(self) -> None:
        """Raise :class:`Cancelled` once Ctrl-C was pressed."""
        if self.cancelled.is_set():
            raise Cancelled(f'{self.command} was interrupted')
