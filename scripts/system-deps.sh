#!/usr/bin/env bash
# Install the Debian packages a purpose needs, only those missing.
#   scripts/system-deps.sh run    Qt's xcb/EGL libraries for a real window
#   scripts/system-deps.sh screenshots  Xvfb and the window libraries (make screenshots)
#   scripts/system-deps.sh test   what the test suite needs beyond Python packages (including
#                                 a D-Bus session bus and GNOME Keyring for the Secret Service test,
#                                 and the package tools and validators tests/packaging uses)
#   scripts/system-deps.sh dist   what `make dist` needs beyond the venv (rpmbuild for the .rpm)
# Without root (or passwordless sudo) it prints the apt-get line to run instead.
set -euo pipefail
purpose="${1:-test}"
case "$purpose" in
    run)  packages="libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
                    libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libegl1 libgl1
                    libfontconfig1 libdbus-1-3 libglib2.0-0 libpulse0 fonts-noto-cjk" ;;
    # dbus (dbus-daemon, dbus-run-session) and gnome-keyring: a private Secret Service for
    # tests/storage/test_secret_service_real.py. Xvfb, the window libraries, at-spi2-core and
    # python3-pyatspi: the screen-reader walk of a real window (tests/e2e/test_accessibility.py).
    # rpm (rpmbuild), rpm2cpio and cpio: the .rpm; lintian, desktop-file-utils and appstream:
    # the validators tests/packaging runs on the .deb, the menu entry and the AppStream file.
    test) packages="libegl1 libgl1 libfontconfig1 libxkbcommon0 libglib2.0-0 libdbus-1-3 libpulse0
                    dbus gnome-keyring xvfb libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4
                    libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0
                    libxcb-xinerama0 at-spi2-core python3-pyatspi
                    rpm rpm2cpio cpio lintian desktop-file-utils appstream" ;;
    dist) packages="rpm" ;;
    # A real X server for scripts/screenshots.py, plus what a real window needs.
    screenshots) packages="xvfb libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1
                    libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0
                    libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 libpulse0 fonts-noto-cjk" ;;
    *) echo "usage: $0 run|test|screenshots|dist" >&2; exit 2 ;;
esac
command -v dpkg-query >/dev/null 2>&1 || exit 0   # not Debian/Ubuntu: nothing we can do here
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "Missing system packages:$missing" >&2
    echo "Install them with: sudo apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
echo "Installing system packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
