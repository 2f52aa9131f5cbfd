"""The start-up shell: the window's first frame, painted before the window is built.

Importing and building the real window (~140 modules, 794 models, the forms) takes most of
a second on a slow machine. The shell appears at once instead, where and as large as the
window will be, in the person's theme, with the outline of the window's three columns and
"Opening Get3W Desktop…"; the real window then takes its place and the shell goes. It
imports nothing but Qt (tests/bench/test_startup_laziness.py checks what is loaded when
the first frame is painted).
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QElapsedTimer, QEvent, QObject, QRectF, QSettings
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPainterPath, QPaintEvent, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

#: The window's default size and the least it may be (ui/main_window.py uses the same).
DEFAULT_SIZE = (1480, 900)
MINIMUM_SIZE = (1100, 640)
#: Qt.AlignmentFlag.AlignCenter. The shell paints before anything reads PySide6's `Qt`
#: namespace, whose first use costs ~15 ms (a tenth of a bare window's start-up).
ALIGN_CENTER = 0x0084
#: The columns' widths at the window's default split (model list, form; the rest results).
COLUMNS = (270, 430)


def default_size() -> tuple[int, int]:
    """The default window size on the primary screen: at most DEFAULT_SIZE, 40 px inside
    the available area, never under MINIMUM_SIZE."""
    screen = QGuiApplication.primaryScreen()
    available = screen.availableGeometry() if screen is not None else None
    width = min(DEFAULT_SIZE[0], available.width() - 40) if available else DEFAULT_SIZE[0]
    height = min(DEFAULT_SIZE[1], available.height() - 40) if available else DEFAULT_SIZE[1]
    return max(width, MINIMUM_SIZE[0]), max(height, MINIMUM_SIZE[1])


def saved_geometry(state_file: Path | None) -> QByteArray | None:
    """The window's geometry as it was last closed (MainWindow saves it), if any."""
    if state_file is None or not state_file.is_file():
        return None
    value = QSettings(str(state_file), QSettings.Format.IniFormat).value("window/geometry")
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


class _Outline(QWidget):
    """Three columns' faint cards, "Opening…" where results will show: the window, before
    it is built."""

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Window))
        card = QColor(palette.color(QPalette.ColorRole.Text))
        card.setAlpha(14)
        left, results = 0, QRectF()
        for width in (*COLUMNS, max(self.width() - sum(COLUMNS), 0)):
            results = QRectF(left + 8, 8, width - 16, self.height() - 16)
            path = QPainterPath()
            path.addRoundedRect(results, 8, 8)
            painter.fillPath(path, card)
            left += width
        text = QColor(palette.color(QPalette.ColorRole.WindowText))
        text.setAlpha(150)
        painter.setPen(text)
        painter.drawText(results, ALIGN_CENTER, self.tr("Opening Get3W Desktop…"))
        painter.end()


class StartupShell(QMainWindow):
    """The first frame; `replace_with(window)` hands its place to the real window."""

    def __init__(self, state_file: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("Get3W Desktop"))
        self.setAccessibleName(self.tr("Get3W Desktop is opening"))
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*default_size())
        geometry = saved_geometry(state_file)
        if geometry is not None:
            self.restoreGeometry(geometry)
        outline = _Outline()
        self.setCentralWidget(outline)
        self.painted = False
        outline.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False

    def show_now(self, app: QApplication, wait_ms: int = 500) -> None:
        """Show, and let Qt paint it before the caller goes on building (at most `wait_ms`:
        a display that never exposes the window must not hold the start)."""
        self.show()
        timer = QElapsedTimer()
        timer.start()
        while not self.painted and timer.elapsed() < wait_ms:
            app.processEvents()
            if not self.painted:
                time.sleep(0.002)  # the display server's answer is on its way

    def replace_with(self, window: QMainWindow) -> None:
        """Show `window` where the shell is (unless it restored its own place), then go."""
        if self.isMaximized() and not window.isMaximized():
            window.showMaximized()
        else:
            window.show()
        self.hide()
        self.deleteLater()
