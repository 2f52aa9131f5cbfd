"""packaging/linux/slim_qt.py against the installed PySide6: the QtQuick stand-ins still
play video and audio, and the ICU subset answers every ICU call Qt makes as the full data
does. Each runs Qt in a child process whose LD_LIBRARY_PATH puts the slimmed library first
(it wins over the wheel's $ORIGIN RUNPATH), and checks /proc/self/maps that it was loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import PySide6
import pytest

from tests.packaging.package_roots import load_script

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux bundle only"),
]
QT = Path(PySide6.__file__).resolve().parent / "Qt"
PLUGIN = QT / "plugins" / "multimedia" / "libffmpegmediaplugin.so"
ROOT = Path(__file__).resolve().parents[2]

PLAY = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0], "-platform", "offscreen"])
from get3w_desktop import selftest
clip = Path(sys.argv[1])
size = selftest._first_video_frame(clip)
rate = selftest._first_audio_buffer(clip)
maps = Path("/proc/self/maps").read_text()
quick = sorted({line.split()[-1] for line in maps.splitlines() if "libQt6Quick" in line})
print(json.dumps({"size": size, "rate": rate, "quick": quick}))
"""

ICU_CALLS = """
import functools, json, sys
from pathlib import Path
from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone
words = ["张", "阿", "中", "北京", "Zebra", "apple", "Äpfel", "ångström", "Ōsaka"]
out = {}
for name in ("zh_CN", "de_DE", "sv_SE", "ja_JP"):
    compare = QCollator(QLocale(name)).compare
    out["collate " + name] = sorted(words, key=functools.cmp_to_key(compare))
out["upper"] = [QLocale("tr_TR").toUpper("istanbul"), QLocale("en_US").toUpper("straße")]
out["lower"] = [QLocale("tr_TR").toLower("I"), QLocale("lt_LT").toLower("Ì")]
out["codecs"] = sorted(QStringDecoder.availableCodecs())
legacy = ("Shift_JIS", "GB18030", "Big5", "KOI8-R", "EUC-KR")
out["valid"] = [QStringDecoder(n).isValid() for n in legacy]
tz = QTimeZone(b"Asia/Shanghai")
Type, Name = QTimeZone.TimeType, QTimeZone.NameType
for name in ("en_US", "zh_CN", "de_DE"):
    out["zone " + name] = [tz.displayName(Type.StandardTime, kind, QLocale(name))
                           for kind in (Name.LongName, Name.ShortName, Name.OffsetName)]
maps = Path("/proc/self/maps").read_text()
out["icudata"] = sorted({l.split()[-1] for l in maps.splitlines() if "libicudata" in l})
print(json.dumps(out, ensure_ascii=False))
"""


def run_qt(script: str, library_path: Path | None, *args: str) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env["QT_LOGGING_RULES"] = "qt.multimedia*=false"
    if library_path is not None:
        env["LD_LIBRARY_PATH"] = str(library_path)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    answer: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return answer


@pytest.fixture
def slim_qt() -> ModuleType:
    module = load_script("slim_qt")
    if module.compiler() is None:
        pytest.skip("needs a C compiler (cc/gcc) to build the stand-ins")
    return module


def test_the_media_plugin_needs_only_what_the_quick_stand_in_has(slim_qt: ModuleType) -> None:
    """A PySide6 upgrade whose FFmpeg plugin uses more of QtQuick must fail here first."""
    wanted = slim_qt.dynamic_symbols(PLUGIN, "undefined")
    quick = slim_qt.dynamic_symbols(QT / "lib" / "libQt6Quick.so.6", "defined")
    qml = slim_qt.dynamic_symbols(QT / "lib" / "libQt6Qml.so.6", "defined")
    assert wanted & quick and wanted & quick <= slim_qt.QUICK_SYMBOLS
    assert wanted & qml == set()
    assert {"libQt6Quick.so.6", "libQt6Qml.so.6"} <= set(slim_qt.needed(PLUGIN))


def test_video_and_audio_play_with_the_quick_stand_ins(slim_qt: ModuleType, tmp_path: Path) -> None:
    stubs = slim_qt.build_quick_stubs(slim_qt.compiler(), tmp_path)
    assert stubs["libQt6Quick.so.6"].stat().st_size < 100_000
    clip = ROOT / "resources" / "sandbox" / "clip_1x1.mp4"
    played = run_qt(PLAY, tmp_path, str(clip))
    assert played["quick"] == [str(tmp_path / "libQt6Quick.so.6")]  # the stand-in, not Qt's
    assert played["size"] == [288, 288] and played["rate"] == 22050


def test_the_icu_subset_answers_every_qt_icu_call_as_the_full_data_does(
    slim_qt: ModuleType, tmp_path: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (original,) = [p for p in (QT / "lib").glob("libicudata.so.*") if not p.is_symlink()]
    copy = lib / original.name
    copy.write_bytes(original.read_bytes())
    saved = slim_qt.subset_icu_library(copy, slim_qt.compiler(), tmp_path / "work")
    assert saved > 10_000_000

    full = run_qt(ICU_CALLS, None)
    subset = run_qt(ICU_CALLS, lib)
    assert subset.pop("icudata") == [str(copy)]
    assert full.pop("icudata") == [str(original)]
    assert subset == full
    codecs = full["codecs"]
    assert isinstance(codecs, list) and len(codecs) > 100  # ICU's converters are there
