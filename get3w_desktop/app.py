"""The composition root: builds every object once and wires them together.

Where tasks go: the active profile of the settings (the built-in sandbox on a first run).
$GET3W_API_KEY (with $GET3W_BASE_URL) overrides it for scripts; a Get3W profile whose key
cannot be found opens in the sandbox, clearly labelled, with the way to add the key.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from get3w_desktop import __version__
from get3w_desktop.core.malloc_arenas import limit_arenas
from get3w_desktop.core.redact import RedactingFilter
from get3w_desktop.core.resources import resource_path
from get3w_desktop.core.urls import DEFAULT_BASE_URL
from get3w_desktop.storage.paths import AppPaths, app_paths
from get3w_desktop.workers import first_frame

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    from get3w_desktop.core.catalogue import Catalogue
    from get3w_desktop.core.live_catalogue import LiveCatalogue
    from get3w_desktop.sandbox import SandboxServer
    from get3w_desktop.storage.history import HistoryStore
    from get3w_desktop.storage.settings import Profile, Settings
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.service_bar import ServiceInfo
    from get3w_desktop.ui.services import ServiceController
    from get3w_desktop.workers.catalogue import CatalogueLoader
    from get3w_desktop.workers.history_loader import HistoryChecker, HistoryLoader
    from get3w_desktop.workers.start_steps import StartSteps

log = logging.getLogger("get3w_desktop")

#: The sandbox in the app runs at 1/4 of real time: a 20 s image takes 5 s.
SANDBOX_TIME_SCALE = 0.25
#: It renders one output at a time: the window shares its process (sandbox/config.py).
SANDBOX_RENDER_SLOTS = 1
KEYRING_TIMEOUT = 3.0
#: Work that only has to happen soon after start waits this long, so the first frame is
#: painted before it (a zero timer can run before the window's first paint).
FIRST_FRAME_DELAY_MS = 100
#: The model list's start-up step holds the ones after it back at most this long: a slow
#: or unreachable server must not keep the history's older pages waiting.
MODEL_LIST_STEP_MS = 1500
#: The history check holds its older pages back at most this long (warm: 0.1-0.4 s for
#: 100,000 tasks; from a cold disk 1.7-3.6 s).
CHECK_STEP_MS = 1000


def setup_logging(paths: AppPaths, verbose: bool = False) -> None:
    handler = logging.handlers.RotatingFileHandler(
        paths.logs / "get3w-desktop.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if verbose:
        stream = logging.StreamHandler()
        stream.addFilter(RedactingFilter())
        root.addHandler(stream)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    log.setLevel(logging.INFO)


class KeyringLookup:
    """Reads one profile's key on a daemon thread, started before Qt loads so the two
    overlap; `result()` waits at most `timeout` seconds (a hung keyring counts as none).

    With `start=False` the thread starts on `start()` (or `result()`): the first run opens
    in the sandbox without waiting for the key, and importing the keyring (~0.3 s of
    Python, holding the interpreter lock) would only slow the first frame down."""

    def __init__(self, profile: str, *, start: bool = True) -> None:
        self._found: list[str | None] = []
        self._thread = threading.Thread(target=self._look, args=(profile,), daemon=True,
                                        name="keyring-lookup")  # fmt: skip
        if start:
            self._thread.start()

    def start(self) -> None:
        if self._thread.ident is None:
            self._thread.start()

    def _look(self, profile: str) -> None:
        from get3w_desktop.storage.secrets import KeyringSecretStore, SecretStoreError, account_for

        try:
            self._found.append(KeyringSecretStore().get(account_for(profile)))
        except SecretStoreError as exc:
            log.warning("keyring unavailable: %s", exc)

    def done(self) -> bool:
        return self._thread.ident is not None and not self._thread.is_alive()

    def result(self, timeout: float = KEYRING_TIMEOUT) -> str | None:
        self.start()
        self._thread.join(timeout)
        return self._found[0] if self._found else None


def start_sandbox(account_file: Path | None = None) -> SandboxServer:
    """The app's offline service. A fresh seed per session, so task ids never repeat
    across restarts (history keys on them); the fake account (balance and bill) is kept
    in `account_file`, so it follows what was spent as a real one would."""
    from get3w_desktop.sandbox import SandboxConfig, SandboxServer

    seed = int.from_bytes(os.urandom(4), "big") >> 1
    config = SandboxConfig(time_scale=SANDBOX_TIME_SCALE, seed=seed, account_file=account_file,
                           render_slots=SANDBOX_RENDER_SLOTS)  # fmt: skip
    return SandboxServer(config).start()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="get3w-desktop", description="Get3W Desktop")
    parser.add_argument("--sandbox", action="store_true", help="use the built-in sandbox")
    parser.add_argument("--base-url", help="API address (default $GET3W_BASE_URL or Get3W)")
    parser.add_argument("--verbose", action="store_true", help="also log to stderr")
    parser.add_argument(
        "--self-test", action="store_true",
        help="check this installation offscreen against a built-in sandbox, print one line, exit",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args, _qt_args = parser.parse_known_args(argv)
    return args


def missing_display(environ: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why no window can open, in plain words; None when one can.

    Without this, Qt aborts with a misleading message about xcb-cursor0.
    """
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "Get3W Desktop needs a graphical session, and none was found (DISPLAY and "
        "WAYLAND_DISPLAY are unset). Start it from your desktop, or use the `get3w` "
        "command in a terminal."
    )


