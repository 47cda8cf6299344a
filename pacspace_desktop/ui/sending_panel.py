"""A run as it happens: progress with counts and ETA, Stop, and the outcome cards.

Every request that needs a person gets a card of its own; requests accepted one after another
share one card that counts them (a 100,000-item file is 1,000 requests, and a card each made
the page itself the slowest part of sending: 35 ms a request).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.catalogue import PRICING_URL, NextStep, OutcomeKind, Written, entry
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.services.submission_service import SubmissionService
from pacspace_desktop.submission.runner import RequestReport, RunReport, Waiting
from pacspace_desktop.ui.outcome_card import OutcomeCard, OutcomeView
from pacspace_desktop.ui.outcome_views import accepted_group_view, groups_with, request_view


class SendingPanel(QWidget):
    """Shows a run as it happens — only runs its page started (`reset()` just before submit).

    The submission service is shared by the pages; a panel ignores another page's run.

    Signals:
        action_requested(object, str): a card's button: the `RequestReport` and its action.
    """

    action_requested = Signal(object, str)

    def __init__(self, service: SubmissionService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Sending progress")
        self.bar.setFormat("%v of %m items")  # a percentage says nothing during a long wait
        self.label = QLabel()
        self.label.setAccessibleName("Sending status")
        self.stop = QPushButton("Stop sending")
        self.stop.setAccessibleName("Stop sending")
        self.stop.setToolTip("Send nothing more. A request already on its way still gets its "
                             "answer recorded.")
        self.stop.clicked.connect(self._stop)
        self.wait_card = OutcomeCard()
        self.wait_card.action_requested.connect(lambda _a: service.retry_now())
        self._wait_until: datetime | None = None
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._countdown)
        self.cards_box = QVBoxLayout()
        # The countdown card sits with the outcomes, in their scroll area: on a small screen
        # it scrolls with them instead of making the page taller than the window.
        self.cards_box.addWidget(self.wait_card)
        self.cards_box.addStretch(1)
        holder = QWidget()
        holder.setLayout(self.cards_box)
        self.outcomes_area = QScrollArea()
        self.outcomes_area.setWidgetResizable(True)
        self.outcomes_area.setWidget(holder)
        self.outcomes_area.setAccessibleName("Outcomes")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Outcome summary")
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.stop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.label)
        layout.addWidget(self.summary)
        layout.addWidget(self.outcomes_area, 1)
        self._total = 0
        self._active = False
        self.cards: list[OutcomeCard] = []
        self._accepted_run: list[RequestReport] = []  # the requests the last card counts
        # At most ten repaints a second, however fast requests come back.
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(100)
        self._repaint.timeout.connect(self._flush)
        self._shown_progress: tuple[int, int, int, int, float] | None = None
        self._group_stale = False
        self._set_running(False)
        self._sync_visible()
        service.started.connect(self._started)
        service.progress.connect(self._progress)
        service.request_finished.connect(self._request_finished)
        service.waiting.connect(self._waiting)
        service.finished.connect(self._finished)

    def reset(self) -> None:
        """Clear the last run's outcomes: this page's run is about to start."""
        self._active = True
        for card in self.cards:
            card.deleteLater()
        self.cards.clear()
        self._accepted_run = []
        self._repaint.stop()
        self._shown_progress, self._group_stale = None, False
        self.summary.clear()
        self._hide_wait()
        self.label.setText("Starting…")
        self._sync_visible()

    def abandon(self) -> None:
        """The run did not start (or broke off): show nothing as under way."""
        self._active = False
        self._hide_wait()
        self._set_running(False)
        self.label.clear()
        self._sync_visible()

    def clear(self) -> None:
        """Forget the last run's cards and words (a new batch is being built)."""
        if self._active:
            return
        for card in self.cards:
            card.deleteLater()
        self.cards.clear()
        self._accepted_run = []
        self.summary.clear()
        self.label.clear()
        self._sync_visible()

    def _sync_visible(self) -> None:
        """Take no room while there is nothing to show (the batch gets the space)."""
        self.outcomes_area.setVisible(bool(self.cards) or not self.wait_card.isHidden())
        self.summary.setVisible(bool(self.summary.text()))
        self.setVisible(self._active or bool(self.cards) or bool(self.label.text()))

    def _set_running(self, running: bool) -> None:
        self.bar.setVisible(running)
        self.stop.setVisible(running)
        self.stop.setEnabled(running)

    def _started(self, requests: int, items: int) -> None:
        if not self._active:
            return
        self._total = requests
        self.reset()
        self.bar.setRange(0, items)
        self.bar.setValue(0)
        self._set_running(True)

    def _progress(self, done: int, total: int, items_done: int, items: int,
                  seconds_left: float) -> None:
        if not self._active:
            return
        self._shown_progress = (done, total, items_done, items, seconds_left)
        if not self._repaint.isActive():
            self._repaint.start()

    def _flush(self) -> None:
        """Show the latest progress and the accepted requests' count."""
        if self._group_stale and self._accepted_run and self.cards:
            self.cards[-1].show_outcome(accepted_group_view(self._accepted_run, self._total))
        self._group_stale = False
        if self._shown_progress is not None:
            self._show_progress(*self._shown_progress)
            self._shown_progress = None

    def _show_progress(self, done: int, total: int, items_done: int, items: int,
                       seconds_left: float) -> None:
        self.bar.setValue(items_done)
        if self._wait_until is not None:
            return  # the countdown speaks while a retry waits
        eta = ""
        if seconds_left >= 0 and items_done < items:
            eta = (f" — about {seconds_left / 60:.0f} min left" if seconds_left >= 90
                   else f" — about {max(1, round(seconds_left))} s left")
        self.label.setText(f"Sending {items_done:,} of {items:,} items "
                           f"({done} of {total} requests){eta}")

    def _request_finished(self, report: RequestReport) -> None:
        if not self._active:
            return
        self._hide_wait()
        if self._accepted_run and self.cards and groups_with(self._accepted_run[-1], report):
            self._accepted_run.append(report)
            self._group_stale = True
            if not self._repaint.isActive():
                self._repaint.start()
            return
        self._flush()  # the card before this one shows its final count
        groupable = report.kind is OutcomeKind.NOT_SENT or (
            report.kind is OutcomeKind.ACCEPTED and report.attempts <= 1)
        self._accepted_run = [report] if groupable else []
        card = OutcomeCard()
        card.setObjectName("OutcomeCard")
        card.show_outcome(request_view(report, self._total))
        card.action_requested.connect(lambda a, r=report: self.action_requested.emit(r, a))
        self.cards.append(card)
        self.cards_box.insertWidget(self.cards_box.count() - 1, card)
        self._sync_visible()

    def _waiting(self, event: Waiting) -> None:
        if not self._active:
            return
        w = event.wait
        e = entry(w.reason)
        self._wait_until = w.until
        self.wait_card.show_outcome(OutcomeView(
            ItemState.SENDING, e.title,
            f"Request {event.seq + 1} was not written; it is sent again automatically "
            f"(attempt {w.attempt}), or now if you press the button.", Written.NOTHING,
            NextStep.RETRY_LATER))
        self._countdown()
        self._tick.start()
        self._sync_visible()

    def _countdown(self) -> None:
        if self._wait_until is None:
            return
        left = (self._wait_until - datetime.now(UTC)).total_seconds()
        if left <= 0:
            self._hide_wait()
            return
        secs = max(1, round(left))
        self.wait_card.set_button_text(f"Retry now ({secs} s)")
        self.label.setText(f"Waiting {secs} s before trying again — nothing of this request "
                           "was written.")

    def _hide_wait(self) -> None:
        self._tick.stop()
        self._wait_until = None
        self.wait_card.hide()

    def _stop(self) -> None:
        if not self._active:
            return
        self._service.stop()
        self.stop.setEnabled(False)
        self.label.setText("Stopping after the request on its way…")

    def _finished(self, report: RunReport) -> None:
        if not self._active:
            return
        self._repaint.stop()
        self._flush()
        self._active = False
        self._hide_wait()
        self._set_running(False)
        parts = [f"{report.accepted:,} accepted"]
        if report.rejected:
            parts.append(f"{report.rejected:,} rejected")
        if report.unknown:
            parts.append(f"{report.unknown:,} with unknown outcome")
        if report.not_sent:
            parts.append(f"{report.not_sent:,} not sent")
        self.label.setText("Done: " + ", ".join(parts) + ".")
        if report.broke_off:
            self.summary.setText("Sending stopped because the history could not be written; "
                                 "the message below says what was sent.")
        elif report.unknown:
            self.summary.setText("Some outcomes are unknown. Those items stay in the draft "
                                 "and were not sent again: check on the server before "
                                 "sending them.")
        elif report.rejected or report.not_sent:
            self.summary.setText("Items that were not written stay in the draft, marked, so "
                                 "you can fix them and send them again.")
        else:
            self.summary.setText("Everything was accepted. The Request IDs are in the "
                                 "history.")
        self._sync_visible()


