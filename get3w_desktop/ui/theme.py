"""The app's light and dark palettes, and switching between them (live or at start).

Light on purpose: the start-up shell (ui/shell.py) applies the theme before the window's
modules are imported, so the first frame already has the person's colours.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from get3w_desktop.storage.settings import Theme
from get3w_desktop.ui.style import DARK_DISABLED_TEXT, DARK_PALETTE, MUTED_TEXT, repolish


def dark_palette() -> QPalette:
    """A calm dark palette for Fusion, for desktops that cannot switch Qt's scheme."""
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    palette = QPalette()
    for name, color in DARK_PALETTE.items():
        palette.setColor(getattr(role, name), QColor(color))
    for which in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(group.Disabled, which, QColor(DARK_DISABLED_TEXT))
    palette.setColor(role.PlaceholderText, QColor(MUTED_TEXT[1]))
    return palette


def light_palette(standard: QPalette) -> QPalette:
    """The style's light palette with secondary text dark enough to read (4.5:1 or better)."""
    palette = QPalette(standard)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.PlaceholderText, QColor(MUTED_TEXT[0]))
    return palette


def apply_theme(theme: Theme) -> None:
    """Follow the system's light or dark palette, or force one.

    Qt's colour-scheme hint is honoured only by some platform themes, so a forced scheme
    also switches to the Fusion style with a matching palette, which works everywhere.
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    hints = QGuiApplication.styleHints()
    if theme is Theme.SYSTEM:
        hints.unsetColorScheme()
        repolish(app)
        return
    from PySide6.QtCore import Qt  # the namespace's first use costs ~15 ms: not at start

    dark = theme is Theme.DARK
    hints.setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
    app.setStyle("Fusion")
    style = app.style()
    app.setPalette(dark_palette() if dark else light_palette(style.standardPalette()))
    repolish(app)
