"""Languages: the window switches between English and Simplified Chinese while it runs, and the
translation files are complete, current and safe to format."""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.core.catalogue import ParamKind, ParamSpec, load_bundled
from get3w_desktop.core.job import JobState
from get3w_desktop.core.schedule import ScheduleParams
from get3w_desktop.itemmodels.job_filter import Period, StateGroup
from get3w_desktop.itemmodels.job_list import JobListModel
from get3w_desktop.sandbox import SANDBOX_API_KEY, SandboxServer
from get3w_desktop.storage.form_memory import FormMemory
from get3w_desktop.ui import i18n, texts
from get3w_desktop.ui.main_window import MainWindow
from get3w_desktop.ui.param_fields import TextField
from get3w_desktop.ui.service_bar import ServiceInfo
from get3w_desktop.workers.file_copy import FileCopier
from get3w_desktop.workers.job_book import JobBook
from get3w_desktop.workers.runner import TaskRunner
from get3w_desktop.workers.thumbnails import ThumbnailLoader

ROOT = Path(__file__).resolve().parents[2]
ZH_TS = ROOT / "translations" / "get3w_zh_CN.ts"
NANO = "google/nano-banana-pro/text-to-image"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "update_translations", ROOT / "scripts" / "update_translations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def english_after(qapp: QApplication) -> Iterator[QApplication]:
    """Whatever a test switches to, the next test starts in English."""
    yield qapp
    i18n.install_language(qapp, "en")


@pytest.fixture
def window(qtbot: QtBot, sandbox: SandboxServer, tmp_path: Path) -> Iterator[MainWindow]:
    catalogue = load_bundled()
    client = Get3WClient(sandbox.base_url, SANDBOX_API_KEY)
    runner = TaskRunner(client, tmp_path / "outputs", schedule=ScheduleParams().scaled(0.02))
    thumbnails = ThumbnailLoader(tmp_path / "thumbs")
    saver = FileCopier()
    service = ServiceInfo("sandbox", "Sandbox", "Offline sandbox.", is_sandbox=True)
    win = MainWindow(catalogue, JobBook(runner, JobListModel()), thumbnails,
                     FormMemory(tmp_path / "form.json"), service, saver,
                     state_file=tmp_path / "window.ini")  # fmt: skip
    qtbot.addWidget(win)
    win.picker.select(NANO)
    win.generate_panel.choose_model(NANO)
    win.show()
    yield win
    win.close()
    runner.shutdown()
    saver.shutdown()
    thumbnails.shutdown()
    client.close()


def _visible_texts(win: MainWindow) -> dict[str, str]:
    prompt_row = next(row for row in win.form._rows if row.spec.name == "prompt")
    assert prompt_row.label is not None
    return {
        "menus": " ".join(a.text() for a in win.menuBar().actions()),
        "generate": win.generate_button.text(),
        "empty": win.empty_hint.text(),
        "task search": win.filter_bar.search.placeholderText(),
        "model search": win.picker.search.placeholderText(),
        "viewer": win.viewer.empty_page.body.text(),
        "prompt label": prompt_row.label.text(),
        "status filter": win.filter_bar.status.itemText(0),
        "banner": win.banner.key_button.text(),
    }


def test_switching_language_retranslates_the_main_window(
    qtbot: QtBot, window: MainWindow, english_after: QApplication
) -> None:
    before = _visible_texts(window)
    assert before["generate"].startswith("Generate") and "&File" in before["menus"]
    form_values = window.form.values()

    assert i18n.install_language(english_after, "zh_CN") == "zh_CN"
    qtbot.waitUntil(lambda: window.generate_button.text().startswith("生成"), timeout=5000)
    chinese = _visible_texts(window)
    assert chinese["menus"] == "文件(&F) 任务(&T) 视图(&V) 帮助(&H)"
    assert chinese["empty"].startswith("还没有任务")
    assert chinese["task search"] == "搜索提示词、模型、任务 ID…"
    assert chinese["model search"] == "搜索模型"
    assert chinese["viewer"].startswith("选择模型")
    assert chinese["prompt label"].startswith("提示词")
    assert chinese["status filter"] == "全部状态"
    assert chinese["banner"] == "输入 API 密钥…"
    assert window.form.values() == form_values  # rebuilding the form keeps what was typed

    assert i18n.install_language(english_after, "en") == "en"
    qtbot.waitUntil(lambda: window.generate_button.text().startswith("Generate"), timeout=5000)
    assert _visible_texts(window) == before


def test_inherited_texts_use_the_context_they_were_written_in(
    qtbot: QtBot, english_after: QApplication
) -> None:
    """`Field.problem` runs on a TextField: PySide's tr must still find the "Field" text."""
    spec = ParamSpec(name="prompt", kind=ParamKind.PROMPT, json_type="string",
                     title="Prompt", required=True)  # fmt: skip
    field = TextField(spec)
    qtbot.addWidget(field)
    assert field.problem() == "Prompt is required."
    i18n.install_language(english_after, "zh_CN")
    assert field.problem() == "提示词为必填项。"
    assert texts.state_label(JobState.COMPLETED) == "已完成"
    assert texts.catalogue_text("Aspect ratio") == "宽高比"
    assert texts.catalogue_text("Not in any list") == "Not in any list"


