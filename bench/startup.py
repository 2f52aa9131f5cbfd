"""Start-up: process start -> main window shown and the event loop idle.

Runs a bare PySide6 QMainWindow (the floor) and the app from source (no key: the keyring
is asked, then the built-in sandbox; an empty GET3W_HOME each run), interleaved, each
measured by bench/startup_child.py from a CLOCK_MONOTONIC stamp taken just before the
spawn. Then shows where the app's time goes: `-X importtime` by package, and main()'s
steps (imports, catalogue, keyring lookup, sandbox start, building the window).

    .venv/bin/python -m bench.startup [--runs 10] [--exe dist/get3w-desktop/get3w-desktop]

`--exe` measures a packaged build the same way; it must print the same `STARTUP {json}`
line when $GET3W_STARTUP_PROBE is set (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/startup.py` too
from bench.common import RESULTS, spread, table, write_result

CHILD = Path(__file__).with_name("startup_child.py")
TIMEOUT = 60.0


def child_env(home: Path, display: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GET3W_API_KEY", "GET3W_BASE_URL")}
    env["GET3W_HOME"] = str(home)
    env["QT_LOGGING_RULES"] = "qt.multimedia*=false"  # keep the FFmpeg chatter off stderr
    # An installed app runs from compiled bytecode: a shell (or CI) that disables writing
    # it would have every run compile ~140 modules from source (~0.5-0.8 s of CPU).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if display:
        env.pop("QT_QPA_PLATFORM", None)
        env["DISPLAY"] = display
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def command_for(variant: str, exe: Path | None, extra: list[str] | None = None) -> list[str]:
    if variant == "exe":
        assert exe is not None
        return [str(exe)]
    return [sys.executable, *(extra or []), str(CHILD), variant]


def run_once(
    variant: str, exe: Path | None = None, extra: list[str] | None = None,
    args: list[str] | None = None, display: str | None = None,
) -> tuple[dict[str, Any], str]:  # fmt: skip
    """One start-up in a fresh home; (the child's report, its stderr)."""
    with tempfile.TemporaryDirectory(prefix="get3w-bench-home-") as home:
        env = child_env(Path(home), display)
        if variant == "exe":
            env["GET3W_STARTUP_PROBE"] = "1"
        env["BENCH_T0"] = repr(time.monotonic())
        proc = subprocess.run(
            [*command_for(variant, exe, extra), *(args or [])],
            env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )  # fmt: skip
        ended = time.monotonic() - float(env["BENCH_T0"])
    for line in proc.stdout.splitlines():
        if line.startswith("STARTUP "):
            report: dict[str, Any] = json.loads(line.removeprefix("STARTUP "))
            report["process_exit"] = ended
            return report, proc.stderr
    raise RuntimeError(
        f"{variant} start-up printed no STARTUP line (exit {proc.returncode}):\n"
        f"{proc.stderr[-2000:]}"
    )


def importtime(top: int) -> dict[str, Any]:
    """One app start under `-X importtime`: cumulative time of the heaviest imports and
    self time grouped by top-level package."""
    _report, stderr = run_once("app", extra=["-X", "importtime"])
    by_package: dict[str, float] = defaultdict(float)
    roots: list[tuple[float, str]] = []
    first_import: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        fields = line.removeprefix("import time:").split("|")
        if len(fields) != 3 or not fields[0].strip().isdigit():
            continue  # the header line
        self_us, cumulative_us, name = int(fields[0]), int(fields[1]), fields[2]
        module = name.strip()
        by_package[module.split(".")[0]] += self_us / 1e6
        if "." not in module and module not in first_import:
            first_import[module] = cumulative_us / 1e6  # with whatever it pulled in first
        depth = (len(name) - len(name.lstrip())) // 2
        if depth <= 1:  # imported by our code (or by the interpreter) directly
            roots.append((cumulative_us / 1e6, module))
    roots.sort(reverse=True)
    packages = sorted(by_package.items(), key=lambda item: -item[1])
    costly = sorted(first_import.items(), key=lambda item: -item[1])
    return {
        "total_self_seconds": sum(by_package.values()),
        "top_imports": [{"module": m, "cumulative": s} for s, m in roots[:top]],
        "top_packages": [{"package": p, "cumulative": s} for p, s in costly[:top]],
        "by_package": [{"package": p, "self": s} for p, s in packages[:top]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="start-ups per variant (10)")
    parser.add_argument("--breakdown-runs", type=int, default=3)
    parser.add_argument("--exe", type=Path, help="also measure this packaged executable")
    parser.add_argument("--xvfb", action="store_true", help="also measure under Xvfb")
    parser.add_argument("--quick", action="store_true", help="2 runs each: a smoke test")
    parser.add_argument("--json", type=Path, default=RESULTS / "startup.json")
    args = parser.parse_args(argv)
    runs = 2 if args.quick else args.runs
    breakdown_runs = 1 if args.quick else args.breakdown_runs
    variants = ["bare", "app"] + (["exe"] if args.exe else [])

    platforms: list[tuple[str, str | None]] = [("offscreen", None)]
    xvfb: subprocess.Popen[bytes] | None = None
    if args.xvfb:
        if shutil.which("Xvfb"):
            xvfb = subprocess.Popen(
                ["Xvfb", ":97", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"]
            )
            time.sleep(1.0)
            platforms.append(("xvfb", ":97"))
        else:
            print("Xvfb is not installed: measuring offscreen only")
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {}
    try:
        for platform_name, display in platforms:
            per_variant: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
            for variant in variants:  # unmeasured: writes the bytecode caches, warms the disk
                run_once(variant, args.exe, display=display)
            for i in range(runs):
                order = variants[i % len(variants) :] + variants[: i % len(variants)]
                for variant in order:  # interleaved, rotating who goes first
                    report, _stderr = run_once(variant, args.exe, display=display)
                    per_variant[variant].append(report)
            samples[platform_name] = per_variant
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(10)

    summary: dict[str, Any] = {}
    rows = []
    for platform_name, per_variant in samples.items():
        summary[platform_name] = {}
        for variant, reports in per_variant.items():
            idle = [r["marks"]["idle"] for r in reports]
            paint = [r["marks"].get("first_paint", float("nan")) for r in reports]
            stats = spread(idle)
            exit_after_idle = [r["process_exit"] - r["marks"]["idle"] for r in reports]
            cpu = [r.get("cpu", {}).get("idle", float("nan")) for r in reports]
            summary[platform_name][variant] = {
                "idle": stats, "first_paint": spread(paint),
                "exit_after_idle": spread(exit_after_idle), "cpu_to_idle": spread(cpu),
            }  # fmt: skip
            rows.append([f"{platform_name}: {variant}", stats["median"], stats["min"],
                         stats["p90"], stats["max"], spread(paint)["median"]])  # fmt: skip
        bare = summary[platform_name]["bare"]["idle"]["median"]
        bare_paint = summary[platform_name]["bare"]["first_paint"]["median"]
        for variant in variants[1:]:
            ratio = summary[platform_name][variant]["idle"]["median"] / bare
            summary[platform_name][variant]["ratio_to_bare"] = ratio
            summary[platform_name][variant]["first_paint_ratio_to_bare"] = (
                summary[platform_name][variant]["first_paint"]["median"] / bare_paint
            )
            bare_cpu = summary[platform_name]["bare"]["cpu_to_idle"]["median"]
            summary[platform_name][variant]["cpu_ratio_to_bare"] = (
                summary[platform_name][variant]["cpu_to_idle"]["median"] / bare_cpu
            )
    print(table(["start-up to idle (s)", "median", "min", "p90", "max", "1st paint"], rows))
    for platform_name in samples:
        for variant in variants[1:]:
            ratio = summary[platform_name][variant]["ratio_to_bare"]
            cpu_ratio = summary[platform_name][variant]["cpu_ratio_to_bare"]
            paint_ratio = summary[platform_name][variant]["first_paint_ratio_to_bare"]
            # The goal is the first visible window (the app paints its start-up shell,
            # ui/shell.py); "idle" is the whole window built, shown and ready.
            print(f"{platform_name}: {variant} / bare, first frame = {paint_ratio:.2f}x "
                  f"(goal: 1.5x); whole window idle {ratio:.2f}x; CPU seconds to idle "
                  f"{cpu_ratio:.2f}x (less sensitive to load)")  # fmt: skip

    spans: dict[str, list[float]] = defaultdict(list)
    marks: dict[str, list[float]] = defaultdict(list)
    for _ in range(breakdown_runs):
        report, _stderr = run_once("app", args=["--breakdown"])
        for name, value in report["spans"].items():
            spans[name].append(value)
        for name, value in report["marks"].items():
            marks[name].append(value)
    breakdown = {name: statistics.median(values) for name, values in spans.items()}
    breakdown_marks = {name: statistics.median(values) for name, values in marks.items()}
    print()
    print(table(["where the app's start-up goes (median)", "seconds"], list(breakdown.items())))
    print()
    timeline = sorted(breakdown_marks.items(), key=lambda item: item[1])
    print(table(["timeline of a --breakdown run (median)", "s since spawn"], timeline))
    imports = importtime(top=5 if args.quick else 12)
    print()
    print(table(["heaviest imports (-X importtime)", "cumulative s"],
                [[i["module"], i["cumulative"]] for i in imports["top_imports"]]))  # fmt: skip
    print()
    print(table(["top-level packages, first import", "cumulative s"],
                [[i["package"], i["cumulative"]] for i in imports["top_packages"]]))  # fmt: skip
    print()
    print(table(["import self time by package", "seconds"],
                [[i["package"], i["self"]] for i in imports["by_package"]]))  # fmt: skip

    path = write_result("startup", {
        "runs": runs, "variants": variants, "exe": args.exe,
        "platforms": [name for name, _ in platforms],
        "summary": summary, "breakdown": breakdown, "breakdown_marks": breakdown_marks,
        "importtime": imports,
        "samples": {p: {v: [r["marks"] for r in rs] for v, rs in pv.items()}
                    for p, pv in samples.items()},
    }, args.json, argv)  # fmt: skip
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