def open_history(paths: AppPaths) -> HistoryStore | None:
    """The task history, or None when it cannot be used (the person was told why).

    Opened without SQLite's quick check, which reads the whole file (seconds for a large
    history from a cold disk): `HistoryChecker` runs it after the window is shown, and
    damage it finds is asked about from the window (ui/history_damage.py). A file SQLite
    cannot open, or a newer one, was already copied aside by the store; the person chooses
    here, before the window, between a fresh history and none. Never a silent reset.
    """
    from get3w_desktop.storage.history import (
        HistoryDamagedError,
        HistoryError,
        HistoryStore,
    )
    from get3w_desktop.ui.history_damage import DamagedHistory

    path = paths.history_db
    try:
        return HistoryStore.open(path, check_later=True)
    except HistoryDamagedError as exc:
        ask = DamagedHistory()
        if ask.ask_at_open(exc):
            try:
                return HistoryStore.open_fresh(path)
            except HistoryError as again:
                ask.not_started_over(again)
        return None
    except HistoryError as exc:
        DamagedHistory().unusable(exc)
        return None


def choose_profile(
    args: argparse.Namespace, settings: Settings, first_run: bool
) -> tuple[Profile, str | None, KeyringLookup | None]:
    """(profile, key from the environment, keyring lookup under way) for this session."""
    from get3w_desktop.storage.settings import DEFAULT_PROFILE, SANDBOX, Profile

    if args.sandbox:
        return SANDBOX, None, None
    env_key = os.environ.get("GET3W_API_KEY", "").strip()
    if env_key:  # scripts: the environment wins over the settings, for this session only
        stored = settings.profile(DEFAULT_PROFILE)
        base = args.base_url or os.environ.get("GET3W_BASE_URL") or (
            stored.base_url if stored else "") or DEFAULT_BASE_URL  # fmt: skip
        return Profile(DEFAULT_PROFILE, base), env_key, None
    profile = settings.active
    if profile.is_sandbox and first_run and settings.profile(DEFAULT_PROFILE):
        # A key stored by `get3w key set` before the app ever ran is used from the start.
        default = settings.profile(DEFAULT_PROFILE)
        assert default is not None
        return default, None, KeyringLookup(DEFAULT_PROFILE, start=False)
    if profile.is_sandbox:
        return profile, None, None
    if args.base_url:
        profile = Profile(profile.name, args.base_url)
    # A first run opens in the sandbox at once and adopts a stored key later (see main).
    return profile, None, KeyringLookup(profile.name, start=not first_run)


