"""What every benchmark shares: machine facts, percentiles, tables and the JSON report.

Benchmarks print a short table and write `bench/results/<name>.json` holding the figures,
the machine they came from and the command that produced them. No timing is ever asserted.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    """Enough to tell two result files apart: CPU, cores, OS, Python, Qt (when imported)."""
    info: dict[str, Any] = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else [],
    }
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is not None:
        info["qt"] = str(qtcore.qVersion())
    return info


def command_line(name: str, argv: Sequence[str] | None = None) -> str:
    """How to run this again: `python -m bench.<name>` with the same options."""
    options = sys.argv[1:] if argv is None else list(argv)
    return " ".join(shlex.quote(p) for p in ["python", "-m", f"bench.{name}", *options])


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (0 <= fraction <= 1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def spread(values: Sequence[float]) -> dict[str, float]:
    """median, min, p90, max and the count: how benchmarks summarise repeated runs."""
    return {
        "n": len(values),
        "median": percentile(values, 0.5),
        "min": min(values) if values else math.nan,
        "p90": percentile(values, 0.9),
        "max": max(values) if values else math.nan,
    }


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned text table (first column left, the rest right)."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        parts = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(cells[0]), line(["-" * w for w in widths]), *map(line, cells[1:])])


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def write_result(
    name: str, data: dict[str, Any], path: Path | None = None, argv: Sequence[str] | None = None
) -> Path:
    """Write `data` with the machine and the command line; returns the file written."""
    target = path or RESULTS / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": name,
        "command": command_line(name, argv),
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine_info(),
        **data,
    }
    text = json.dumps(_clean(report), indent=1, allow_nan=False)
    target.write_text(text + "\n", encoding="utf-8")
    return target


def _clean(value: object) -> object:
    """Strict JSON: NaN and infinities become null, paths and tuples plain values."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


class SandboxProcess:
    """`get3w sandbox` in its own process, so its CPU can be told apart from the client's.

    with SandboxProcess(["--time-scale", "0.02"]) as sandbox:
        ...  # sandbox.base_url, sandbox.cpu_seconds()
    """

    def __init__(self, options: Sequence[str] = ()) -> None:
        self.options = list(options)
        self.process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> SandboxProcess:
        command = [sys.executable, "-c", "import sys; from get3w_desktop.cli import main; "
                   "sys.exit(main())", "sandbox", "--port", "0", *self.options]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            if line.startswith("Get3W sandbox API:"):
                self.base_url = line.split(":", 1)[1].strip()
                return self
        self.__exit__()
        raise RuntimeError("the sandbox process did not start (see its stderr above)")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def cpu_seconds(self) -> float:
        """User + system CPU time the sandbox process has used so far."""
        assert self.process is not None
        return process_cpu_seconds(self.process.pid)


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a live process from /proc (Linux), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
