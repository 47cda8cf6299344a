"""Reading and checking an import file in a worker thread, with progress and Cancel."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from pacspace_desktop.domain.limits import DEFAULT_LIMITS, Limits
from pacspace_desktop.importing import (
    CancelToken,
    Edit,
    EditLogError,
    ImportCancelled,
    ImportFileError,
    ImportTable,
    KnownKeys,
    Mapping,
    MappingError,
    MappingFileError,
    MappingLibrary,
    MetadataColumn,
    ProfileMatch,
    ReadOptions,
    TableValidation,
    apply_edits,
    auto_map,
    check_mapping,
    lean_metadata,
    read_file,
    validate_table,
)
from pacspace_desktop.importing.files import skip_below_header
from pacspace_desktop.importing.gcpause import gc_paused
from pacspace_desktop.importing.mapping import FileSettings
from pacspace_desktop.importing.mapping_file import adapt_mapping
from pacspace_desktop.importing.presets import Preset, PresetMatch, load_presets, match_preset
from pacspace_desktop.resources import ResourceMissingError, resources_dir
from pacspace_desktop.services.tasks import start_task
from pacspace_desktop.storage.db import StorageError

log = logging.getLogger(__name__)

SAMPLE_ROWS = 200
_READ_SHARE = 85  # percent of a load spent reading; the rest is checking


@dataclass(frozen=True, slots=True)
class ImportResult:
    """A table with the mapping chosen for it and the check of every cell.

    Attributes:
        path: The file.
        options: The choices the file was read with.
        table: The cells.
        mapping: The mapping in use (possibly incomplete: then `validation` is None).
        validation: The check of every cell, or None when the mapping is not complete.
        profile: The saved mapping profile found for the file's headers, if any.
        mapping_problems: What keeps the mapping from being used, in words.
        restored_undo: After a draft's edits were applied while reading: what undoing each
            needs (see `apply_edits`).
        preset: A shipped preset whose columns this file has (offered, not applied).
        suggested: The lean metadata suggested for this file (ticked only when asked).
        prepared: What the service's `prepare` hook made from the check in the worker (what
            the page shows of it: totals, the problems list), or None.
    """

    path: Path
    options: ReadOptions
    table: ImportTable
    mapping: Mapping
    validation: TableValidation | None
    profile: ProfileMatch | None = None
    mapping_problems: tuple[str, ...] = ()
    restored_undo: tuple[Any, ...] = ()
    preset: PresetMatch | None = None
    suggested: tuple[MetadataColumn, ...] = ()
    prepared: object = None


def choose_mapping(table: ImportTable, preferred: Mapping | None,
                   library: MappingLibrary | None) -> tuple[Mapping, ProfileMatch | None]:
    """The mapping for a freshly read table: the preferred one if it still fits, else a saved
    profile for these headers, else `auto_map`."""
    if preferred is not None and not check_mapping(preferred, table.headers):
        return preferred, None
    match = None
    if library is not None:
        try:
            match = library.find(table.headers)
        except MappingFileError as exc:
            log.warning("mapping profiles cannot be read: %s", exc)
    if match is not None:
        return match.mapping, match
    samples = [column[:SAMPLE_ROWS] for column in table.columns]
    return auto_map(table.headers, samples), None


def suggested_metadata(table: ImportTable, mapping: Mapping) -> tuple[MetadataColumn, ...]:
    """The lean metadata for this file: amount, currency, date, description, invoice number,
    from columns that do not already feed a field."""
    taken = [c for src in mapping.sources().values() if src is not None for c in src.columns()]
    return lean_metadata(table.headers, [column[:SAMPLE_ROWS] for column in table.columns],
                         taken)


def shipped_presets() -> list[Preset]:
    """The presets in `resources/presets` (none in a broken install, which is logged)."""
    try:
        return load_presets(resources_dir() / "presets")
    except (ResourceMissingError, MappingFileError) as exc:
        log.warning("the presets cannot be read: %s", exc)
        return []


class ImportService(QObject):
    """Runs one read or check at a time in a worker thread; the window never waits for it.

    Signals:
        started(str): a job began; the text says what ("Reading invoices.csv").
        progress(int, str): percent done (0–100) and what is happening, in words.
        finished(object): an `ImportResult` (a file read and checked, or a table re-checked).
        cancelled(str): the job was cancelled; nothing changed. The text says so.
        failed(str): the job could not be done; the text says why and what to do.
    """

    started = Signal(str)
    progress = Signal(int, str)
    finished = Signal(object)
    cancelled = Signal(str)
    failed = Signal(str)

    prepare: Callable[[TableValidation], object] | None = None
    """Called in the worker after each check: what the page would otherwise compute on the Qt
    thread when the rows land (a 100k-row file's control totals and problems list: 0.1 s);
    its result is `ImportResult.prepared`."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS, parent: QObject | None = None,
                 presets: Sequence[Preset] | None = None) -> None:
        super().__init__(parent)
        self._limits = limits
        self.presets = list(presets) if presets is not None else shipped_presets()
        self._task: asyncio.Task[None] | None = None
        self._token = CancelToken()
        self._job = 0
        # Written by the worker thread, read by the timer on the Qt thread: one tuple
        # assignment is atomic, so no lock is needed and no Qt object crosses threads.
        self._state: tuple[int, str] = (0, "")
        self._shown: tuple[int, str] = (-1, "")
        self._poll = QTimer(self)
        self._poll.setInterval(100)
        self._poll.timeout.connect(self._report)

    @property
    def busy(self) -> bool:
        """True while a job runs."""
        return self._task is not None and not self._task.done()

    def load(self, path: Path, options: ReadOptions | None = None, *,
             mapping: Mapping | None = None, library: MappingLibrary | None = None,
             known_keys: KnownKeys | None = None, edits: Sequence[Edit] = ()) -> None:
        """Read a file, choose its mapping and check every cell (a job already running is
        cancelled first).

        Args:
            path: The file.
            options: Overrides of what is detected.
            mapping: Keep this mapping if it fits the file's columns.
            library: Saved profiles to look for the file's headers in.
            known_keys: Which keys were sent before (the history).
            edits: Changes to make to the cells before checking them (a draft restored).
        """
        options = options or ReadOptions()

        def work(token: CancelToken) -> ImportResult:
            name = path.name
            chosen_options = options
            rows = path.suffix.lower() in (".xlsx", ".xlsm")

            def reading(done: int, total: int) -> None:
                token.check()
                share = done * _READ_SHARE // total if total else 0
                self._state = (share, f"Reading {name}: {_amount(done, total, rows)}")

            self._state = (0, f"Reading {name}")
            table = read_file(path, chosen_options, reading, token)
            skip_below_header(table, mapping.file.skip_lines if mapping is not None else 0)
            try:
                undo = apply_edits(table, edits)
            except EditLogError as exc:
                raise ImportFileError(f"Your saved changes do not fit {name} any more: "
                                      f"{exc}") from None
            chosen, match = choose_mapping(table, mapping, library)
            again = (_reread_options(chosen_options, chosen.file, table)
                     if match is not None and not edits else None)
            if again is not None:  # the saved profile says how to read this file
                chosen_options = again
                table = read_file(path, chosen_options, reading, token)
                skip_below_header(table, chosen.file.skip_lines)
                chosen = adapt_mapping(chosen, table.headers)
            result = self._check(path, chosen_options, table, chosen, match, known_keys, token,
                                 _READ_SHARE)
            return dataclasses.replace(result, restored_undo=tuple(undo),
                                       preset=match_preset(table.headers, self.presets),
                                       suggested=suggested_metadata(table, chosen))

        self._start(f"Reading {path.name}", work)

    def check(self, result: ImportResult, mapping: Mapping,
              known_keys: KnownKeys | None = None) -> None:
        """Check every cell of an already read table again under another mapping."""

        def work(token: CancelToken) -> ImportResult:
            checked = self._check(result.path, result.options, result.table, mapping,
                                  result.profile, known_keys, token, 0)
            return dataclasses.replace(checked, preset=result.preset,
                                       suggested=result.suggested)

        self._start("Checking every cell", work)

    def cancel(self) -> None:
        """Stop the running job at its next chunk; what was shown before stays."""
        self._token.cancel()

    def _check(self, path: Path, options: ReadOptions, table: ImportTable, mapping: Mapping,
               match: ProfileMatch | None, known_keys: KnownKeys | None, token: CancelToken,
               start: int) -> ImportResult:
        problems = tuple(check_mapping(mapping, table.headers))
        if problems:
            return ImportResult(path, options, table, mapping, None, match, problems)
        rows = f"{table.row_count:,} row{'s' if table.row_count != 1 else ''}"

        def checking(step: int, steps: int) -> None:
            self._state = (start + (100 - start) * step // max(steps, 1),
                           f"Checking every cell of {rows} (step {step} of {steps})")

        try:
            validation = validate_table(table, mapping, self._limits, known_keys,
                                        progress=checking, cancel=token)
        except MappingError as exc:
            return ImportResult(path, options, table, mapping, None, match, (str(exc),))
        prepared = self.prepare(validation) if self.prepare is not None else None
        return ImportResult(path, options, table, mapping, validation, match,
                            prepared=prepared)

    def _start(self, what: str, work: Callable[[CancelToken], ImportResult]) -> None:
        self._token.cancel()  # a job still running ends at its next chunk; its result is dropped
        self._job += 1
        self._token = CancelToken()
        self._state = (0, what)
        self._shown = (-1, "")
        self.started.emit(what)
        self._poll.start()
        self._task = start_task(self._run(self._job, self._token, work), name=what,
                                on_error=self._broke_off)

    async def _run(self, job: int, token: CancelToken,
                   work: Callable[[CancelToken], ImportResult]) -> None:
        try:
            result = await asyncio.to_thread(_paused, work, token)
        except ImportCancelled:
            if job == self._job:
                self._end()
                self.cancelled.emit("Cancelled. Nothing was changed.")
            return
        except ImportFileError as exc:
            if job == self._job:
                self._end()
                self.failed.emit(str(exc))
            return
        except (StorageError, MemoryError) as exc:
            if job == self._job:
                self._end()
                self.failed.emit(_words(exc))
            return
        if job == self._job and not token.cancelled:
            self._end()
            self.finished.emit(result)
        elif job == self._job:
            self._end()
            self.cancelled.emit("Cancelled. Nothing was changed.")

    def _broke_off(self, exc: BaseException) -> None:
        self._end()
        self.failed.emit("Reading the file broke off because of an unexpected error; the "
                         "report shows what happened. Nothing was changed.")

    def _end(self) -> None:
        self._poll.stop()
        self._report()

    def _report(self) -> None:
        state = self._state
        if state != self._shown:
            self._shown = state
            self.progress.emit(*state)


