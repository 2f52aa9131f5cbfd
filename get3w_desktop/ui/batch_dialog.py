"""The batch dialog: many prompts (or CSV rows) × N variations, checked before anything is sent.

The form gives every value a row does not name. The count and the estimated cost follow
each keystroke; problems are listed with their row and highlighted in the preview, and
Start stays disabled until there are none. The caller sends the returned `BatchPlan`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.core.batch import (
    MAX_FILE_BYTES,
    BatchPlan,
    SourceFormat,
    build_plan,
    decode_bytes,
    format_for_name,
    listed,
    parse_source,
    prompt_param,
)
from get3w_desktop.core.catalogue import ModelInfo, ParamKind
from get3w_desktop.ui.help_window import install_close_keys
from get3w_desktop.ui.style import is_dark, muted
from get3w_desktop.ui.texts import plan_summary

# Rows shown in the preview; the rest are checked all the same.
PREVIEW_ROWS = 50
MAX_VARIATIONS = 16
_DEBOUNCE_MS = 150


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BatchDialog(QDialog):
    """Build a batch for one model; `plan()` is the result once accepted."""

    def __init__(
        self,
        model: ModelInfo,
        base: Mapping[str, Any],
        *,
        variations: int = 1,
        start_dir: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        install_close_keys(self, escape=False)  # Ctrl+W cancels, like Esc
        self._model = model
        self._base = dict(base)
        self._start_dir = start_dir
        self._file_warnings: list[str] = []
        self._file_error: str | None = None
        self.setWindowTitle(self.tr("Batch — {model}").format(model=model.name))
        self.setMinimumSize(640, 560)
        self.resize(820, 680)

        prompt = prompt_param(model)
        intro = QLabel(
            self.tr(
                "Send many tasks to <b>{model}</b> at once: paste prompts, one per line, or "
                "load a CSV file with a column per parameter. Whatever a row leaves out comes "
                "from the form."
            ).format(model=model.name)
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)

        self.lines_radio = QRadioButton(self.tr("One prompt per &line"))
        self.csv_radio = QRadioButton(self.tr("&CSV, first row names the parameters"))
        self.csv_radio.setToolTip(self.tr("For example:  prompt,seed,aspect_ratio"))
        self._format_group = QButtonGroup(self)
        for button in (self.lines_radio, self.csv_radio):
            self._format_group.addButton(button)
        self.lines_radio.setChecked(prompt is not None)
        self.csv_radio.setChecked(prompt is None)
        self.load_button = QPushButton(self.tr("&Load .txt/.csv…"))
        self.load_button.setToolTip(
            self.tr(
                "A text file with one prompt per line, or a CSV file with a column per parameter"
            )
        )
        self.file_label = muted(QLabel(""))

        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(
            self.tr(
                "A red fox in fresh snow, morning light\n"
                "A lighthouse on a cliff at dusk, oil painting\n"
                "# Lines starting with # are skipped"
            )
        )
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName(self.tr("Prompts, one per line"))

        self.variations_spin = QSpinBox()
        self.variations_spin.setRange(1, MAX_VARIATIONS)
        self.variations_spin.setValue(max(1, min(MAX_VARIATIONS, variations)))
        self.variations_spin.setPrefix("× ")
        self.variations_spin.setToolTip(self.tr("Tasks per prompt, each with its own seed"))
        self.summary_label = QLabel()
        bold = QFont(self.summary_label.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self.summary_label.setFont(bold)
        self.summary_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.summary_label.setAccessibleName(self.tr("Batch size"))

        self.preview_label = muted(QLabel(self.tr("Preview")), smaller=False)
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.preview.verticalHeader().setVisible(False)
        self.preview.setAlternatingRowColors(True)
        self.preview.setWordWrap(False)
        self.preview.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.preview.setAccessibleName(self.tr("Preview of the first rows"))

        self.problem_list = QListWidget()
        self.problem_list.setAccessibleName(self.tr("Problems"))
        self.problem_list.setWordWrap(True)
        self.problem_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.problem_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = self.buttons.addButton(
            self.tr("Start"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.start_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self._build_layout(intro)
        self._plan = self._make_plan()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        self.text.textChanged.connect(self._timer.start)
        self.variations_spin.valueChanged.connect(lambda _value: self.refresh())
        self._format_group.buttonToggled.connect(self._on_format_toggled)
        self.load_button.clicked.connect(self._choose_file)
        self.refresh()

    def _build_layout(self, intro: QLabel) -> None:
        source_row = QHBoxLayout()
        source_row.setSpacing(16)
        source_row.addWidget(self.lines_radio)
        source_row.addWidget(self.csv_radio)
        source_row.addStretch(1)
        source_row.addWidget(self.load_button)

        count_row = QHBoxLayout()
        count_row.setSpacing(8)
        variations_label = QLabel(self.tr("&Variations:"))
        variations_label.setBuddy(self.variations_spin)
        count_row.addWidget(variations_label)
        count_row.addWidget(self.variations_spin)
        count_row.addSpacing(12)
        count_row.addWidget(self.file_label)
        count_row.addStretch(1)
        count_row.addWidget(self.summary_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addLayout(source_row)
        layout.addWidget(self.text, 3)
        layout.addLayout(count_row)
        layout.addSpacing(4)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview, 2)
        layout.addWidget(self.problem_list)
        layout.addWidget(self.buttons)

    # -- the result ----------------------------------------------------------------------

    def plan(self) -> BatchPlan:
        """The batch as it stands (check `ok` before sending it)."""
        return self._plan

    def source_format(self) -> SourceFormat:
        return SourceFormat.CSV if self.csv_radio.isChecked() else SourceFormat.LINES

    def set_source(self, text: str, fmt: SourceFormat) -> None:
        """Fill the box (as a paste would) and check at once."""
        (self.csv_radio if fmt is SourceFormat.CSV else self.lines_radio).setChecked(True)
        self.text.setPlainText(text)
        self.refresh()

    def accept(self) -> None:
        self.refresh()  # whatever was typed in the last moments counts
        if self._plan.ok:
            super().accept()

    @classmethod
    def ask(
        cls,
        model: ModelInfo,
        base: Mapping[str, Any],
        *,
        variations: int = 1,
        start_dir: str = "",
        parent: QWidget | None = None,
    ) -> BatchPlan | None:
        """Show the dialog; the plan to send, or None when cancelled."""
        dialog = cls(model, base, variations=variations, start_dir=start_dir, parent=parent)
        try:
            return dialog.plan() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    # -- files ---------------------------------------------------------------------------

    def _choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Load prompts"), self._start_dir,
            self.tr("Prompt lists (*.txt *.csv *.tsv);;Text files (*.txt);;"
                    "CSV files (*.csv *.tsv);;All files (*)"),
        )  # fmt: skip
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> bool:
        """Read a .txt or .csv into the box (editable there); False if it could not be read."""
        self._start_dir = str(path.parent)
        self._file_warnings, self._file_error = [], None
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ValueError(
                    self.tr("it is {size} MB; a prompt list can be at most {limit} MB").format(
                        size=f"{size / 1_048_576:.1f}", limit=MAX_FILE_BYTES // 1_048_576
                    )
                )
            data = path.read_bytes()
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._file_error = self.tr("Could not read {name}: {reason}.").format(
                name=path.name, reason=reason
            )
            self.file_label.setText("")
            self.refresh()
            return False
        text, self._file_warnings = decode_bytes(data)
        self.set_source(text, format_for_name(path.name))
        self.file_label.setText(self.tr("From {name}").format(name=path.name))
        self.file_label.setToolTip(str(path))
        return True

    # -- checking ------------------------------------------------------------------------

    @Slot(QRadioButton, bool)
    def _on_format_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self.refresh()

    def _make_plan(self) -> BatchPlan:
        source = parse_source(self.text.toPlainText(), self.source_format(), self._model)
        return build_plan(self._model, self._base, source, self.variations_spin.value())

    @Slot()
    def refresh(self) -> None:
        """Parse, plan and show: the count, the cost, the preview and the problems."""
        self._timer.stop()
        self._plan = plan = self._make_plan()
        self.summary_label.setText(plan_summary(plan))
        if plan.count == 1:
            start = self.tr("Start 1 task")
        elif plan.count:
            start = self.tr("Start {count} tasks").format(count=f"{plan.count:,}")
        else:
            start = self.tr("Start")
        self.start_button.setText(start)
        problems = listed(plan.errors)
        if self._file_error:
            problems.insert(0, self._file_error)
        self.start_button.setEnabled(plan.ok and not self._file_error)
        self._show_problems(problems, [*self._file_warnings, *plan.warnings])
        self._fill_preview(plan)

    def _show_problems(self, errors: list[str], warnings: list[str]) -> None:
        self.problem_list.clear()
        style = self.style()
        error_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        warning_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for icon, texts in ((error_icon, errors), (warning_icon, warnings)):
            for text in texts:
                QListWidgetItem(icon, text, self.problem_list)
        count = self.problem_list.count()
        self.problem_list.setVisible(count > 0)
        if count:
            rows = sum(self.problem_list.sizeHintForRow(i) for i in range(min(count, 4)))
            self.problem_list.setFixedHeight(rows + 2 * self.problem_list.frameWidth() + 2)

    def _fill_preview(self, plan: BatchPlan) -> None:
        unit = self.tr("Row") if plan.format is SourceFormat.CSV else self.tr("Line")
        shown = plan.items[:PREVIEW_ROWS]
        columns = list(plan.columns)
        self.preview.clear()
        self.preview.setColumnCount(len(columns) + 1)
        self.preview.setHorizontalHeaderLabels([unit, *columns])
        self.preview.setRowCount(len(shown))
        by_cell: dict[tuple[int | None, str | None], list[str]] = {}
        for problem in plan.errors:
            by_cell.setdefault((problem.row, problem.column), []).append(problem.message)
        bad = QBrush(QColor(110, 38, 38) if is_dark(self.palette()) else QColor(253, 224, 222))
        for row, item in enumerate(shown):
            number = QTableWidgetItem(str(item.row))
            number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row_problems = by_cell.get((item.row, None), [])
            if row_problems:
                number.setBackground(bad)
                number.setToolTip("\n".join(row_problems))
            self.preview.setItem(row, 0, number)
            for column, name in enumerate(columns, start=1):
                text = item.cells.get(name, "")
                cell = QTableWidgetItem(text or self._form_value(name))
                if not text:
                    cell.setForeground(self.palette().placeholderText())
                cell.setToolTip(text or self.tr("From the form"))
                messages = by_cell.get((item.row, name), [])
                if messages:
                    cell.setBackground(bad)
                    cell.setToolTip("\n".join(messages))
                self.preview.setItem(row, column, cell)
        header = self.preview.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in range(1, len(columns) + 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        if columns:
            self.preview.resizeColumnsToContents()
            header.setStretchLastSection(True)
            for column in range(1, len(columns) + 1):
                if self.preview.columnWidth(column) > 420:
                    self.preview.setColumnWidth(column, 420)
        total = len(plan.items)
        self.preview_label.setText(
            self.tr("Preview")
            if total <= PREVIEW_ROWS
            else self.tr("Preview: the first {shown} of {total}").format(
                shown=PREVIEW_ROWS, total=f"{total:,}"
            )
        )
        if any(not text for item in shown for text in item.cells.values()):
            label = self.preview_label
            label.setText(label.text() + self.tr(" · grey values come from the form"))

    def _form_value(self, name: str) -> str:
        value = self._base.get(name)
        spec = self._model.param(name)
        if value is None and spec is not None:
            value = spec.default
        if spec is not None and spec.kind is ParamKind.SEED and value in (None, -1):
            return self.tr("random")
        return self.tr("(default)") if value is None else _short(str(value))
