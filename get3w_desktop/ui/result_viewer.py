"""Shows one job: a friendly empty state, calm progress, what went wrong, or the result.

Results are local files (already downloaded); the viewer never touches the network. Full
images are decoded off the GUI thread by the ThumbnailLoader, under its allocation limit.
Its parts: the header (ui/result_header.py), the message pages (ui/message_page.py) and the
progress and error pages with their texts (ui/status_pages.py); the viewer words the header
and picks the page.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMenu, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.messages import Message
from get3w_desktop.ui.details_panel import DetailsPanel
from get3w_desktop.ui.gallery import GalleryGrid
from get3w_desktop.ui.human_names import file_name, human_name
from get3w_desktop.ui.i18n import data_size
from get3w_desktop.ui.image_view import GalleryStrip, ImageView, ZoomBar
from get3w_desktop.ui.job_delegate import Glyph
from get3w_desktop.ui.message_page import MessagePage, banner
from get3w_desktop.ui.messages import job_error, render
from get3w_desktop.ui.output_pages import FileCard, TextPage, job_texts
from get3w_desktop.ui.result_header import ResultHeader
from get3w_desktop.ui.status_pages import EMPTY_MESSAGE as EMPTY_MESSAGE
from get3w_desktop.ui.status_pages import ErrorPage, ProgressPage, translated
from get3w_desktop.ui.texts import estimate_text, state_label
from get3w_desktop.workers.thumbnails import MediaKind, ThumbnailLoader, media_kind

if TYPE_CHECKING:
    from get3w_desktop.ui.media_player import MediaPlayerView


class ResultViewer(QWidget):
    """The right-hand stage: `show_job(job)` and it picks the page.

    Signals:
        save_requested(str local_path): the person pressed Save… (the window asks where).
        save_all_requested(): save every output of the job to a folder.
        copy_requested(str local_path): copy the image to the clipboard.
        open_requested(str local_path): open the file with the system's default app.
        job_requested(str local_id): a gallery tile of another task was opened (the window
            selects that task; the viewer then shows the chosen output).
    """

    save_requested = Signal(str)
    save_all_requested = Signal()
    copy_requested = Signal(str)
    open_requested = Signal(str)
    job_requested = Signal(str)

    def __init__(
        self,
        thumbnails: ThumbnailLoader | None = None,
        parent: QWidget | None = None,
        display_name: Callable[[str], str | None] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        group_of: Callable[[Job], list[Job]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._owned = thumbnails is None
        self._loader = thumbnails or ThumbnailLoader(parent=self)
        if self._owned and (app := QCoreApplication.instance()) is not None:
            app.aboutToQuit.connect(self._loader.shutdown)
        self._display_name, self._clock = display_name, clock
        # The tasks shown together in the gallery (core/gallery.py), and the output a tile
        # of another task asked for, shown once the window has selected that task.
        self._group_of = group_of
        self._group: list[Job] = []
        self._no_match = False  # the task list's filter hides every task
        self._wanted_file: tuple[str, str] | None = None
        self._job: Job | None = None
        self._file: str | None = None
        self._page = ""
        self._player: MediaPlayerView | None = None
        # Fills the "Use as input" menu for a file (set by ui/use_as_input.py); the
        # button shows only when it is set and the output is an image, video, sound or text.
        # (menu, file, text): a text output goes into prompts.
        self.use_menu_filler: Callable[[QMenu, str | None, str | None], object] | None = None
        self._build()
        self._loader.ready.connect(self._on_thumbnail)
        self._loader.image_ready.connect(self._on_image)
        self._loader.image_failed.connect(self._on_image_failed)
        self.show_job(None)

    def set_no_match(self, no_match: bool) -> None:
        """The empty page says that the search or filters hide every task (True), or how
        to make a first result (False)."""
        self._no_match = no_match
        self._word_empty_page()

    def _word_empty_page(self) -> None:
        if self._no_match:
            self.empty_page.body.setText(self.tr("No task matches the search or filters."))
            self.empty_page.set_hint(self.tr("Clear them to see every task again."))
        else:
            self.empty_page.body.setText(translated(EMPTY_MESSAGE))
            self.empty_page.set_hint(self.tr("Ctrl+Enter generates · Ctrl+K finds a model"))

    def retranslate(self) -> None:
        self.open_button.setText(self.tr("Open"))
        self.open_button.setToolTip(self.tr("Open with the default app"))
        self.save_button.setText(self.tr("Save…"))
        self.save_button.setToolTip(self.tr("Save a copy of this file (Ctrl+S)"))
        self.copy_item.setText(self.tr("Copy image"))
        self.use_button.setText(self.tr("Use as input"))
        self.use_button.setToolTip(self.tr("Send this output to a field of this or another model"))
        self.use_button.setAccessibleName(self.tr("Use as input"))
        self.details_button.setText(self.tr("Details"))
        self.details_button.setToolTip(self.tr("Show or hide the details"))
        self.details_button.setAccessibleName(self.tr("Show or hide the details"))
        self.gallery_button.setText(self.tr("Gallery"))
        self.gallery_button.setToolTip(
            self.tr("Show every result of this group as a grid (Enter opens one)")
        )
        self.gallery_button.setAccessibleName(self.tr("Gallery"))
        self._word_empty_page()
        self.text_page.retranslate()
        self.file_card.retranslate()
        self.save_all_item.setText(self.tr("Save all outputs to a folder…"))
        job, shown = self._job, self._file
        if job is None:
            return
        if self._page == "text":
            return  # the text page renamed its own buttons
        if shown is None or shown not in job.files:
            self._job = None  # a progress or error page: cheap to show again
            self.show_job(job)
        elif self._page in ("video", "audio"):  # keep playing: only the words change
            self._save_all_text(len(job.files))
            self._describe(shown, job.files.index(shown), len(job.files))
        else:
            self.show_file(job.files.index(shown))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- public -----------------------------------------------------------------------

    def show_job(self, job: Job | None) -> None:
        """Show `job` (None: the empty state). Cheap to call on every tick of a running job."""
        previous, self._job = self._job, job
        if job is None:
            self._leave_media()
            self._file = None
            for widget in (self.header, self.details, self.gallery, self.banner, self.use_button):
                widget.hide()
            self._group = []
            self._set_page("empty")
            return
        same = previous is not None and previous.local_id == job.local_id
        if not same or previous != job:
            self.details.set_job(job, self._name(job))
            self._update_group(job)
        if self.gallery_button.isChecked() and len(self._group) > 1:
            self.title.setText(human_name(job, self._name(job)))
            self.subtitle.setText(self.tr("{count} results").format(count=self.grid.count()))
            return
        self.header.show()
        self.details.setVisible(self.details_button.isChecked())
        self.title.setText(human_name(job, self._name(job)))
        finished = job.state in (JobState.COMPLETED, JobState.NOT_SAVED)
        texts = job_texts(job) if finished else ()
        showing_files = bool(job.files) and finished
        self.banner.setVisible(showing_files and job.state is JobState.NOT_SAVED)
        self.banner.setText(
            self.tr("Not every output was saved: {error}").format(
                error=job_error(job) or self.tr("unknown error")
            )
        )
        for button in (self.save_button, self.open_button):
            button.setVisible(showing_files and not texts)
        if not showing_files:
            self.use_button.hide()  # show_file shows it for an image, video or sound
        if texts:
            self.use_button.setVisible(self.use_menu_filler is not None)  # into prompts
            self._show_texts(job, texts, previous, same)
            return
        if showing_files:
            files_changed = not same or previous is None or previous.files != job.files
            if files_changed:
                self.gallery.set_files(job.files)
            wanted, self._wanted_file = self._wanted_file, None
            if wanted and wanted[0] == job.local_id and wanted[1] in job.files:
                self.show_file(job.files.index(wanted[1]))
            elif files_changed or self._file not in job.files or self._page == "gallery":
                self.show_file(0)
            return
        self._leave_media()
        self._file = None
        self.gallery.hide()
        facts = [state_label(job.state), _clock_time(job.created_at)]
        if job.state.active and job.estimated_duration:  # the service's, as its row says
            facts.insert(1, estimate_text(job.estimated_duration))
        self.subtitle.setText(" · ".join(facts))
        if job.state.active:
            self._show_progress(job)
        else:
            self._show_error(job)

    def _show_texts(
        self, job: Job, texts: tuple[str, ...], previous: Job | None, same: bool
    ) -> None:
        """Text outputs (captions, answers, transcripts); files, if any, stay in the strip."""
        if not same or previous is None or job_texts(previous) != texts or self._page != "text":
            self._leave_media()
            self._file = None
            self.text_page.set_texts(texts, stem=(job.remote_id or job.local_id)[:40])
        if job.files:
            self.gallery.set_files(job.files)
        else:
            self.gallery.hide()
        count = len(texts)
        self.subtitle.setText(
            self.tr("{count} texts").format(count=count) if count > 1 else self.tr("Text")
        )
        self._set_page("text")

    def show_file(self, index: int) -> None:
        """Show the `index`-th output of the current job."""
        job = self._job
        if job is None or not 0 <= index < len(job.files):
            return
        path = job.files[index]
        self._file = path
        self.gallery.select(index)
        kind = media_kind(path)
        if kind is not MediaKind.VIDEO and kind is not MediaKind.AUDIO:
            self._leave_media()
        self._describe(path, index, len(job.files))
        self.copy_item.setEnabled(kind is MediaKind.IMAGE)
        self.use_button.setVisible(self.use_menu_filler is not None and kind is not MediaKind.OTHER)
        self._save_all_text(len(job.files))
        if kind is MediaKind.IMAGE:
            image = self._loader.load_image(path)
            preview = image or self._loader.request(path, 2 * GalleryStrip.ICON)
            self.image_view.set_image(preview)
            self.image_view.set_loading(image is None)
            self._set_page("image")
            if image is not None:
                self._describe(path, index, len(job.files), image.size())
        elif kind in (MediaKind.VIDEO, MediaKind.AUDIO):
            title = file_name(job, path, self._name(job))
            self.player.set_source(path, video=kind is MediaKind.VIDEO, title=title)
            self._set_page(kind.value)
        else:
            self._show_file_page(path, "")

    def _save_all_text(self, count: int) -> None:
        self.save_all_item.setText(
            self.tr("Save all {count} outputs to a folder…").format(count=count)
            if count > 1
            else self.tr("Save to a folder…")
        )

    def current_job(self) -> Job | None:
        return self._job

    def current_file(self) -> str | None:
        return self._file

    def page(self) -> str:
        """The visible page: empty, progress, error, image, video, audio, text, file or
        gallery."""
        return self._page

    @property
    def player(self) -> MediaPlayerView:
        """The video/audio page, built on first use: QtMultimedia costs nothing at start-up
        for someone who only makes images."""
        if self._player is None:
            from get3w_desktop.ui.media_player import MediaPlayerView

            player = MediaPlayerView()
            self.stack.addWidget(player)
            self._pages["video"] = self._pages["audio"] = player
            self._player = player
        return self._player

    def shutdown(self) -> None:
        """Stop playback, and the loader's pool if this viewer made its own."""
        if self._player is not None:
            self._player.stop()
        if self._owned:
            self._loader.shutdown()

    # -- building ---------------------------------------------------------------------

    def _build(self) -> None:
        self.image_view = ImageView()
        self.zoom_box = ZoomBar(self.image_view, self)
        self.header = ResultHeader(self.zoom_box)
        head = self.header  # its widgets, by the names the window and the tests use
        self.title, self.subtitle, self.tool_row = head.title, head.subtitle, head.tool_row
        self.open_button, self.save_button, self.use_button = (
            head.open_button, head.save_button, head.use_button)  # fmt: skip
        self.save_all_item, self.copy_item = head.save_all_item, head.copy_item
        self.use_menu = head.use_menu
        self.use_menu.aboutToShow.connect(self._fill_use_menu)
        self.gallery_button, self.details_button = head.gallery_button, head.details_button

        self.banner = banner()

        self.empty_page = MessagePage(Glyph.SPARK)
        self.empty_page.title.hide()
        self.progress_page = ProgressPage()
        self.progress = self.progress_page.bar
        self.error_page = ErrorPage()
        self.file_card = FileCard()
        self.text_page = TextPage()
        self.grid = GalleryGrid(self._loader, self._display_name)

        self.stack = QStackedWidget()
        self._pages: dict[str, QWidget] = {
            "empty": self.empty_page, "progress": self.progress_page, "error": self.error_page,
            "image": self.image_view, "file": self.file_card, "text": self.text_page,
            "gallery": self.grid,
        }  # fmt: skip
        for widget in dict.fromkeys(self._pages.values()):
            self.stack.addWidget(widget)

        self.gallery = GalleryStrip(self._loader)

        self.details = DetailsPanel()
        stage = QWidget()
        stage_layout = QVBoxLayout(stage)
        stage_layout.setContentsMargins(0, 0, 0, 0)
        stage_layout.setSpacing(0)
        stage_layout.addWidget(self.banner)
        stage_layout.addWidget(self.stack, 1)
        stage_layout.addWidget(self.gallery)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(stage)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setCollapsible(0, False)
        self.splitter.setSizes([640, 280])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)

        self.details_button.toggled.connect(self._toggle_details)
        self.save_button.clicked.connect(self._emit(self.save_requested))
        self.save_all_item.triggered.connect(lambda _checked=False: self.save_all_requested.emit())
        self.copy_item.triggered.connect(self._emit(self.copy_requested))
        self.open_button.clicked.connect(self._emit(self.open_requested))
        self.file_card.open_requested.connect(self.open_requested)
        self.gallery.file_chosen.connect(self.show_file)
        self.gallery_button.toggled.connect(self._toggle_gallery)
        self.grid.result_chosen.connect(self._open_result)
        self.retranslate()

    def _emit(self, signal: SignalInstance) -> Callable[[], None]:
        def emit() -> None:
            if self._file:
                signal.emit(self._file)

        return emit

    def _fill_use_menu(self) -> None:
        if self.use_menu_filler is None:
            return
        if self._page == "text":
            selected = self.text_page.edit.textCursor().selectedText().replace("\u2029", "\n")
            self.use_menu_filler(self.use_menu, None, selected or self.text_page.current_text())
        elif self._file:
            self.use_menu_filler(self.use_menu, self._file, None)

    # -- gallery ----------------------------------------------------------------------

    def _update_group(self, job: Job) -> None:
        group = self._group_of(job) if self._group_of else [job]
        self._group = group
        self.gallery_button.setVisible(len(group) > 1)
        if len(group) < 2:
            self.gallery_button.setChecked(False)
        elif self.gallery_button.isChecked():
            self.grid.set_jobs(group)

    def show_gallery(self, on: bool = True) -> None:
        """The grid of the current group's results (on), or back to the current result."""
        self.gallery_button.setChecked(on and len(self._group) > 1)

    def _toggle_gallery(self, on: bool) -> None:
        job = self._job
        if job is None:
            return
        if on and len(self._group) > 1:
            self._leave_media()
            self.grid.set_jobs(self._group)
            self.grid.select_result(job.local_id, self._file or "")
            for widget in (self.gallery, self.banner, self.use_button, self.save_button,
                           self.open_button):  # fmt: skip
                widget.hide()
            self._set_page("gallery")
            self.grid.setFocus()
            self.show_job(job)
        elif not on and self._page == "gallery":
            self._job = None
            self.show_job(job)

    def _open_result(self, local_id: str, path: str) -> None:
        self.gallery_button.setChecked(False)
        job = self._job
        if job is not None and job.local_id == local_id:
            if path in job.files:
                self.show_file(job.files.index(path))
            return
        self._wanted_file = (local_id, path)
        self.job_requested.emit(local_id)

    def _toggle_details(self, on: bool) -> None:
        self.details.setVisible(on and self._job is not None)

    # -- pages ------------------------------------------------------------------------

    def _set_page(self, name: str) -> None:
        self._page = name
        self.stack.setCurrentWidget(self._pages[name])
        self.zoom_box.setVisible(name == "image")

    def _name(self, job: Job) -> str:
        return (self._display_name(job.model_id) if self._display_name else None) or job.model_id

    def _show_progress(self, job: Job) -> None:
        self.progress_page.show_job(job, self._clock(), self.palette())
        self._set_page("progress")

    def _show_error(self, job: Job) -> None:
        body = job_error(job) or (self.tr("Stopped before it finished.")
                             if job.state is JobState.CANCELLED
                             else self.tr("No output files were saved for this task."))  # fmt: skip
        self.error_page.show_job(job, body, self.palette())
        self._set_page("error")

    def _show_file_page(self, path: str, message: str) -> None:
        """The file card: a 3D model, weights, an archive, or an image that cannot be shown."""
        self.file_card.set_file(path, message)
        self._set_page("file")

    def _describe(self, path: str, index: int, count: int, size: QSize | None = None) -> None:
        parts = (
            [self.tr("{index} of {count}").format(index=index + 1, count=count)]
            if count > 1
            else []
        )
        if size is not None:
            parts.append(f"{size.width()} × {size.height()}")
        try:
            parts.append(_file_size(os.stat(path).st_size))
        except OSError:
            parts.append(self.tr("missing"))
        self.subtitle.setText(" · ".join(parts))

    def _leave_media(self) -> None:
        if self._player is not None and self._player.source:
            self._player.stop()

    # -- gallery and loader -----------------------------------------------------------

    def _on_thumbnail(self, path: str, image: QImage) -> None:
        if path == self._file and self._page == "image" and not self.image_view.has_image():
            self.image_view.set_image(image)

    def _on_image(self, path: str, image: QImage) -> None:
        if path != self._file or self._page != "image" or self._job is None:
            return
        self.image_view.set_image(image, keep_view=True)
        self.image_view.set_loading(False)
        files = self._job.files
        self._describe(path, files.index(path), len(files), image.size())

    def _on_image_failed(self, path: str, reason: Message) -> None:
        if path == self._file:
            self.image_view.set_loading(False)
            self._show_file_page(path, render(reason))


def _clock_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).strftime("%H:%M")


def _file_size(size: int) -> str:
    return data_size(size)  # as the Storage window writes it, in the person's locale
