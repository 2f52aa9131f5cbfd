"""Size of the packaged app: the onedir bundle, the .deb, the .rpm and the tarball, per run.

    .venv/bin/python -m bench.size             # build into a temporary folder, measure
    .venv/bin/python -m bench.size --dist dist # measure an existing `make dist` output

Prints a table (total sizes and the biggest parts of the bundle) and writes
bench/results/size.json. The goals (issue 16): 150 MB unpacked or less, a .deb of 45 MB or
less (MB here are MiB, 1024 x 1024 bytes, as `du -sh` counts them).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import table, write_result

ROOT = Path(__file__).resolve().parent.parent
GOAL_MB = 150.0
DEB_GOAL_MB = 45.0


def tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path, work: Path) -> float:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work / "pyinstaller"),
         str(ROOT / "packaging" / "get3w-desktop.spec")],
        check=True, cwd=ROOT,
    )  # fmt: skip
    for script in ("build_deb", "build_rpm"):
        if script == "build_rpm" and shutil.which("rpmbuild") is None:
            continue  # scripts/system-deps.sh dist installs it
        subprocess.run(
            [sys.executable, str(ROOT / "packaging" / "linux" / f"{script}.py"),
             str(dist / "get3w-desktop"), "--out", str(dist), "--work", str(work / script)],
            check=True, cwd=ROOT,
        )  # fmt: skip
    return time.monotonic() - started


def biggest_parts(bundle: Path, count: int = 12) -> list[tuple[str, int]]:
    """Sizes of the bundle's top-level parts inside _internal (libraries, packages)."""
    inner = bundle / "_internal"
    parts = [(p.name, tree_size(p)) for p in inner.iterdir()] if inner.is_dir() else []
    return sorted(parts, key=lambda item: item[1], reverse=True)[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, help="measure this dist/ instead of building")
    args = parser.parse_args(argv)
    build_seconds: float | None = None
    with tempfile.TemporaryDirectory(prefix="get3w-size-") as scratch:
        dist = args.dist or Path(scratch) / "dist"
        if args.dist is None:
            build_seconds = build(dist, Path(scratch) / "work")
        bundle = dist / "get3w-desktop"
        debs = sorted(dist.glob("*.deb"))
        rpms = sorted(dist.glob("*.rpm"))
        tarballs = sorted(dist.glob("*.tar.gz"))
        onedir = tree_size(bundle)
        parts = biggest_parts(bundle)
        sizes = {
            "onedir_bytes": onedir,
            "deb_bytes": debs[-1].stat().st_size if debs else None,
            "rpm_bytes": rpms[-1].stat().st_size if rpms else None,
            "tar_gz_bytes": tarballs[-1].stat().st_size if tarballs else None,
        }
    mb = 1024 * 1024
    rows = [
        ["onedir bundle (unpacked)", f"{onedir / mb:.1f} MB",
         "goal met" if onedir / mb <= GOAL_MB else f"over the {GOAL_MB:.0f} MB goal"],
        [".deb", f"{(sizes['deb_bytes'] or 0) / mb:.1f} MB" if sizes["deb_bytes"] else "-",
         "" if not sizes["deb_bytes"] else "goal met" if sizes["deb_bytes"] / mb <= DEB_GOAL_MB
         else f"over the {DEB_GOAL_MB:.0f} MB goal"],
        [".rpm", f"{(sizes['rpm_bytes'] or 0) / mb:.1f} MB" if sizes["rpm_bytes"] else "-", ""],
        ["tar.gz", f"{(sizes['tar_gz_bytes'] or 0) / mb:.1f} MB"
         if sizes["tar_gz_bytes"] else "-", ""],
    ]  # fmt: skip
    print(table(["artifact", "size", ""], rows))
    print(table(["biggest parts of _internal", "size"],
                [[name, f"{size / mb:.1f} MB"] for name, size in parts]))  # fmt: skip
    write_result(
        "size",
        {
            "build_seconds": build_seconds,
            "goal_mb": GOAL_MB,
            "deb_goal_mb": DEB_GOAL_MB,
            **sizes,
            "biggest_parts": [{"name": name, "bytes": size} for name, size in parts],
        },
        argv=argv,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
