"""Outputs feed models: drops and pastes into media fields, and "Use as input" in the window."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QTextCursor,
)
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import Catalogue, ModelInfo, load_bundled
from get3w_desktop.core.job import Job, JobState, TextOutput
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.param_fields import MediaField, MediaListField
from get3w_desktop.ui.param_fields.media_sources import file_kind, pasted_folder
from get3w_desktop.ui.param_form import ParamForm
from get3w_desktop.ui.use_as_input import fill_menu
from tests.window_support import open_window

NANO = "google/nano-banana-pro/text-to-image"
EDIT = "google/nano-banana-pro/edit"
I2V = "google/veo3.1-fast/image-to-video"
WAN = "alibaba/wan-2.6/text-to-video"  # takes an optional audio file
KLING = "kwaivgi/kling-v2.1-i2v-pro"
SEEDREAM_EDIT = "bytedance/seedream-v4.5/edit"
FLUX = "wavespeed-ai/flux-dev"  # text-to-image with an optional reference image
# A few models, so a menu's whole shape can be checked (the bundled list has 794).
FEW = (NANO, EDIT, SEEDREAM_EDIT, FLUX, I2V, KLING, WAN, "openai/sora-2/text-to-video",
       "minimax/speech-02-hd")  # fmt: skip


def few() -> Catalogue:
    return Catalogue([model(i) for i in FEW])


def model(model_id: str) -> ModelInfo:
    found = load_bundled().get(model_id)
    assert found is not None
    return found


def make_image(path: Path) -> Path:
    image = QImage(32, 24, QImage.Format.Format_RGB32)
    image.fill(0x3366CC)
    assert image.save(str(path))
    return path


def make_video(path: Path) -> Path:
    """An MP4's first box (its kind is read from these bytes, whatever the name says)."""
    path.write_bytes(struct.pack(">I", 24) + b"ftypisom" + b"\0" * 12 + b"\0\0\0\x08free")
    return path


def make_wav(path: Path) -> Path:
    path.write_bytes(b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt " + b"\0" * 24)
    return path


@pytest.fixture
def form(qtbot: QtBot) -> ParamForm:
    widget = ParamForm()
    qtbot.addWidget(widget)
    widget.resize(480, 900)
    widget.show()
    return widget


def drop(widget: QWidget, *urls: QUrl) -> None:
    mime = QMimeData()
    mime.setUrls(list(urls))
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)  # fmt: skip
    enter = QDragEnterEvent(QPoint(10, 10), *args)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()  # accepted, so the drop can say why it is refused
    widget.dropEvent(QDropEvent(QPointF(10, 10), *args))


def paste_into(qtbot: QtBot, widget: QWidget) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


# -- kinds come from the bytes ---------------------------------------------------------------


def test_a_file_kind_comes_from_its_bytes_not_its_name(tmp_path: Path) -> None:
    assert file_kind(str(make_image(tmp_path / "a.png"))) == "image"
    assert file_kind(str(make_video(tmp_path / "disguised.png"))) == "video"
    assert file_kind(str(make_wav(tmp_path / "voice.jpg"))) == "audio"
    glb = tmp_path / "shape.bin"
    glb.write_bytes(b"glTF" + struct.pack("<II", 2, 12))
    assert file_kind(str(glb)) == "3d"
    text = tmp_path / "caption.txt"
    text.write_text("a red fox")
    assert file_kind(str(text)) == "text"


# -- drops -------------------------------------------------------------------------------------


def test_a_wrong_kind_dropped_is_refused_with_the_reason_and_nothing_added(
    form: ParamForm, tmp_path: Path
) -> None:
    form.set_model(model(EDIT))
    images = form.field("images")
    assert isinstance(images, MediaListField)
    clip = make_video(tmp_path / "clip.png")  # named like an image; the bytes say video
    drop(images, QUrl.fromLocalFile(str(clip)))
    assert images.value() is None and images.chips == []
    assert images.refusal.isVisibleTo(form)
    assert "takes an image" in images.refusal.text()
    assert "“clip.png” is a video" in images.refusal.text()
    assert "takes an image" in images.focus_target().accessibleDescription()
    # the right kind goes in, and the reason goes away
    picture = make_image(tmp_path / "cat.png")
    drop(images, QUrl.fromLocalFile(str(picture)))
    assert images.value() == [QUrl.fromLocalFile(str(picture)).toString()]
    assert not images.refusal.isVisibleTo(form)


