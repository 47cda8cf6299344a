"""The main window: a shell that wires the pages together (navigation, menus, status bar)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
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
from pacspace_desktop.ui.status_bar import AppStatusBar
from pacspace_desktop.ui.style import ENV_COLOURS, app_icon, svg_icon

if TYPE_CHECKING:  # imported with their page, on first show
    from pacspace_desktop.ui.settings_page import SettingsPage
    from pacspace_desktop.ui.welcome_page import WelcomePage

NEW_RECORD, IMPORT_FILE, HISTORY, SETTINGS = "new-record", "import", "history", "settings"
_NAV = [(NEW_RECORD, "New record", "nav-new-record", "Ctrl+1"),
        (IMPORT_FILE, "Import file", "nav-import", "Ctrl+2"),
        (HISTORY, "History", "nav-history", "Ctrl+3"),
        (SETTINGS, "Settings", "nav-settings", "Ctrl+,")]
_KEYS = tuple(key for key, *_ in _NAV)


@dataclass(frozen=True, slots=True)
class Pages:
    """The pages the shell shows."""

    new_record: QWidget
    import_file: QWidget
    history: QWidget
    settings: SettingsPage
    welcome: WelcomePage


WELCOME = "welcome"
PageMaker = Callable[[], QWidget]


class LazyPages:
    """The shell's pages, each made the first time it is shown or asked for.

    The window paints with the page the clerk sees first; the others (and their imports)
    cost nothing until the clerk opens them. `new_record`, `import_file`, `history`,
    `settings` and `welcome` make their page when read, like the fields of `Pages`.
    """

    def __init__(self, makers: Mapping[str, PageMaker]) -> None:
        self._makers = dict(makers)
        self._built: dict[str, QWidget] = {}
        self._hooks: list[Callable[[str, QWidget], None]] = []

    @classmethod
    def of(cls, pages: Pages) -> LazyPages:
        """Pages that were made already (the shell's tests hand in plain widgets)."""
        made: dict[str, QWidget] = {NEW_RECORD: pages.new_record,
                                    IMPORT_FILE: pages.import_file, HISTORY: pages.history,
                                    SETTINGS: pages.settings, WELCOME: pages.welcome}
        return cls({key: _given(widget) for key, widget in made.items()})

    def on_built(self, hook: Callable[[str, QWidget], None]) -> None:
        """Call `hook(key, page)` for each page once it is made."""
        self._hooks.append(hook)

    def is_built(self, key: str) -> bool:
        """True once the page `key` was made."""
        return key in self._built

    def built(self) -> dict[str, QWidget]:
        """The pages made so far, by key."""
        return dict(self._built)

    def get(self, key: str) -> QWidget:
        """The page `key`, made now if it was not yet."""
        page = self._built.get(key)
        if page is None:
            page = self._makers[key]()
            self._built[key] = page
            for hook in list(self._hooks):
                hook(key, page)
        return page

    @property
    def new_record(self) -> QWidget:
        """The New record page."""
        return self.get(NEW_RECORD)

    @property
    def import_file(self) -> QWidget:
        """The Import file page."""
        return self.get(IMPORT_FILE)

    @property
    def history(self) -> QWidget:
        """The History page."""
        return self.get(HISTORY)

    @property
    def settings(self) -> SettingsPage:
        """The Settings page."""
        from pacspace_desktop.ui.settings_page import SettingsPage

        page = self.get(SETTINGS)
        assert isinstance(page, SettingsPage)
        return page

    @property
    def welcome(self) -> WelcomePage:
        """The first-run page (shown while there is no profile)."""
        from pacspace_desktop.ui.welcome_page import WelcomePage

        page = self.get(WELCOME)
        assert isinstance(page, WelcomePage)
        return page


def _given(widget: QWidget) -> PageMaker:
    return lambda: widget


class MainWindow(QMainWindow):
    """The frame: navigation left, the page in the middle, the status bar below.

    Given `Pages`, every page exists already and the window opens its first page at once.
    Given `LazyPages`, a page is made when it is first shown; the caller wires what it needs
    with `LazyPages.on_built` and then calls `open_first_page`.

    Signals:
        close_requested(): the window is about to close (the app decides if it may).
        first_painted(): the window was painted for the first time (said one event-loop
            turn after that paint, so that work started from it never delays it).
    """

    close_requested = Signal()
    first_painted = Signal()

    def __init__(self, session: SessionService, pages: Pages | LazyPages,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._pages = pages if isinstance(pages, LazyPages) else LazyPages.of(pages)
        self._started = False
        self._painted = False
        self._may_close = True
        self.setWindowIcon(app_icon())
        self.nav = QListWidget()
        self.nav.setAccessibleName("Pages")
        self.nav.setFixedWidth(170)
        self.stack = QStackedWidget()
        for key, label, icon, shortcut in _NAV:
            item = QListWidgetItem(svg_icon(icon), label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{label} ({QKeySequence(shortcut).toString()})")
            self.nav.addItem(item)
        self._pages.on_built(self._page_built)
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
        if not isinstance(pages, LazyPages):
            for key in (NEW_RECORD, IMPORT_FILE, HISTORY, SETTINGS, WELCOME):
                self._pages.get(key)
            self.open_first_page()

    def open_first_page(self, preferred: str | None = None) -> None:
        """Restore the layout and show the first page: `preferred` if given, else the page
        the clerk left, else New record (the welcome page while there is no profile). Only
        that page is made now."""
        self._started = True
        self._restore_layout(preferred)
        self.refresh()

    # -- navigation -----------------------------------------------------------------------

    def show_page(self, key: str) -> None:
        """Show a page by its key (new-record, import, history, settings); made on first
        show."""
        if not self._session.has_profile() and key != SETTINGS:
            self.stack.setCurrentWidget(self._pages.get(WELCOME))
            return
        page = self._pages.get(key)
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.blockSignals(True)  # the page is shown below, once
                self.nav.setCurrentRow(row)
                self.nav.blockSignals(False)
        self.stack.setCurrentWidget(page)

    def settings_page(self) -> SettingsPage:
        """The Settings page (made now if it was not yet)."""
        return self._pages.settings

    def when_built(self, key: str, hook: Callable[[QWidget], None]) -> None:
        """Call `hook(page)` once the page `key` is made (now, if it is made already)."""
        if self._pages.is_built(key):
            hook(self._pages.get(key))
        else:
            self._pages.on_built(lambda made, page: hook(page) if made == key else None)

    def page(self, key: str) -> QWidget:
        """The page `key` (made now if it was not yet), without showing it."""
        return self._pages.get(key)

    def current_page(self) -> str:
        """The key of the page shown ("welcome" before the first profile)."""
        shown = self.stack.currentWidget()
        for key, page in self._pages.built().items():
            if page is shown:
                return key
        return ""

    def _page_built(self, key: str, page: QWidget) -> None:
        self.stack.addWidget(page)
        if key == SETTINGS:
            self.settings_page().sandbox_requested.connect(self._session.start_sandbox_profile)
        ui = self._session.settings.ui
        if not any(name.startswith("splitter:") for name in ui):
            return  # nothing remembered yet (and looking through a page's children costs)
        for splitter in self._splitters(page):  # the dividers where the clerk left them
            saved = ui.get(f"splitter:{splitter.objectName()}")
            if isinstance(saved, str) and saved:
                splitter.restoreState(QByteArray.fromBase64(saved.encode("ascii")))

    def paintEvent(self, event: QPaintEvent) -> None:
        """Say `first_painted` once, a turn after the first paint."""
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)

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
        if not self._started:
            return
        if not self._session.has_profile():
            self.stack.setCurrentWidget(self._pages.get(WELCOME))
        elif self.current_page() in (WELCOME, ""):
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

    def _restore_layout(self, preferred: str | None) -> None:
        ui = self._session.settings.ui
        geometry = ui.get("geometry")
        if isinstance(geometry, str) and geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        else:
            self.resize(1100, 720)
        state = ui.get("window_state")
        if isinstance(state, str) and state:
            self.restoreState(QByteArray.fromBase64(state.encode("ascii")))
        page = preferred or ui.get("page")
        if isinstance(page, str) and page in _KEYS and self._session.has_profile():
            self.show_page(page)

    def _splitters(self, within: QWidget | None = None) -> list[QSplitter]:
        """The pages' dividers that have a name (only those are remembered)."""
        return [s for s in (within or self).findChildren(QSplitter) if s.objectName()]

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
            "page": page if page in _KEYS else NEW_RECORD,
        }
        for splitter in self._splitters():
            state[f"splitter:{splitter.objectName()}"] = bytes(
                splitter.saveState().toBase64().data()).decode("ascii")
        self._session.save_ui_state(state)
        event.accept()
