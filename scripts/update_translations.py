#!/usr/bin/env python3
"""Collect the interface texts into translations/*.ts and compile them to resources/i18n/*.qm.

    .venv/bin/python scripts/update_translations.py            # update every .ts, compile
    .venv/bin/python scripts/update_translations.py --add ja   # start a new language
    .venv/bin/python scripts/update_translations.py --check    # change nothing; exit 1 if a
                                                               # text is new, unfinished or stale
    .venv/bin/python scripts/update_translations.py --drop-obsolete  # forget removed texts

Texts that vanished from the code keep their translation (marked "vanished") until
--drop-obsolete, so a text that comes back, or a file updated before its code, loses nothing.

Uses Qt's own lupdate and lrelease, shipped inside the PySide6 wheel. The .ts files are what
translators edit (by hand or in Qt Linguist: `.venv/bin/pyside6-linguist`); the .qm files are
generated, and committed so a checkout runs without this step.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import PySide6

ROOT = Path(__file__).resolve().parents[1]
TS_DIR = ROOT / "translations"
QM_DIR = ROOT / "resources" / "i18n"
#: English is the source language: it needs no file.
LANGUAGES = ("zh_CN",)


def sources() -> list[Path]:
    """Every file whose texts people see: the widgets, and the entry points beside them."""
    package = ROOT / "get3w_desktop"
    return sorted([*package.glob("ui/**/*.py"), *package.glob("*.py")])


def tool(name: str) -> str:
    """Qt's lupdate/lrelease from the PySide6 wheel (else the pyside6-* wrappers)."""
    bundled = Path(PySide6.__file__).parent / name
    if bundled.is_file():
        return str(bundled)
    wrapper = shutil.which(f"pyside6-{name}") or shutil.which(name)
    if wrapper is None:
        raise SystemExit(f"{name} not found: install PySide6 (it ships lupdate and lrelease)")
    return wrapper


def ts_path(code: str, folder: Path = TS_DIR) -> Path:
    return folder / f"get3w_{code}.ts"


def qm_path(code: str, folder: Path = QM_DIR) -> Path:
    return folder / f"get3w_{code}.qm"


def lupdate(ts: Path, *, no_obsolete: bool = False) -> None:
    """Bring `ts` up to date with the sources (new texts become "unfinished")."""
    files = [str(p.relative_to(ROOT)) for p in sources()]
    args = [tool("lupdate"), *files, "-locations", "none", "-ts", str(ts)]
    if no_obsolete:
        args.insert(-2, "-no-obsolete")
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True)


def lrelease(ts: Path, qm: Path) -> None:
    qm.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [tool("lrelease"), "-silent", str(ts), "-qm", str(qm)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip


@dataclass(frozen=True)
class Status:
    total: int
    unfinished: list[str]
    obsolete: list[str]

    @property
    def complete(self) -> bool:
        return not self.unfinished and not self.obsolete


def status(ts: Path) -> Status:
    """How complete a .ts file is: its messages, and the ones still to translate or to drop."""
    unfinished: list[str] = []
    obsolete: list[str] = []
    total = 0
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else "unfinished"
            label = f"{name}: {source}"
            if kind in ("obsolete", "vanished"):
                obsolete.append(label)
                continue
            total += 1
            forms = [] if translation is None else translation.findall("numerusform")
            texts = [f.text or "" for f in forms] if forms else [translation.text or ""] if (
                translation is not None) else [""]  # fmt: skip
            if kind == "unfinished" or not all(t.strip() for t in texts):
                unfinished.append(label)
    return Status(total, unfinished, obsolete)


def check(code: str) -> Status:
    """The status `code` would have after an update, without touching the real files."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / ts_path(code).name
        shutil.copyfile(ts_path(code), copy)
        lupdate(copy)  # stale texts stay, marked, so they can be reported
        return status(copy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if stale")
    parser.add_argument("--add", metavar="CODE", help="start translations/get3w_CODE.ts")
    parser.add_argument("--drop-obsolete", action="store_true", help="forget removed texts")
    args = parser.parse_args(argv)
    codes = sorted({*LANGUAGES, *(p.stem.removeprefix("get3w_") for p in TS_DIR.glob("*.ts"))})
    if args.add:
        codes = sorted({*codes, args.add})
    failed = False
    for code in codes:
        if args.check:
            found = check(code)
            print(f"{code}: {found.total} texts, {len(found.unfinished)} unfinished, "
                  f"{len(found.obsolete)} obsolete")  # fmt: skip
            for label in [*found.unfinished, *found.obsolete][:40]:
                print(f"  {label}")
            failed |= not found.complete
            continue
        TS_DIR.mkdir(exist_ok=True)
        lupdate(ts_path(code), no_obsolete=args.drop_obsolete)
        lrelease(ts_path(code), qm_path(code))
        found = status(ts_path(code))
        print(f"{code}: {found.total} texts, {len(found.unfinished)} unfinished, "
              f"{len(found.obsolete)} obsolete -> {qm_path(code).relative_to(ROOT)}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
