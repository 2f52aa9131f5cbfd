"""Install packages into throwaway roots, the way a person's dpkg or rpm would, without
touching the machine's own package databases.

dpkg runs `ldconfig` and `start-stop-daemon`, which live in /usr/sbin and /sbin; a non-root
Debian PATH (`/usr/local/bin:/usr/bin:/bin`) has neither, and dpkg then refuses to work
("2 expected programs not found in PATH"). `admin_env` adds the sbin folders, as `sudo`'s
secure_path does for a real install.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

from get3w_desktop.core.catalogue import load_bundled

ROOT = Path(__file__).resolve().parents[2]
SBIN_DIRS = ("/usr/local/sbin", "/usr/sbin", "/sbin")


def admin_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` with the sbin folders at the end of PATH (those not already on it)."""
    result = dict(env)
    parts = [p for p in result.get("PATH", os.defpath).split(os.pathsep) if p]
    result["PATH"] = os.pathsep.join(parts + [d for d in SBIN_DIRS if d not in parts])
    return result


def load_script(name: str) -> ModuleType:
    """packaging/linux/<name>.py as a module (build_deb, build_rpm)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / "linux" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(
    command: list[str], env: Mapping[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False
    )


def project_version() -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


def user_env(home: Path) -> dict[str, str]:
    """What a person's session would give the app: no Qt platform, no display, no key."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "GET3W_API_KEY")
        and not k.startswith(("PYTHON", "GET3W_", "PYTEST", "XDG_"))
    }
    env.update(HOME=str(home), GET3W_HOME=str(home / "get3w"), XDG_RUNTIME_DIR=str(home))
    return env


def assert_self_test_ok(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stdout.splitlines()
    assert result.returncode == 0, (result.stdout, result.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("self-test ok: "), lines
    assert f"catalogue {len(load_bundled())} models" in lines[0]
    return lines[0]


class DpkgRoot:
    """A private dpkg root: `--instdir` and `--admindir` under `root`, scripts run chrootless
    with the caller's environment (so a maintainer script that touched $HOME would hit the
    test's HOME, where the test looks)."""

    def __init__(self, root: Path, env: Mapping[str, str]) -> None:
        self.root = root
        self.admin = root / "var" / "lib" / "dpkg"
        for sub in ("updates", "info", "triggers"):
            (self.admin / sub).mkdir(parents=True, exist_ok=True)
        (self.admin / "status").touch()
        self.env = admin_env(env)

    def dpkg(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run(
            ["dpkg", "--force-not-root", "--force-depends", "--force-script-chrootless",
             f"--instdir={self.root}", f"--admindir={self.admin}", "--log=/dev/null", *args],
            self.env,
        )  # fmt: skip

    def status(self, package: str) -> str:
        """dpkg's status word for `package` ("installed", "config-files", "not-installed")."""
        found = run(
            ["dpkg-query", f"--admindir={self.admin}", "-W", "-f=${db:Status-Status}", package],
            self.env,
        )  # fmt: skip
        return found.stdout.strip() if found.returncode == 0 else "not-installed"


class RpmRoot:
    """A private rpm root (`rpm --root`): its own database under `root`, no dependency checks
    (the libraries come from this Debian system, not from rpm's database)."""

    def __init__(self, root: Path, env: Mapping[str, str]) -> None:
        self.root = root
        self.env = admin_env(env)
        root.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def available() -> bool:
        return shutil.which("rpm") is not None and hasattr(os, "geteuid") and os.geteuid() == 0

    def rpm(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run(["rpm", f"--root={self.root}", "--nodeps", *args], self.env)

    def installed_version(self, package: str) -> str | None:
        found = run(["rpm", f"--root={self.root}", "-q", "--qf", "%{VERSION}", package], self.env)
        return found.stdout.strip() if found.returncode == 0 else None


def unpack_rpm(rpm: Path, root: Path) -> None:
    """Unpack an .rpm's payload (no database, no root needed): rpm2cpio | cpio."""
    root.mkdir(parents=True, exist_ok=True)
    with subprocess.Popen(["rpm2cpio", str(rpm)], stdout=subprocess.PIPE) as payload:
        subprocess.run(
            ["cpio", "-idm", "--quiet", "--no-absolute-filenames"],
            stdin=payload.stdout,
            cwd=root,
            check=True,
        )
    if payload.returncode != 0:
        raise RuntimeError(f"rpm2cpio {rpm} failed ({payload.returncode})")
