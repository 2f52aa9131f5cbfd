#!/usr/bin/env python3
"""Screenshot of the profile editor in Simplified Chinese with a name it refuses: "work/home"
is typed (a slash is not allowed), so the name's error line shows under it. Taken on Xvfb like
scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_profile_name.py [--out docs/screenshots]
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
shoot_on_xvfb = importlib.import_module("screenshots").shoot_on_xvfb
wait = importlib.import_module("screenshots_connection").wait


def shoot(out: Path) -> None:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from get3w_desktop.ui import i18n
    from get3w_desktop.ui.profile_editor import ProfileEditor

    app = QApplication([sys.argv[0]])
    i18n.install_language(app, "zh_CN")
    editor = ProfileEditor(("sandbox", "work"))
    editor.resize(620, 10)
    editor.show()
    wait(app, editor.isVisible)
    editor.name_edit.setFocus()
    QTest.keyClicks(editor.name_edit, "work/home")  # typed, as a person would
    wait(app, editor.name_error.isVisible)
    editor.adjustSize()
    wait(app, lambda: True)
    ok = editor.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    area = editor.frameGeometry().adjusted(-8, -8, 8, 8)
    shot = app.primaryScreen().grabWindow(0, area.x(), area.y(), area.width(), area.height())
    shot.save(str(out / "profile-name-error-chinese.png"))
    print("name error:", editor.name_error.text())
    editor.reject()
    wait(app, lambda: editor.connection.tester.idle())


def main() -> int:
    return int(shoot_on_xvfb(shoot, (__doc__ or "").splitlines()[0]))


if __name__ == "__main__":
    sys.exit(main())
