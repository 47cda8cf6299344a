"""Progress reports, cancellation and the typed errors of reading a file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ProgressCallback = Callable[[int, int], None]
"""Called as `progress(done, total)`: bytes read of a text file, rows read of a sheet."""


class ImportCancelled(Exception):
    """The person cancelled reading or checking a file; nothing was kept."""


class ImportFileError(Exception):
    """A file cannot be read at all; the message says why in plain words."""


@dataclass(slots=True)
class CancelToken:
    """A flag that a worker checks between chunks; set `cancelled` from any thread.

    Attributes:
        cancelled: True once the person asked to stop.
    """

    cancelled: bool = False

    def cancel(self) -> None:
        """Ask the work to stop at the next chunk."""
        self.cancelled = True

    def check(self) -> None:
        """Raise `ImportCancelled` when cancelled.

        Raises:
            ImportCancelled: when `cancelled` is set.
        """
        if self.cancelled:
            raise ImportCancelled("Reading the file was cancelled.")