def route_outcome_action(action: str, report: RequestReport, *,
                         open_settings: Callable[[], None], check: Callable[[int], None],
                         show_item: Callable[[str, str | None], None],
                         retry: Callable[[], object] | None = None) -> None:
    """Carry out an outcome card's next step the same way on every page that sends.

    Args:
        action: The card's `NextStep` value.
        report: The request the card is about.
        open_settings: Opens the key settings (401 and other settings problems).
        check: Checks the request's submission on the server (unknown outcomes).
        show_item: Shows the item with this key and the field at fault (400 naming one).
        retry: Sends again what was not written ("Retry now" on a final card: a 5xx or gateway
            answer, after its automatic retries, wrote nothing).
    """
    if action in (NextStep.OPEN_KEY_SETTINGS.value, NextStep.CHECK_SETTINGS.value,
                  NextStep.CHECK_CONNECTION.value):
        open_settings()
    elif action == NextStep.VIEW_PLAN.value:
        QDesktopServices.openUrl(QUrl(PRICING_URL))
    elif action == NextStep.CHECK_ON_SERVER.value:
        check(report.submission_id)
    elif action == NextStep.RETRY_LATER.value and retry is not None:
        retry()
    elif action == NextStep.FIX_ITEMS.value and report.fault is not None:
        index, field = report.fault
        if 0 <= index < len(report.items):
            show_item(report.items[index].key, field)


