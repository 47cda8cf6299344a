"""A bug inside a send's task reaches the crash report, and the page does not stay on
"Sending…": it says that sending broke off and its buttons come back."""

from __future__ import annotations

import sys
from types import TracebackType

import pytest

from pacspace_desktop.services.submission_service import BROKE_OFF
from pacspace_desktop.submission.runner import SubmissionRunner
from pacspace_desktop.ui.new_record_page import NewRecordPage
from tests.ui import test_new_record_page as base
from tests.ui.test_new_record_page import open_review, type_record

Bot = object


page = base.page  # the same fixture: a New record page on the sandbox profile


def test_a_send_that_raises_is_reported_and_frees_the_page(
        qtbot: Bot, page: NewRecordPage, monkeypatch: pytest.MonkeyPatch) -> None:
    reported: list[BaseException] = []

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        reported.append(exc)

    async def broken_run(self: SubmissionRunner, *args: object, **kw: object) -> None:
        raise AttributeError("a bug in the runner")

    monkeypatch.setattr(sys, "excepthook", hook)
    monkeypatch.setattr(SubmissionRunner, "run", broken_run)
    type_record(qtbot, page, "inv-bug-1", "acct-1", "3")
    dialog = open_review(qtbot, page)
    dialog.send.click()
    qtbot.waitUntil(lambda: page.problem.text() == BROKE_OFF, timeout=5000)  # type: ignore[attr-defined]
    qtbot.waitUntil(page.submit.isEnabled, timeout=5000)  # type: ignore[attr-defined]
    assert "Sending" not in page.sending.label.text()
    assert [type(e) for e in reported] == [AttributeError]
