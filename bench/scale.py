"""Scale: the app on a history of 100,000 tasks against the same app on an empty history.

Builds a home (GET3W_HOME) whose history holds `--tasks` finished tasks written by the
real `HistoryStore.save_many`: prompts, parameters, models, states (done, failed,
stopped), timings, and real outputs on disk (`--distinct` PNGs painted by the sandbox's
picture code, hard-linked under one path per output, so each task decodes its own file).
Then starts the app as a person would (`get3w-desktop --sandbox`, a child process: see
bench/scale_child.py) on that home and on an empty one, interleaved, and reports:

- first paint, and the window shown with its history (the loader fills the list after the
  first frame) against the empty history: goal within 1 s more;
- resident memory (VmRSS, and the peak VmHWM) after the load: goal under 400 MB;
- a 10 ms heartbeat while the rows go in, while the list scrolls from top to bottom a page
  per frame with thumbnails decoding off-thread, and while a word is typed into the
  search field a key at a time and deleted again (every row filtered per key): goal no
  stall over 50 ms, and each key's filtering within one frame (16 ms) at p95. A query
  over many rows is scanned over several turns of the event loop (job_matches.py): a
  key's time is the longest the search held the GUI thread for it (typing, or one turn),
  and the time until its answer showed is reported beside it.

    .venv/bin/python -m bench.scale [--tasks 100000] [--runs 3] [--quick]
    .venv/bin/python -m bench.scale --search-only [--tasks 100000]

`--search-only` measures just the search in-process (no history on disk, no app start):
the real JobListModel and JobFilterModel under a shown QListView, the same word typed a
key at a time and deleted, each key timed from set_text to the view's relayout (and each
later turn of a long scan).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/scale.py` too
from bench.common import RESULTS, spread, table, write_result

CHILD = Path(__file__).with_name("scale_child.py")
GOALS = {"extra_open_s": 1.0, "rss_mb": 400.0, "stall_ms": 50.0, "search_p95_ms": 16.0}

SUBJECTS = ("a lighthouse", "a red fox", "an old library", "a mountain village", "a koi pond",
            "a neon street", "a desert caravan", "a glass greenhouse", "a paper boat",
            "a snowy owl", "a steam train", "a coral reef", "a windmill", "a robot gardener",
            "a floating market", "a cathedral", "a tea house", "a jazz trio", "a moon base",
            "an orchard")  # fmt: skip
SETTINGS = ("in a storm", "at dawn", "under the northern lights", "in the rain", "at dusk",
            "in autumn fog", "on a summer afternoon", "by candlelight", "in deep winter",
            "at golden hour")  # fmt: skip
STYLES = ("watercolour", "35 mm film photo", "isometric illustration", "oil painting",
          "studio photograph", "pencil sketch", "cinematic still", "low-poly render",
          "ukiyo-e print", "children's book illustration")  # fmt: skip
MODELS = (  # (model id, output kind, weight)
    ("google/nano-banana-pro/text-to-image", "image", 34),
    ("bytedance/seedream-v4.5", "image", 20),
    ("google/nano-banana-2/text-to-image", "image", 14),
    ("wavespeed-ai/flux-dev", "image", 12),
    ("google/nano-banana-pro/edit", "image", 6),
    ("google/veo3.1-fast/text-to-video", "video", 6),
    ("bytedance/seedance-v1.5-pro/text-to-video", "video", 4),
    ("minimax/speech-02-hd", "audio", 4),
)
CDN = "https://cdn.example.invalid"  # never fetched: the outputs are already on disk
ASPECTS = ("1:1", "3:2", "2:3", "16:9", "9:16", "4:5")


def render_sources(folder: Path, count: int, size: int, seed: int) -> list[Path]:
    """`count` distinct real PNG pictures of `size` px (the sandbox's landscapes)."""
    from get3w_desktop.sandbox.images import render_image

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"source_{i:04d}.png"
        if not path.exists():
            data, _type = render_image(f"scale source {i}", seed + i, (size, size), "png")
            path.write_bytes(data)
        paths.append(path)
    return paths


def link(source: Path, target: Path) -> None:
    """`target` is `source` under its own name (a hard link; a copy where links fail)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def build_history(
    home: Path, tasks: int, distinct: int, size: int, seed: int = 11
) -> dict[str, Any]:
    """Write `tasks` finished tasks (and their outputs) into the history of `home`."""
    from get3w_desktop.core.errors import Action
    from get3w_desktop.core.job import Job, JobState
    from get3w_desktop.core.task import Task
    from get3w_desktop.storage.history import HistoryStore
    from get3w_desktop.storage.paths import app_paths

    started = time.perf_counter()
    paths = app_paths(home).ensure()
    sources = render_sources(home / "bench-sources", distinct, size, seed)
    rendered = time.perf_counter() - started
    media = sorted((Path(__file__).resolve().parents[1] / "resources" / "sandbox").glob("*.mp4"))
    outputs = paths.outputs
    outputs.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    now = time.time()
    weights = [w for _m, _k, w in MODELS]
    jobs: list[Job] = []
    counts: dict[str, int] = {}
    files = 0
    for i in range(tasks):
        model_id, kind, _w = rng.choices(MODELS, weights)[0]
        prompt = f"{rng.choice(SUBJECTS)} {rng.choice(SETTINGS)}, {rng.choice(STYLES)}"
        params: dict[str, Any] = {"prompt": prompt, "seed": rng.randrange(2**31)}
        if kind == "image":
            params.update(aspect_ratio=rng.choice(ASPECTS), resolution=rng.choice(("1k", "2k")))
        elif kind == "video":
            params.update(duration=rng.choice((4, 6, 8)), aspect_ratio="16:9")
        created = now - 90 * 86400 * (1 - i / tasks) - rng.uniform(0, 60)  # oldest first
        estimate = {"image": 20.0, "video": 90.0, "audio": 10.0}[kind]
        took = estimate * rng.uniform(0.5, 2.0)
        roll = rng.random()
        state = JobState.COMPLETED if roll < 0.9 else (
            JobState.FAILED if roll < 0.97 else JobState.CANCELLED)  # fmt: skip
        local_id = f"scale{i:06d}{rng.getrandbits(32):08x}"
        remote_id = f"{rng.getrandbits(64):016x}"
        names: list[str] = []
        if state is JobState.COMPLETED:
            many = kind == "image" and rng.random() < 0.1
            for index in range(rng.randint(2, 4) if many else 1):
                if kind == "image":
                    source = sources[rng.randrange(len(sources))]
                    target = outputs / f"{remote_id}_{index}.png"
                elif kind == "video" and media:
                    source = media[rng.randrange(len(media))]
                    target = outputs / f"{remote_id}_{index}.mp4"
                else:
                    source = media[0] if media else sources[0]
                    target = outputs / f"{remote_id}_{index}.mp3"
                link(source, target)
                names.append(str(target))
        files += len(names)
        task = Task(
            id=remote_id, status={"COMPLETED": "completed", "FAILED": "failed"}.get(
                state.name, "processing"), model=model_id,
            outputs=tuple(f"{CDN}/{remote_id}/{n}" for n, _ in enumerate(names)),
            timings={"queue_wait": round(rng.uniform(50, 900)), "total": round(took * 1000)},
            created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created + 0.4)),
            estimated_duration=estimate,
        )  # fmt: skip
        failed = state is JobState.FAILED
        jobs.append(Job(
            model_id=model_id, params=params, profile="default", local_id=local_id,
            state=state, task=task, files=tuple(names),
            error="The model could not finish this task (content policy)." if failed else None,
            error_action=Action.RETRY if failed else Action.NONE,
            created_at=created, submitted_at=created + 0.4, finished_at=created + 0.4 + took,
        ))  # fmt: skip
        counts[state.value] = counts.get(state.value, 0) + 1
    with HistoryStore.open(paths.history_db) as store:
        for chunk in range(0, len(jobs), 2000):
            store.save_many(jobs[chunk : chunk + 2000], base_url="https://api.get3w.com",
                            out_dir=str(outputs))  # fmt: skip
        store.mark_expired()  # as the first start would: every start then does the same work
        stored = store.count()
    return {
        "tasks": stored, "states": counts, "files": files, "distinct_images": distinct,
        "image_px": size, "history_mb": paths.history_db.stat().st_size / 1e6,
        "seconds": time.perf_counter() - started, "render_seconds": rendered,
    }  # fmt: skip


def search_only(tasks: int, word: str, batched: bool = False, seed: int = 11) -> dict[str, Any]:
    """Type `word` a key at a time and delete it again over `tasks` in-memory tasks.

    `batched`: the view lays out 2,000 rows per event-loop turn (QListView's Batched
    mode) instead of all at once; the time then counts the first batch, as a frame would.
    """
    from PySide6.QtWidgets import QApplication, QListView

    from get3w_desktop.core.job import Job, JobState
    from get3w_desktop.core.task import Task
    from get3w_desktop.itemmodels.job_filter import JobFilterModel
    from get3w_desktop.itemmodels.job_list import JobListModel

    app = QApplication.instance() or QApplication([sys.argv[0], "-platform", "offscreen"])
    rng = random.Random(seed)
    now = time.time()
    weights = [w for _m, _k, w in MODELS]
    jobs = []
    for i in range(tasks):
        model_id = rng.choices(MODELS, weights)[0][0]
        prompt = f"{rng.choice(SUBJECTS)} {rng.choice(SETTINGS)}, {rng.choice(STYLES)}"
        state = JobState.COMPLETED if rng.random() < 0.9 else JobState.FAILED
        task = Task(id=f"{rng.getrandbits(64):016x}", status="completed")
        jobs.append(Job(model_id=model_id, params={"prompt": prompt}, profile="default",
                        state=state, created_at=now - 90 * 86400 * (1 - i / tasks),
                        task=task))  # fmt: skip
    from get3w_desktop.ui.search_words import row_words
    from get3w_desktop.ui.task_panel import row_text, row_tooltip

    source = JobListModel()
    # As the task panel wires it: the search matches the words rows show (state, error).
    source.set_texts(lambda job: row_text(job, str), row_tooltip, row_words())
    proxy = JobFilterModel(source)
    view = QListView()
    view.setUniformItemSizes(True)
    if batched:
        view.setLayoutMode(QListView.LayoutMode.Batched)
        view.setBatchSize(2000)
    view.setModel(proxy)
    view.resize(400, 800)
    view.show()
    started = time.perf_counter()
    source.add_older(jobs)
    app.processEvents()
    loaded = time.perf_counter() - started
    deadline = time.monotonic() + 60
    # The idle indexing (a build without it has no search_ready: nothing to wait for).
    while not getattr(proxy, "search_ready", True) and time.monotonic() < deadline:
        app.processEvents()
    indexed = time.perf_counter() - started
    keys = [word[: i + 1] for i in range(len(word))]
    keys += [word[:i] for i in range(len(word) - 1, -1, -1)]
    timings: list[dict[str, Any]] = []
    ms: list[float] = []
    for text in keys:
        begin = time.perf_counter()
        proxy.set_text(text)
        view.doItemsLayout()  # what the view does with the layout change before it paints
        turns = [1000 * (time.perf_counter() - begin)]
        while getattr(proxy, "scanning", False):  # a long query's later turns of the loop
            turn = time.perf_counter()
            app.processEvents()
            turns.append(1000 * (time.perf_counter() - turn))
        ms.append(max(turns))
        timings.append({"text": text, "ms": ms[-1], "turns": len(turns) - 1,
                        "ready_ms": 1000 * (time.perf_counter() - begin),
                        "rows": proxy.rowCount()})  # fmt: skip
        if batched:  # let the remaining batches run, a turn each, before the next key
            for _turn in range(tasks // 2000 + 2):
                app.processEvents()
    view.close()
    ms.sort()
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return {"tasks": tasks, "load_seconds": loaded, "indexed_seconds": indexed,
            "keys": timings, "p50_ms": statistics.median(ms), "p95_ms": p95,
            "max_ms": ms[-1]}  # fmt: skip


def fresh_state(home: Path) -> None:
    """Forget what a previous start left (settings, window state, thumbnail cache, logs):
    every run starts as the first one after the history was written."""
    for name in ("config", "cache", "logs"):
        shutil.rmtree(home / name, ignore_errors=True)


def run_child(home: Path, expect: int, interact: bool, search: str, limit: float,
              scroll_pages: int = 0,
              memory_trace: str | None = None) -> dict[str, Any]:  # fmt: skip
    fresh_state(home)
    env = {k: v for k, v in os.environ.items() if k not in ("GET3W_API_KEY", "GET3W_BASE_URL")}
    env.update(GET3W_HOME=str(home), QT_QPA_PLATFORM="offscreen",
               QT_LOGGING_RULES="qt.multimedia*=false")  # fmt: skip
    command = [sys.executable, str(CHILD), "--expect", str(expect), "--search", search,
               "--limit", str(limit), "--scroll-pages", str(scroll_pages),
               *(["--interact"] if interact else []),
               *(["--memory-trace", memory_trace] if memory_trace else [])]  # fmt: skip
    env["BENCH_T0"] = repr(time.monotonic())
    proc = subprocess.run(command, env=env, capture_output=True, text=True,
                          timeout=limit + 60, check=False)  # fmt: skip
    for line in proc.stdout.splitlines():
        if line.startswith("SCALE "):
            report: dict[str, Any] = json.loads(line.removeprefix("SCALE "))
            report["exit_code"] = proc.returncode
            return report
    raise RuntimeError(f"the app printed no SCALE line (exit {proc.returncode}):\n"
                       f"{proc.stderr[-3000:]}")  # fmt: skip


def summarise(reports: list[dict[str, Any]]) -> dict[str, Any]:
    def marks(name: str) -> dict[str, float]:
        return spread([r["marks"][name] for r in reports if name in r["marks"]])

    def info(key: str, field: str) -> dict[str, float]:
        return spread([r["info"][key][field] for r in reports if key in r["info"]])

    return {
        "first_paint": marks("first_paint"), "history_idle": marks("history_idle"),
        "history_added": marks("history_added"), "history_shown": marks("history_shown"),
        "rss_mb": info("memory_after_load", "VmRSS"), "hwm_mb": info("memory_after_load", "VmHWM"),
        "load_worst_gap_ms": spread([r["info"]["heartbeat"]["load"]["worst_gap_ms"]
                                     for r in reports if "load" in r["info"].get("heartbeat", {})]),
        "spans": {name: statistics.median(r["spans"][name] for r in reports)
                  for name in reports[0]["spans"]},
        "loader_seconds": spread([r["info"]["loader_seconds"] for r in reports
                                  if "loader_seconds" in r["info"]]),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--search-only", action="store_true", help="just the search, in-process")
    parser.add_argument("--batched", action="store_true",
                        help="--search-only with QListView's Batched layout mode")  # fmt: skip
    parser.add_argument("--runs", type=int, default=3, help="start-ups per history (3)")
    parser.add_argument("--distinct", type=int, default=300, help="distinct pictures (300)")
    parser.add_argument("--image-size", type=int, default=512, help="their side in px (512)")
    parser.add_argument("--search", default="lighthouse", help="typed a key at a time")
    parser.add_argument("--home", type=Path, help="build (or reuse) the history here; kept")
    parser.add_argument("--no-interact", action="store_true", help="start-ups only")
    parser.add_argument("--scroll-pages", type=int, default=0,
                        help="scroll this many pages, not to the end (0: every row)")  # fmt: skip
    parser.add_argument("--memory-trace", nargs="?", const="native", choices=("native", "python"),
                        help="report where memory grows while scrolling (interaction.info."
                             "memory_trace; python: tracemalloc too, 5x slower)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="300 tasks, 1 run: a smoke test")
    parser.add_argument("--json", type=Path, default=RESULTS / "scale.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.tasks, args.runs, args.distinct, args.image_size = 300, 1, 20, 128
        args.search = args.search[:3]
    # Scrolling every row a page per frame takes ~1.5 s per 1,000 rows on our machines.
    limit = 60.0 if args.quick else max(300.0, args.tasks / 100)
    if args.search_only:
        result = search_only(args.tasks, args.search, args.batched)
        print("search: " + ", ".join(f"{k['text']!r} {k['ms']:.1f} ms" + (
            f" in {k['turns'] + 1} turns, shown {k['ready_ms']:.1f} ms" if k["turns"] else "")
            + f" ({k['rows']:,})" for k in result["keys"]))  # fmt: skip
        print(f"{args.tasks:,} tasks: search p50 {result['p50_ms']:.1f} ms, p95 "
              f"{result['p95_ms']:.1f} ms, max {result['max_ms']:.1f} ms (goal: p95 within "
              f"{GOALS['search_p95_ms']:.0f} ms); rows added in {result['load_seconds']:.2f} s, "
              f"indexed after {result['indexed_seconds']:.2f} s")  # fmt: skip
        name = "scale_search_batched" if args.batched else "scale_search"
        path = write_result(name, {"goals": GOALS, "batched": args.batched, **result},
                            RESULTS / f"{name}.json", argv)  # fmt: skip
        print(f"wrote {path}")
        return 0

    with tempfile.TemporaryDirectory(prefix="get3w-bench-scale-") as tmp:
        full = args.home or Path(tmp) / "full"
        empty = Path(tmp) / "empty"
        built: dict[str, Any]
        marker = full / "bench-history.json"
        if marker.exists():
            built = json.loads(marker.read_text(encoding="utf-8"))
            built["reused"] = True
            if built["tasks"] != args.tasks:
                raise SystemExit(f"{full} holds {built['tasks']} tasks, not {args.tasks}")
        else:
            built = build_history(full, args.tasks, args.distinct, args.image_size)
            marker.write_text(json.dumps(built), encoding="utf-8")
        print(f"history: {built['tasks']:,} tasks, {built['files']:,} files, "
              f"{built['history_mb']:.1f} MB database, built in "
              f"{built['seconds']:.1f} s")  # fmt: skip
        samples: dict[str, list[dict[str, Any]]] = {"empty": [], "full": []}
        for i in range(args.runs):
            order = ("empty", "full") if i % 2 == 0 else ("full", "empty")
            for name in order:
                home, expect = (empty, 0) if name == "empty" else (full, args.tasks)
                samples[name].append(run_child(home, expect, False, args.search, limit))
        interaction = None
        if not args.no_interact:
            interaction = run_child(full, args.tasks, True, args.search, limit,
                                    args.scroll_pages, args.memory_trace)  # fmt: skip

    summary = {name: summarise(reports) for name, reports in samples.items()}
    extra_open = (
        summary["full"]["history_idle"]["median"] - summary["empty"]["history_idle"]["median"]
    )
    shown_full = summary["full"]["history_shown"]
    extra_shown = (
        shown_full["median"] - summary["empty"]["history_idle"]["median"]
        if shown_full else float("nan")
    )  # fmt: skip
    extra_paint = (
        summary["full"]["first_paint"]["median"] - summary["empty"]["first_paint"]["median"]
    )
    rows = []
    for name in ("empty", "full"):
        s = summary[name]
        rows.append([f"{name} ({0 if name == 'empty' else args.tasks:,} tasks)",
                     s["first_paint"]["median"],
                     s["history_shown"]["median"] if s["history_shown"] else float("nan"),
                     s["history_idle"]["median"],
                     s["history_idle"]["max"], s["rss_mb"]["median"], s["hwm_mb"]["median"],
                     s["load_worst_gap_ms"]["median"]])  # fmt: skip
    print(table(["history", "1st paint s", "newest shown s", "all rows in s", "max s",
                 "RSS MB", "peak MB", "worst gap ms (load)"], rows))  # fmt: skip
    print(f"shown with its newest tasks {extra_shown:+.2f} s later than empty (goal: within "
          f"{GOALS['extra_open_s']} s); every row in {extra_open:+.2f} s; "
          f"first paint {extra_paint:+.2f} s")  # fmt: skip
    loader = summary["full"]["loader_seconds"]["median"]
    print(table(["where the full history's start goes (median)", "seconds"],
                [[k, v] for k, v in summary["full"]["spans"].items()]
                + [["history load (loader thread)", loader]]))  # fmt: skip

    interactive: dict[str, Any] = {}
    if interaction is not None:
        info = interaction["info"]
        beats = info.get("heartbeat", {})
        interactive = {"marks": interaction["marks"], "info": info}
        print()
        print(table(["phase (10 ms heartbeat)", "beats", "late p50 ms", "late p99 ms",
                     "worst gap ms", "gaps > 50 ms"],
                    [[phase, b["beats"], b["late_p50_ms"], b["late_p99_ms"], b["worst_gap_ms"],
                      b["gaps_over_50ms"]] for phase, b in beats.items()]))  # fmt: skip
        for phase, b in beats.items():
            shares = b.get("in_gaps_over_50ms", {})
            if b["gaps_over_50ms"]:
                print(
                    f"{phase}: in gaps over 50 ms the GUI thread ran {shares['ran']:.0%}, "
                    f"waited for a core {shares['waited_for_a_core']:.0%}, was blocked "
                    f"{max(0.0, 1 - shares['ran'] - shares['waited_for_a_core']):.0%}"
                )
        if "scroll_seconds" in info:
            bottom = info.get("bottom_thumbnails", {})
            print(f"scrolled {info['rows']:,} rows ({info['scroll_range_px']:,} px) in "
                  f"{info['scroll_seconds']:.1f} s, {info['scroll_steps']} pages; "
                  f"{info['decodes_while_scrolling']} thumbnails decoded on the way, "
                  f"{info['thumbnails_pending_at_bottom']} still queued at the bottom; "
                  f"the last page's {bottom.get('visible', 0)} thumbnails shown after "
                  f"{bottom.get('seconds', float('nan')):.1f} s "
                  f"({bottom.get('ready', 0)} ready)")  # fmt: skip
        filters = info.get("filters", [])
        if filters:
            print("search (longest GUI-thread turn per key; answer shown after): " + ", ".join(
                f"{f['text']!r} {f['ms']:.0f} ms"
                + (f" in {f['turns'] + 1} turns, shown {f['ready_ms']:.0f} ms" if f.get("turns")
                   else "")
                + f" ({f['rows'] or 0:,} rows)" for f in filters))  # fmt: skip
        for key in ("memory_after_load", "memory_after_scroll", "memory_after_search"):
            if key in info:
                print(f"{key}: RSS {info[key]['VmRSS']:.0f} MB, peak {info[key]['VmHWM']:.0f} MB")
        if info.get("stall_samples"):
            print("where the GUI thread was while a beat was 30+ ms late (5 ms samples):")
            for where, count in info["stall_samples"].items():
                print(f"{count:5d}  {where}")

    search_ms = sorted(f["ms"] for f in interactive.get("info", {}).get("filters", []))
    search_p95 = (search_ms[min(len(search_ms) - 1, round(0.95 * (len(search_ms) - 1)))]
                  if search_ms else float("nan"))  # fmt: skip
    ready_ms = sorted(f.get("ready_ms") or f["ms"]
                      for f in interactive.get("info", {}).get("filters", []))  # fmt: skip
    ready_p95 = ready_ms[min(len(ready_ms) - 1, round(0.95 * (len(ready_ms) - 1)))] if ready_ms \
        else float("nan")  # fmt: skip
    if search_ms:
        print(
            f"search p95 {search_p95:.1f} ms over {len(search_ms)} keys "
            f"(goal: {GOALS['search_p95_ms']:.0f} ms); answers shown within "
            f"{ready_p95:.1f} ms of the key at p95"
        )
    worst_stall = max((b["worst_gap_ms"] for b in interactive.get("info", {})
                       .get("heartbeat", {}).values()), default=float("nan"))  # fmt: skip
    verdict = {
        "extra_shown_s": extra_shown, "extra_all_rows_s": extra_open,
        "rss_mb": summary["full"]["rss_mb"]["median"],
        "peak_mb": max(summary["full"]["hwm_mb"]["max"],
                       *(interactive.get("info", {}).get(k, {}).get("VmHWM", 0.0)
                         for k in ("memory_after_scroll", "memory_after_search"))),
        "worst_stall_ms": worst_stall, "search_p95_ms": search_p95,
        "search_shown_p95_ms": ready_p95,
    }  # fmt: skip
    verdict["met"] = {
        "shown_within_1s_of_empty": extra_shown <= GOALS["extra_open_s"],
        "under_400mb": verdict["peak_mb"] < GOALS["rss_mb"],
        "no_stall_over_50ms": worst_stall <= GOALS["stall_ms"],
        "search_p95_within_16ms": search_p95 <= GOALS["search_p95_ms"],
    }
    print(
        "goals: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in verdict["met"].items())
    )
    path = write_result("scale", {
        "settings": {"tasks": args.tasks, "runs": args.runs, "distinct": args.distinct,
                     "image_px": args.image_size, "search": args.search,
                     "frame_ms": 16, "heartbeat_ms": 10, "scroll_pages": args.scroll_pages},
        "goals": GOALS, "history": built, "summary": summary, "verdict": verdict,
        "interaction": interactive,
        "samples": {name: [{"marks": r["marks"], "spans": r["spans"],
                            "memory": r["info"].get("memory_after_load")} for r in reports]
                    for name, reports in samples.items()},
    }, args.json, argv)  # fmt: skip
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
