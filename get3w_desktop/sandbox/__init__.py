"""A local Get3W-compatible server: the app's offline mode and every test's server."""

from get3w_desktop.sandbox.config import SANDBOX_API_KEY, FaultConfig, SandboxConfig
from get3w_desktop.sandbox.server import SandboxServer

__all__ = ["SANDBOX_API_KEY", "FaultConfig", "SandboxConfig", "SandboxServer"]