def main(argv: Sequence[str] | None = None) -> int:
    limit_arenas()  # before any thread starts (core/malloc_arenas.py: ~25 MB less at 100k)
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:  # offscreen: needs no display, and touches no settings
        from get3w_desktop.selftest import run_self_test

        return run_self_test()
    problem = missing_display(os.environ)
    if problem:
        print(problem, file=sys.stderr)  # noqa: T201 - before any window exists
        return 1
    paths = app_paths().ensure()
    setup_logging(paths, args.verbose)

    from get3w_desktop.storage.settings import SANDBOX, load_settings

    loaded = load_settings(paths)
    settings = loaded.settings
    profile, key, lookup = choose_profile(args, settings, first_run=loaded.found_version == 0)

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from get3w_desktop.ui.i18n import install_language
    from get3w_desktop.ui.shell import StartupShell
    from get3w_desktop.ui.theme import apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Get3W Desktop")
    app.setOrganizationName("Get3W")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("get3w-desktop")  # Wayland matches the window to the .desktop entry
    app.setWindowIcon(QIcon(str(resource_path("icons", "get3w-desktop.svg"))))
    apply_theme(settings.theme)  # before any widget exists, so style sheets see the palette
    install_language(app, settings.language)  # None: the system's language
    # The first frame: the shell, in the person's theme and language, where the window
    # will be; everything below (most of the start-up) happens behind it.
    shell = StartupShell(paths.config / "window.ini")
    shell.show_now(app)
    # Slots' and threads' exceptions: logged and shown. No slot has run yet (the event
    # loop has not), and the crash module is not worth a delay of the first frame.
    from get3w_desktop.ui.crash import install_crash_hooks

    crash_hooks = install_crash_hooks(app)

    from get3w_desktop.core.catalogue import Catalogue, load_bundled
    from get3w_desktop.core.job import expected_output_kind
    from get3w_desktop.core.live_catalogue import CACHE_SUBDIR
    from get3w_desktop.itemmodels.job_list import JobListModel
    from get3w_desktop.storage.form_memory import FormMemory
    from get3w_desktop.storage.secrets import KeyringSecretStore
    from get3w_desktop.ui.history_damage import DamagedHistory
    from get3w_desktop.ui.housekeeping_actions import HousekeepingActions
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.messages import render
    from get3w_desktop.ui.notifier import Notifier
    from get3w_desktop.ui.remote_cancel import RemoteCancel
    from get3w_desktop.ui.services import ServiceController
    from get3w_desktop.workers.file_copy import FileCopier
    from get3w_desktop.workers.history_loader import HistoryChecker, HistoryLoader
    from get3w_desktop.workers.history_writer import HistoryWriter
    from get3w_desktop.workers.housekeeping import THUMBNAIL_BUDGET, Housekeeper
    from get3w_desktop.workers.job_book import JobBook
    from get3w_desktop.workers.keys import KeyService
    from get3w_desktop.workers.runner import TaskRunner
    from get3w_desktop.workers.start_steps import StartSteps
    from get3w_desktop.workers.thumbnails import ThumbnailLoader

    # (for the log, for the window): the settings file's notes, in the window's language
    notes = [(said.fallback, render(said)) for said in loaded.said]
    first_run_lookup: tuple[Profile, KeyringLookup] | None = None
    if lookup is not None and loaded.found_version == 0 and profile.name == "default":
        # First run: open in the sandbox at once; a key stored by `get3w key set` switches
        # to Get3W when the keyring answers (the first frame never waits for it).
        first_run_lookup, profile = (profile, lookup), SANDBOX
    elif lookup is not None:
        key = lookup.result()
        if not key:
            from get3w_desktop.ui.texts import no_key_note

            notes.append((f"No API key was found for “{profile.name}”, so tasks run in "
                          "the sandbox. Use “Enter API key…” to add it.",
                          no_key_note(profile.name)))  # fmt: skip
            profile = SANDBOX

    catalogue = Catalogue(load_bundled())  # its own copy: it adopts the live list
    secret_store = KeyringSecretStore()
    keys = KeyService(secret_store)
    history = open_history(paths)
    first_frame.hold()  # background work waits for the window's first frame (see there)
    base_urls: dict[str, str] = {}
    writer = HistoryWriter(history, base_urls=base_urls) if history else None
    runner = TaskRunner(
        None, paths.outputs, max_concurrency=settings.concurrency,  # the client: just below
        expected_kind=lambda model_id: (
            expected_output_kind(m.type, m.output_kind) if (m := catalogue.get(model_id)) else None
        ),
        journal=(lambda job: book.journal(job)) if writer else None,  # the book: just below
    )  # fmt: skip
    book = JobBook(runner, JobListModel(), journal=writer, catalogue=catalogue)
    services = ServiceController(
        settings, paths, keys, runner, base_urls,
        start_sandbox=lambda: start_sandbox(paths.sandbox_account),
        keyring_backend=lambda: secret_store.backend_name, model_lookup=catalogue.get,
    )  # fmt: skip
    services.profile_activated.connect(book.activate_profile)
    live = services.activate(profile, key)
    thumbnails = ThumbnailLoader()
    copier = FileCopier()
    window = MainWindow(
        catalogue, book, thumbnails, FormMemory(), live.info, copier,
        balance=live.balance, state_file=paths.config / "window.ini", paths=paths,
    )  # fmt: skip
    window.help.key_store = secret_store  # Help › Where your data lives names its keyring
    services.attach(window)
    remote_cancel = RemoteCancel(window, book, lambda: services.live)
    keeper = Housekeeper(history, paths.outputs, thumbnails.cache_dir) if history else None
    if keeper is not None and history is not None:
        store = history
        HousekeepingActions(window, book, keeper, lambda: services.live,
                            lambda: [entry.job for entry in store.list()])  # fmt: skip
    notifier = Notifier(
        window.isActiveWindow, enabled=settings.notifications, icon=app.windowIcon(),
        model_label=lambda mid: m.name if (m := catalogue.get(mid)) else mid, parent=window,
    )  # fmt: skip
    book.finished.connect(notifier.notify_job)
    runner.idle.connect(notifier.queue_idle)
    services.attach_notifier(notifier)
    notifier.activated.connect(lambda local_id: bring_forward(window, local_id))

    loader = HistoryLoader(history) if history else None
    if writer is not None and loader is not None:
        writer.failed.connect(
            lambda message: window.statusBar().showMessage(render(message), 15000)
        )
        loader.loaded.connect(window.add_history)
        loader.failed.connect(
            lambda message: window.statusBar().showMessage(render(message), 15000)
        )
    shell.replace_with(window)
    wake = quit_on_signals(app)
    # After the first frame, one after another (workers/start_steps.py): the history's
    # newest page, the model list, the schema warm-up, the history's integrity check, its
    # older pages.
    steps = StartSteps(window)
    checker = HistoryChecker(history) if history is not None else None
    damage = DamagedHistory(window, history)  # asks from the window if the check finds any
    if loader is not None:
        add_newest_page_step(steps, loader, live.info)
    models = follow_model_list(catalogue, window, services, paths.cache / CACHE_SUBDIR, steps)
    if loader is not None and checker is not None:
        checker.damaged.connect(damage.found)
        add_check_and_older_pages_steps(steps, loader, checker)
    first_frame.after_first_frame(steps.run)
    if keeper is not None:
        keeper.prune_thumbnails(THUMBNAIL_BUDGET)  # the cache stays under its budget
    if first_run_lookup is not None:
        adopt_stored_key(services, *first_run_lookup)
    for english, shown in notes:
        log.warning("%s", english)
        window.statusBar().showMessage(shown, 20000)
    try:
        return int(app.exec())
    finally:
        wake.stop()
        first_frame.drop()
        steps.stop()
        models.shutdown()
        runner.shutdown()
        remote_cancel.shutdown()
        if loader is not None:
            loader.wait()
        if checker is not None:
            checker.shutdown()
        if keeper is not None:
            keeper.shutdown()
        if writer is not None:
            writer.close()
        if history is not None:
            history.close()
        notifier.close()
        services.shutdown()
        keys.shutdown()
        thumbnails.shutdown()
        copier.shutdown()
        crash_hooks.uninstall()


