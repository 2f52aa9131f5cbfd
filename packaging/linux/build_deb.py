"""Wrap the PyInstaller onedir bundle in a .deb with dpkg-deb.

    python packaging/linux/build_deb.py dist/get3w-desktop --out dist [--work build/deb]

Layout: the bundle in /opt/get3w-desktop, symlinks /usr/bin/get3w-desktop and
/usr/bin/get3w, a menu entry in /usr/share/applications, AppStream metadata in
/usr/share/metainfo, hicolor icons, lintian overrides (each explained in
packaging/linux/lintian-overrides). No maintainer scripts: Debian's file triggers refresh
the menu and icon caches, and nothing ever touches a person's ~/.config or ~/.local/share,
so upgrades keep their data and removal (even purge) never deletes it. Depends lists the
system libraries the bundle leaves to the desktop (scripts/system-deps.sh `run`, plus the
ones the spec drops from the bundle). Prints the path of the .deb.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
PACKAGE = "get3w-desktop"
INSTALL_DIR = f"opt/{PACKAGE}"
MAINTAINER = "Get3W Desktop maintainers <get3w-desktop@users.noreply.github.com>"
HOMEPAGE = "https://get3w.com"
#: What the spec leaves to the system beyond system-deps.sh `run` (X11, fonts, D-Bus…).
EXTRA_DEPENDS = (
    "libc6 (>= 2.31)",
    "libstdc++6 (>= 12)",
    "libgcc-s1",
    "libx11-6",
    "libx11-xcb1",
    "libxcb1",
    "libxcb-glx0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxext6",
    "libxrandr2",
    "libxrender1",
    "libxkbcommon0",
    "libfreetype6",
)
SUMMARY = "desktop client for the Get3W generative-AI API"
#: The long description, lines under 80 characters (lintian); the .rpm uses it too.
DESCRIPTION = (
    "Generate images, videos and sounds with the models Get3W offers (Nano Banana,",
    "Seedream, Flux, Veo, Kling, Wan, Sora...), follow tasks in the background and",
    "keep the results. A built-in offline sandbox lets you try everything without a",
    "key. Includes the `get3w` command for scripts.",
)
RECOMMENDS = ("gnome-keyring | kwalletmanager",)  # a Secret Service to remember the key
COPYRIGHT = (
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
    f"Upstream-Name: {PACKAGE}\n\n"
    "Files: *\nCopyright: 2026 Get3W Desktop contributors\nLicense: MIT\n"
    "Comment: bundles Python, Qt/PySide6 (LGPL-3), FFmpeg (LGPL-2.1), Pillow, requests,\n"
    " keyring and their dependencies under their own licences.\n"
)


def project_version() -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    version = data["project"]["version"]
    assert isinstance(version, str)
    return version


def debian_version(version: str) -> str:
    """PEP 440 to Debian: pre-releases sort before the release (`1.0rc1` -> `1.0~rc1`)."""
    return re.sub(r"(?<=\d)\.?(a|b|rc|dev)(\d*)", r"~\1\2", version)


def run_packages(script: Path = ROOT / "scripts" / "system-deps.sh") -> list[str]:
    """The `run)` package list of scripts/system-deps.sh: one list for `make run` and the .deb."""
    text = script.read_text(encoding="utf-8")
    found = re.search(r'^\s*run\)\s*packages="([^"]+)"', text, re.MULTILINE)
    if found is None:
        raise SystemExit(f"cannot find the `run` package list in {script}")
    return found.group(1).split()


def depends() -> list[str]:
    names = run_packages()
    return names + [dep for dep in EXTRA_DEPENDS if dep.split()[0] not in names]


def architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"],  # noqa: S607 - dpkg from PATH, as a packager would
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def tree_size_kib(folder: Path) -> int:
    total = sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink())
    return (total + 1023) // 1024


def control(version: str, arch: str, installed_kib: int) -> str:
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {debian_version(version)}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(depends())}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        "Section: graphics\n"
        "Priority: optional\n"
        f"Homepage: {HOMEPAGE}\n"
        f"Description: {SUMMARY}\n" + "".join(f" {line}\n" for line in DESCRIPTION)
    )


METAINFO = "com.get3w.desktop.metainfo.xml"
#: Shared libraries need no execute bit (the wheels ship some with one; lintian objects).
SHARED_LIBRARY = re.compile(r"\.so(\.[\d.]+)?$")


def stage_files(bundle: Path, staging: Path) -> None:
    """The installed file tree, shared by the .deb and the .rpm (packaging/linux/build_rpm.py).

    Nothing outside /opt/get3w-desktop and /usr: no maintainer scripts, nothing in a
    person's home; upgrades replace these files and removal deletes only them.
    """
    if staging.exists():
        shutil.rmtree(staging)
    target = staging / INSTALL_DIR
    shutil.copytree(bundle, target, symlinks=True)
    bindir = staging / "usr" / "bin"
    bindir.mkdir(parents=True)
    for name in ("get3w-desktop", "get3w"):
        if not (target / name).is_file():
            raise SystemExit(f"{bundle} has no {name} executable: is it the onedir bundle?")
        (bindir / name).symlink_to(f"/{INSTALL_DIR}/{name}")  # absolute (Debian policy 10.5)
    share = staging / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(PACKAGING / "linux" / f"{PACKAGE}.desktop", share / "applications")
    (share / "metainfo").mkdir(parents=True)
    shutil.copy2(PACKAGING / "linux" / METAINFO, share / "metainfo")
    icons = share / "icons" / "hicolor"
    for png in sorted((PACKAGING / "icons" / "hicolor").glob(f"*/apps/{PACKAGE}.png")):
        dest = icons / png.relative_to(PACKAGING / "icons" / "hicolor")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, dest)
    scalable = icons / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(PACKAGING / "icons" / f"{PACKAGE}.svg", scalable)
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(COPYRIGHT, encoding="utf-8")
    for path in staging.rglob("*"):  # packagers want sane modes whatever the umask was
        if path.is_symlink():
            continue
        if path.is_dir() or (os.access(path, os.X_OK) and not SHARED_LIBRARY.search(path.name)):
            path.chmod(0o755)
        else:
            path.chmod(0o644)


def changelog(version: str) -> bytes:
    """A one-entry Debian changelog (lintian wants one in every binary package)."""
    text = (
        f"{PACKAGE} ({debian_version(version)}) unstable; urgency=medium\n\n"
        f"  * Release {version}: see https://get3w.com for what changed.\n\n"
        f" -- {MAINTAINER}  Mon, 30 Nov 2026 00:00:00 +0000\n"
    )
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def stage(bundle: Path, staging: Path, version: str, arch: str) -> None:
    stage_files(bundle, staging)
    doc = staging / "usr" / "share" / "doc" / PACKAGE
    (doc / "changelog.gz").write_bytes(changelog(version))
    (doc / "changelog.gz").chmod(0o644)
    overrides = staging / "usr" / "share" / "lintian" / "overrides"
    overrides.mkdir(parents=True)
    shutil.copy2(PACKAGING / "linux" / "lintian-overrides", overrides / PACKAGE)
    for folder in (overrides, overrides.parent):
        folder.chmod(0o755)
    (overrides / PACKAGE).chmod(0o644)
    debian = staging / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(
        control(version, arch, tree_size_kib(staging)), encoding="utf-8"
    )
    sums = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file() and not p.is_symlink()):
        relative = path.relative_to(staging)
        if relative.parts[0] != "DEBIAN":
            sums.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {relative}\n")  # noqa: S324 - dpkg's format
    (debian / "md5sums").write_text("".join(sums), encoding="utf-8")


def build(
    bundle: Path,
    out: Path,
    work: Path,
    compression: str = "xz",
    level: int | None = None,
    version: str | None = None,
) -> Path:
    """Stage and pack; `compression`/`level` trade size for time (tests use gzip -1). xz
    defaults to -9: its 64 MiB dictionary spans the whole bundle (46.1 MiB at -6, 41.6 at -9).
    `version` defaults to pyproject.toml's (tests build a second one to upgrade to)."""
    version, arch = version or project_version(), architecture()
    staging = work / f"{PACKAGE}_{debian_version(version)}_{arch}"
    stage(bundle, staging, version, arch)
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"{staging.name}.deb"
    command = ["dpkg-deb", "--root-owner-group", f"-Z{compression}"]
    if level is None and compression == "xz":
        level = 9
    if level is not None:
        command.append(f"-z{level}")
    command += ["--build", str(staging), str(deb)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    shutil.rmtree(staging)
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("bundle", type=Path, help="the onedir bundle (dist/get3w-desktop)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the .deb goes")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "deb", help="staging area")
    parser.add_argument("-Z", dest="compression", default="xz", choices=("xz", "gzip", "zstd"))
    parser.add_argument("-z", dest="level", type=int, help="compression level (dpkg-deb -z)")
    args = parser.parse_args(argv)
    deb = build(
        args.bundle.resolve(), args.out.resolve(), args.work.resolve(), args.compression, args.level
    )
    print(deb)  # noqa: T201 - the script's answer
    return 0


if __name__ == "__main__":
    sys.exit(main())
