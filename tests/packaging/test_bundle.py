"""The real thing: build the onedir bundle and run what people run.

One PyInstaller build per session (about a minute, tests/packaging/conftest.py) feeds every
test here and in test_installers.py (the .deb and the .rpm); it goes to a temporary
folder, never to the repository's dist/ or build/.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path

import pytest

from get3w_desktop.core.catalogue import load_bundled
from tests.packaging.package_roots import (
    ROOT,
    assert_self_test_ok,
    project_version,
    run,
    user_env,
)

#: Unpacked size budget (issue 16's goal, MiB as bench.size counts). Measured 149.5 MiB on
#: Debian 12 with the QtQuick stand-ins and the ICU subset (packaging/linux/slim_qt.py);
#: 180.2 before them, 274 MB without any of the spec's excludes.
SIZE_BUDGET_MIB = 150

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),  # the first test also pays for the build
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux bundle and .deb"),
]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def test_the_bundle_passes_its_self_test_without_a_display(bundle: Path, home: Path) -> None:
    result = run([str(bundle / "get3w-desktop"), "--self-test"], user_env(home))
    verdict = assert_self_test_ok(result)
    assert "multimedia mp4" in verdict  # the FFmpeg plugin and everything it links came along


def test_the_bundled_command_has_the_project_version_and_the_catalogue(
    bundle: Path, home: Path
) -> None:
    env = user_env(home)
    version = run([str(bundle / "get3w"), "--version"], env)
    assert version.returncode == 0
    assert version.stdout.strip() == f"get3w {project_version()}"
    models = run([str(bundle / "get3w"), "models"], env)
    assert models.returncode == 0, models.stderr
    listed = {line.split()[0] for line in models.stdout.splitlines() if line.strip()}
    assert listed >= {model.model_id for model in load_bundled()}


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus-run-session and gnome-keyring (scripts/system-deps.sh test)",
)
def test_the_bundle_uses_the_secret_service_when_the_desktop_has_one(
    bundle: Path, home: Path
) -> None:
    script = (
        "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
        f'exec "{bundle / "get3w-desktop"}" --self-test'
    )
    result = run(["dbus-run-session", "--", "sh", "-c", script], user_env(home))
    verdict = assert_self_test_ok(result)
    assert "keyring SecretService.Keyring," in verdict  # secure: no "(not secure)"


def test_the_bundle_leaves_out_what_the_app_cannot_use(bundle: Path) -> None:
    internal = bundle / "_internal"
    files = [p for p in internal.rglob("*") if p.is_file() and not p.is_symlink()]
    names = {p.relative_to(internal).as_posix() for p in files}
    # The model list ships packed, and unpacks to exactly the repository's.
    packed = internal / "resources" / "catalogue.json.gz"
    assert not (internal / "resources" / "catalogue.json").exists()
    assert (
        gzip.decompress(packed.read_bytes()) == (ROOT / "resources" / "catalogue.json").read_bytes()
    )
    assert [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()] == []
    unwanted = [
        n for n in names
        if "WebEngine" in n or "libqgtk3" in n or n.startswith(("PySide6/Qt/translations/",
                                                                 "keyrings/", "tkinter/"))
    ]  # fmt: skip
    assert unwanted == []
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    assert size / 2**20 <= SIZE_BUDGET_MIB
    # The stand-ins replaced QtQuick/QML, and nothing else still needs the rest of QML.
    lib = internal / "PySide6" / "Qt" / "lib"
    assert (lib / "libQt6Quick.so.6").stat().st_size < 100_000
    assert not (lib / "libQt6QmlModels.so.6").exists()


def test_the_bundle_reports_its_start_up_for_the_benchmark(bundle: Path, home: Path) -> None:
    """`bench.startup --exe`: with $GET3W_STARTUP_PROBE the packaged app prints when its
    window first painted and went idle, then quits by itself."""
    env = user_env(home)
    env.update(GET3W_STARTUP_PROBE="1", QT_QPA_PLATFORM="offscreen", BENCH_T0="0")
    result = run([str(bundle / "get3w-desktop")], env)
    assert result.returncode == 0, result.stderr[-2000:]
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("STARTUP ")]
    marks = json.loads(line.removeprefix("STARTUP "))["marks"]
    assert {"qapplication", "shown", "first_paint", "idle"} <= set(marks)
    assert marks["qapplication"] <= marks["first_paint"] <= marks["idle"]
