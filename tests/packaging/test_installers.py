"""The .deb and the .rpm of the real bundle: built as `make dist` builds them, checked by
their validators, installed into throwaway roots, self-tested, upgraded and removed.

The bundle comes from tests/packaging/conftest.py (one PyInstaller build per session).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from get3w_desktop.sandbox import SandboxServer
from tests.packaging.package_roots import (
    DpkgRoot,
    RpmRoot,
    assert_self_test_ok,
    load_script,
    project_version,
    run,
    unpack_rpm,
    user_env,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),  # the first test also pays for the build
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux packages"),
]
needs_dpkg = pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="needs dpkg (Debian)")
needs_rpmbuild = pytest.mark.skipif(
    not (shutil.which("rpmbuild") and shutil.which("rpm2cpio") and shutil.which("cpio")),
    reason="needs rpm, rpm2cpio and cpio (scripts/system-deps.sh test)",
)
#: Files of the person's, where the desktop app and `get3w` keep them (platformdirs, XDG).
USER_FILES = (".config/Get3W Desktop/settings.ini", ".local/share/Get3W Desktop/notes.txt")
APP = "opt/get3w-desktop"
MODEL = "google/nano-banana-pro/text-to-image"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def check_installed_tree(root: Path, env: dict[str, str]) -> None:
    """Launchers, menu entry, icons and AppStream metadata where a desktop looks, valid."""
    desktop = root / "usr/share/applications/get3w-desktop.desktop"
    lines = desktop.read_text(encoding="utf-8").splitlines()
    entry = dict(line.split("=", 1) for line in lines if "=" in line)
    for name in ("get3w-desktop", "get3w"):
        assert os.readlink(root / "usr/bin" / name) == f"/{APP}/{name}"
    assert entry["Exec"].split()[0] == "get3w-desktop"
    assert (root / f"usr/share/icons/hicolor/256x256/apps/{entry['Icon']}.png").is_file()
    assert (root / f"usr/share/icons/hicolor/scalable/apps/{entry['Icon']}.svg").is_file()
    metainfo = root / "usr/share/metainfo/com.get3w.desktop.metainfo.xml"
    if shutil.which("desktop-file-validate"):
        checked = run(["desktop-file-validate", str(desktop)], env)
        assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout
    if shutil.which("appstreamcli"):
        checked = run(["appstreamcli", "validate", "--pedantic", "--no-net", str(metainfo)], env)
        assert checked.returncode == 0, checked.stdout
    assert_self_test_ok(run([str(root / APP / "get3w-desktop"), "--self-test"], env))
    version = run([str(root / APP / "get3w"), "--version"], env)
    assert version.stdout.strip() == f"get3w {project_version()}"


def person_env(home: Path) -> dict[str, str]:
    """user_env with the default XDG folders under $HOME, as a person has them."""
    env = user_env(home)
    del env["GET3W_HOME"]
    return env


def write_user_data(root: Path, home: Path, sandbox: SandboxServer, key: str) -> dict[str, bytes]:
    """A real task in the history (the installed `get3w run`), plus settings-like files."""
    env = person_env(home)
    env["GET3W_API_KEY"] = key
    ran = run(
        [str(root / APP / "get3w"), "run", MODEL, "-p", "prompt=kept", "--out", str(home / "out"),
         "--base-url", sandbox.base_url],
        env,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    for name in USER_FILES:
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text(f"{name}: mine\n", encoding="utf-8")
    files = {
        p.relative_to(home).as_posix(): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.relative_to(home).parts[0] in (".config", ".local")
    }
    assert ".local/share/Get3W Desktop/history.sqlite3" in files, sorted(files)
    return files


def assert_user_data_kept(home: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        if name.endswith(("-wal", "-shm")):
            continue  # SQLite's side files may be folded into the database on close
        assert (home / name).is_file(), f"{name} was deleted"
        if not name.endswith(".sqlite3"):
            assert (home / name).read_bytes() == content, f"{name} was changed"


@needs_dpkg
def test_the_deb_passes_lintian_with_only_explained_overrides(bundle: Path, tmp_path: Path) -> None:
    if not shutil.which("lintian"):
        pytest.skip("needs lintian (scripts/system-deps.sh test)")
    deb = load_script("build_deb").build(bundle, tmp_path / "out", tmp_path / "stage", "gzip", 1)
    result = run(["lintian", "--fail-on", "error,warning", "--info", str(deb)], dict(os.environ))
    findings = [line for line in result.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert result.returncode == 0 and findings == [], result.stdout[-4000:]
    assert "unused-override" not in result.stdout  # every override still matches something
    overrides = (Path(__file__).parents[2] / "packaging/linux/lintian-overrides").read_text(
        encoding="utf-8"
    )
    blocks = overrides.split("\n\n")[1:]  # after the file's heading
    assert blocks and all(block.lstrip().startswith("#") for block in blocks)  # each explained


@needs_dpkg
def test_the_deb_installs_and_its_launchers_start(bundle: Path, tmp_path: Path, home: Path) -> None:
    build_deb = load_script("build_deb")
    deb = build_deb.build(bundle, tmp_path / "out", tmp_path / "stage", "gzip", 1)
    assert deb.name == f"get3w-desktop_{build_deb.debian_version(project_version())}_" + (
        f"{build_deb.architecture()}.deb"
    )
    fields = run(["dpkg-deb", "--field", str(deb), "Version", "Depends"], dict(os.environ))
    info = dict(line.split(": ", 1) for line in fields.stdout.splitlines())
    assert info["Version"] == build_deb.debian_version(project_version())
    depends = {d.strip().split()[0] for d in info["Depends"].split(",")}
    assert depends >= set(build_deb.run_packages())  # the same list as `make run` installs
    contents = run(["dpkg-deb", "--contents", str(deb)], dict(os.environ)).stdout
    assert "./DEBIAN" not in contents
    control = run(["dpkg-deb", "--info", str(deb)], dict(os.environ)).stdout
    assert not any(s in control for s in ("preinst", "postinst", "prerm", "postrm"))

    # A real dpkg install into a private root (the machine's own package database is
    # untouched); the desktop libraries in Depends come from this system.
    target = DpkgRoot(tmp_path / "root", os.environ)
    installed = target.dpkg("-i", str(deb))
    assert installed.returncode == 0, installed.stderr[-2000:]
    check_installed_tree(target.root, user_env(home))


@needs_dpkg
def test_upgrading_and_removing_the_deb_keeps_the_persons_data(
    bundle: Path, tmp_path: Path, home: Path, sandbox: SandboxServer, sandbox_key: str
) -> None:
    build_deb = load_script("build_deb")
    debs = [
        build_deb.build(bundle, tmp_path / "out", tmp_path / "stage", "gzip", 1, version=v)
        for v in ("0.0.1", "0.0.2")
    ]
    env = dict(os.environ, HOME=str(home))  # a maintainer script touching $HOME would hit it
    target = DpkgRoot(tmp_path / "root", env)
    assert target.dpkg("-i", str(debs[0])).returncode == 0
    files = write_user_data(target.root, home, sandbox, sandbox_key)

    upgraded = target.dpkg("-i", str(debs[1]))
    assert upgraded.returncode == 0, upgraded.stderr[-2000:]
    version = run(["dpkg-query", f"--admindir={target.admin}", "-W", "-f=${Version}",
                   "get3w-desktop"], target.env)  # fmt: skip
    assert version.stdout == "0.0.2"
    assert_user_data_kept(home, files)
    history = run([str(target.root / APP / "get3w"), "history"], person_env(home))
    assert history.returncode == 0 and MODEL in history.stdout, history.stderr

    for step in ("--remove", "--purge"):
        assert target.dpkg(step, "get3w-desktop").returncode == 0
        assert_user_data_kept(home, files)
    assert target.status("get3w-desktop") == "not-installed"
    assert not (target.root / APP).exists()


@needs_rpmbuild
def test_the_rpm_names_its_libraries_installs_and_its_launchers_start(
    bundle: Path, tmp_path: Path, home: Path
) -> None:
    build_rpm = load_script("build_rpm")
    rpm = build_rpm.build(bundle, tmp_path / "out", tmp_path / "work", "gzip")
    assert rpm.name == f"get3w-desktop-{project_version()}-1.{build_rpm.rpm_arch()}.rpm"
    env = dict(os.environ)
    requires = set(run(["rpm", "-qpR", str(rpm)], env).stdout.split())
    for library in ("libxcb-cursor.so.0", "libxkbcommon-x11.so.0", "libEGL.so.1",
                    "libpulse.so.0", "libfontconfig.so.1", "libdbus-1.so.3"):  # fmt: skip
        assert f"{library}()(64bit)" in requires, sorted(requires)
    assert not any("libQt6" in r or "libpython" in r for r in requires)  # the bundle has them
    provides = run(["rpm", "-qp", "--provides", str(rpm)], env).stdout
    assert "libQt6" not in provides  # no private library is advertised to the system
    assert run(["rpm", "-qp", "--scripts", str(rpm)], env).stdout.strip() == ""

    if RpmRoot.available():
        target = RpmRoot(tmp_path / "root", env)
        installed = target.rpm("-i", str(rpm))
        assert installed.returncode == 0, installed.stderr[-2000:]
        assert target.installed_version("get3w-desktop") == project_version()
    else:  # rpm --root needs root; the payload alone is what a person's rpm installs
        unpack_rpm(rpm, tmp_path / "root")
    check_installed_tree(tmp_path / "root", user_env(home))


@needs_rpmbuild
def test_upgrading_and_removing_the_rpm_keeps_the_persons_data(
    bundle: Path, tmp_path: Path, home: Path, sandbox: SandboxServer, sandbox_key: str
) -> None:
    if not RpmRoot.available():
        pytest.skip("rpm --root (an rpm database in a throwaway root) needs root")
    build_rpm = load_script("build_rpm")
    rpms = [
        build_rpm.build(bundle, tmp_path / "out", tmp_path / f"work{v}", "gzip", version=v)
        for v in ("0.0.1", "0.0.2")
    ]
    target = RpmRoot(tmp_path / "root", dict(os.environ, HOME=str(home)))
    assert target.rpm("-i", str(rpms[0])).returncode == 0
    files = write_user_data(target.root, home, sandbox, sandbox_key)
    upgraded = target.rpm("-U", str(rpms[1]))
    assert upgraded.returncode == 0, upgraded.stderr[-2000:]
    assert target.installed_version("get3w-desktop") == "0.0.2"
    assert_user_data_kept(home, files)
    assert target.rpm("-e", "get3w-desktop").returncode == 0
    assert target.installed_version("get3w-desktop") is None
    assert not (target.root / APP).exists()
    assert_user_data_kept(home, files)
