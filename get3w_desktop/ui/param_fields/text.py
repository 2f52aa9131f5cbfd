"""Text inputs: the prompt and other strings, lists of lines, and raw JSON."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtGui import (
    QFontDatabase,
)
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)

from get3w_desktop.core.catalogue import ParamKind, ParamSpec
from get3w_desktop.ui.param_fields.common import (
    Field,
    column_layout,
    field_title,
    muted,
)
from get3w_desktop.ui.texts import catalogue_text

# -- text -------------------------------------------------------------------------------------


class TextBox(QPlainTextEdit):
    """A plain-text box that grows with its text between `min_lines` and `max_lines`.

    Tab moves focus (a prompt never needs a tab character).
    """

    def __init__(self, min_lines: int, max_lines: int) -> None:
        super().__init__()
        self._min_lines, self._max_lines = min_lines, max_lines
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.textChanged.connect(self._fit)
        self._fit()

    def _fit(self) -> None:
        lines = int(self.document().documentLayout().documentSize().height())
        lines = max(self._min_lines, min(self._max_lines, lines))
        margins = self.contentsMargins()
        height = (
            lines * self.fontMetrics().lineSpacing()
            + int(2 * self.document().documentMargin())
            + margins.top()
            + margins.bottom()
            + 2
        )
        if height != self.height():
            self.setFixedHeight(height)
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if lines >= self._max_lines
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()


class TextField(Field):
    """PROMPT and TEXT: a multi-line box; the prompt is taller."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        prompt = spec.kind is ParamKind.PROMPT
        self.edit = TextBox(4 if prompt else 2, 12 if prompt else 6)
        self.edit.setPlaceholderText(catalogue_text(spec.placeholder or ""))
        self.edit.textChanged.connect(self.changed)
        layout = column_layout(self, 2)
        layout.addWidget(self.edit)
        self.counter: QLabel | None = None
        if spec.max_length:
            self.counter = muted(QLabel())
            self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
            layout.addWidget(self.counter)
            self.edit.textChanged.connect(self._count)
            self._count()

    def _count(self) -> None:
        if self.counter is not None and self.spec.max_length:
            self.counter.setText(
                self.tr("{count} / {limit} characters").format(
                    count=f"{len(self.edit.toPlainText()):,}", limit=f"{self.spec.max_length:,}"
                )
            )

    def value(self) -> str | None:
        text = self.edit.toPlainText().strip()
        return text or None

    def set_value(self, value: Any) -> bool:
        if value is not None and not isinstance(value, str):
            return False
        self.edit.setPlainText(value or "")
        return True

    def problem(self) -> str | None:
        length = len(self.value() or "")
        if self.spec.max_length is not None and length > self.spec.max_length:
            return self.tr("{title} is too long: {count} characters, at most {limit}.").format(
                title=field_title(self.spec), count=f"{length:,}", limit=f"{self.spec.max_length:,}"
            )
        return super().problem()

    def focus_target(self) -> QWidget:
        return self.edit


class StringListField(Field):
    """STRING_LIST: one item per line."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.edit = TextBox(3, 8)
        self.edit.setPlaceholderText(
            catalogue_text(spec.placeholder or "") or self.tr("One per line")
        )
        self.edit.textChanged.connect(self.changed)
        column_layout(self).addWidget(self.edit)

    def value(self) -> list[str] | None:
        items = [line.strip() for line in self.edit.toPlainText().splitlines() if line.strip()]
        return items or None

    def set_value(self, value: Any) -> bool:
        if value is None:
            self.edit.clear()
            return True
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return False
        self.edit.setPlainText("\n".join(value))
        return True

    def problem(self) -> str | None:
        count = len(self.value() or [])
        low, high = self.spec.min_items, self.spec.max_items
        if count and low is not None and count < low:
            return self.tr("{title}: add at least {low} lines.").format(
                title=field_title(self.spec), low=low
            )
        if high is not None and count > high:
            return self.tr("{title}: at most {high} lines, please (there are {count}).").format(
                title=field_title(self.spec), high=high, count=count
            )
        return super().problem()

    def focus_target(self) -> QWidget:
        return self.edit


class ObjectField(Field):
    """OBJECT: structured values (LoRAs and the like) typed as JSON, checked as you go."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.edit = TextBox(3, 10)
        self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        example = '[{"path": "…", "scale": 1.0}]' if spec.json_type == "array" else '{"…": …}'
        self.edit.setPlaceholderText(
            catalogue_text(spec.placeholder or "")
            or self.tr("JSON, for example {example}").format(example=example)
        )
        self.edit.textChanged.connect(self.changed)
        column_layout(self).addWidget(self.edit)

    def _parse(self) -> tuple[Any, str | None]:
        text = self.edit.toPlainText().strip()
        if not text:
            return None, None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            return None, self.tr(
                "{title} is not valid JSON (line {line}, column {column}: {reason})."
            ).format(
                title=field_title(self.spec),
                line=exc.lineno,
                column=exc.colno,
                reason=exc.msg.lower(),
            )
        except ValueError:
            return None, self.tr("{title} is not valid JSON.").format(title=field_title(self.spec))
        except RecursionError:
            return None, self.tr("{title} is nested too deeply.").format(
                title=field_title(self.spec)
            )
        wanted = list if self.spec.json_type == "array" else dict
        if not isinstance(value, wanted):
            if wanted is list:
                return None, self.tr("{title} must be a list [ … ].").format(
                    title=field_title(self.spec)
                )
            return None, self.tr("{title} must be an object {{ … }}.").format(
                title=field_title(self.spec)
            )
        return value, None

    def value(self) -> Any:
        return self._parse()[0]

    def set_value(self, value: Any) -> bool:
        if value is None:
            self.edit.clear()
            return True
        if not isinstance(value, list | dict):
            return False
        self.edit.setPlainText(json.dumps(value, indent=2, ensure_ascii=False))
        return True

    def problem(self) -> str | None:
        return self._parse()[1] or super().problem()

    def focus_target(self) -> QWidget:
        return self.edit
