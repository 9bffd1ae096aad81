"""Ctrl-C in the commands: the first stops new work and lets the command sum up; the second quits.

The first SIGINT sets :attr:`Interrupt.cancelled`; transfers check it (see
:meth:`Interrupt.check`) and stop, keeping their partial files for resume; the command
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


class Cancelled(Exception):  # noqa: N818 - a state, not a failure
    """Raised inside a transfer after Ctrl-C, so that it stops where it is."""


class Interrupt:
    """A context installing the two-step Ctrl-C handler of a command named ``command``."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.cancelled = threading.Event()
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
        message = (
            f'{self.command}: interrupted; stopping the transfers in flight (partial files are '
            'kept for resume) and starting no new one. Ctrl-C again to quit at once.\n'
        )
        os.write(sys.stderr.fileno(), message.encode())

    def check(self) -> None:
        """Raise :class:`Cancelled` once Ctrl-C was pressed."""
        if self.cancelled.is_set():
            raise Cancelled(f'{self.command} was interrupted')
