"""Wrap the PyInstaller onedir bundle in an .rpm (Fedora, openSUSE) with rpmbuild.

    python packaging/linux/build_rpm.py dist/get3w-desktop --out dist [--work build/rpm]

The same file tree as the .deb (build_deb.stage_files: /opt/get3w-desktop, /usr/bin links,
menu entry, AppStream metadata, icons), built with Debian's `rpm` package. No scriptlets:
upgrades replace the files, removal deletes only them, a person's data is never touched.

Requires names shared libraries (`libxcb-cursor.so.0()(64bit)`), not packages: Fedora and
openSUSE name their packages differently, but rpm provides every library by its soname on
both. The list is every library the bundle's ELF files link (DT_NEEDED) that the bundle
does not carry itself, i.e. what the spec leaves to the desktop. rpm's own dependency
generator is off: it would also advertise the bundle's private libraries as Provides.
Prints the path of the .rpm.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_deb

PACKAGE = build_deb.PACKAGE
LICENSE = "MIT AND LGPL-3.0-only AND LGPL-2.1-or-later"  # the app; Qt/PySide6; FFmpeg
#: Libraries loaded with dlopen() by name (no DT_NEEDED names them), so the scan cannot
#: see them: Qt's xcb platform plugin opens libxcb-cursor; GL comes through libEGL/libGL.
DLOPENED = ("libxcb-cursor.so.0", "libEGL.so.1", "libGL.so.1")
#: What rpm's payload compression accepts; tests use the fast one.
NAME_FORMAT = "%%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm"  # no per-arch folder
PAYLOADS = {"xz": "w9.xzdio", "gzip": "w1.gzdio", "zstd": "w19.zstdio"}


def rpm_version(version: str) -> str:
    """PEP 440 to rpm: `~` sorts pre-releases before the release, as in Debian."""
    return build_deb.debian_version(version)


def rpm_arch() -> str:
    machine = os.uname().machine
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as handle:
            if handle.read(4) == b"\x7fELF":
                found.append(path)
    return found


def needed_sonames(folder: Path) -> tuple[set[str], set[str]]:
    """(every DT_NEEDED of the bundle's ELF files, every file name the bundle carries)."""
    needed: set[str] = set()
    for path in elf_files(folder):
        dynamic = subprocess.run(  # noqa: S603 - our own file names
            ["readelf", "-d", "--wide", str(path)],  # noqa: S607 - binutils from PATH
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        needed.update(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic))
    carried = {p.name for p in folder.rglob("*")}
    return needed, carried


def requires(bundle: Path) -> list[str]:
    """rpm capability names of the system libraries the bundle needs (64-bit marked)."""
    needed, carried = needed_sonames(bundle)
    system = sorted((needed - carried) | set(DLOPENED))
    mark = "()(64bit)" if sys.maxsize > 2**32 else ""
    return [f"{name}{mark}" for name in system if not name.startswith("ld-linux")]


def spec(version: str, staging: Path, bundle: Path, payload: str) -> str:
    install = build_deb.INSTALL_DIR
    files = [f"/{install}", f"/usr/bin/{PACKAGE}", "/usr/bin/get3w"]
    for path in sorted((staging / "usr" / "share").rglob("*")):
        relative = "/" + path.relative_to(staging).as_posix()
        if path.is_file() and not relative.startswith("/usr/share/doc/"):
            files.append(relative)
    description = "\n".join(build_deb.DESCRIPTION)
    return "\n".join(
        [
            # The FFmpeg libraries in the bundle break when stripped again, and the bundle
            # has no debug info to split out: no post-install processing, no debuginfo.
            "%global __os_install_post %{nil}",
            "%global debug_package %{nil}",
            "%global _build_id_links none",
            f"%global _binary_payload {payload}",
            "AutoReqProv: no",
            f"Name: {PACKAGE}",
            f"Version: {rpm_version(version)}",
            "Release: 1",
            f"Summary: {build_deb.SUMMARY[0].upper()}{build_deb.SUMMARY[1:]}",
            f"License: {LICENSE}",
            f"URL: {build_deb.HOMEPAGE}",
            f"Packager: {build_deb.MAINTAINER}",
            *(f"Requires: {name}" for name in requires(bundle)),
            "Recommends: (gnome-keyring or kwalletmanager5 or kwallet)",
            "",
            "%description",
            description,
            "",
            "%install",
            'cp -a "$GET3W_STAGING"/. "%{buildroot}"/',
            'rm -rf "%{buildroot}/usr/share/doc"',
            "",
            "%files",
            "%defattr(-,root,root,-)",
            "%license usr/share/doc/" + PACKAGE + "/copyright",
            *files,
            "",
        ]
    )


def build(
    bundle: Path,
    out: Path,
    work: Path,
    compression: str = "xz",
    version: str | None = None,
) -> Path:
    """Stage, write the spec and run rpmbuild; `version` defaults to pyproject.toml's."""
    version = version or build_deb.project_version()
    if work.exists():
        shutil.rmtree(work)
    staging = work / "root"
    build_deb.stage_files(bundle, staging)
    topdir = work / "rpmbuild"
    (topdir / "BUILD").mkdir(parents=True)
    (topdir / "BUILD" / "usr/share/doc" / PACKAGE).mkdir(parents=True)
    shutil.copy2(
        staging / "usr/share/doc" / PACKAGE / "copyright",
        topdir / "BUILD" / "usr/share/doc" / PACKAGE / "copyright",
    )
    spec_path = work / f"{PACKAGE}.spec"
    spec_path.write_text(spec(version, staging, bundle, PAYLOADS[compression]), encoding="utf-8")
    env = dict(os.environ, GET3W_STAGING=str(staging))
    command = [
        "rpmbuild", "-bb", "--quiet", "--target", rpm_arch(),
        "--define", f"_topdir {topdir}", "--define", f"_builddir {topdir / 'BUILD'}",
        "--define", "_rpmdir %{_topdir}/RPMS", "--define", f"_build_name_fmt {NAME_FORMAT}",
        "--define", "_docdir_fmt %%{NAME}",
        str(spec_path),
    ]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"rpmbuild failed:\n{result.stderr[-4000:]}")
    built = sorted((topdir / "RPMS").glob("*.rpm"))
    if len(built) != 1:
        raise SystemExit(f"rpmbuild made {len(built)} packages, expected one")
    out.mkdir(parents=True, exist_ok=True)
    rpm = out / built[0].name
    shutil.move(built[0], rpm)
    shutil.rmtree(work)
    return rpm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("bundle", type=Path, help="the onedir bundle (dist/get3w-desktop)")
    parser.add_argument("--out", type=Path, default=build_deb.ROOT / "dist")
    parser.add_argument("--work", type=Path, default=build_deb.ROOT / "build" / "rpm")
    parser.add_argument("-Z", dest="compression", default="xz", choices=sorted(PAYLOADS))
    args = parser.parse_args(argv)
    rpm = build(args.bundle.resolve(), args.out.resolve(), args.work.resolve(), args.compression)
    print(rpm)  # noqa: T201 - the script's answer
    return 0


if __name__ == "__main__":
    sys.exit(main())
