"""The main window: a shell that wires the pages together (navigation, menus, status bar)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop import __version__
from pacspace_desktop.domain.apikey import Environment
from pacspace_desktop.services.session_service import SessionService
from pacspace_desktop.ui.settings_page import SettingsPage
from pacspace_desktop.ui.status_bar import AppStatusBar
from pacspace_desktop.ui.style import ENV_COLOURS, app_icon, svg_icon
from pacspace_desktop.ui.welcome_page import WelcomePage

NEW_RECORD, IMPORT_FILE, HISTORY, SETTINGS = "new-record", "import", "history", "settings"
_NAV = [(NEW_RECORD, "New record", "nav-new-record", "Ctrl+1"),
        (IMPORT_FILE, "Import file", "nav-import", "Ctrl+2"),
        (HISTORY, "History", "nav-history", "Ctrl+3"),
        (SETTINGS, "Settings", "nav-settings", "Ctrl+,")]


@dataclass(frozen=True, slots=True)
class Pages:
    """The pages the shell shows."""

    new_record: QWidget
    import_file: QWidget
    history: QWidget
    settings: SettingsPage
    welcome: WelcomePage


class MainWindow(QMainWindow):
    """The frame: navigation left, the page in the middle, the status bar below.

    Signals:
        close_requested(): the window is about to close (the app decides if it may).
    """

    close_requested = Signal()

    def __init__(self, session: SessionService, pages: Pages,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._pages = pages
        self._may_close = True
        self.setWindowIcon(app_icon())
        self.nav = QListWidget()
        self.nav.setAccessibleName("Pages")
        self.nav.setFixedWidth(170)
        self.stack = QStackedWidget()
        self._index: dict[str, int] = {}
        page_of = {NEW_RECORD: pages.new_record, IMPORT_FILE: pages.import_file,
                   HISTORY: pages.history, SETTINGS: pages.settings}
        for key, label, icon, shortcut in _NAV:
            item = QListWidgetItem(svg_icon(icon), label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{label} ({QKeySequence(shortcut).toString()})")
            self.nav.addItem(item)
            self._index[key] = self.stack.addWidget(page_of[key])
        self._welcome_index = self.stack.addWidget(pages.welcome)
        self.nav.currentItemChanged.connect(self._nav_changed)

        self.live_band = QFrame()
        self.live_band.setFixedHeight(4)
        self.live_band.setAccessibleName("LIVE environment band")
        self.banners = QVBoxLayout()
        content = QVBoxLayout()
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(0)
        content.addWidget(self.live_band)
        body = QHBoxLayout()
        body.addWidget(self.nav)
        right = QVBoxLayout()
        right.addLayout(self.banners)
        right.addWidget(self.stack, 1)
        body.addLayout(right, 1)
        content.addLayout(body, 1)
        central = QWidget()
        central.setLayout(content)
        self.setCentralWidget(central)
        self.status = AppStatusBar(session)
        self.setStatusBar(self.status)
        self._build_menus()

        session.profile_changed.connect(self.refresh)
        pages.settings.sandbox_requested.connect(session.start_sandbox_profile)
        self.refresh()
        self._restore_layout()

    # -- navigation -----------------------------------------------------------------------

    def show_page(self, key: str) -> None:
        """Show a page by its key (new-record, import, history, settings)."""
        if not self._session.has_profile() and key != SETTINGS:
            self.stack.setCurrentIndex(self._welcome_index)
            return
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(row)
        self.stack.setCurrentIndex(self._index[key])

    def current_page(self) -> str:
        """The key of the page shown ("welcome" before the first profile)."""
        if self.stack.currentIndex() == self._welcome_index:
            return "welcome"
        item = self.nav.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def _nav_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.show_page(str(current.data(Qt.ItemDataRole.UserRole)))

    def add_banner(self, banner: QWidget) -> None:
        """Show a banner above every page (e.g. crash recovery)."""
        self.banners.addWidget(banner)

    def refresh(self) -> None:
        """Follow the active profile: title, environment band, welcome or pages."""
        profile = self._session.active_profile()
        env = self._session.environment()
        self.setWindowTitle("PacSpace Desktop" + (f" — {profile.name}" if profile else "")
                            + (" — LIVE" if env is Environment.LIVE else ""))
        colour = ENV_COLOURS[env][0]
        self.live_band.setStyleSheet(f"background: {colour};")
        self.live_band.setVisible(env is Environment.LIVE)
        self.nav.setEnabled(self._session.has_profile())
        if not self._session.has_profile():
            self.stack.setCurrentIndex(self._welcome_index)
        elif self.current_page() in ("welcome", ""):
            self.show_page(NEW_RECORD)

    # -- menus ----------------------------------------------------------------------------

    def _import_a_file(self) -> None:
        """Ctrl+O: the Import page, and its file dialog at once."""
        self.show_page(IMPORT_FILE)
        choose = getattr(self._pages.import_file, "choose_file", None)
        if callable(choose):
            choose()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&Import a file…", "Ctrl+O", self._import_a_file)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.edit_menu = bar.addMenu("&Edit")
        self._action(self.edit_menu, "&Settings…", "Ctrl+,", lambda: self.show_page(SETTINGS))
        view = bar.addMenu("&View")
        for key, label, _icon, shortcut in _NAV[:3]:
            self._action(view, label, shortcut, lambda _=False, k=key: self.show_page(k))
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About PacSpace Desktop", None, self.show_about)

    def add_edit_actions(self, actions: list[QAction | None]) -> None:
        """Put a page's actions at the top of the Edit menu (None: a separator)."""
        first = self.edit_menu.actions()[0] if self.edit_menu.actions() else None
        for action in [*actions, None]:
            if action is None:
                self.edit_menu.insertSeparator(first) if first else self.edit_menu.addSeparator()
            elif first is not None:
                self.edit_menu.insertAction(first, action)
            else:
                self.edit_menu.addAction(action)

    def _action(self, menu: QMenu, text: str, shortcut: str | QKeySequence.StandardKey | None,
                slot: object) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def show_about(self) -> None:
        """The About box, with the version."""
        box = QMessageBox(self)
        box.setWindowTitle("About PacSpace Desktop")
        box.setIconPixmap(app_icon().pixmap(64, 64))
        box.setText(f"<b>PacSpace Desktop {__version__}</b>")
        box.setInformativeText("Record data in PacSpace's verification layer, import invoice "
                               "files, and review everything you sent.")
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.open()

    # -- layout memory --------------------------------------------------------------------

    def _restore_layout(self) -> None:
        ui = self._session.settings.ui
        geometry = ui.get("geometry")
        if isinstance(geometry, str) and geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        else:
            self.resize(1100, 720)
        state = ui.get("window_state")
        if isinstance(state, str) and state:
            self.restoreState(QByteArray.fromBase64(state.encode("ascii")))
        page = ui.get("page")
        if isinstance(page, str) and page in self._index and self._session.has_profile():
            self.show_page(page)
        for splitter in self._splitters():  # the dividers where the clerk left them
            saved = ui.get(f"splitter:{splitter.objectName()}")
            if isinstance(saved, str) and saved:
                splitter.restoreState(QByteArray.fromBase64(saved.encode("ascii")))

    def _splitters(self) -> list[QSplitter]:
        """The pages' dividers that have a name (only those are remembered)."""
        return [s for s in self.findChildren(QSplitter) if s.objectName()]

    def set_may_close(self, may_close: bool) -> None:
        """Let the app hold the window open while it asks (e.g. a submission is running)."""
        self._may_close = may_close

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the layout; let the app object if work is under way."""
        self.close_requested.emit()
        if not self._may_close:
            event.ignore()
            return
        page = self.current_page()
        state: dict[str, str | int | bool] = {
            "geometry": bytes(self.saveGeometry().toBase64().data()).decode("ascii"),
            "window_state": bytes(self.saveState().toBase64().data()).decode("ascii"),
            "page": page if page in self._index else NEW_RECORD,
        }
        for splitter in self._splitters():
            state[f"splitter:{splitter.objectName()}"] = bytes(
                splitter.saveState().toBase64().data()).decode("ascii")
        self._session.save_ui_state(state)
        event.accept()
