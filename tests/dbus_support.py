"""A private D-Bus session bus for tests that need a desktop service (the Secret Service,
the accessibility bus): its own socket, its own config, nothing shared with the machine."""

from __future__ import annotations

import subprocess
from pathlib import Path

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def start_session_bus(
    dbus_daemon: str, root: Path, env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], str]:
    """Start a session bus listening in `root` (keep the path short: a socket path holds
    ~100 bytes); its process and address. Raises RuntimeError when it does not come up."""
    config = root / "bus.conf"
    config.write_text(BUS_CONFIG.format(socket=root / "bus"), encoding="utf-8")
    with open(root / "dbus.log", "wb") as log:
        bus = subprocess.Popen(
            [dbus_daemon, f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=log, env=env,
        )  # fmt: skip
    assert bus.stdout is not None
    address = bus.stdout.readline().decode().strip()
    if not address:
        bus.kill()
        bus.wait(10)
        raise RuntimeError(f"dbus-daemon did not start: {(root / 'dbus.log').read_text()}")
    return bus, address
