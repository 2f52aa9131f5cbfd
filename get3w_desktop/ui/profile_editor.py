"""The profile editor: a name, an API address and a proxy, checked as typed, with a
connection test. Opened from the Settings dialog (ui/settings_dialog.py).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.proxy import (
    SYSTEM_PROXY,
    ProxyConfig,
    has_password,
    proxy_url_problem,
    route_said,
    validate_proxy,
)
from get3w_desktop.storage.settings import (
    Profile,
    base_url_problem,
    profile_name_problem,
    validate_base_url,
)
from get3w_desktop.ui.connection_panel import ConnectionPanel, KeyFor
from get3w_desktop.ui.messages import render
from get3w_desktop.ui.style import muted, set_tone


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    label.setVisible(False)
    label.setProperty("role", "error")
    return label


def show_error(label: QLabel, message: str | None) -> None:
    set_tone(label, "error")
    label.setText(message or "")
    label.setVisible(bool(message))


class ProfileEditor(QDialog):
    """Add a Get3W profile, or change an existing one's address and proxy; test the
    connection. `key_for(name)` reads a profile's stored key (called off the GUI thread)."""

    def __init__(
        self,
        taken: tuple[str, ...],
        existing: Profile | None = None,
        parent: QWidget | None = None,
        key_for: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._key_for = key_for
        self.setWindowTitle(self.tr("Edit profile") if existing else self.tr("Add profile"))
        self.setMinimumWidth(440)
        self._taken = taken
        self.name_edit = QLineEdit(existing.name if existing else "")
        self.name_edit.setReadOnly(existing is not None)
        self.name_edit.setToolTip(
            self.tr(
                "The name also identifies the profile's key in the keyring, so it cannot be "
                "changed; add a new profile instead."
            )
            if existing
            else self.tr("A short name, e.g. Work or Team.")
        )
        self.url_edit = QLineEdit(existing.base_url if existing else "https://api.get3w.com")
        self.url_edit.setToolTip(
            self.tr("HTTPS is required, except for addresses on this computer.")
        )
        self.name_error, self.url_error = error_label(), error_label()
        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow("", self.name_error)
        form.addRow(self.tr("API &address:"), self.url_edit)
        form.addRow("", self.url_error)
        self._proxy_rows(form, existing.proxy if existing else SYSTEM_PROXY)
        self.connection = ConnectionPanel(self._test_target, parent=self)
        form.addRow("", self.connection)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for edit in (self.name_edit, self.url_edit, self.proxy_edit):
            edit.textChanged.connect(self._revalidate)
        self.proxy_combo.currentIndexChanged.connect(self._revalidate)
        self._existing = existing
        self._revalidate()

    def _proxy_rows(self, form: QFormLayout, proxy: ProxyConfig) -> None:
        self.proxy_combo = QComboBox()
        modes = (
            ("system", self.tr("Use the system's proxy settings")),
            ("none", self.tr("No proxy: connect directly")),
            ("custom", self.tr("Use this proxy:")),
        )
        for mode, label in modes:
            self.proxy_combo.addItem(label, mode)
        self.proxy_combo.setCurrentIndex(self.proxy_combo.findData(proxy.mode))
        self.proxy_edit = QLineEdit(proxy.url)
        self.proxy_edit.setAccessibleName(self.tr("Proxy address"))
        self.proxy_edit.setPlaceholderText("http://proxy.example.com:3128")
        self.proxy_edit.setToolTip(
            self.tr(
                "http://host:port or https://host:port. A proxy that asks for a password: "
                "http://user:password@host:port."
            )
        )
        self.proxy_error = error_label()
        self.proxy_note = muted(QLabel())
        self.proxy_note.setWordWrap(True)
        form.addRow(self.tr("&Proxy:"), self.proxy_combo)
        form.addRow("", self.proxy_edit)
        form.addRow("", self.proxy_error)
        form.addRow("", self.proxy_note)

    def _proxy(self) -> ProxyConfig:
        return ProxyConfig(self.proxy_combo.currentData(), self.proxy_edit.text().strip())

    @Slot()
    def _revalidate(self) -> None:
        name_problem = None
        if self._existing is None:
            name_problem = profile_name_problem(self.name_edit.text(), self._taken)
        url_problem = base_url_problem(self.url_edit.text())
        proxy = self._proxy()
        custom = proxy.mode == "custom"
        self.proxy_edit.setEnabled(custom)
        proxy_problem = proxy_url_problem(proxy.url) if custom else None
        show_error(self.name_error, render(name_problem) if name_problem else None)
        show_error(self.url_error, render(url_problem) if url_problem else None)
        show_error(self.proxy_error, render(proxy_problem) if proxy_problem else None)
        self._update_proxy_note(proxy, url_ok=url_problem is None and proxy_problem is None)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(name_problem is None and url_problem is None and proxy_problem is None)
        self.connection.set_enabled_for(url_problem is None and proxy_problem is None)

    def _update_proxy_note(self, proxy: ProxyConfig, *, url_ok: bool) -> None:
        note = render(route_said(proxy, self.url_edit.text().strip())) if url_ok else ""
        if proxy.mode == "custom" and has_password(proxy.url):
            note += " " + self.tr(
                "The proxy password is kept in the settings file, readable only by your "
                "user account, and never shown or logged."
            )
        self.proxy_note.setText(note.strip())
        self.proxy_note.setVisible(bool(note.strip()))

    def _test_target(self) -> tuple[str, ProxyConfig, KeyFor | None] | None:
        """What "Test connection" checks: the form as it is now. The stored key is sent
        only to the address it was saved for, never to one still being typed."""
        base_url = self.url_edit.text().strip().rstrip("/")
        proxy = self._proxy()
        if validate_base_url(base_url) or validate_proxy(proxy):
            return None
        key_for: KeyFor | None = None
        existing, lookup = self._existing, self._key_for
        if existing is not None and lookup is not None and base_url == existing.base_url:
            name = existing.name
            key_for = lambda: lookup(name)  # noqa: E731 - called on the test's thread
        return base_url, proxy, key_for

    def done(self, result: int) -> None:
        self.connection.shutdown()  # a running test stops before its next stage
        super().done(result)

    def profile(self) -> Profile:
        return Profile(self.name_edit.text().strip(), self.url_edit.text().strip().rstrip("/"),
                       self._proxy())  # fmt: skip


def ask_profile(
    parent: QWidget, taken: tuple[str, ...], existing: Profile | None
) -> Profile | None:
    key_for = getattr(parent, "key_lookup", None)  # a SettingsDialog's, when it has one
    editor = ProfileEditor(taken, existing, parent, key_for=key_for)
    return editor.profile() if editor.exec() == QDialog.DialogCode.Accepted else None
