"""Unexpected exceptions: logged, and shown once in a dialog with a copyable report.

`sys.excepthook` catches what a slot raises (PySide prints it through the hook) and
`threading.excepthook` what a plain thread raises. Both write the traceback to the log
that Save diagnostics collects (the log handler redacts keys), and the first one opens a
dialog on the GUI thread with a report: versions and the traceback, no local variables,
every key redacted. Later ones are only logged (and counted in the dialog's title), so a
failure in a timer cannot bury the window under dialogs.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from get3w_desktop import __version__
from get3w_desktop.core.diagnostics import strip_secrets

log = logging.getLogger("get3w_desktop.crash")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def crash_report(exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None, where: str) -> str:  # fmt: skip
    """The text a person can copy into a bug report: no locals, no keys."""
    import PySide6

    lines = [
        f"Get3W Desktop {__version__}",
        f"Python {platform.python_version()}, PySide6 {PySide6.__version__}, Qt {qVersion()}",
        f"{platform.system()} {platform.release()} ({platform.machine()})",
        f"Where: {where}",
        "",
        *traceback.format_exception(exc_type, exc, tb),
    ]
    return strip_secrets("\n".join(line.rstrip("\n") for line in lines))


class CrashDialog(QDialog):
    """The report, read-only, with a button that copies it."""

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Something went wrong"))
        self.resize(640, 420)
        intro = QLabel(
            self.tr(
                "Get3W Desktop hit an unexpected error. Your tasks are safe: the app keeps "
                "running. The report below has no keys in it; copy it into a bug report."
            )
        )
        intro.setWordWrap(True)
        self.report = QPlainTextEdit(report)
        self.report.setReadOnly(True)
        self.report.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.copy_button = QPushButton(self.tr("&Copy report"))
        self.copy_button.clicked.connect(self.copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)

    @Slot()
    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.report.toPlainText())
        self.copy_button.setText(self.tr("Copied"))


class CrashHandler(QObject):
    """Installs the hooks; `uninstall` puts the previous ones back.

    Signals:
        crashed(str report): an unexpected exception (any thread), on the GUI thread.
    """

    crashed = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        show: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._show = show or self._open_dialog
        self.count = 0  # unexpected exceptions seen
        self.dialog: CrashDialog | None = None
        self._previous_sys = sys.excepthook
        self._previous_threading = threading.excepthook
        self.crashed.connect(self._on_crashed, Qt.ConnectionType.QueuedConnection)

    def install(self) -> CrashHandler:
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook
        return self

    def uninstall(self) -> None:
        if sys.excepthook == self._sys_hook:
            sys.excepthook = self._previous_sys
        if threading.excepthook == self._thread_hook:
            threading.excepthook = self._previous_threading

    def _sys_hook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_sys(exc_type, exc, tb)
            return
        self._record((exc_type, exc, tb), "the GUI thread (a slot or an event)")

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self._record((args.exc_type, args.exc_value, args.exc_traceback), f"thread {name}")

    def _record(self, info: ExcInfo, where: str) -> None:
        log.error("unexpected error in %s", where, exc_info=info)
        try:
            report = crash_report(*info, where)
        except Exception:  # the report itself must never raise from a hook
            log.exception("the crash report could not be built")
            report = strip_secrets("".join(traceback.format_exception(*info)))
        self.crashed.emit(report)  # queued: shown on the GUI thread, whatever thread this is

    @Slot(str)
    def _on_crashed(self, report: str) -> None:
        self.count += 1
        if self.count == 1:
            self._show(report)
        elif self.dialog is not None:
            self.dialog.setWindowTitle(
                self.tr("Something went wrong ({count} errors)").format(count=self.count)
            )

    def _open_dialog(self, report: str) -> None:
        parent = QApplication.activeWindow()
        self.dialog = CrashDialog(report, parent)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.destroyed.connect(self._forget_dialog)
        QTimer.singleShot(0, self.dialog.open)

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None


def install_crash_hooks(parent: QObject | None = None) -> CrashHandler:
    """Log and show unexpected exceptions from slots and threads (see the module)."""
    if sys.excepthook is not sys.__excepthook__:
        log.info("replacing an existing sys.excepthook")
    return CrashHandler(parent).install()
