"""The "Test connection" button and what it found: one row per stage, ticks and crosses,
and the sentence for the first failure. The test itself runs off the GUI thread
(workers/connection.py); this widget only starts it, shows progress and stops it.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop.api.connection_test import ConnectionReport, Outcome, Stage, StageResult
from get3w_desktop.core.proxy import ProxyConfig
from get3w_desktop.ui.messages import render
from get3w_desktop.ui.style import muted, set_tone
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP
from get3w_desktop.workers.connection import ConnectionTester

# Stage names as shown (the sentences under them come from the API layer as coded messages,
# shown through ui/messages.render in the person's language).
STAGE_LABELS = {
    Stage.ADDRESS: QT_TRANSLATE_NOOP("ConnectionPanel", "Address"),
    Stage.DNS: QT_TRANSLATE_NOOP("ConnectionPanel", "Name lookup (DNS)"),
    Stage.TCP: QT_TRANSLATE_NOOP("ConnectionPanel", "Connection (TCP)"),
    Stage.PROXY: QT_TRANSLATE_NOOP("ConnectionPanel", "Proxy tunnel"),
    Stage.TLS: QT_TRANSLATE_NOOP("ConnectionPanel", "Secure connection (TLS)"),
    Stage.HTTP: QT_TRANSLATE_NOOP("ConnectionPanel", "Web server (HTTP)"),
    Stage.AUTH: QT_TRANSLATE_NOOP("ConnectionPanel", "API key (auth)"),
}
MARKS = {Outcome.OK: "✓", Outcome.FAILED: "✗", Outcome.SKIPPED: "–"}

#: Pixels: a longer sentence wraps at this width instead of crossing the screen.
TIP_WIDTH = 420


def tooltip_html(text: str) -> str:
    """`text` as a tooltip on one line when short and wrapped at TIP_WIDTH when long (Qt
    shows a plain tooltip as one screen-wide line, and squeezes a `<p>` into a narrow column)."""
    escaped = html.escape(text)
    if QFontMetrics(QToolTip.font()).horizontalAdvance(text) <= TIP_WIDTH:
        return f"<p style='white-space:pre'>{escaped}</p>"
    return f"<table width={TIP_WIDTH}><tr><td>{escaped}</td></tr></table>"


KeyFor = Callable[[], str | None]
# What to test: (API address, proxy, where the key comes from (None: no key check)), or
# None while the form is not valid. Called on the GUI thread; the `KeyFor` is called off it.
Target = Callable[[], tuple[str, ProxyConfig, KeyFor | None] | None]


class ConnectionPanel(QWidget):
    """A test button over a list of stages, for whatever `target` names when clicked."""

    def __init__(self, target: Target, tester: ConnectionTester | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._target = target
        self.tester = tester or ConnectionTester(parent=self)
        self.tester.stage_done.connect(self._on_stage)
        self.tester.finished.connect(self._on_finished)
        self._ticket: int | None = None
        self._stopping = False
        self.report: ConnectionReport | None = None
        self.test_button = QPushButton(self.tr("&Test connection"))
        self.test_button.setToolTip(
            self.tr(
                "Check the address, the proxy, the secure connection and the key, step by step."
            )
        )
        self.test_button.clicked.connect(self._on_clicked)
        self.status = muted(QLabel())
        self.status.setWordWrap(True)
        self.stages = QListWidget()
        self.stages.setAccessibleName(self.tr("Connection test results"))
        self.stages.setVisible(False)
        self.stages.setMaximumHeight(150)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.summary.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.stages)
        layout.addWidget(self.summary)

    @property
    def running(self) -> bool:
        return self._ticket is not None

    def set_enabled_for(self, valid: bool) -> None:
        """The button works only while the address and proxy are valid (or to stop)."""
        self.test_button.setEnabled(valid or self.running)

    @Slot()
    def _on_clicked(self) -> None:
        if self.running:
            self._stopping = True
            self.tester.cancel()
            self.status.setText(self.tr("Stopping…"))
            return
        target = self._target()
        if target is None:
            return
        base_url, proxy, key_for = target
        self.report = None
        self._stopping = False
        self.stages.clear()
        self.stages.setVisible(True)
        self.summary.setVisible(False)
        self.status.setText(self.tr("Testing…"))
        self.test_button.setText(self.tr("S&top"))
        self._ticket = self.tester.start(base_url, proxy, key_for)

    def _row_text(self, result: StageResult) -> str:
        label = self.tr(STAGE_LABELS[result.stage])
        if result.outcome is Outcome.SKIPPED:
            return f"{MARKS[result.outcome]}  {label}"
        return self.tr("{mark}  {stage} — {ms} ms").format(
            mark=MARKS[result.outcome], stage=label, ms=f"{result.elapsed_ms:.0f}"
        )

    @Slot(int, object)
    def _on_stage(self, ticket: int, result: object) -> None:
        if ticket != self._ticket or not isinstance(result, StageResult):
            return
        item = QListWidgetItem(self._row_text(result))
        said = render(result.said)
        item.setToolTip(tooltip_html(said))
        item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, said)
        self.stages.addItem(item)

    @Slot(int, object)
    def _on_finished(self, ticket: int, report: object) -> None:
        if ticket != self._ticket or not isinstance(report, ConnectionReport):
            return
        self._ticket = None
        self.report = report
        self.test_button.setText(self.tr("&Test connection"))
        self.test_button.setEnabled(self._target() is not None)
        failed = report.first_failure
        if failed is None and self._stopping:
            self.status.setText(self.tr("Stopped before every check was done."))
            return
        self.status.setText(
            self.tr("Connected.") if failed is None else self.tr("Failed at: {stage}").format(
                stage=self.tr(STAGE_LABELS[failed.stage]))
        )  # fmt: skip
        set_tone(self.summary, None if failed is None else "error")
        self.summary.setText(render(report.summary_said))
        self.summary.setVisible(True)

    def shutdown(self) -> bool:
        """Stop a running test without waiting for it (the dialog is closing): the tester
        retires and goes away once its test returns. True when nothing was running."""
        self._ticket = None
        idle = self.tester.idle()
        self.tester.retire()
        return idle