def unwritten_keys(run: RunReport) -> set[str]:
    """The keys of a run that PacSpace certainly did not write (rejected or not sent)."""
    return {it.key for r in run.requests
            if r.state in (ItemState.REJECTED, ItemState.NOT_SENT)
            and r.entry.written is Written.NOTHING for it in r.items}


def skipped_words(skipped: list[str], added: int) -> str:
    """Says which items were not added to the batch because their key is in it already."""
    n = len(skipped)
    if not n:
        return ""
    shown = ", ".join(skipped[:3]) + (f" and {n - 3:,} more" if n > 3 else "")
    return (f"{n:,} item{'s were' if n != 1 else ' was'} already in the batch and "
            f"{'were' if n != 1 else 'was'} not added again: {shown}."
            + (f" {added:,} added." if added else ""))


def make_room(splitter: QSplitter, panel: SendingPanel) -> None:
    """Give a page's outcomes the room their cards need, as far as the form above can spare."""
    sizes = splitter.sizes()
    if len(sizes) != 2 or not panel.isVisible():
        return
    total = sum(sizes)
    top = splitter.widget(0)
    top_min = top.minimumSizeHint().height() if top is not None else 0
    cards = sum(c.sizeHint().height() + 6 for c in panel.cards[:2])
    want = panel.minimumSizeHint().height() + cards
    below = max(sizes[1], min(want, total - top_min))
    splitter.setSizes([total - below, below])
