"""The settings dialog: edits a Settings value with inline validation; the caller saves it.

OK stays disabled while anything is invalid, and each problem is shown under its field.
Profiles can be added, edited (address only: the name is the key's keyring entry) and
removed; the built-in sandbox is always there.

Signals:
    key_requested(str profile): the person wants to set the API key of a profile.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.export import EXAMPLE_SUFFIX, example_job, file_name
from get3w_desktop.core.filenames import PLACEHOLDERS, validate_pattern
from get3w_desktop.storage.settings import (
    CONCURRENCY_RANGE,
    KNOWN_CHANNELS,
    MAX_CAP,
    SANDBOX_PROFILE,
    NotifyMode,
    Profile,
    Settings,
    SubmitModeSetting,
    Theme,
    validate,
)
from get3w_desktop.ui.help_window import install_close_keys
from get3w_desktop.ui.i18n import available_languages
from get3w_desktop.ui.messages import render
from get3w_desktop.ui.profile_editor import ask_profile, error_label, show_error
from get3w_desktop.ui.style import muted
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP

SERVER_DEFAULT = QT_TRANSLATE_NOOP("SettingsDialog", "(server default)")
# What a limit starts at when it is switched on.
SUGGESTED_CAPS = {"cap_per_batch": 5.0, "cap_per_day": 20.0, "confirm_above": 1.0}


def sample_filename(pattern: str) -> str:
    """The name Save… proposes under `pattern` for a typical task's output (`example_job`:
    model · prompt · seed), through the same `file_name`. ValueError for a bad pattern."""
    problem = validate_pattern(pattern)
    if problem:
        raise ValueError(problem)
    return file_name(example_job(), 1, EXAMPLE_SUFFIX, pattern)


def _plain(label: str) -> str:
    """A form label as an accessible name: "&Download folder:" -> "Download folder"."""
    return label.replace("&", "").rstrip(":：").strip()


class SettingsDialog(QDialog):
    key_requested = Signal(str)

    # Opens the profile editor (replaceable in tests).
    ask: Callable[[QWidget, tuple[str, ...], Profile | None], Profile | None] = staticmethod(
        ask_profile
    )

    def __init__(
        self, settings: Settings, parent: QWidget | None = None, *,
        key_lookup: Callable[[str], str | None] | None = None,
    ) -> None:  # fmt: skip
        """`key_lookup(profile)` reads a stored key for "Test connection" (called off the
        GUI thread; without it the test checks everything but the key)."""
        super().__init__(parent)
        install_close_keys(self, escape=False)  # Ctrl+W cancels, like Esc
        self.key_lookup = key_lookup
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(560)
        self.resize(640, 460)
        self._original = settings
        self._profiles: list[Profile] = [p for p in settings.profiles if not p.is_sandbox]
        self._errors: dict[str, QLabel] = {}
        self._caps_shown: dict[str, float] = {}
        tabs = QTabWidget()
        tabs.addTab(self._service_page(settings), self.tr("&Service"))
        tabs.addTab(self._files_page(settings), self.tr("&Files"))
        tabs.addTab(self._spending_page(settings), self.tr("S&pending"))
        tabs.addTab(self._appearance_page(settings), self.tr("&Appearance"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.buttons)
        self._refresh_profiles(settings.active_profile)
        self._revalidate()

    # -- pages ---------------------------------------------------------------------------

    def _service_page(self, s: Settings) -> QWidget:
        self.profile_list = QListWidget()
        self.profile_list.setAccessibleName(self.tr("Profiles"))
        self.profile_list.setToolTip(self.tr("Where tasks run. The sandbox is built in and free."))
        self.profile_list.setMinimumHeight(96)
        self.profile_list.currentRowChanged.connect(self._on_profile_selected)
        self.add_button = QPushButton(self.tr("A&dd…"))
        self.edit_button = QPushButton(self.tr("&Edit…"))
        self.remove_button = QPushButton(self.tr("&Remove"))
        self.key_button = QPushButton(self.tr("API &key…"))
        self.key_button.setToolTip(self.tr("Set, check or remove this profile's API key."))
        self.add_button.clicked.connect(self._on_add)
        self.edit_button.clicked.connect(self._on_edit)
        self.remove_button.clicked.connect(self._on_remove)
        self.key_button.clicked.connect(self._on_key)
        side = QVBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button, self.key_button):
            side.addWidget(button)
        side.addStretch(1)
        profiles = QHBoxLayout()
        profiles.addWidget(self.profile_list, 1)
        profiles.addLayout(side)

        self.active_combo = QComboBox()
        self.active_combo.setToolTip(self.tr("New tasks run on this profile."))
        self.channel_combo = QComboBox()
        self.channel_combo.setEditable(True)
        server_default = self.tr(SERVER_DEFAULT)
        self.channel_combo.addItems([server_default, *KNOWN_CHANNELS])
        self.channel_combo.setCurrentText(s.default_channel or server_default)
        self.channel_combo.setToolTip(
            self.tr(
                "Get3W's service tier: economy (cheapest), stable, official. "
                "A model's form can still override it."
            )
        )
        self.mode_combo = QComboBox()
        self.mode_combo.addItem(
            self.tr("Submit, then check back (recommended)"), SubmitModeSetting.ASYNC
        )
        self.mode_combo.addItem(
            self.tr("Wait for the answer (quick models only)"), SubmitModeSetting.SYNC
        )
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(s.submit_mode))
        self.concurrency_spin = QSpinBox()
        self.concurrency_spin.setRange(*CONCURRENCY_RANGE)
        self.concurrency_spin.setValue(s.concurrency)
        self.concurrency_spin.setSuffix(self.tr(" at once"))
        self.concurrency_spin.setToolTip(
            self.tr("How many tasks run at the same time; more wait in line.")
        )

        form = QFormLayout()
        form.addRow(self.tr("Profiles:"), profiles)
        form.addRow("", self._error_for("profiles"))
        form.addRow(self.tr("Ac&tive profile:"), self.active_combo)
        form.addRow(self.tr("Default &channel:"), self.channel_combo)
        form.addRow("", self._error_for("default_channel"))
        form.addRow(self.tr("Submit &mode:"), self.mode_combo)
        form.addRow(self.tr("Tasks at &once:"), self.concurrency_spin)
        form.addRow("", self._error_for("concurrency"))
        self.active_combo.currentIndexChanged.connect(self._revalidate)
        self.channel_combo.currentTextChanged.connect(self._revalidate)
        return self._page(form)

    def _files_page(self, s: Settings) -> QWidget:
        self.download_edit = QLineEdit(s.download_folder)
        self.download_edit.setToolTip(
            self.tr("Where “Save” puts outputs unless you choose otherwise.")
        )
        self.autosave_check = QCheckBox(self.tr("Save every output automatically"))
        self.autosave_check.setChecked(s.autosave_folder is not None)
        self.autosave_edit = QLineEdit(s.autosave_folder or "")
        self.autosave_edit.setEnabled(s.autosave_folder is not None)
        self.autosave_check.toggled.connect(self.autosave_edit.setEnabled)
        self.pattern_edit = QLineEdit(s.filename_pattern)
        self.pattern_edit.setToolTip(
            self.tr("Placeholders: {names}").format(
                names=" ".join("{" + p + "}" for p in PLACEHOLDERS)
            )
        )
        self.preview_label = muted(QLabel())
        self.preview_label.setWordWrap(True)
        self.preview_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.preview_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow(self.tr("&Download folder:"), self._with_browse(self.download_edit))
        self.download_edit.setAccessibleName(_plain(self.tr("&Download folder:")))
        form.addRow("", self._error_for("download_folder"))
        form.addRow("", self.autosave_check)
        form.addRow(self.tr("Auto-save f&older:"), self._with_browse(self.autosave_edit))
        self.autosave_edit.setAccessibleName(_plain(self.tr("Auto-save f&older:")))
        form.addRow("", self._error_for("autosave_folder"))
        form.addRow(self.tr("File &names:"), self.pattern_edit)
        form.addRow("", self.preview_label)
        form.addRow("", self._error_for("filename_pattern"))
        self.sidecar_check = QCheckBox(
            self.tr("Also &write a JSON recipe beside each saved output")
        )
        self.sidecar_check.setToolTip(
            self.tr(
                "A small .json file with the model, parameters, seed, task id and cost, "
                "so any output can be made again."
            )
        )
        self.sidecar_check.setChecked(s.sidecars)
        form.addRow("", self.sidecar_check)
        for edit in (self.download_edit, self.autosave_edit, self.pattern_edit):
            edit.textChanged.connect(self._revalidate)
        self.autosave_check.toggled.connect(self._revalidate)
        return self._page(form)

    def _spending_page(self, s: Settings) -> QWidget:
        self.batch_cap_check, self.batch_cap_spin = self._cap_row(
            self.tr("&Limit each run to"), s.cap_per_batch, "cap_per_batch"
        )
        self.batch_cap_check.setToolTip(
            self.tr("A run is one Generate press: a single task, its variations, or a whole batch.")
        )
        self.day_cap_check, self.day_cap_spin = self._cap_row(
            self.tr("L&imit each day to"), s.cap_per_day, "cap_per_day"
        )
        self.day_cap_check.setToolTip(
            self.tr("Everything sent today, on every profile (the sandbox too), counts.")
        )
        self.confirm_check, self.confirm_spin = self._cap_row(
            self.tr("As&k before sending a run above"), s.confirm_above, "confirm_above"
        )
        self.confirm_check.setToolTip(
            self.tr(
                "A run costing more than this shows its model, count and total, and is sent "
                "only when you press Send."
            )
        )
        intro = muted(QLabel(self.tr(
            "Before anything is sent, its price is checked against these limits; a run that "
            "would go over is not sent, and you are told why. Prices come from the service "
            "when it quotes them, otherwise from the model list (an estimate)."
        )))  # fmt: skip
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(intro)
        form.addRow(self.batch_cap_check, self.batch_cap_spin)
        form.addRow("", self._error_for("cap_per_batch"))
        form.addRow(self.day_cap_check, self.day_cap_spin)
        form.addRow("", self._error_for("cap_per_day"))
        form.addRow(self.confirm_check, self.confirm_spin)
        form.addRow("", self._error_for("confirm_above"))
        return self._page(form)

    def _cap_row(
        self, text: str, value: float | None, field: str
    ) -> tuple[QCheckBox, QDoubleSpinBox]:
        check = QCheckBox(text)
        spin = QDoubleSpinBox()
        spin.setAccessibleName(text.replace("&", ""))
        spin.setRange(0.0, MAX_CAP)
        spin.setDecimals(2)
        spin.setSingleStep(1.0)
        spin.setPrefix("$ ")
        spin.setValue(value if value is not None else SUGGESTED_CAPS[field])
        self._caps_shown[field] = spin.value()  # as the box rounded it
        spin.setEnabled(value is not None)
        check.setChecked(value is not None)
        check.toggled.connect(spin.setEnabled)
        check.toggled.connect(self._revalidate)
        spin.valueChanged.connect(self._revalidate)
        return check, spin

    def _appearance_page(self, s: Settings) -> QWidget:
        self.theme_combo = QComboBox()
        themes = (
            (Theme.SYSTEM, self.tr("Follow the system")),
            (Theme.LIGHT, self.tr("Light")),
            (Theme.DARK, self.tr("Dark")),
        )
        for theme, label in themes:
            self.theme_combo.addItem(label, theme)
        self.theme_combo.setCurrentIndex(self.theme_combo.findData(s.theme))
        self.notify_check = QCheckBox(self.tr("Notify me when a task finishes or fails"))
        self.notify_check.setChecked(s.notifications)
        self.notify_combo = QComboBox()
        self.notify_combo.addItem(self.tr("for each task"), NotifyMode.TASK)
        self.notify_combo.addItem(self.tr("once everything running has finished"), NotifyMode.QUEUE)
        self.notify_combo.setCurrentIndex(max(0, self.notify_combo.findData(s.notify_mode)))
        self.notify_combo.setEnabled(s.notifications)
        self.notify_check.toggled.connect(self.notify_combo.setEnabled)
        self.language_combo = QComboBox()
        self.language_combo.addItem(self.tr("System language"), None)
        for code, name in available_languages().items():
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(s.language)))
        self.language_combo.setToolTip(self.tr("The language of the interface; applies at once"))
        form = QFormLayout()
        form.addRow(self.tr("&Language:"), self.language_combo)
        form.addRow(self.tr("&Theme:"), self.theme_combo)
        form.addRow("", self.notify_check)
        form.addRow(self.tr("&Notify:"), self.notify_combo)
        return self._page(form)

    def _page(self, form: QFormLayout) -> QWidget:
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        page = QWidget()
        page.setLayout(form)
        return page

    def _error_for(self, field: str) -> QLabel:
        label = error_label()
        label.setObjectName(f"error-{field}")
        self._errors[field] = label
        return label

    def _with_browse(self, edit: QLineEdit) -> QWidget:
        button = QPushButton(self.tr("Browse…"))
        button.setToolTip(self.tr("Choose a folder"))
        button.setEnabled(edit.isEnabled())
        if edit is self.autosave_edit:
            self.autosave_check.toggled.connect(button.setEnabled)
        button.clicked.connect(lambda: self._browse(edit))
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        layout.addWidget(button)
        return row

    def _browse(self, edit: QLineEdit) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder"), edit.text())
        if chosen:
            edit.setText(chosen)

    # -- profiles ------------------------------------------------------------------------

    def _refresh_profiles(self, active: str | None = None) -> None:
        current = active or self.active_combo.currentText()
        self.profile_list.clear()
        sandbox = QListWidgetItem(self.tr("sandbox — built in, runs on this computer, free"))
        sandbox.setData(Qt.ItemDataRole.UserRole, SANDBOX_PROFILE)
        self.profile_list.addItem(sandbox)
        for profile in self._profiles:
            shown = f"{profile.name} — {profile.base_url}"
            if profile.proxy.mode != "system":
                shown += f" · {profile.proxy.describe()}"  # the password is masked
            item = QListWidgetItem(shown)
            item.setData(Qt.ItemDataRole.UserRole, profile.name)
            self.profile_list.addItem(item)
        names = [SANDBOX_PROFILE, *(p.name for p in self._profiles)]
        self.active_combo.blockSignals(True)
        self.active_combo.clear()
        self.active_combo.addItems(names)
        self.active_combo.setCurrentText(current if current in names else SANDBOX_PROFILE)
        self.active_combo.blockSignals(False)
        self.profile_list.setCurrentRow(0)
        self._on_profile_selected(0)

    def _selected(self) -> Profile | None:
        row = self.profile_list.currentRow() - 1  # row 0 is the sandbox
        return self._profiles[row] if 0 <= row < len(self._profiles) else None

    @Slot(int)
    def _on_profile_selected(self, _row: int) -> None:
        editable = self._selected() is not None
        for button in (self.edit_button, self.remove_button, self.key_button):
            button.setEnabled(editable)

    def _taken(self) -> tuple[str, ...]:
        return (SANDBOX_PROFILE, *(p.name for p in self._profiles))

    @Slot()
    def _on_add(self) -> None:
        added = type(self).ask(self, self._taken(), None)
        if added is not None:
            self._profiles.append(added)
            self._refresh_profiles()
            self.profile_list.setCurrentRow(len(self._profiles))
            self._revalidate()

    @Slot()
    def _on_edit(self) -> None:
        existing = self._selected()
        if existing is None:
            return
        row = self._profiles.index(existing)
        changed = type(self).ask(self, self._taken(), existing)
        if changed is not None:
            self._profiles[row] = dataclasses.replace(changed, name=existing.name)
            self._refresh_profiles()
            self.profile_list.setCurrentRow(row + 1)
            self._revalidate()

    @Slot()
    def _on_remove(self) -> None:
        existing = self._selected()
        if existing is not None:
            self._profiles.remove(existing)
            self._refresh_profiles()
            self._revalidate()

    @Slot()
    def _on_key(self) -> None:
        selected = self._selected()
        if selected is not None:
            self.key_requested.emit(selected.name)

    # -- the result ----------------------------------------------------------------------

    def settings(self) -> Settings:
        """The edited settings (check `validate` or OK's state before using them)."""
        channel = self.channel_combo.currentText().strip()
        return dataclasses.replace(
            self._original,
            profiles=tuple(self._profiles),
            active_profile=self.active_combo.currentText() or SANDBOX_PROFILE,
            default_channel=None
            if channel in ("", SERVER_DEFAULT, self.tr(SERVER_DEFAULT))
            else channel,
            submit_mode=self.mode_combo.currentData(),
            concurrency=self.concurrency_spin.value(),
            download_folder=self.download_edit.text().strip(),
            autosave_folder=(
                self.autosave_edit.text().strip() if self.autosave_check.isChecked() else None
            ),
            filename_pattern=self.pattern_edit.text(),
            theme=self.theme_combo.currentData(),
            notifications=self.notify_check.isChecked(),
            notify_mode=self.notify_combo.currentData(),
            cap_per_batch=self._cap(self.batch_cap_check, self.batch_cap_spin, "cap_per_batch"),
            cap_per_day=self._cap(self.day_cap_check, self.day_cap_spin, "cap_per_day"),
            confirm_above=self._cap(self.confirm_check, self.confirm_spin, "confirm_above"),
            sidecars=self.sidecar_check.isChecked(),
            language=self.language_combo.currentData(),
        )

    def _cap(self, check: QCheckBox, spin: QDoubleSpinBox, field: str) -> float | None:
        if not check.isChecked():
            return None
        original: float | None = getattr(self._original, field)
        # The spin box shows cents; an untouched limit keeps its exact value.
        if original is not None and spin.value() == self._caps_shown[field]:
            return original
        return spin.value()

    def removed_profiles(self) -> tuple[str, ...]:
        """Profiles that were removed here: the caller may offer to forget their keys."""
        kept = {SANDBOX_PROFILE, *(p.name for p in self._profiles)}
        return tuple(p.name for p in self._original.profiles if p.name not in kept)

    @Slot()
    def _revalidate(self) -> None:
        issues = validate(self.settings())
        by_field: dict[str, list[str]] = {}
        for issue in issues:
            key = (
                "profiles"
                if issue.field.startswith(("profiles.", "active_profile"))
                else (issue.field)
            )
            said = issue.said
            shown = render(said) if said is not None and said.fallback == issue.message else None
            by_field.setdefault(key, []).append(shown or issue.message)
        for field, label in self._errors.items():
            messages = by_field.get(field)
            show_error(label, " ".join(messages) if messages else None)
        self._update_preview()
        self.ok_button.setEnabled(not issues)
        self.ok_button.setToolTip("" if not issues else self.tr("Fix the problems shown first."))

    def _update_preview(self) -> None:
        try:
            name = sample_filename(self.pattern_edit.text())
        except ValueError:
            self.preview_label.setText("")
            self.preview_label.setVisible(False)
            return
        self.preview_label.setText(self.tr("For example: {name}").format(name=name))
        self.preview_label.setVisible(True)