def test_a_mixed_drop_keeps_the_right_ones_and_names_the_others(
    form: ParamForm, tmp_path: Path
) -> None:
    form.set_model(model(EDIT))
    images = form.field("images")
    assert isinstance(images, MediaListField)
    good = make_image(tmp_path / "good.png")
    sound = make_wav(tmp_path / "sound.wav")
    drop(images, QUrl.fromLocalFile(str(good)), QUrl.fromLocalFile(str(sound)))
    assert images.value() == [QUrl.fromLocalFile(str(good)).toString()]
    assert "“sound.wav” is an audio file" in images.refusal.text()


def test_a_single_field_refuses_a_wrong_link_and_keeps_its_file(
    form: ParamForm, tmp_path: Path
) -> None:
    form.set_model(model(WAN))
    audio = form.field("audio")
    assert isinstance(audio, MediaField)
    drop(audio, QUrl.fromLocalFile(str(make_image(tmp_path / "poster.png"))))
    assert audio.value() is None and audio.chip is None
    assert "takes an audio file" in audio.refusal.text()
    wav = make_wav(tmp_path / "voice.wav")
    drop(audio, QUrl.fromLocalFile(str(wav)))
    assert audio.value() == QUrl.fromLocalFile(str(wav)).toString()
    drop(audio, QUrl("https://cdn.example.com/clip.mp4"))
    assert audio.value() == QUrl.fromLocalFile(str(wav)).toString()  # not replaced
    assert "“clip.mp4” is a video" in audio.refusal.text()


# -- pastes ------------------------------------------------------------------------------------


def test_pasting_a_file_path_a_file_url_and_picture_data(
    qtbot: QtBot, form: ParamForm, tmp_path: Path
) -> None:
    form.set_model(model(EDIT))
    images = form.field("images")
    assert isinstance(images, MediaListField)
    clipboard = QGuiApplication.clipboard()
    first = make_image(tmp_path / "first.png")
    clipboard.setText(str(first))
    paste_into(qtbot, images.drop_box.choose_button)
    assert images.value() == [QUrl.fromLocalFile(str(first)).toString()]

    second = make_image(tmp_path / "second image.jpg")
    clipboard.setText(QUrl.fromLocalFile(str(second)).toString())
    paste_into(qtbot, images.drop_box.link)  # in the link box, a file is a file, not text
    assert images.value() == [QUrl.fromLocalFile(str(p)).toString() for p in (first, second)]
    assert images.drop_box.link.text() == ""

    picture = QImage(20, 10, QImage.Format.Format_RGB32)
    picture.fill(0xFF8800)
    clipboard.setImage(picture)
    paste_into(qtbot, images.drop_box.choose_button)
    value = images.value()
    assert value is not None and len(value) == 3
    saved = QUrl(value[2]).toLocalFile()
    assert Path(saved).parent == pasted_folder()
    assert QImage(saved).size() == picture.size()
    assert not images.refusal.isVisibleTo(form)


def test_pasting_copied_files_and_refusing_the_wrong_kind(
    qtbot: QtBot, form: ParamForm, tmp_path: Path
) -> None:
    form.set_model(model(I2V))
    start = form.field("image")
    assert isinstance(start, MediaField)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(make_video(tmp_path / "clip.mp4")))])
    QGuiApplication.clipboard().setMimeData(mime)
    paste_into(qtbot, start.drop_box.choose_button)
    assert start.value() is None
    assert "takes an image; “clip.mp4” is a video" in start.refusal.text()

    QGuiApplication.clipboard().setText("just some words")
    paste_into(qtbot, start.drop_box.choose_button)
    assert start.value() is None
    assert "clipboard holds no file" in start.refusal.text()

    mime = QMimeData()
    frame = make_image(tmp_path / "frame.webp.png")
    mime.setUrls([QUrl.fromLocalFile(str(frame))])
    QGuiApplication.clipboard().setMimeData(mime)
    paste_into(qtbot, start.drop_box.choose_button)
    assert start.value() == QUrl.fromLocalFile(str(frame)).toString()
    assert not start.refusal.isVisibleTo(form)


