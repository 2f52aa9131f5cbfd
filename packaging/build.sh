#!/usr/bin/env bash
# Build the standalone app for this OS into dist/ (`make dist`), then self-test it.
#   Linux:  dist/get3w-desktop/ (onedir), dist/get3w-desktop_<v>_<arch>.deb,
#           dist/get3w-desktop-<v>-1.<arch>.rpm (Fedora, openSUSE; needs Debian's `rpm`),
#           dist/get3w-desktop-<v>-linux-<arch>.tar.gz
#   macOS:  dist/Get3W Desktop.app and dist/Get3W-Desktop-<v>.dmg (packaging/macos/make_dmg.sh)
#   Windows: use packaging/windows/build.ps1 (PyInstaller + Inno Setup).
# GET3W_PACKAGING_FULL=1 builds without the excludes (to measure what they save).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
if ! "$PY" -c 'import PyInstaller' 2>/dev/null; then
    echo "PyInstaller is missing: run 'make test' once (it installs the dev extra), or" >&2
    echo "  $PY -m pip install -c requirements/constraints.txt -e '.[build]'" >&2
    exit 1
fi
version="$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
started=$(date +%s)
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
    packaging/get3w-desktop.spec
echo "== PyInstaller: $(( $(date +%s) - started )) s"

case "$(uname -s)" in
    Darwin) app="dist/Get3W Desktop.app/Contents/MacOS/get3w-desktop" ;;
    *)      app="dist/get3w-desktop/get3w-desktop" ;;
esac
echo "== self-test"
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$app" --self-test

case "$(uname -s)" in
    Linux)
        arch="$(uname -m)"
        "$PY" packaging/linux/build_deb.py dist/get3w-desktop --out dist --work build/deb
        if command -v rpmbuild >/dev/null 2>&1; then
            "$PY" packaging/linux/build_rpm.py dist/get3w-desktop --out dist --work build/rpm
        else
            echo "== no .rpm: rpmbuild is missing (scripts/system-deps.sh dist installs it)" >&2
        fi
        tar -C dist -czf "dist/get3w-desktop-${version}-linux-${arch}.tar.gz" get3w-desktop
        ;;
    Darwin)
        packaging/macos/make_dmg.sh "dist/Get3W Desktop.app" "dist/Get3W-Desktop-${version}.dmg"
        ;;
esac
echo "== built in $(( $(date +%s) - started )) s:"
du -sh dist/* | sed 's/^/   /'