def test_an_unknown_language_falls_back_to_english(english_after: QApplication) -> None:
    assert i18n.install_language(english_after, "xx_YY") == "en"
    assert i18n.current_language() == "en"
    assert texts.state_label(JobState.COMPLETED) == "Done"


def test_the_system_language_is_matched_to_what_we_have() -> None:
    have = {"en": "English", "zh_CN": "简体中文"}
    assert i18n.match_language(["zh-Hans-CN", "en-US"], have) == "zh_CN"
    assert i18n.match_language(["zh-CN"], have) == "zh_CN"
    assert i18n.match_language(["zh-TW", "en-GB"], have) == "en"  # traditional: not offered
    assert i18n.match_language(["de-DE", "zh-SG"], have) == "zh_CN"
    assert i18n.match_language(["fr-FR"], have) == "en"
    assert i18n.match_language([], have) == "en"
    assert i18n.available_languages() == have


# -- the files --------------------------------------------------------------------------


def _messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    out = []
    for context in ET.parse(ts).getroot().iter("context"):
        for message in context.iter("message"):
            out.append((context.findtext("name") or "", message.findtext("source") or "", message))
    return out


def test_no_chinese_text_is_unfinished_or_obsolete() -> None:
    """lupdate over today's code, in a temporary copy: nothing new, untranslated or stale."""
    found = _script().check("zh_CN")
    assert found.total > 400
    assert found.unfinished == []
    assert found.obsolete == []


def test_the_compiled_file_is_the_translation_file(tmp_path: Path) -> None:
    script = _script()
    fresh = tmp_path / "get3w_zh_CN.qm"
    script.lrelease(ZH_TS, fresh)
    shipped = Path(i18n.translation_file("zh_CN"))
    assert shipped.read_bytes() == fresh.read_bytes(), "run scripts/update_translations.py"


_PLACEHOLDER = re.compile(r"\{\w*\}|%n|%\d")


def test_translations_keep_every_placeholder() -> None:
    """A translation missing "{count}" (or adding one) would raise in .format() at runtime."""
    for context, source, message in _messages(ZH_TS):
        translation = message.find("translation")
        assert translation is not None
        if translation.get("type") == "unfinished":
            continue  # not translated yet: the completeness test reports it
        forms = translation.findall("numerusform") or [translation]
        for form in forms:
            text = form.text or ""
            assert sorted(_PLACEHOLDER.findall(text)) == sorted(_PLACEHOLDER.findall(source)), (
                context, source, text)  # fmt: skip
            assert ("&" in text) == ("&" in source), (context, source, text)


def _translated_calls(path: Path) -> Iterator[tuple[str, ast.expr, ast.expr | None]]:
    """(context, first text argument) of every tr/translate/QT_TRANSLATE_NOOP call."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    owners: dict[ast.AST, str] = {}
    for node in ast.walk(tree):  # innermost class wins: walk outer classes first
        if isinstance(node, ast.ClassDef):
            for inner in ast.walk(node):
                owners[inner] = node.name
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "tr" and isinstance(func, ast.Attribute) and node.args:
            yield owners.get(node, ""), node.args[0], None
        elif name in ("translate", "QT_TRANSLATE_NOOP") and len(node.args) >= 2:
            yield "", node.args[1], node.args[0]


def test_every_text_the_code_translates_is_in_the_translation_file() -> None:
    """lupdate's Python parser skips calls it cannot read: check it missed none, and that no
    f-string (translated after formatting, so never found) reaches tr()."""
    known = {(context, source) for context, source, _m in _messages(ZH_TS)}
    sources = [*ROOT.glob("get3w_desktop/ui/**/*.py"), *ROOT.glob("get3w_desktop/*.py")]
    checked = 0
    for path in sources:
        for owner, text, context_node in _translated_calls(path):
            where = f"{path.name}:{text.lineno}"
            assert not isinstance(text, ast.JoinedStr), f"f-string passed to tr() at {where}"
            if not (isinstance(text, ast.Constant) and isinstance(text.value, str)):
                continue  # a variable: its literal is marked with QT_TRANSLATE_NOOP elsewhere
            if context_node is None:
                context = owner
            elif isinstance(context_node, ast.Constant) and isinstance(context_node.value, str):
                context = context_node.value
            else:
                continue
            assert (context, text.value) in known, f"{where}: {context!r} {text.value!r}"
            checked += 1
    assert checked > 400


def test_catalogue_and_state_texts_are_all_marked_for_translation() -> None:
    """A new model, parameter or state shows untranslated until it is listed in ui/texts.py."""
    listed = set(texts.CATALOGUE_TEXTS)
    # The models we describe ourselves (the curated head of the bundle); the real list's
    # own texts show as the server wrote them.
    for model in (m for m in load_bundled().models if m.description):
        assert not model.description or model.description in listed, model.model_id
        for param in model.params:
            if param.hidden:
                continue
            assert param.title in listed, (model.model_id, param.name)
            assert not param.description or param.description in listed, (model.model_id, param)
            assert not param.placeholder or param.placeholder in listed, (model.model_id, param)
            shown = param.name.replace("_", " ").capitalize()  # the details panel's label
            assert shown in listed, (model.model_id, param.name)
    assert {state.label for state in JobState} == set(texts.JOB_STATE_LABELS)
    filters = {group.value for group in StateGroup} | {period.label for period in Period}
    assert filters == set(texts.FILTER_LABELS)
