"""What a person does with outputs: open, save (one, all, automatically), copy (image, URL,
task id, a curl or Python snippet), and remix (a saved output's recipe into the form).

It works on the task panel's selection and the viewer's current file, saves through the
file copier (off the GUI thread) and says what happened through `say`; it never reaches
into the window.

Where Save… and Save all open: the folder the person chose last, unless the Settings
download folder was changed after that choice (or the chosen folder is gone); then the
Settings folder, created with its parents the first time it is needed. When it cannot be
created the dialog opens in the home folder and the status bar says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QMessageBox, QWidget

from get3w_desktop.core.catalogue import Catalogue
from get3w_desktop.core.export import file_name, output_metadata, unique_path
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.messages import Message
from get3w_desktop.core.remix import RecipeError, read_recipe
from get3w_desktop.core.snippets import as_curl, as_python
from get3w_desktop.ui.human_names import file_name as human_file_name
from get3w_desktop.ui.messages import render
from get3w_desktop.ui.output_pages import open_file, show_in_folder
from get3w_desktop.ui.result_viewer import ResultViewer
from get3w_desktop.ui.task_panel import TaskPanel
from get3w_desktop.workers.file_copy import FileCopier, SaveItem
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.thumbnails import MediaKind, ThumbnailLoader, media_kind

Say = Callable[[str, int], None]


def save_items(
    jobs: list[Job], folder: Path, pattern: str | None = None, sidecars: bool = False
) -> list[SaveItem]:
    """(source, destination, metadata, sidecar job) for every output of `jobs`, with
    distinct names."""
    taken: set[str] = set()
    items: list[SaveItem] = []
    for job in jobs:
        metadata = output_metadata(job)
        for index, source in enumerate(job.files):
            name = file_name(job, index + 1, Path(source).suffix, pattern)
            destination = str(unique_path(folder, name, taken))
            items.append((source, destination, metadata, job if sidecars else None))
    return items


class OutputActions(QObject):
    def __init__(
        self,
        parent: QWidget,
        *,
        tasks: TaskPanel,
        viewer: ResultViewer,
        book: JobBook,
        catalogue: Catalogue,
        thumbnails: ThumbnailLoader,
        saver: FileCopier,
        state: QSettings | None,
        base_url: Callable[[], str],
        load_recipe: Callable[[str, Mapping[str, Any]], None],
        say: Say,
    ) -> None:
        super().__init__(parent)
        self._parent, self._tasks, self._viewer, self._book = parent, tasks, viewer, book
        self._catalogue, self._thumbnails, self._saver, self._state = (
            catalogue, thumbnails, saver, state)  # fmt: skip
        self._base_url, self._load_recipe, self._say = base_url, load_recipe, say
        self.pattern: str | None = None  # file-name pattern from Settings (None: built-in)
        self.sidecars = False  # also write <file>.json recipes when saving (Settings)
        self.auto_save_dir: Path | None = None  # copy finished outputs here (None: off)
        # Where saving starts (the Settings download folder; None: the home folder).
        self.save_folder: Path | None = None
        self.open_failed_box: QMessageBox | None = None  # shown when no app could open a file
        self._pending_copy: str | None = None  # an image to put on the clipboard once decoded
        saver.copied.connect(lambda dest: say(self.tr("Saved {path}").format(path=dest), 6000))
        saver.saved_all.connect(self._on_saved_all)
        saver.failed.connect(self._on_save_failed)
        thumbnails.image_ready.connect(self._on_image_decoded)
        thumbnails.image_failed.connect(self._on_image_decode_failed)
        viewer.save_requested.connect(self.save_file)
        viewer.save_all_requested.connect(self.save_all)
        viewer.copy_requested.connect(self.copy_image)
        viewer.open_requested.connect(self.open_path)

    # -- open and save -----------------------------------------------------------------

    def open_output(self) -> None:
        job = self._tasks.current_job()
        if job and job.files:
            self.open_path(job.files[0])

    @Slot(str)
    def open_path(self, path: str) -> None:
        """Open `path` with the system's app for it; when none can, say so and offer
        its folder and its path instead."""
        if not Path(path).is_file():
            self._say(self.tr("{name} is no longer on this computer.").format(
                name=self._title(path)), 10000)  # fmt: skip
        elif not open_file(path):
            self._open_failed(path)

    def _title(self, path: str) -> str:
        """What people call the file: model · prompt · seed when its task is at hand."""
        found = self._job_of_file(path)
        if found is None:
            return Path(path).name
        model = self._catalogue.get(found[0].model_id)
        return human_file_name(found[0], path, model.name if model else None)

    def _open_failed(self, path: str) -> None:
        title, folder = self._title(path), str(Path(path).parent)
        self._say(self.tr("No app could open {name}").format(name=title), 10000)
        if self.open_failed_box is not None:
            self.open_failed_box.close()
        box = QMessageBox(
            QMessageBox.Icon.Information, self.tr("Could not open the file"),
            self.tr("No app on this computer could open {name}.").format(name=title),
            QMessageBox.StandardButton.Close, self._parent,
        )  # fmt: skip
        box.setInformativeText(self.tr(
            "The file {file} is in {folder}. Show it in its folder, or copy its path to "
            "open it with another app."
        ).format(file=Path(path).name, folder=folder))  # fmt: skip
        show = box.addButton(self.tr("Show in folder"), QMessageBox.ButtonRole.ActionRole)
        copy = box.addButton(self.tr("Copy path"), QMessageBox.ButtonRole.ActionRole)
        box.setDefaultButton(show)

        def clicked(button: QAbstractButton) -> None:
            if button is show and not show_in_folder(path):
                QGuiApplication.clipboard().setText(folder)
                self._say(self.tr("No app could show the folder either; its path is copied: "
                                  "{folder}").format(folder=folder), 15000)  # fmt: skip
            elif button is copy:
                QGuiApplication.clipboard().setText(path)
                self._say(self.tr("Path copied: {path}").format(path=path), 6000)

        box.buttonClicked.connect(clicked)
        box.finished.connect(lambda _result: self._forget_box(box))
        self.open_failed_box = box
        box.open()

    def _forget_box(self, box: QMessageBox) -> None:
        if self.open_failed_box is box:
            self.open_failed_box = None
        box.deleteLater()

    def save_current(self) -> None:
        job = self._tasks.current_job()
        if job and job.files:
            shown = self._viewer.current_file()
            self.save_file(shown if shown in job.files else job.files[0])

    def last_folder(self) -> Path:
        """Where Save… and Save all open (nothing is created here; the batch dialog
        starts here too)."""
        return self._start_folder(create=False)

    def _start_folder(self, *, create: bool) -> Path:
        """The folder chosen last, unless the Settings folder was changed after that
        choice or the chosen one is gone; then the Settings folder (with `create`, made
        with its parents when missing); the home folder when neither can be used."""
        state = self._state
        chosen = str(state.value("save/folder", "")) if state is not None else ""
        chosen_under = str(state.value("save/settings_folder", "")) if state is not None else ""
        configured = self.save_folder
        still_current = configured is None or chosen_under == str(configured)
        if chosen and still_current and Path(chosen).is_dir():
            return Path(chosen)
        if configured is None:
            return Path.home()
        if configured.is_dir() or not create:
            return configured if configured.is_dir() else Path.home()
        try:
            configured.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._say(self.tr(
                "Could not create the save folder {folder} ({reason}). Opening your home "
                "folder instead; choose another download folder in Settings."
            ).format(folder=configured, reason=exc.strerror or exc), 15000)  # fmt: skip
            return Path.home()
        self._say(self.tr("Created {folder} for your saved files").format(folder=configured),
                  6000)  # fmt: skip
        return configured

    def _remember_folder(self, folder: Path) -> None:
        """Keep the folder the person chose, and the Settings folder it was chosen under:
        a Settings folder changed later wins over it."""
        if self._state is not None:
            self._state.setValue("save/folder", str(folder))
            configured = "" if self.save_folder is None else str(self.save_folder)
            self._state.setValue("save/settings_folder", configured)

    def _job_of_file(self, path: str) -> tuple[Job, int] | None:
        for job in (self._viewer.current_job(), self._tasks.current_job()):
            if job is not None and path in job.files:
                return job, job.files.index(path)
        return None

    @Slot(str)
    def save_file(self, source: str) -> None:
        """Ask where, then save a copy (PNGs with how they were made) off the GUI thread."""
        found = self._job_of_file(source)
        suffix = Path(source).suffix
        name = (
            file_name(found[0], found[1] + 1, suffix, self.pattern) if found
            else Path(source).name
        )  # fmt: skip
        kind = self._kind_name(media_kind(source))
        destination, _filter = QFileDialog.getSaveFileName(
            self._parent, self.tr("Save output"), str(self._start_folder(create=True) / name),
            f"{kind} {suffix.upper()[1:]} (*{suffix});;" + self.tr("All files (*)"),
        )  # fmt: skip
        if not destination:
            return
        dest = Path(destination)
        if not dest.suffix and suffix:
            dest = dest.with_suffix(suffix)
        self._remember_folder(dest.parent)
        job = found[0] if found else None
        self._saver.copy(source, str(dest), output_metadata(job) if job else None,
                         job if job is not None and self.sidecars else None)  # fmt: skip

    @Slot()
    def save_all(self) -> None:
        """Every output of the selected tasks into one folder, with distinct names."""
        jobs = [job for job in self._tasks.selected_jobs() if job.files]
        if not jobs:
            self._say(self.tr("Nothing to save yet: select a finished task."), 5000)
            return
        folder = QFileDialog.getExistingDirectory(
            self._parent, self.tr("Save all outputs to"), str(self._start_folder(create=True))
        )
        if folder:
            self._remember_folder(Path(folder))
            self._saver.save_all(save_items(jobs, Path(folder), self.pattern, self.sidecars))

    def auto_save(self, job: Job) -> None:
        """A finished task's outputs into the auto-save folder, when one is set."""
        if self.auto_save_dir is not None and job.state is JobState.COMPLETED and job.files:
            self._saver.save_all(save_items([job], self.auto_save_dir, self.pattern,
                                            self.sidecars))  # fmt: skip

    @Slot(int, str)
    def _on_saved_all(self, count: int, folder: str) -> None:
        message = (
            self.tr("Saved 1 file to {folder}")
            if count == 1
            else self.tr("Saved {count} files to {folder}")
        )
        self._say(message.format(count=count, folder=folder), 6000)

    @Slot(str)
    def _on_save_failed(self, message: Message) -> None:
        QMessageBox.warning(self._parent, self.tr("Not saved"), render(message))

    def _kind_name(self, kind: MediaKind) -> str:
        names = {MediaKind.IMAGE: self.tr("Image"), MediaKind.VIDEO: self.tr("Video"),
                 MediaKind.AUDIO: self.tr("Audio")}  # fmt: skip
        return names.get(kind, self.tr("File"))

    # -- copy --------------------------------------------------------------------------

    def copy_current_image(self) -> None:
        shown = self._viewer.current_file()
        job = self._tasks.current_job()
        if shown and media_kind(shown) is MediaKind.IMAGE:
            self.copy_image(shown)
        elif job is not None:
            images = [f for f in job.files if media_kind(f) is MediaKind.IMAGE]
            if images:
                self.copy_image(images[0])

    @Slot(str)
    def copy_image(self, path: str) -> None:
        """Put the image on the clipboard; decoding happens off the GUI thread."""
        self._pending_copy = path
        image = self._thumbnails.load_image(path)
        if image is None:
            self._say(self.tr("Copying the image…"), 3000)
        else:
            self._on_image_decoded(path, image)

    @Slot(str, QImage)
    def _on_image_decoded(self, path: str, image: QImage) -> None:
        if path == self._pending_copy:
            self._pending_copy = None
            QGuiApplication.clipboard().setImage(image)
            self._say(self.tr("Image copied to the clipboard"), 4000)

    @Slot(str, object)
    def _on_image_decode_failed(self, path: str, reason: Message) -> None:
        if path == self._pending_copy:
            self._pending_copy = None
            shown = render(reason)
            self._say(self.tr("Could not copy the image: {reason}").format(reason=shown), 6000)

    def copy_output_url(self) -> None:
        job = self._tasks.current_job()
        if job and job.task and job.task.outputs:
            QGuiApplication.clipboard().setText("\n".join(job.task.outputs))
            self._say(self.tr("Output URL copied"), 3000)

    def copy_as_curl(self) -> None:
        job, base_url = self._tasks.current_job(), self._base_url()
        if job is not None and base_url:
            QGuiApplication.clipboard().setText(as_curl(base_url, job.model_id, job.params))
            self._say(self.tr("Copied as a curl command (the key is $GET3W_API_KEY)"), 5000)

    def copy_as_python(self) -> None:
        job, base_url = self._tasks.current_job(), self._base_url()
        if job is not None and base_url:
            QGuiApplication.clipboard().setText(as_python(base_url, job.model_id, job.params))
            self._say(
                self.tr("Copied as a Python script (it reads the key from GET3W_API_KEY)"), 5000
            )

    def copy_task_id(self) -> None:
        job = self._tasks.current_job()
        if job and job.remote_id:
            QGuiApplication.clipboard().setText(job.remote_id)
            self._say(self.tr("Task id copied"), 3000)

    # -- remix -------------------------------------------------------------------------

    def remix_from_file(self, path: str) -> bool:
        """Fill the form with how `path` was made (PNG recipe, sidecar or history)."""
        known = {model.model_id for model in self._catalogue.models}
        try:
            recipe = read_recipe(path, lookup=lambda p: self._book.find_by_file(str(p)),
                                 known_models=known)  # fmt: skip
        except RecipeError as exc:
            self._say(exc.message, 10000)
            return False
        self._load_recipe(recipe.model_id, recipe.params)
        model = self._catalogue.get(recipe.model_id)
        self._say(
            self.tr("Loaded how {name} was made: {model}").format(
                name=Path(path).name, model=model.name if model else recipe.model_id
            ),
            8000,
        )
        return True