def follow_model_list(
    catalogue: Catalogue,
    window: MainWindow,
    services: ServiceController,
    cache: Path,
    steps: StartSteps | None = None,
) -> CatalogueLoader:
    """Show the active service's model list: its cached copy at once, then the server's,
    fetched, parsed and merged off the GUI thread (again on every profile switch). The
    one `catalogue` every part of the window holds adopts it; models the service stopped
    offering stay resolvable, so their tasks show and re-open.

    The first refresh and the JSON Schema warm-up are `steps` of the start-up (or, without
    them, both start after the first frame)."""
    from get3w_desktop.workers.catalogue import CatalogueLoader

    models = CatalogueLoader(cache)
    shown: list[LiveCatalogue] = []

    def show(live: LiveCatalogue) -> None:
        before = shown[-1] if shown else None
        shown[:] = [live]
        if before is None and live.origin == "bundled":
            return  # what the window was built with: nothing to redo
        catalogue.adopt(live.offered, live.retired)
        same = before is not None and _listing(live.offered) == _listing(before.offered)
        if same:
            return  # the server agrees with what is shown: no refill of the picker
        diff = live.diff_from(before) if before is not None and live.origin == "server" else None
        if diff:
            window.models_changed(len(diff.added), len(diff.removed))
        else:
            window.models_changed()

    def refresh(_profile: str = "") -> None:
        current = services.live
        if current is not None:
            models.start(current.info.base_url, current.client.model_list_data)

    models.loaded.connect(show)
    models.failed.connect(lambda message: log.info("model list not refreshed: %s", message))
    services.profile_activated.connect(refresh)
    # Both after the first frame: parsing the list and importing jsonschema off the GUI
    # thread would still hold the interpreter lock while the window is being built. The
    # JSON Schema checker compiles on first use (~0.1 s): pay it off the GUI thread.
    if steps is None:
        first_frame.after_first_frame(refresh)
        first_frame.after_first_frame(models.warmer.warm)
        return models

    def refresh_step(done: Callable[[], None]) -> None:
        # Done when shown, refreshed or failed; a server slower than the step's limit
        # no longer holds the steps after it back (its answer is still shown when it comes).
        models.finished.connect(done)
        refresh()

    steps.add("model list", refresh_step, limit_ms=MODEL_LIST_STEP_MS)
    steps.add("schema warm-up", models.warmer.warm)
    return models


