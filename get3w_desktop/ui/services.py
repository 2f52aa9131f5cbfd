"""Which service new tasks go to, and the dialogs that change it.

The controller owns the live service (an API client, its balance watcher, and the
built-in sandbox when it is in use), switches profiles (loading the profile's key off the
GUI thread first), and runs the key, settings and diagnostics dialogs. Tasks already
running keep the client they started with; each remembers its profile.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.catalogue import ModelInfo
from get3w_desktop.core.diagnostics import build_report, write_bundle
from get3w_desktop.core.job import Job
from get3w_desktop.core.messages import Message, says_unreachable
from get3w_desktop.core.money import price_history
from get3w_desktop.core.pacing import Pacer
from get3w_desktop.core.urls import DEFAULT_BASE_URL
from get3w_desktop.sandbox import SANDBOX_API_KEY
from get3w_desktop.storage.paths import AppPaths
from get3w_desktop.storage.settings import (
    DEFAULT_PROFILE,
    SANDBOX,
    NotifyMode,
    Profile,
    Settings,
    SettingsError,
    save_settings,
    to_json,
)
from get3w_desktop.ui.i18n import install_language
from get3w_desktop.ui.messages import render
from get3w_desktop.ui.service_bar import ServiceInfo
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP
from get3w_desktop.ui.theme import apply_theme
from get3w_desktop.workers.account import Bill, SpendingGatherer
from get3w_desktop.workers.balance import BalanceWatcher
from get3w_desktop.workers.base import PoolOwner
from get3w_desktop.workers.keys import KeyLookup, KeyService
from get3w_desktop.workers.pricing import PriceQuoter
from get3w_desktop.workers.reachability import BACKOFF, Reachability

if TYPE_CHECKING:
    from get3w_desktop.sandbox import SandboxServer
    from get3w_desktop.ui.key_dialog import KeyDialog
    from get3w_desktop.ui.main_window import MainWindow
    from get3w_desktop.ui.notifier import (
        Notifier,  # the dialogs load when first opened: ~60-100 ms off the first frame
    )
    from get3w_desktop.ui.settings_dialog import SettingsDialog
    from get3w_desktop.workers.runner import TaskRunner

log = logging.getLogger(__name__)

SANDBOX_DETAIL = QT_TRANSLATE_NOOP(
    "ServiceInfo",
    "Offline sandbox: results are simulated on this computer and nothing is charged. "
    "Add a Get3W API key to use the real service.",
)


SANDBOX_NAME = QT_TRANSLATE_NOOP("ServiceInfo", "Sandbox")
GET3W_DETAIL = QT_TRANSLATE_NOOP(
    "ServiceInfo", "Tasks run on {url} and are charged to the account of this key."
)


@dataclasses.dataclass
class LiveService:
    info: ServiceInfo
    client: Get3WClient
    balance: BalanceWatcher
    #: Whether the host answers (None for the sandbox, which runs in this process).
    reach: Reachability | None = None


def service_info(profile: Profile, base_url: str) -> ServiceInfo:
    translate = QCoreApplication.translate
    if profile.is_sandbox:
        name = translate("ServiceInfo", SANDBOX_NAME)
        return ServiceInfo(profile.name, name, translate("ServiceInfo", SANDBOX_DETAIL), True,
                           base_url, SANDBOX_NAME, SANDBOX_DETAIL)  # fmt: skip
    name = "Get3W" if profile.name == DEFAULT_PROFILE else f"Get3W · {profile.name}"
    detail = translate("ServiceInfo", GET3W_DETAIL).replace("{url}", base_url)
    return ServiceInfo(profile.name, name, detail, False, base_url, "", GET3W_DETAIL)


class ServiceController(QObject):
    """Signals:
    profile_activated(str): new tasks go to this profile now (its parked tasks may resume).
    """

    profile_activated = Signal(str)

    def __init__(
        self,
        settings: Settings,
        paths: AppPaths,
        keys: KeyService,
        runner: TaskRunner,
        base_urls: dict[str, str],
        *,
        start_sandbox: Callable[[], SandboxServer],
        keyring_backend: Callable[[], str] = lambda: "unknown",
        model_lookup: Callable[[str], ModelInfo | None] = lambda _model_id: None,
        reach_backoff: Sequence[float] = BACKOFF,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self._paths = paths
        self._keys = keys
        self._runner = runner
        self._base_urls = base_urls  # shared with the history writer: profile -> address
        self._start_sandbox = start_sandbox
        self._keyring_backend = keyring_backend
        self._model_lookup = model_lookup
        self._reach_backoff = tuple(reach_backoff)
        #: Why a profile's key was saved unchecked (the host did not answer): its service
        #: starts out as "cannot reach" until an answer comes.
        self._unchecked: dict[str, Message] = {}
        self._language: str | None = settings.language  # installed by app.py at start
        self.quoter: PriceQuoter | None = None
        self._notifier: Notifier | None = None
        self._gatherer = SpendingGatherer(self)  # the spending window's bill
        self._gatherer.gathered.connect(self._show_spending)
        self._sandbox: SandboxServer | None = None
        self._window: MainWindow | None = None
        self.live: LiveService | None = None
        self._key = ""  # the live key, only to scrub it from diagnostics
        self._retired: list[Get3WClient] = []  # still used by tasks started before a switch
        self._pending: dict[int, str] = {}  # key-load ticket -> profile to switch to
        keys.loaded.connect(self._on_key_loaded)
        keys.failed.connect(self._on_key_failed)
        runner.job_changed.connect(self._on_job_changed)

    # -- the live service --------------------------------------------------------------

    def activate(self, profile: Profile, key: str | None) -> LiveService:
        """Send new tasks to `profile` now (the sandbox needs no key; others do)."""
        if profile.is_sandbox:
            if self._sandbox is None:
                self._sandbox = self._start_sandbox()
            base_url, key = self._sandbox.base_url, SANDBOX_API_KEY
        else:
            if not key:
                raise ValueError(f"profile {profile.name} needs a key")
            base_url = profile.base_url or DEFAULT_BASE_URL
        client = Get3WClient(base_url, key, proxy=profile.proxy)
        self._key = key
        balance = BalanceWatcher(client.balance, self)
        reach = None if profile.is_sandbox else self._watch_reach(balance)
        previous, self.live = self.live, LiveService(service_info(profile, base_url), client,
                                                     balance, reach)  # fmt: skip
        self._base_urls[profile.name] = base_url
        self._runner.set_client(client)
        if self.quoter is not None:
            self.quoter.retire()  # never waits for a price still asked of the old host
        self.quoter = PriceQuoter(client.price, self._model_lookup, parent=self)
        if previous is not None:
            previous.balance.retire()  # nor for its balance
            self._retired.append(previous.client)
            if previous.reach is not None:
                previous.reach.stop()
                previous.reach.deleteLater()
        if self._window is not None:
            self._window.set_service(self.live.info, balance)
            if reach is not None:
                reach.changed.connect(self._window.set_reach)
            self._window.set_profiles(self.profile_names(), profile.name)
            self._window.set_quoter(self.quoter)
        unchecked = self._unchecked.pop(profile.name, None)
        if reach is not None and unchecked is not None:
            reach.assume_unreachable(unchecked)
        self.profile_activated.emit(profile.name)
        return self.live

    def _watch_reach(self, balance: BalanceWatcher) -> Reachability:
        """Reachability learnt from the balance calls (made anyway), retried on a backoff."""
        reach = Reachability(balance.refresh, backoff=self._reach_backoff, parent=self)
        balance.answered.connect(reach.request_answered)
        balance.unreachable.connect(reach.request_failed)
        return reach

    @Slot(object)
    def _on_job_changed(self, job: object) -> None:
        """Tasks talk to the host too: a connection failure while it seemed reachable, or
        progress while it seemed not, is checked with one balance call (coalesced)."""
        live = self.live
        if not isinstance(job, Job) or live is None or live.reach is None:
            return
        if job.profile != live.info.profile:
            return
        trouble = says_unreachable(job.note_message) or says_unreachable(job.error_message)
        if trouble == live.reach.reachable:
            live.balance.refresh()

    def attach_notifier(self, notifier: Notifier) -> None:
        """Notifications follow Settings (off, per task, or once per queue)."""
        self._notifier = notifier
        self.apply(self.settings)

    def profile_names(self) -> list[str]:
        return [profile.name for profile in self.settings.profiles]

    def attach(self, window: MainWindow) -> None:
        """Connect the window's requests; call once, after `activate`."""
        self._window = window
        window.key_requested.connect(lambda: self.open_key_dialog())
        window.settings_requested.connect(self.open_settings)
        window.profile_chosen.connect(self.switch)
        window.diagnostics_requested.connect(self.save_diagnostics)
        window.spending_requested.connect(self.open_spending)
        self.apply(self.settings)
        if self.live is not None:
            window.set_service(self.live.info, self.live.balance)
            if self.live.reach is not None:
                self.live.reach.changed.connect(window.set_reach)
                window.set_reach(self.live.reach.state)
            window.set_profiles(self.profile_names(), self.live.info.profile)
            window.set_quoter(self.quoter)

    @Slot(str)
    def switch(self, name: str) -> None:
        """Run new tasks on profile `name`: at once for the sandbox, after its key loads
        (off the GUI thread) for a Get3W profile; no key opens the key dialog."""
        profile = self.settings.profile(name)
        if profile is None:
            return
        if profile.is_sandbox:
            self.activate(profile, None)
            self._remember_active(name)
            return
        if self._window is not None:
            self._window.statusBar().showMessage(
                self.tr("Looking up the key for {name}…").format(name=name), 5000
            )
        self._pending[self._keys.load(name)] = name

    @Slot(int, str, object)
    def _on_key_loaded(self, ticket: int, profile_name: str, lookup: object) -> None:
        name = self._pending.pop(ticket, None)
        if name is None or not isinstance(lookup, KeyLookup):
            return
        profile = self.settings.profile(name)
        if profile is None:
            return
        if lookup.key:
            self.activate(profile, lookup.key)
            self._remember_active(name)
        else:
            self.open_key_dialog(name)

    @Slot(int, str, str)
    def _on_key_failed(self, ticket: int, _profile: str, message: Message) -> None:
        if self._pending.pop(ticket, None) is not None and self._window is not None:
            self._window.statusBar().showMessage(render(message), 10000)
            self._restore_profile_menu()

    def _restore_profile_menu(self) -> None:
        if self._window is not None and self.live is not None:
            self._window.set_profiles(self.profile_names(), self.live.info.profile)

    def remember_active(self, name: str) -> None:
        """Make `name` the profile the next start opens on."""
        self._remember_active(name)

    def _remember_active(self, name: str) -> None:
        if self.settings.active_profile != name:
            self._save(dataclasses.replace(self.settings, active_profile=name))

    # -- dialogs -----------------------------------------------------------------------

    def key_profile(self, name: str | None = None) -> Profile:
        """The Get3W profile a key is for: the one named, the live one, or the first."""
        chosen = self.settings.profile(name) if name else None
        if chosen is None and self.live is not None and not self.live.info.is_sandbox:
            chosen = self.settings.profile(self.live.info.profile)
        if chosen is None:
            chosen = next((p for p in self.settings.profiles if not p.is_sandbox), None)
        if chosen is None:  # every Get3W profile was removed: bring back the default one
            chosen = Profile(DEFAULT_PROFILE, DEFAULT_BASE_URL)
            self._save(dataclasses.replace(self.settings,
                                           profiles=(*self.settings.profiles, chosen)))  # fmt: skip
        return chosen

    def open_key_dialog(self, name: str | None = None) -> KeyDialog:
        profile = self.key_profile(name)
        parent = QApplication.activeModalWidget() or self._window
        from get3w_desktop.ui.key_dialog import KeyDialog

        dialog = KeyDialog(profile, self._keys, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.key_saved_unchecked.connect(self._on_key_unchecked)
        dialog.key_saved.connect(self._on_key_saved)
        dialog.key_removed.connect(self._on_key_removed)
        dialog.rejected.connect(self._restore_profile_menu)
        dialog.open()
        return dialog

    @Slot(str, object)
    def _on_key_unchecked(self, name: str, reason: object) -> None:
        if isinstance(reason, Message):
            self._unchecked[name] = reason

    @Slot(str)
    def _on_key_saved(self, name: str) -> None:
        self.switch(name)  # the key is in the keyring (or this session): use it

    @Slot(str)
    def _on_key_removed(self, name: str) -> None:
        if self.live is not None and self.live.info.profile == name:
            self.activate(SANDBOX, None)
            self._remember_active(SANDBOX.name)

    def open_settings(self) -> SettingsDialog:
        from get3w_desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self._window, key_lookup=self._keys.fetch)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.key_requested.connect(lambda name: self.open_key_dialog(name))
        dialog.accepted.connect(lambda: self._on_settings_accepted(dialog))
        dialog.open()
        return dialog

    def _on_settings_accepted(self, dialog: SettingsDialog) -> None:
        new = dialog.settings()
        for name in dialog.removed_profiles():
            self._keys.delete(name)
        old = self.settings
        if not self._save(new):
            return
        self.apply(new)
        live = self.live.info.profile if self.live else None
        active = new.active
        if active.name != live or (
            not active.is_sandbox and old.profile(active.name) != new.profile(active.name)
        ):
            self.switch(active.name)
        else:
            self._restore_profile_menu()

    def _save(self, settings: Settings) -> bool:
        try:
            save_settings(settings, self._paths)
        except SettingsError as exc:
            why = render(exc.said) if exc.said is not None else exc.message
            QMessageBox.warning(self._window, self.tr("Settings not saved"), why)
            return False
        self.settings = settings
        return True

    def apply(self, settings: Settings) -> None:
        """Make the running app follow `settings` (nothing here touches the network)."""
        self._runner.set_max_concurrency(settings.concurrency)
        if self._notifier is not None:
            self._notifier.set_enabled(settings.notifications)
            runner = self._runner
            self._notifier.set_per_queue(settings.notify_mode is NotifyMode.QUEUE,
                                         lambda: runner.active_count() > 0)  # fmt: skip
        apply_theme(settings.theme)
        app = QApplication.instance()
        if isinstance(app, QApplication) and settings.language != self._language:
            self._language = settings.language
            install_language(app, settings.language)
        if self._window is not None:
            self._window.set_filename_pattern(settings.filename_pattern)
            self._window.set_save_folder(Path(settings.download_folder).expanduser())
            folder = settings.autosave_folder
            self._window.set_auto_save_dir(Path(folder) if folder else None)
            self._window.set_spending(
                settings.cap_per_batch,
                settings.cap_per_day,
                settings.sidecars,
                confirm_above=settings.confirm_above,
            )

    # -- spending ----------------------------------------------------------------------

    def open_spending(self) -> None:
        """Gather this month's bill and the balance off the GUI thread, then show them."""
        if self.live is None:
            return
        since = dt.datetime.combine(dt.date.today().replace(day=1), dt.time())
        client, profile = self.live.client, self.live.info.profile
        if self._window is not None:
            self._window.statusBar().showMessage(self.tr("Reading your spending…"), 4000)
        price = None
        if self._window is not None:  # a snapshot of the list, priced on the worker
            jobs, book = self._window.book.jobs(), self._window.book
            catalogue, quotes = self._window.catalogue, dict(book.quotes)
            price = lambda: price_history(jobs, catalogue, quotes, Pacer())  # noqa: E731
        self._gatherer.gather(client, since, profile, price)

    @Slot(object)
    def _show_spending(self, gathered: object) -> None:
        if self._window is None or not isinstance(gathered, Bill):
            return
        from get3w_desktop.ui.spend_dialog import SpendDialog

        dialog = SpendDialog(
            self._window.book.jobs(), catalogue=self._window.catalogue,
            billings=gathered.billings, billing_profile=gathered.profile,
            billing_since=gathered.since.timestamp(), balance=gathered.balance,
            quotes=dict(self._window.book.quotes), priced=gathered.priced, parent=self._window,
        )  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if gathered.problem_message is not None:
            self._window.statusBar().showMessage(render(gathered.problem_message), 10000)
        dialog.open()

    # -- diagnostics -------------------------------------------------------------------

    def save_diagnostics(self) -> None:
        import PySide6

        default = str(Path.home() / "get3w-diagnostics.zip")
        path, _filter = QFileDialog.getSaveFileName(
            self._window, self.tr("Save diagnostics"), default, self.tr("Zip archive (*.zip)")
        )
        if not path:
            return
        keys = [self._key] if self._key else []
        try:
            report = build_report(
                qt_version=qVersion(), pyside_version=PySide6.__version__,
                qt_platform=QGuiApplication.platformName(),
                keyring_backend=self._keyring_backend(),
                settings=to_json(self.settings), secrets=keys,
            )  # fmt: skip
            write_bundle(Path(path), report, log_path=self._paths.logs / "get3w-desktop.log",
                         secrets=keys)  # fmt: skip
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self._window, self.tr("Diagnostics not saved"), str(exc))
            return
        if self._window is not None:
            self._window.statusBar().showMessage(
                self.tr("Diagnostics saved to {path} (no keys or passwords inside)").format(
                    path=path
                ),
                8000,
            )

    # -- the end -----------------------------------------------------------------------

    def shutdown(self) -> None:
        self._gatherer.shutdown()
        if self.quoter is not None:
            self.quoter.shutdown()
        if self.live is not None:
            if self.live.reach is not None:
                self.live.reach.stop()
            self.live.balance.shutdown()
            self._retired.append(self.live.client)
        PoolOwner.drain_retired()  # requests to hosts of earlier profiles
        for client in self._retired:
            client.close()
        if self._sandbox is not None:
            self._sandbox.stop()
