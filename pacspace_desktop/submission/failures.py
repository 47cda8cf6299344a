"""When the history cannot be written during a run: where it failed, and what to tell."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pacspace_desktop.domain.catalogue import entry
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.errors import StorageError

if TYPE_CHECKING:
    from pacspace_desktop.network.client import SendResult
    from pacspace_desktop.submission.runner import RunReport


class Stage(StrEnum):
    """Where in a run the history failed."""

    RECORD = "record"  # recording the run: nothing was sent
    BEFORE_SEND = "before-send"  # marking a request as sending: it did not leave
    AFTER_ANSWER = "after-answer"  # recording an answer: the request left


class HistoryFailed(Exception):
    """The history could not be written during a run, so the run stopped there.

    Attributes:
        error: The storage error (its `fault` says which kind).
        report: What ended before the failure.
        stage: Where it failed.
        seq: The 0-based request it failed at.
        total: Requests in the run.
        answer: PacSpace's answer that could not be recorded (AFTER_ANSWER only).
    """

    def __init__(self, error: StorageError, report: RunReport, stage: Stage, seq: int,
                 total: int, answer: SendResult | None = None) -> None:
        super().__init__(str(error))
        self.error, self.report, self.stage = error, report, stage
        self.seq, self.total, self.answer = seq, total, answer

    @property
    def text(self) -> str:
        """What happened, what was sent, and what to do, in words."""
        if self.stage is Stage.RECORD:
            return f"{self.error} Nothing was sent."
        done = sum(len(r.items) for r in self.report.requests
                   if r.state is not ItemState.NOT_SENT)
        before = (f" The {done:,} item(s) sent before it are recorded." if done else "")
        where = f"request {self.seq + 1} of {self.total}"
        if self.stage is Stage.BEFORE_SEND:
            return (f"{self.error} Sending stopped before {where} left: it and any after it "
                    f"were not sent.{before}")
        answer = self.answer
        said = (f"PacSpace accepted {where} (Request ID {answer.request_id})"
                if answer is not None and answer.request_id else
                f"{where.capitalize()} was sent ({entry(answer.kind).title if answer else ''})")
        return (f"{self.error} {said}, but the history could not record the answer: note it "
                "down. Nothing more was sent. Those items count as sent: when the history can "
                "be written again they show as “outcome unknown” until a check on the server "
                f"settles them.{before}")

    @property
    def exit_code(self) -> int:
        """2 nothing was sent, 3 a request's answer is not recorded, 1 a run cut short."""
        if self.stage is Stage.AFTER_ANSWER:
            return 3
        sent = any(r.state is not ItemState.NOT_SENT for r in self.report.requests)
        return 1 if sent else 2