def test_plain_text_pasted_in_the_link_box_is_typed(qtbot: QtBot, form: ParamForm) -> None:
    form.set_model(model(I2V))
    start = form.field("image")
    assert isinstance(start, MediaField)
    QGuiApplication.clipboard().setText("https://cdn.example.com/frame.png")
    paste_into(qtbot, start.drop_box.link)
    assert start.drop_box.link.text() == "https://cdn.example.com/frame.png"
    assert start.value() == "https://cdn.example.com/frame.png"


# -- "Use as input" in the window --------------------------------------------------------------


@pytest.fixture
def window(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[MainWindow]:
    with open_window(qtbot, tmp_path, sandbox.base_url) as win:
        yield win


def actions_of(menu: QMenu) -> list[QAction]:
    """Every action of `menu` and its submenus."""
    found: list[QAction] = []
    for action in menu.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            found += actions_of(sub)
        else:
            found.append(action)
    return found


def find(menu: QMenu, model_id: str, field: str) -> QAction:
    wanted = f"{model_id}\n{field}"
    return next(a for a in actions_of(menu) if a.data() == wanted)


def test_use_as_input_on_a_finished_image_switches_model_and_fills_the_field(
    qtbot: QtBot, window: MainWindow
) -> None:
    win = window
    win.picker.select(NANO)
    win.generate_panel.choose_model(NANO)
    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value("A lighthouse at dusk")
    jobs = win.generate()
    assert len(jobs) == 1
    qtbot.waitUntil(
        lambda: (job := win.current_job()) is not None and job.state is JobState.COMPLETED,
        timeout=20000,
    )
    job = win.current_job()
    assert job is not None and job.files
    qtbot.waitUntil(lambda: win.viewer.page() == "image", timeout=10000)
    assert win.viewer.use_button.isVisibleTo(win)

    menu = win.viewer.use_menu
    menu.aboutToShow.emit()
    titles = [a.text() for a in menu.actions()]
    assert "Edit with…" in titles and "Animate with…" in titles
    offered = {str(a.data()).split("\n")[0] for a in actions_of(menu) if a.data()}
    assert {EDIT, SEEDREAM_EDIT, I2V, KLING} <= offered
    assert len(offered) > 400  # the whole catalogue, in submenus by provider
    assert NANO not in offered  # the text-to-image model that made it has no image field
    assert FLUX not in offered  # nor one whose image is only an optional reference

    find(menu, EDIT, "images").trigger()
    assert win.form.model() is not None and win.form.model().model_id == EDIT  # type: ignore[union-attr]
    assert win.picker.current_model_id() == EDIT
    values = win.form.values()
    assert values["images"] == [QUrl.fromLocalFile(job.files[0]).toString()]
    assert values["prompt"] == "A lighthouse at dusk"  # the prompt came along

    # now the edit model is current: the menu offers its own field first, then the others
    menu.aboutToShow.emit()
    own = find(menu, EDIT, "images")
    assert menu.actions().index(own) < 3
    find(menu, I2V, "last_image").trigger()
    assert win.picker.current_model_id() == I2V
    assert win.form.values()["last_image"] == QUrl.fromLocalFile(job.files[0]).toString()
    assert win.form.values()["prompt"] == "A lighthouse at dusk"


def test_the_task_list_menu_offers_the_same(qtbot: QtBot, window: MainWindow) -> None:
    win = window
    win.picker.select(NANO)
    win.generate_panel.choose_model(NANO)
    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value("A paper boat")
    win.generate()
    qtbot.waitUntil(
        lambda: (job := win.current_job()) is not None and job.state is JobState.COMPLETED,
        timeout=20000,
    )
    assert win.use_as_input.act_use in win.extra_task_actions
    menu = win.use_as_input.task_menu
    menu.aboutToShow.emit()
    find(menu, KLING, "image").trigger()
    job = win.current_job()
    assert job is not None
    assert win.form.values()["image"] == QUrl.fromLocalFile(job.files[0]).toString()
    assert win.form.values()["prompt"] == "A paper boat"


def test_an_output_no_field_takes_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    menu = QMenu()
    glb = tmp_path / "shape.glb"
    glb.write_bytes(b"glTF" + struct.pack("<II", 2, 12))
    fed: list[tuple[str, str, str]] = []
    offered = fill_menu(menu, str(glb), load_bundled(), None, lambda *a: fed.append(a))
    assert offered == 0
    (only,) = menu.actions()
    assert not only.isEnabled() and "No model" in only.text()
    clip = make_video(tmp_path / "clip.mp4")
    assert fill_menu(menu, str(clip), few(), None, lambda *a: fed.append(a)) == 0
    assert fill_menu(menu, str(clip), load_bundled(), None, lambda *a: fed.append(a)) > 50
    picture = str(make_image(tmp_path / "x.png"))
    assert fill_menu(menu, picture, few(), None, lambda *a: fed.append(a)) == 4
    assert [a.text() for a in menu.actions()] == ["Edit with…", "Animate with…"]
    find(menu, SEEDREAM_EDIT, "images").trigger()
    assert fed == [(SEEDREAM_EDIT, "images", picture)]


def test_favourite_and_recent_models_come_first(qtbot: QtBot, tmp_path: Path) -> None:
    menu = QMenu()
    picture = str(make_image(tmp_path / "x.png"))
    favourites = ("openai/sora-2/text-to-video", I2V, EDIT, I2V)  # a non-target is skipped
    fill_menu(menu, picture, few(), None, lambda *a: None, favourites)
    top = menu.actions()
    assert top[0].text() == "Your models" and not top[0].isEnabled()
    assert top[1].menu() is not None and top[1].text() == model(I2V).name  # two image fields
    assert top[2].data() == f"{EDIT}\nimages"
    assert top[3].isSeparator()
    assert [a.text() for a in top[4:]] == ["Edit with…", "Animate with…"]
    fill_menu(menu, picture, few(), None, lambda *a: None)
    assert menu.actions()[0].text() == "Edit with…"


def test_a_text_output_goes_into_a_prompt(qtbot: QtBot, window: MainWindow) -> None:
    win = window
    caption = "A tabby cat asleep on a red sofa, afternoon light"
    job = Job(model_id="some/captioner", params={"image": "https://x/y.png"},
              state=JobState.COMPLETED, texts=(TextOutput(0, caption),))  # fmt: skip
    win.jobs.upsert(job)
    win.select_job(job.local_id)
    qtbot.waitUntil(lambda: win.viewer.page() == "text", timeout=5000)
    assert win.viewer.use_button.isVisibleTo(win)

    menu = win.viewer.use_menu
    menu.aboutToShow.emit()
    titles = [a.text() for a in menu.actions()]
    assert {"Make an image with…", "Make a video with…", "Make sound with…"} <= set(titles)
    offered = {str(a.data()).split("\n")[0] for a in actions_of(menu) if a.data()}
    assert EDIT not in offered and I2V not in offered  # they need a picture, not words
    find(menu, "openai/sora-2/text-to-video", "prompt").trigger()
    assert win.picker.current_model_id() == "openai/sora-2/text-to-video"
    assert win.form.values()["prompt"] == caption

    # a selected part is what goes; the task list's menu offers the shown text as well
    cursor = win.viewer.text_page.edit.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(len("A tabby cat"), QTextCursor.MoveMode.KeepAnchor)
    win.viewer.text_page.edit.setTextCursor(cursor)
    menu.aboutToShow.emit()
    find(menu, NANO, "prompt").trigger()
    assert win.form.values()["prompt"] == "A tabby cat"
    win.use_as_input.task_menu.aboutToShow.emit()
    find(win.use_as_input.task_menu, "minimax/speech-02-hd", "text").trigger()
    assert win.form.values()["text"] == caption


def test_a_task_dragged_from_the_list_onto_a_media_field_goes_in(
    qtbot: QtBot, window: MainWindow
) -> None:
    win = window
    win.picker.select(NANO)
    win.generate_panel.choose_model(NANO)
    prompt = win.form.field("prompt")
    assert prompt is not None
    prompt.set_value("A red kite")
    win.generate()
    qtbot.waitUntil(
        lambda: (job := win.current_job()) is not None and job.state is JobState.COMPLETED,
        timeout=20000,
    )
    job = win.current_job()
    assert job is not None
    win.picker.select(I2V)
    win.generate_panel.choose_model(I2V)
    start = win.form.field("image")
    assert isinstance(start, MediaField)
    mime = win.jobs.mimeData([win.jobs.index_of(job.local_id)])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)  # fmt: skip
    enter = QDragEnterEvent(QPoint(5, 5), *args)
    QApplication.sendEvent(start, enter)
    assert enter.isAccepted()
    start.dropEvent(QDropEvent(QPointF(5, 5), *args))
    assert start.value() == QUrl.fromLocalFile(job.files[0]).toString()
    assert win.form.model() is not None and win.picker.current_model_id() == I2V
