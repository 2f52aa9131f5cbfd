#!/usr/bin/env python3
"""Screenshot of "Test connection" in Simplified Chinese after a real failure: the profile
editor tests https:// against the sandbox's plain-HTTP port, so the address, name lookup and
connection pass and the secure connection fails; the failed row's tooltip is shown. Taken on
Xvfb like scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_connection.py [--out docs/screenshots]
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
shoot_on_xvfb = importlib.import_module("screenshots").shoot_on_xvfb


def wait(app: object, done: Callable[[], bool], seconds: float = 30.0) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    end = time.monotonic() + seconds
    while not done():
        if time.monotonic() > end:
            raise SystemExit("timed out waiting for the screen to settle")
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()


def shoot(out: Path) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication, QToolTip

    from get3w_desktop.api.connection_test import Outcome
    from get3w_desktop.sandbox import SandboxServer
    from get3w_desktop.storage.settings import Profile
    from get3w_desktop.ui import i18n
    from get3w_desktop.ui.profile_editor import ProfileEditor

    app = QApplication([sys.argv[0]])
    i18n.install_language(app, "zh_CN")
    with SandboxServer() as sandbox:
        port = sandbox.base_url.rsplit(":", 1)[1]
        editor = ProfileEditor(("sandbox",), Profile("work", f"https://localhost:{port}"))
        editor.resize(620, 10)
        editor.show()
        wait(app, editor.isVisible)
        panel = editor.connection
        panel.test_button.click()
        wait(app, lambda: panel.report is not None and panel.tester.idle())
        report = panel.report
        assert report is not None and report.first_failure is not None
        editor.adjustSize()
        wait(app, lambda: True)
        row = [s.outcome for s in report.stages].index(Outcome.FAILED)
        item = panel.stages.item(row)
        rect = panel.stages.visualItemRect(item)
        viewport = panel.stages.viewport()
        where = viewport.mapToGlobal(rect.topLeft() + QPoint(60, rect.height() // 2))
        QToolTip.showText(where, item.toolTip(), viewport)
        wait(app, QToolTip.isVisible)
        tips = [w for w in app.topLevelWidgets()
                if w.metaObject().className() == "QTipLabel" and w.isVisible()]  # fmt: skip
        area = editor.frameGeometry()
        for tip in tips:
            area = area.united(tip.geometry())
        area = area.adjusted(-8, -8, 8, 8)
        shot = app.primaryScreen().grabWindow(0, area.x(), area.y(), area.width(), area.height())
        shot.save(str(out / "connection-test-chinese.png"))
        print("summary:", panel.summary.text())
        print("tooltip:", item.toolTip())
        QToolTip.hideText()
        editor.reject()
        wait(app, lambda: panel.tester.idle())


def main() -> int:
    return int(shoot_on_xvfb(shoot, (__doc__ or "").splitlines()[0]))


if __name__ == "__main__":
    sys.exit(main())
