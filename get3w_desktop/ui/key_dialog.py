"""The API-key dialog for one profile: paste, check with the server, save; or remove.

The keyring and the network are used through the KeyService (off the GUI thread). The
dialog never logs the key and forgets it when it closes.

Signals:
    key_saved(str profile): a key was stored (in the keyring, or for this session only).
    key_saved_unchecked(str profile, Message reason): emitted just before `key_saved` when
        the key was stored without a check because the server could not be reached.
    key_removed(str profile): the profile's key was removed.
"""

from __future__ import annotations

import enum
import html
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.api.keycheck import KeyCheck, Verdict
from get3w_desktop.core import messages
from get3w_desktop.core.messages import Message
from get3w_desktop.core.redact import mask_key
from get3w_desktop.storage.secrets import StoreInfo
from get3w_desktop.storage.settings import Profile
from get3w_desktop.ui.a11y import clearable
from get3w_desktop.ui.help_window import install_close_keys
from get3w_desktop.ui.keyring_words import expert_detail, keyring_name, store_warning
from get3w_desktop.ui.messages import render
from get3w_desktop.ui.style import set_tone
from get3w_desktop.workers.keys import KeyLookup, KeyService


class Tone(enum.Enum):
    INFO = "info"
    GOOD = "good"
    WARN = "warn"
    BAD = "bad"


