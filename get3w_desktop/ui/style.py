"""Every colour and small style the widgets share, in one place.

Colours come in (light theme, dark theme) pairs, each readable as text on the window
background of that theme; `is_dark` decides which one a palette gets.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QWidget

from get3w_desktop.core.job import JobState

#: (light, dark) text colours by meaning.
TONES = {
    "blue": ("#1d63d8", "#6aa8ff"),
    "green": ("#17803d", "#4fd180"),
    "red": ("#c9302c", "#ff7b72"),
    "amber": ("#a86200", "#f2b33d"),
    "grey": ("#5f6670", "#a3aab4"),
    "error": ("#b3261e", "#f28b82"),
    "good": ("#1b7f3b", "#81c995"),
    "warn": ("#8a5a00", "#fdd663"),
}
STATE_TONES = {
    JobState.QUEUED: "grey",
    JobState.SUBMITTING: "blue",
    JobState.RUNNING: "blue",
    JobState.DOWNLOADING: "blue",
    JobState.COMPLETED: "green",
    JobState.FAILED: "red",
    JobState.NOT_SAVED: "red",
    JobState.UNCERTAIN: "amber",
    JobState.CANCELLED: "grey",
}
#: The badge and banner that say "sandbox" (the same amber on every theme: it is a warning).
SANDBOX_BADGE = "background: #fff3cd; color: #7a5900; border-radius: 4px; padding: 1px 8px;"
SERVICE_BADGE = "background: rgba(34, 139, 84, 0.16); border-radius: 4px; padding: 1px 8px;"
#: The service badge while its host cannot be reached (amber: a warning, on every theme).
UNREACHABLE_BADGE = (
    "background: #ffe0b2; color: #6b3a00; border: 1px solid #d9892b; border-radius: 4px;"
    " padding: 0px 7px;"
)
SANDBOX_BANNER = (
    "#sandboxBanner { background: #fff3cd; border-bottom: 1px solid #f0d58a; }"
    "#sandboxBanner QLabel { color: #5c4300; }"
)
#: The app's own accent (the notification icon's dot).
ACCENT = "#2f6fde"
#: The timing breakdown's phases (details panel); readable on both themes.
PHASE_COLORS = {
    "queue_wait": "#94a3b8",
    "celery_init": "#a78bfa",
    "api_call": "#3b82f6",
    "save": "#14b8a6",
    "run_overhead": "#f59e0b",
}
OTHER_PHASE_COLOR = "#cbd5e1"
#: The dark palette for Fusion (ui/theme.py `dark_palette`).
DARK_PALETTE = {
    "Window": "#1f2125", "WindowText": "#e6e6e6", "Base": "#17181b",
    "AlternateBase": "#24262b", "ToolTipBase": "#2b2d31", "ToolTipText": "#e6e6e6",
    "PlaceholderText": "#8b8f96", "Text": "#e6e6e6", "Button": "#2a2c31",
    "ButtonText": "#e6e6e6", "BrightText": "#ff6b6b", "Link": "#6ea8fe",
    "Highlight": "#3a7bd5", "HighlightedText": "#ffffff", "Mid": "#3a3d43",
    "Midlight": "#34373c", "Dark": "#111214", "Shadow": "#000000", "Light": "#3f4248",
}  # fmt: skip
DARK_DISABLED_TEXT = "#6b6f76"
#: Secondary text (placeholder-text role) by theme: at least 4.5:1 on Window, Base and
#: AlternateBase (Fusion's own is black at half alpha, 3.9:1 on its light window).
MUTED_TEXT = ("#5b6169", "#a3aab4")
#: The dynamic property naming a widget's tone (see `set_tone`).
TONE_PROPERTY = "get3wTone"
MUTED_STYLE = "color: palette(placeholder-text);"
#: Set (True) on a widget that draws its own focus indicator, so the focus ring
#: (ui/focus_ring.py) leaves it alone: the form's segmented buttons.
OWN_FOCUS_PROPERTY = "get3wOwnFocus"


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone(name: str, palette: QPalette) -> str:
    """The colour `name` (see TONES) for this palette's theme."""
    light, dark = TONES[name]
    return dark if is_dark(palette) else light


def error_color(palette: QPalette) -> str:
    """Readable on both light and dark windows."""
    return tone("error", palette)


def good_color(palette: QPalette) -> str:
    return tone("good", palette)


def warn_color(palette: QPalette) -> str:
    return tone("warn", palette)


def state_color(state: JobState, palette: QPalette) -> QColor:
    return QColor(tone(STATE_TONES[state], palette))


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """`a` moved a fraction `t` towards `b` (muted text is text mixed towards the background)."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        a.alphaF() + (b.alphaF() - a.alphaF()) * t,
    )


def muted_text(palette: QPalette) -> QColor:
    """Secondary text, opaque (rich text ignores the alpha of the placeholder colour)."""
    return mix(palette.color(QPalette.ColorRole.WindowText),
               palette.color(QPalette.ColorRole.Window), 0.45)  # fmt: skip


def set_tone(widget: QWidget, name: str | None) -> None:
    """Colour `widget`'s text with the tone `name` (see TONES), or plain again with None.

    The tone is remembered, so a live theme switch (`repolish`) picks the other shade."""
    widget.setProperty(TONE_PROPERTY, name)
    widget.setStyleSheet(f"color: {tone(name, widget.palette())};" if name else "")


def repolish(app: QApplication) -> None:
    """Re-resolve every style sheet against the application's current palette.

    Qt resolves `palette(...)` in a widget's style sheet once, when the sheet is set or the
    widget is polished, and keeps that palette even after QApplication.setPalette; a live theme
    switch would leave such text in the old theme's colours (about 1.2:1 on dark). Setting
    each sheet again re-resolves it; toned widgets get their tone's shade for the new theme.
    """
    palette = app.palette()
    for widget in app.allWidgets():
        name = widget.property(TONE_PROPERTY)
        sheet = widget.styleSheet()
        shades = TONES.get(name, ()) if isinstance(name, str) else ()
        if isinstance(name, str) and sheet in {f"color: {c};" for c in shades}:
            widget.setStyleSheet(f"color: {tone(name, palette)};")
        elif sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)
        widget.update()


def muted(label: QLabel, smaller: bool = True) -> QLabel:
    label.setStyleSheet(MUTED_STYLE)
    if smaller:
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 0.92)
        label.setFont(font)
    return label


def bold(label: QLabel) -> QLabel:
    label.setStyleSheet("font-weight: 600;")
    return label


def heading() -> QLabel:
    label = QLabel()
    font = QFont(label.font())
    font.setWeight(QFont.Weight.DemiBold)
    font.setPointSizeF(font.pointSizeF() * 1.05)
    label.setFont(font)
    return label


def rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Plain)
    line.setStyleSheet("color: palette(mid);")
    return line
