"""A local Get3W-compatible server: the app's offline default and every test's server.

Two hosts on loopback: the API (`/v1`, `/api/v3`, as API.md describes them) and a
separate output "CDN". Tasks run on a (possibly virtual) clock, outputs are real files
(Pillow pictures, WAV sounds, MP4 clips), and every failure a client must survive can be
injected deterministically (FaultConfig). No Qt here.

    with SandboxServer(SandboxConfig(time_scale=0.05)) as server:
        ...  # talk to server.base_url with SANDBOX_API_KEY
"""

from get3w_desktop.sandbox.config import SANDBOX_API_KEY, FaultConfig, SandboxConfig
from get3w_desktop.sandbox.server import SandboxServer
from get3w_desktop.sandbox.state import Stats

__all__ = ["SANDBOX_API_KEY", "FaultConfig", "SandboxConfig", "SandboxServer", "Stats"]
