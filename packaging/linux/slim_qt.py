"""Make the Linux bundle's Qt smaller without losing anything the app uses (issue 16).

Called by packaging/get3w-desktop.spec on the finished onedir bundle; also importable by
tests. Two measured cuts, each replaced by the smallest thing that keeps every caller
working:

1. QtQuick/QML (16 MB with QmlModels, QmlMeta, QmlWorkerScript): only Qt's FFmpeg media
   plugin links them, and it uses two QtQuick symbols for QQuickWindow screen capture.
   They become the stand-ins qtquick_stub.c describes (15 kB each).
2. ICU data (30 MB): Qt Core calls ICU only for text converters (ucnv), case mapping,
   collation (ucol) and time-zone names (ucal); `nm -D --undefined-only libQt6Core.so.6`
   lists them. The data for what it never calls (break iterators, units, currencies,
   language and region names, transliteration, number spell-out, stringprep) is removed
   from the ICU package, keeping converters, locales, collation and zones (15 MB saved).

Both need a C compiler (cc, gcc); without one the bundle keeps the originals.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Libraries only QtQuick itself needs once the media plugin's two symbols are stood in for.
QML_ONLY = ("libQt6QmlModels.so.6", "libQt6QmlMeta.so.6", "libQt6QmlWorkerScript.so.6")
#: ICU data trees (and top-level item kinds) no Qt Core call reads.
ICU_UNUSED = re.compile(r"[^/]+/(brkitr|unit|curr|lang|region|translit|rbnf)/.*|[^/]+/[^/]+\.spp")
#: What the FFmpeg plugin may import from QtQuick; anything more and the stub is not enough.
QUICK_SYMBOLS = {
    "_ZN12QQuickWindow10grabWindowEv",
    "_ZN12QQuickWindow16staticMetaObjectE",
}


def compiler() -> str | None:
    return shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")


def dynamic_symbols(library: Path, which: str) -> set[str]:
    """Names (without version) of `library`'s dynamic symbols, `which` = "undefined"/"defined"."""
    out = subprocess.run(  # noqa: S603
        ["nm", "-D", f"--{which}-only", str(library)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def needed(library: Path) -> list[str]:
    out = subprocess.run(  # noqa: S603
        ["readelf", "-d", "--wide", str(library)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def build_quick_stubs(cc: str, work: Path) -> dict[str, Path]:
    work.mkdir(parents=True, exist_ok=True)
    built = {}
    for name, extra in (("libQt6Quick.so.6", []), ("libQt6Qml.so.6", ["-DGET3W_QML_ONLY"])):
        target = work / name
        subprocess.run(  # noqa: S603
            [cc, "-shared", "-fPIC", "-O2", "-s", *extra, f"-Wl,-soname,{name}",
             f"-Wl,--version-script={HERE / 'qtquick_stub.map'}", "-o", str(target),
             str(HERE / "qtquick_stub.c")],
            check=True,
        )  # fmt: skip
        built[name] = target
    return built


def replace_quick(qt: Path, cc: str, work: Path) -> int:
    """Swap QtQuick/QML for the stand-ins if the media plugin is all that needs them.
    Returns the bytes saved (0 when it cannot be done safely)."""
    lib, plugin = qt / "lib", qt / "plugins" / "multimedia" / "libffmpegmediaplugin.so"
    originals = [lib / "libQt6Quick.so.6", lib / "libQt6Qml.so.6"] + [lib / n for n in QML_ONLY]
    if not plugin.is_file() or not all(p.is_file() for p in originals[:2]):
        return 0
    dropped = {p.name for p in originals}
    users = [
        p for p in qt.rglob("*.so*")
        if p.is_file() and p.name not in dropped and dropped & set(needed(p))
    ]  # fmt: skip
    if users != [plugin]:
        return 0
    wanted = dynamic_symbols(plugin, "undefined")
    quick_uses = wanted & dynamic_symbols(lib / "libQt6Quick.so.6", "defined")
    qml_uses = wanted & dynamic_symbols(lib / "libQt6Qml.so.6", "defined")
    if not quick_uses <= QUICK_SYMBOLS or qml_uses:
        raise SystemExit(f"the media plugin uses more than the stubs have: {quick_uses | qml_uses}")
    before = sum(p.stat().st_size for p in originals if p.is_file())
    for path in originals:
        path.unlink(missing_ok=True)
    for name, stub in build_quick_stubs(cc, work).items():
        shutil.copyfile(stub, lib / name)
    return before - sum((lib / n).stat().st_size for n in ("libQt6Quick.so.6", "libQt6Qml.so.6"))


def icu_items(package: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Split an ICU common data package ("CmnD") into its header and named items."""
    header_size = struct.unpack_from("<H", package, 0)[0]
    if package[2:4] != b"\xda\x27" or package[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    toc = header_size
    count = struct.unpack_from("<I", package, toc)[0]
    entries = [struct.unpack_from("<II", package, toc + 4 + 8 * i) for i in range(count)]
    items = []
    for index, (name_offset, data_offset) in enumerate(entries):
        name_start = toc + name_offset
        name = package[name_start : package.index(b"\0", name_start)].decode("ascii")
        end = toc + entries[index + 1][1] if index + 1 < count else len(package)
        items.append((name, package[toc + data_offset : end]))
    return package[:header_size], items


def icu_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """Pack items (kept in their sorted order: ICU binary-searches the names) with 16-byte
    alignment, as ICU's own pkgdata does."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    table_size = 4 + 8 * len(items)
    data_start = (table_size + len(names) + 15) // 16 * 16
    table, blobs, name_offset, offset = [], [], table_size, data_start
    for name, blob in items:
        table.append(struct.pack("<II", name_offset, offset))
        name_offset += len(name) + 1
        padded = blob + b"\0" * (-len(blob) % 16)
        blobs.append(padded)
        offset += len(padded)
    toc = struct.pack("<I", len(items)) + b"".join(table) + names
    return header + toc + b"\0" * (data_start - len(toc)) + b"".join(blobs)


def data_symbol(library: Path) -> tuple[str, int, int]:
    """(name, file offset, size) of the ICU data symbol (icudtNN_dat) in libicudata."""
    symbols = subprocess.run(  # noqa: S603
        ["nm", "-D", "-S", "--defined-only", str(library)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"^([0-9a-f]+) ([0-9a-f]+) R (icudt\d+_dat)$", symbols, re.MULTILINE)
    if found is None:
        raise ValueError(f"{library} has no icudtNN_dat symbol")
    address, size, name = int(found[1], 16), int(found[2], 16), found[3]
    sections = subprocess.run(  # noqa: S603
        ["readelf", "-S", "--wide", str(library)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            section_address, section_offset = int(fields[3], 16), int(fields[4], 16)
            return name, address - section_address + section_offset, size
    raise ValueError(f"{library} has no .rodata section")


def subset_icu_library(library: Path, cc: str, work: Path) -> int:
    """Rebuild libicudataNN without the unused trees; returns the bytes saved."""
    symbol, offset, size = data_symbol(library)
    header, items = icu_items(library.read_bytes()[offset : offset + size])
    kept = [(name, blob) for name, blob in items if not ICU_UNUSED.fullmatch(name)]
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"{symbol}.dat"
    data.write_bytes(icu_package(header, kept))
    assembly = work / "icudata.S"
    assembly.write_text(
        f".section .rodata\n.globl {symbol}\n.type {symbol}, @object\n.balign 16\n{symbol}:\n"
        f'.incbin "{data}"\n.size {symbol}, .-{symbol}\n'
        '.section .note.GNU-stack,"",@progbits\n',
        encoding="utf-8",
    )
    target = work / library.name
    subprocess.run(  # noqa: S603
        [cc, "-shared", "-nostdlib", "-s", f"-Wl,-soname,{library.name}", "-o", str(target),
         str(assembly)],
        check=True,
    )  # fmt: skip
    before = library.stat().st_size
    shutil.copyfile(target, library)
    return before - library.stat().st_size


def slim(bundle_internal: Path, work: Path) -> str:
    """Apply both cuts to a Linux onedir bundle's _internal folder; a one-line summary."""
    cc = compiler()
    qt = bundle_internal / "PySide6" / "Qt"
    if cc is None or not qt.is_dir():
        return "slim_qt: skipped (no C compiler)" if cc is None else "slim_qt: no Qt"
    quick = replace_quick(qt, cc, work / "quick")
    icu = [p for p in (qt / "lib").glob("libicudata.so.*") if p.is_file() and not p.is_symlink()]
    saved_icu = sum(subset_icu_library(p, cc, work / "icu") for p in icu)
    return f"slim_qt: QtQuick/QML -{quick / 1e6:.1f} MB, ICU data -{saved_icu / 1e6:.1f} MB"