def confirm_removal(parent: QWidget, profile: str) -> bool:
    answer = QMessageBox.question(
        parent,
        QCoreApplication.translate("KeyDialog", "Remove the key?"),
        QCoreApplication.translate(
            "KeyDialog",
            "Remove the API key of profile “{profile}” from this computer? Tasks on this "
            "profile will need a key again. The key itself stays valid on Get3W.",
        ).format(profile=profile),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class KeyDialog(QDialog):
    key_saved = Signal(str)
    key_saved_unchecked = Signal(str, object)
    key_removed = Signal(str)

    # Asked before removing a key (replaceable in tests).
    confirm: Callable[[QWidget, str], bool] = staticmethod(confirm_removal)

    def __init__(self, profile: Profile, keys: KeyService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        install_close_keys(self, escape=False)  # Ctrl+W cancels, like Esc
        self._profile = profile
        self._keys = keys
        self._tickets: set[int] = set()
        self._pending_key = ""
        self._last_check: KeyCheck | None = None
        self._unchecked_reason: Message | None = None
        self._has_stored_key = False
        self._save_ticket = 0
        self.setWindowTitle(self.tr("API key — {profile}").format(profile=profile.name))
        self.setMinimumWidth(520)
        self._build()
        keys.loaded.connect(self._on_loaded)
        keys.checked.connect(self._on_checked)
        keys.saved.connect(self._on_saved)
        keys.removed.connect(self._on_removed)
        keys.failed.connect(self._on_failed)
        self._set_busy(True, self.tr("Looking for a stored key…"))
        self._tickets.add(keys.load(profile.name))

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        name, url = html.escape(self._profile.name), html.escape(self._profile.base_url)
        intro = QLabel(
            self.tr(
                "Paste the API key for <b>{name}</b> (<code>{url}</code>). It is checked with "
                "the server before it is saved. Create keys in your Get3W account."
            ).format(name=name, url=url)
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)

        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("sk_…")
        clearable(self.key_edit)
        self.key_edit.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhNoAutoUppercase
            | Qt.InputMethodHint.ImhHiddenText
        )
        self.key_edit.setAccessibleName(self.tr("API key"))
        self.key_edit.setToolTip(self.tr("Your key is masked; use Show to check what you pasted."))
        self.key_edit.textChanged.connect(self._on_text_changed)
        self.reveal_action = QAction(self.tr("Show"), self)
        self.reveal_action.setCheckable(True)
        self.reveal_action.setShortcut(QKeySequence("Alt+S"))
        self.reveal_action.setToolTip(self.tr("Show or hide the key (Alt+S)"))
        self.reveal_action.toggled.connect(self._on_reveal)
        reveal = QToolButton()
        reveal.setDefaultAction(self.reveal_action)
        reveal.setAccessibleName(self.tr("Show the key"))
        field = QHBoxLayout()
        field.setContentsMargins(0, 0, 0, 0)
        field.addWidget(self.key_edit, 1)
        field.addWidget(reveal)

        self.stored_label = QLabel("…")
        self.stored_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where_label = QLabel("…")
        self.where_label.setWordWrap(True)
        self.where_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        key_label = QLabel(self.tr("&API key:"))
        key_label.setBuddy(self.key_edit)
        form.addRow(key_label, field)
        form.addRow(self.tr("Stored key:"), self.stored_label)
        form.addRow(self.tr("Kept in:"), self.where_label)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: a spinner without a custom widget
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(80)
        self.busy.setMaximumHeight(12)
        self.busy.setAccessibleName(self.tr("Working"))
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status = QHBoxLayout()
        status.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignTop)
        status.addWidget(self.status_label, 1)

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.tr("Check and &save"))
        self.save_button.setDefault(True)
        self.save_button.setToolTip(self.tr("Ask the server whether the key works, then store it."))
        self.save_button.clicked.connect(self._on_check_and_save)
        self.save_unchecked_button = QPushButton(self.tr("Save &without checking"))
        self.save_unchecked_button.setToolTip(
            self.tr("The server could not be reached; store it anyway.")
        )
        self.save_unchecked_button.clicked.connect(self._on_save_unchecked)
        self.save_unchecked_button.hide()
        self.remove_button = QPushButton(self.tr("&Remove key"))
        self.remove_button.setToolTip(self.tr("Forget the stored key on this computer."))
        self.remove_button.clicked.connect(self._on_remove)
        self.remove_button.hide()
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.save_unchecked_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.key_edit.setFocus()
        self._on_text_changed("")

    # -- state ---------------------------------------------------------------------------

    @property
    def profile(self) -> str:
        return self._profile.name

    def is_busy(self) -> bool:
        return bool(self._tickets)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy.setVisible(busy)
        self.key_edit.setEnabled(not busy)
        self.reveal_action.setEnabled(not busy)
        self.save_button.setEnabled(not busy and bool(self.key_edit.text().strip()))
        self.save_unchecked_button.setEnabled(not busy)
        self.remove_button.setEnabled(not busy)
        if message:
            self._say(message, Tone.INFO)

    def _say(self, message: str, tone: Tone) -> None:
        tones = {Tone.INFO: None, Tone.GOOD: "good", Tone.WARN: "warn", Tone.BAD: "error"}
        set_tone(self.status_label, tones[tone])
        self.status_label.setText(message)
        self.status_label.setProperty("tone", tone.value)

    def _show_where(self, info: StoreInfo) -> None:
        if info.secure:
            where = keyring_name(info.backend_name)
            text = self.tr("{where}, encrypted (secure)").format(
                where=where[:1].upper() + where[1:]
            )
        else:
            text = self.tr("Memory, for this session only (not secure: no usable keyring)")
        self.where_label.setText(text)
        tip = self.tr("Keyring backend (for experts):")
        self.where_label.setToolTip(f"{tip}\n{expert_detail(info)}")

    def _show_stored(self, key: str | None) -> None:
        self._has_stored_key = bool(key)
        self.stored_label.setText(mask_key(key) if key else self.tr("none"))
        self.remove_button.setVisible(self._has_stored_key)

    # -- actions -------------------------------------------------------------------------

    @Slot(str)
    def _on_text_changed(self, text: str) -> None:
        self.save_button.setEnabled(bool(text.strip()) and not self.is_busy())
        self.save_unchecked_button.hide()

    @Slot(bool)
    def _on_reveal(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.key_edit.setEchoMode(mode)
        self.reveal_action.setText(self.tr("Hide") if shown else self.tr("Show"))

    @Slot()
    def _on_check_and_save(self) -> None:
        key = self.key_edit.text().strip()
        if not key or self.is_busy():
            return
        self._pending_key = key
        self._unchecked_reason = None  # this one is checked
        self.save_unchecked_button.hide()
        self._set_busy(
            True, self.tr("Checking the key with {url}…").format(url=self._profile.base_url)
        )
        self._tickets.add(self._keys.check(self._profile.base_url, key))

    @Slot()
    def _on_save_unchecked(self) -> None:
        key = self.key_edit.text().strip()
        if not key or self.is_busy():
            return
        self._pending_key = key
        check, self._last_check = self._last_check, None
        error = check.error if check is not None else None
        self._unchecked_reason = (
            messages.for_error(error) if error is not None else check.said if check else None
        )
        self.save_unchecked_button.hide()
        self._set_busy(True, self.tr("Saving the key…"))
        self._save_ticket = self._keys.save(self._profile.name, key)
        self._tickets.add(self._save_ticket)

    @Slot()
    def _on_remove(self) -> None:
        if self.is_busy() or not type(self).confirm(self, self._profile.name):
            return
        self._set_busy(True, self.tr("Removing the key…"))
        self._tickets.add(self._keys.delete(self._profile.name))

    # -- answers from the key service ----------------------------------------------------

    def _mine(self, ticket: int) -> bool:
        if ticket not in self._tickets:
            return False
        self._tickets.discard(ticket)
        return True

    @Slot(int, str, object)
    def _on_loaded(self, ticket: int, _profile: str, lookup: object) -> None:
        if not self._mine(ticket) or not isinstance(lookup, KeyLookup):
            return
        self._show_stored(lookup.key)
        self._show_where(lookup.info)
        self._set_busy(False)
        self._say(store_warning(lookup.info), Tone.WARN)

    @Slot(int, object)
    def _on_checked(self, ticket: int, result: object) -> None:
        if not self._mine(ticket) or not isinstance(result, KeyCheck):
            return
        self._last_check = result
        if result.verdict is Verdict.ACCEPTED:
            self._set_busy(True, self.tr("{result} Saving…").format(result=render(result.said)))
            self._save_ticket = self._keys.save(self._profile.name, self._pending_key)
            self._tickets.add(self._save_ticket)
            return
        self._pending_key = ""
        self._set_busy(False)
        if result.verdict is Verdict.REFUSED:
            self._say(
                self.tr("{result} Nothing was saved.").format(result=render(result.said)), Tone.BAD
            )
            self.key_edit.setFocus()
            self.key_edit.selectAll()
            return
        self._say(
            self.tr("{result} Nothing was saved yet.").format(result=render(result.said)),
            Tone.WARN,
        )
        self.save_unchecked_button.show()

    @Slot(int, str, object)
    def _on_saved(self, ticket: int, profile: str, info: object) -> None:
        if not self._mine(ticket) or not isinstance(info, StoreInfo):
            return
        self._set_busy(False)
        self._show_stored(self._pending_key)
        self._show_where(info)
        self._pending_key = ""
        self.key_edit.clear()
        checked = render(self._last_check.said) + " " if self._last_check else ""
        if info.secure:
            self._say(checked + self.tr("Saved."), Tone.GOOD)
        else:
            self._say(checked + store_warning(info), Tone.WARN)
        self._become_closable()
        reason, self._unchecked_reason = self._unchecked_reason, None
        if reason is not None:
            self.key_saved_unchecked.emit(profile, reason)
        self.key_saved.emit(profile)

    @Slot(int, str, object)
    def _on_removed(self, ticket: int, profile: str, info: object) -> None:
        if not self._mine(ticket) or not isinstance(info, StoreInfo):
            return
        self._set_busy(False)
        self._show_stored(None)
        self._show_where(info)
        self._say(self.tr("The key was removed."), Tone.GOOD)
        self._become_closable()
        self.key_removed.emit(profile)

    @Slot(int, str, str)
    def _on_failed(self, ticket: int, _profile: str, message: Message) -> None:
        if not self._mine(ticket):
            return
        self._pending_key = ""
        self._unchecked_reason = None
        self._set_busy(False)
        self._say(render(message), Tone.BAD)

    def _become_closable(self) -> None:
        self.close_button.setText(self.tr("Close"))
        self.close_button.setDefault(True)
        self.save_button.setDefault(False)
        self.close_button.setFocus()

    # -- closing -------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Forget the key on the way out. Answers still in flight are ignored, except a save
        already under way: it completes, and `key_saved` still tells the app."""
        self._tickets &= {self._save_ticket}
        self._pending_key = ""
        self.key_edit.clear()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._tickets &= {self._save_ticket}
        super().closeEvent(event)
