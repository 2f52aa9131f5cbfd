"""Where tasks go, always visible: the sandbox banner and the status-bar service switch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, Qt, QTime, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton

from get3w_desktop.ui.messages import render
from get3w_desktop.ui.style import SANDBOX_BADGE, SANDBOX_BANNER, SERVICE_BADGE, UNREACHABLE_BADGE
from get3w_desktop.workers.reachability import Reach


@dataclass(frozen=True)
class ServiceInfo:
    """Where tasks go, and what the window says about it."""

    profile: str  # recorded on every job
    name: str  # the status bar badge, e.g. "Sandbox"
    detail: str  # one line for people
    is_sandbox: bool
    base_url: str = ""  # for "Copy as curl": the address of this service's API
    #: The untranslated texts `name` and `detail` came from (context "ServiceInfo", `{url}`
    #: filled in), so the badge speaks the language of the moment, not the one it began in.
    name_source: str = ""
    detail_source: str = ""

    def shown_name(self) -> str:
        if not self.name_source:
            return self.name
        return QCoreApplication.translate("ServiceInfo", self.name_source)

    def shown_detail(self) -> str:
        if not self.detail_source:
            return self.detail
        text = QCoreApplication.translate("ServiceInfo", self.detail_source)
        return text.replace("{url}", self.base_url)


class SandboxBanner(QFrame):
    """A strip over the window while tasks run in the sandbox, with the way out.

    Signals:
        key_requested(): "Enter API key…" was pressed.
    """

    key_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("sandboxBanner")
        self.setStyleSheet(SANDBOX_BANNER)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 7, 10, 7)
        row.setSpacing(10)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.key_button = QPushButton()
        self.key_button.clicked.connect(self.key_requested)
        row.addWidget(self.text, 1)
        row.addWidget(self.key_button)
        self.retranslate()

    def retranslate(self) -> None:
        self.text.setText(
            self.tr(
                "<b>Sandbox</b> — results are simulated on this computer and nothing is "
                "charged. Add your Get3W API key to generate for real."
            )
        )
        self.key_button.setText(self.tr("Enter API key…"))
        self.key_button.setToolTip(self.tr("Store your Get3W API key in the system keyring"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class ServiceBadge(QToolButton):
    """The status bar's service name; a click lists the profiles to switch to.

    Signals:
        profile_chosen(str): the person picked another profile.
        manage_requested(): "Profiles and settings…".
    """

    profile_chosen = Signal(str)
    manage_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setAutoRaise(True)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._menu = QMenu(self)
        self.setMenu(self._menu)
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self._service: ServiceInfo | None = None
        self._reach: Reach | None = None
        self._profiles: tuple[list[str], str] = (["sandbox"], "sandbox")
        self.set_profiles(["sandbox"], "sandbox")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            if self._service is not None:
                self._show()
            self.set_profiles(*self._profiles)
        super().changeEvent(event)

    def set_service(self, service: ServiceInfo) -> None:
        """Show `service`; whether it can be reached is unknown again until `set_reach`."""
        self._service = service
        self._reach = None
        self._show()

    def set_reach(self, reach: Reach | None) -> None:
        """Whether the service's host answers (None or reachable: the normal badge)."""
        self._reach = reach
        if self._service is not None:
            self._show()

    @property
    def unreachable(self) -> bool:
        return self._reach is not None and not self._reach.reachable

    def _show(self) -> None:
        service = self._service
        assert service is not None
        name = service.shown_name()
        detail = service.shown_detail()
        style = SANDBOX_BADGE if service.is_sandbox else SERVICE_BADGE
        tip = self.tr("{detail}\nClick to switch where tasks run.").format(detail=detail)
        if self.unreachable and self._reach is not None:
            name = self.tr("{name} · cannot reach").format(name=name)
            detail = self._why(self._reach)
            tip = self.tr("{why}\nClick to switch where tasks run.").format(why=detail)
            style = UNREACHABLE_BADGE
        self.setText(f"{name} ▾")
        self.setToolTip(tip)
        self.setAccessibleName(self.tr("Service: {name}").format(name=name))
        self.setAccessibleDescription(detail)
        self.setStyleSheet(
            f"QToolButton {{ {style} }}QToolButton::menu-indicator {{ image: none; width: 0; }}"
        )

    def _why(self, reach: Reach) -> str:
        """Why the host cannot be reached, and when the next try is."""
        reason = render(reach.reason) if reach.reason is not None else ""
        head = self.tr("Cannot reach the service: {reason}").format(reason=reason)
        if reach.retry_at is None:
            return head
        when = dt.datetime.fromtimestamp(reach.retry_at)
        clock = QLocale().toString(
            QTime(when.hour, when.minute, when.second), QLocale.FormatType.LongFormat
        )
        tail = self.tr(
            "New tasks wait until it answers. Trying again at {time} (failed tries: {tries})."
        ).format(time=clock, tries=reach.tries)
        return f"{head}\n{tail}"

    def set_profiles(self, names: list[str], active: str) -> None:
        self._profiles = (list(names), active)
        self._menu.clear()
        for act in self._group.actions():
            self._group.removeAction(act)
        heading = self._menu.addSection(self.tr("Run new tasks on"))
        heading.setEnabled(False)
        for name in names:
            label = self.tr("Sandbox (offline, free)") if name == "sandbox" else name
            act = QAction(label, self._menu)
            act.setCheckable(True)
            act.setChecked(name == active)
            act.setData(name)
            act.triggered.connect(lambda _checked=False, n=name: self.profile_chosen.emit(n))
            self._group.addAction(act)
            self._menu.addAction(act)
        self._menu.addSeparator()
        manage = self._menu.addAction(self.tr("Profiles and settings…"))
        manage.triggered.connect(lambda _checked=False: self.manage_requested.emit())

    def profile_actions(self) -> list[QAction]:
        return list(self._group.actions())