def _paused(work: Callable[[CancelToken], ImportResult], token: CancelToken) -> ImportResult:
    """A job with the cyclic collector paused from start to end: between the paused read and
    check, a full collection walked the million-row table for 0.32 s holding the GIL (the
    Qt thread's longest stall while a 1M-row file was read)."""
    with gc_paused():
        return work(token)


def _reread_options(options: ReadOptions, settings: FileSettings,
                    table: ImportTable) -> ReadOptions | None:
    """Options to read the file again with a profile's file settings (None: no need); what
    a person chose in step 1 wins."""
    d = table.detection
    merged = ReadOptions(
        encoding=options.encoding or settings.encoding,
        delimiter=options.delimiter or settings.delimiter,
        header_row=options.header_row if options.header_row is not None
        else settings.header_line,
        sheet=options.sheet or settings.sheet)
    differs = ((merged.encoding is not None and merged.encoding != d.encoding
                and d.encoding != "")
               or (merged.delimiter is not None and merged.delimiter != d.delimiter
                   and d.delimiter != "")
               or (merged.header_row is not None and merged.header_row != table.header_line)
               or (merged.sheet is not None and merged.sheet != d.sheet)
               or settings.skip_lines > 0)
    return merged if differs and merged != options else None


def _amount(done: int, total: int, rows: bool) -> str:
    if rows:  # a workbook reports rows, a text file bytes
        return f"{done:,} of {total:,} rows"
    return f"{done / 1e6:,.1f} of {total / 1e6:,.1f} MB"


def _words(exc: Exception) -> str:
    if isinstance(exc, MemoryError):
        return ("The file is too big for the memory of this computer. Split it into smaller "
                "files and import them one by one.")
    return f"{exc} The file was not checked against the history."