def add_newest_page_step(steps: StartSteps, loader: HistoryLoader, info: ServiceInfo) -> None:
    """The history's newest page (the window's rows) first; the older pages wait until
    `release_older()` (see `add_check_and_older_pages_steps`)."""
    loader.hold_older()

    def newest_page(done: Callable[[], None]) -> None:
        loader.loaded.connect(lambda _page: done())
        loader.failed.connect(lambda _message: done())
        loader.load(profile=info.profile, base_url=info.base_url, is_sandbox=info.is_sandbox)

    steps.add("history, newest page", newest_page)


def add_check_and_older_pages_steps(
    steps: StartSteps, loader: HistoryLoader, checker: HistoryChecker
) -> None:
    """The history's integrity check (SQLite reads the file without the interpreter lock,
    at the lowest CPU priority), then its older pages: they wait for the check's answer at
    most `CHECK_STEP_MS` (a large file on a cold disk takes seconds)."""

    def check(done: Callable[[], None]) -> None:
        checker.intact.connect(done)
        checker.damaged.connect(lambda _damage: done())
        checker.check()

    steps.add("history check", check, limit_ms=CHECK_STEP_MS)
    steps.add("history, older pages", _at_once(loader.release_older))


def _at_once(start: Callable[[], object]) -> Callable[[Callable[[], None]], None]:
    """A step whose work needs nothing of the steps after it: they begin at once."""

    def step(done: Callable[[], None]) -> None:
        start()
        done()

    return step


def _listing(models: Catalogue) -> list[tuple[object, ...]]:
    """What the picker and the forms show of a list (not where it came from)."""
    return [(m.model_id, m.name, m.type, m.description, m.base_price, m.estimated_duration,
             m.schema) for m in models]  # fmt: skip


def adopt_stored_key(services: ServiceController, profile: Profile, lookup: KeyringLookup) -> None:
    """When the first run's keyring lookup finds a key, run new tasks on Get3W with it."""
    from PySide6.QtCore import QTimer

    deadline: list[float] = []  # KEYRING_TIMEOUT from the lookup's start

    def check() -> None:
        lookup.start()  # after the first frame: the keyring's import no longer competes
        if not deadline:
            deadline.append(time.monotonic() + KEYRING_TIMEOUT)
        if not lookup.done() and time.monotonic() < deadline[0]:
            QTimer.singleShot(50, check)
            return
        key = lookup.result(0)
        if key:
            services.activate(profile, key)
            services.remember_active(profile.name)

    # Counted from the first frame: a timer armed before it can fire before it is painted.
    first_frame.after_first_frame(lambda: QTimer.singleShot(FIRST_FRAME_DELAY_MS, check))


def quit_on_signals(app: QApplication) -> QTimer:
    """SIGTERM (a logout, `kill`) and Ctrl+C in a terminal close the app the normal way:
    tasks stay resumable, the history is flushed and closed, nothing is cut mid-write."""
    from PySide6.QtCore import QTimer

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda _signum, _frame: app.quit())
    # Python runs signal handlers only between bytecodes; a short timer lets it look.
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(200)
    return wake  # stopped when main returns (the QApplication may outlive it: tests)


def bring_forward(window: QMainWindow, local_id: str) -> None:
    """A notification was clicked: show the window and that task."""
    from get3w_desktop.ui.main_window import MainWindow

    window.showNormal()
    window.raise_()
    window.activateWindow()
    if local_id and isinstance(window, MainWindow):
        window.select_job(local_id)


if __name__ == "__main__":
    sys.exit(main())
