"""The History page's filter bar and summary strip."""

from __future__ import annotations

from datetime import UTC, datetime, time

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.storage.history_query import PeriodCounts, Summary
from pacspace_desktop.storage.records import HistoryFilter
from pacspace_desktop.storage.verification import WARNING_FILTER, Verification
from pacspace_desktop.ui.history_model import number
from pacspace_desktop.ui.style import state_colour

SEARCH_DELAY_MS = 300

_OUTCOMES: list[tuple[str, frozenset[ItemState]]] = [
    ("All outcomes", frozenset()),
    (f"{ItemState.ACCEPTED.mark} Accepted or verified", frozenset({ItemState.ACCEPTED})),
    (f"{ItemState.REJECTED.mark} Rejected", frozenset({ItemState.REJECTED})),
    (f"{ItemState.UNKNOWN.mark} Outcome unknown", frozenset({ItemState.UNKNOWN})),
    (f"{ItemState.NOT_SENT.mark} Not sent", frozenset({ItemState.NOT_SENT})),
    (f"{ItemState.SENDING.mark} Sending or waiting",
     frozenset({ItemState.SENDING, ItemState.QUEUED})),
]
VERIFICATION_CHOICES: list[tuple[str, str | None]] = [
    ("Any verification", None),
    (f"{Verification.WAITING.mark} Waiting for verification", Verification.WAITING.value),
    (f"{Verification.VERIFIED.mark} All verified", Verification.VERIFIED.value),
    (f"{Verification.FAILED.mark} Verification failed", Verification.FAILED.value),
    (f"{Verification.NOT_KNOWN.mark} Not yet known", Verification.NOT_KNOWN.value),
    ("⚠ Written twice?", WARNING_FILTER),
]
_PERIODS = ["Any time", "Today", "Last 7 days", "Last 30 days", "Between dates"]


def _local_midnight(day: QDate) -> datetime:
    naive = datetime.combine(datetime(day.year(), day.month(), day.day()).date(), time())
    return naive.astimezone().astimezone(UTC)


class HistoryFilterBar(QWidget):
    """Outcome, period, environment, profile, source and search; typing is debounced.

    Signals:
        filter_changed(object): the `HistoryFilter` the person chose.
    """

    filter_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome = QComboBox()
        for text, _states in _OUTCOMES:
            self.outcome.addItem(text)
        self.outcome.setAccessibleName("Outcome")
        self.outcome.setToolTip("Show only submissions with this outcome")
        self.verification = QComboBox()
        for text, value in VERIFICATION_CHOICES:
            self.verification.addItem(text, value)
        self.verification.setAccessibleName("Verification")
        self.verification.setToolTip("Show only submissions with items in this verification "
                                     "state")
        self.period = QComboBox()
        self.period.addItems(_PERIODS)
        self.period.setAccessibleName("Period")
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        for edit, name in ((self.date_from, "From date"), (self.date_to, "To date (included)")):
            edit.setCalendarPopup(True)
            edit.setAccessibleName(name)
            edit.setToolTip(name)
            edit.setVisible(False)
            edit.dateChanged.connect(self._emit)
        self.environment = QComboBox()
        self.environment.setAccessibleName("Environment")
        self.profile = QComboBox()
        self.profile.setAccessibleName("Profile")
        self.set_choices([], [])
        self.source = QLineEdit()
        self.source.setPlaceholderText("Source (file name or form)")
        self.source.setAccessibleName("Source")
        self.source.setClearButtonEnabled(True)
        self.sent_by = QLineEdit()
        self.sent_by.setPlaceholderText("Sent by (name or computer)")
        self.sent_by.setAccessibleName("Sent by")
        self.sent_by.setClearButtonEnabled(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search record key, account ID or Request ID")
        self.search.setAccessibleName("Search by record key, account ID or Request ID")
        self.search.setToolTip("Finds submissions whose record key (key), account ID "
                               "(accountId) or Request ID starts with this text")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self.clear = QPushButton("Clear filters")
        self.clear.setAccessibleName("Clear filters")
        self.clear.clicked.connect(self.clear_filters)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._emit)

        for combo in (self.outcome, self.verification, self.period, self.environment,
                      self.profile):
            combo.currentIndexChanged.connect(self._emit)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.source.textChanged.connect(self._timer.start)
        self.sent_by.textChanged.connect(self._timer.start)
        self.search.textChanged.connect(self._timer.start)

        # Two rows, so that the bar fits a 1280-pixel screen with every control shown; long
        # profile names shorten in their box instead of widening the window.
        for combo in (self.environment, self.profile):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        self.search.setMinimumWidth(200)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        first, second = QHBoxLayout(), QHBoxLayout()
        first.addWidget(self.search, 2)
        first.addWidget(self.source, 1)
        first.addWidget(self.sent_by, 1)
        first.addWidget(self.clear)
        for w in (self.outcome, self.verification, self.period, self.date_from, self.date_to,
                  self.environment, self.profile):
            second.addWidget(w)
        second.addStretch(1)
        layout.addLayout(first)
        layout.addLayout(second)

    def set_choices(self, profiles: list[str], environments: list[str]) -> None:
        """Offer the profiles and environments that occur in the history."""
        for combo, first, values, shown in (
                (self.environment, "All environments", environments, str.upper),
                (self.profile, "All profiles", profiles, str)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for value in values:
                combo.addItem(shown(value), value)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def current_filter(self) -> HistoryFilter:
        """The filter as the controls say now."""
        since, until = self._range()
        return HistoryFilter(states=_OUTCOMES[self.outcome.currentIndex()][1], since=since,
                             until=until, environment=self.environment.currentData(),
                             profile=self.profile.currentData(),
                             source=self.source.text().strip() or None,
                             sent_by=self.sent_by.text().strip() or None,
                             search=self.search.text().strip() or None,
                             verification=self.verification.currentData())

    def clear_filters(self) -> None:
        """Show everything again."""
        for w in (self.outcome, self.period, self.environment, self.profile, self.source,
                  self.sent_by, self.search):
            w.blockSignals(True)
        self.outcome.setCurrentIndex(0)
        self.verification.blockSignals(True)
        self.verification.setCurrentIndex(0)
        self.verification.blockSignals(False)
        self.period.setCurrentIndex(0)
        self.environment.setCurrentIndex(0)
        self.profile.setCurrentIndex(0)
        self.source.clear()
        self.sent_by.clear()
        self.search.clear()
        for w in (self.outcome, self.period, self.environment, self.profile, self.source,
                  self.sent_by, self.search):
            w.blockSignals(False)
        self._period_changed()
        self._emit()

    def _range(self) -> tuple[datetime | None, datetime | None]:
        choice = self.period.currentIndex()
        today = QDate.currentDate()
        if choice == 0:
            return None, None
        if choice == len(_PERIODS) - 1:
            return (_local_midnight(self.date_from.date()),
                    _local_midnight(self.date_to.date().addDays(1)))
        days = {1: 0, 2: 6, 3: 29}[choice]
        return _local_midnight(today.addDays(-days)), None

    def _period_changed(self) -> None:
        custom = self.period.currentIndex() == len(_PERIODS) - 1
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)

    def _emit(self) -> None:
        self._timer.stop()
        self.filter_changed.emit(self.current_filter())


