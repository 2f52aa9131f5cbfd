"""Fast packaging checks that need no PyInstaller build: the menu entry and AppStream files
pass their validators, and dpkg works from a non-root PATH (issue 16).

The packages themselves are built from a stand-in bundle (two shell scripts where the
launchers go): what is checked here is the packaging, which does not depend on what the
launchers are. tests/packaging/test_bundle.py does the same with the real bundle.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.package_roots import SBIN_DIRS, DpkgRoot, admin_env, load_script

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / "get3w-desktop.desktop"
METAINFO = LINUX / "com.get3w.desktop.metainfo.xml"
#: A non-root Debian login's PATH (/etc/profile): no /usr/sbin, no /sbin.
USER_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"

needs_dpkg = pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="needs dpkg (Debian)")


def fake_bundle(folder: Path) -> Path:
    bundle = folder / "get3w-desktop"
    (bundle / "_internal").mkdir(parents=True)
    for name in ("get3w-desktop", "get3w"):
        launcher = bundle / name
        launcher.write_text(f"#!/bin/sh\necho {name} stand-in\n", encoding="utf-8")
        launcher.chmod(0o755)
    (bundle / "_internal" / "data.txt").write_text("bundle data\n", encoding="utf-8")
    return bundle


def validate(command: list[str]) -> subprocess.CompletedProcess[str]:
    tool = shutil.which(command[0])
    if tool is None:
        pytest.skip(f"needs {command[0]} (scripts/system-deps.sh test)")
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_the_menu_entry_passes_desktop_file_validate() -> None:
    result = validate(["desktop-file-validate", str(DESKTOP)])
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout


def test_the_appstream_metadata_passes_appstreamcli_pedantically() -> None:
    result = validate(["appstreamcli", "validate", "--pedantic", "--no-net", str(METAINFO)])
    assert result.returncode == 0, result.stdout
    text = METAINFO.read_text(encoding="utf-8")
    # It describes the app the menu entry starts.
    assert f'<launchable type="desktop-id">{DESKTOP.name}</launchable>' in text


def test_admin_env_adds_only_the_missing_sbin_folders() -> None:
    env = admin_env({"PATH": "/usr/bin:/sbin", "HOME": "/h"})
    assert env["PATH"].split(":") == ["/usr/bin", "/sbin", "/usr/local/sbin", "/usr/sbin"]
    assert env["HOME"] == "/h"
    assert set(SBIN_DIRS) <= set(admin_env({})["PATH"].split(":"))


@needs_dpkg
def test_dpkg_installs_and_removes_with_a_non_root_path(tmp_path: Path) -> None:
    """`make test` for a person whose PATH has no /usr/sbin (dpkg needs ldconfig there)."""
    build_deb = load_script("build_deb")
    deb = build_deb.build(fake_bundle(tmp_path), tmp_path / "out", tmp_path / "stage", "gzip", 1)
    env = dict(os.environ, PATH=USER_PATH)
    target = DpkgRoot(tmp_path / "root", env)
    installed = target.dpkg("-i", str(deb))
    assert installed.returncode == 0, installed.stderr
    assert target.status("get3w-desktop") == "installed"
    launcher = target.root / "opt/get3w-desktop/get3w"
    assert os.readlink(target.root / "usr/bin/get3w") == "/opt/get3w-desktop/get3w"
    assert subprocess.run([str(launcher)], capture_output=True, text=True, check=True).stdout == (
        "get3w stand-in\n"
    )
    removed = target.dpkg("--purge", "get3w-desktop")
    assert removed.returncode == 0, removed.stderr
    assert target.status("get3w-desktop") == "not-installed"
    assert not (target.root / "opt/get3w-desktop").exists()
