"""Item models start timers (the task filter builds its search index between events): every
test here runs with the application object they need, whatever ran before it."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication


@pytest.fixture(autouse=True)
def _application(qapp: QApplication) -> QApplication:
    return qapp