class SummaryStrip(QWidget):
    """Today's and this week's items by outcome, so the state is seen before it is read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = QLabel()
        self.week = QLabel()
        for label, name in ((self.today, "Today"), (self.week, "This week")):
            label.setAccessibleName(name)
            label.setWordWrap(True)  # wraps on a narrow screen instead of widening the window
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.today, 1)
        layout.addSpacing(24)
        layout.addWidget(self.week, 1)

    def show_summary(self, summary: Summary | None) -> None:
        """Show the counts (empty when unknown)."""
        if summary is None:
            self.today.clear()
            self.week.clear()
            return
        self.today.setText(self._line("Today", summary.today))
        self.week.setText(self._line("This week", summary.week))
        self.today.setToolTip(self._plain("Today", summary.today))
        self.week.setToolTip(self._plain("This week", summary.week))
        self.today.setAccessibleDescription(self._plain("Today", summary.today))
        self.week.setAccessibleDescription(self._plain("This week", summary.week))

    @staticmethod
    def _parts(counts: PeriodCounts) -> list[tuple[ItemState, int, str]]:
        return [(ItemState.ACCEPTED, counts.items_in(ItemState.ACCEPTED, ItemState.VERIFIED),
                 "accepted"),
                (ItemState.REJECTED, counts.items_in(ItemState.REJECTED), "rejected"),
                (ItemState.UNKNOWN, counts.items_in(ItemState.UNKNOWN), "unknown"),
                (ItemState.NOT_SENT, counts.items_in(ItemState.NOT_SENT), "not sent")]

    def _line(self, title: str, counts: PeriodCounts) -> str:
        spans = []
        for state, n, word in self._parts(counts):
            colour = state_colour(state).name() if n else ""
            style = f" style='color:{colour}'" if colour else ""
            weight = "<b>" if n else ""
            end = "</b>" if n else ""
            spans.append(f"<span{style}>{weight}{state.mark} {number(n)} {word}{end}</span>")
        return f"<b>{title}:</b> " + " &nbsp;·&nbsp; ".join(spans)

    def _plain(self, title: str, counts: PeriodCounts) -> str:
        parts = [f"{number(n)} item{'s' if n != 1 else ''} "
                 f"{'with an unknown outcome' if word == 'unknown' else word}"
                 for _s, n, word in self._parts(counts)]
        subs = sum(counts.submissions.values())
        return f"{title}: " + ", ".join(parts) + f" (in {number(subs)} requests)"
