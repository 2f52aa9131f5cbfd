"""The interface language: Qt translators for our texts and Qt's own (standard buttons).

Source texts are English, so English needs no file. Other languages are
`resources/i18n/get3w_<code>.qm`, compiled from `translations/get3w_<code>.ts` by
scripts/update_translations.py. Switching at runtime swaps the translators; Qt then sends
every widget a LanguageChange event, and the widgets that built their texts once rebuild them.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from get3w_desktop.core.resources import resource_path

SOURCE_LANGUAGE = "en"
# Every language the interface is written or translated in, by its own name.
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}

_installed: list[QTranslator] = []
_current = SOURCE_LANGUAGE


def translation_file(code: str) -> str:
    return str(resource_path("i18n", f"get3w_{code}.qm"))


def available_languages() -> dict[str, str]:
    """{code: name} of the languages that can be chosen here: English and every compiled one."""
    found = {SOURCE_LANGUAGE: LANGUAGE_NAMES[SOURCE_LANGUAGE]}
    folder = resource_path("i18n")
    if folder.is_dir():
        for path in sorted(folder.glob("get3w_*.qm")):
            code = path.stem.removeprefix("get3w_")
            found[code] = LANGUAGE_NAMES.get(code, code)
    return found


def match_language(ui_languages: list[str], available: dict[str, str] | None = None) -> str:
    """The first of the person's languages ("zh-Hans-CN", "zh-CN", "en-GB"…) we have."""
    codes = available if available is not None else available_languages()
    for wanted in ui_languages:
        locale = QLocale(wanted)
        name = locale.name()  # "en_GB", "zh_CN", "zh_TW"
        if locale.language() is QLocale.Language.Chinese:
            simplified = locale.script() is QLocale.Script.SimplifiedHanScript
            name = "zh_CN" if simplified else name
        for code in (name, name.split("_")[0]):
            if code in codes:
                return code
    return SOURCE_LANGUAGE


def system_language() -> str:
    """The language to use when the person has not chosen one."""
    return match_language(QLocale.system().uiLanguages())


def current_language() -> str:
    return _current


def install_language(app: QCoreApplication, code: str | None) -> str:
    """Show the interface in `code` (None: the system's language); returns the code in use.

    The previous translators are removed first, so this also switches at runtime. A code
    without a compiled file falls back to English rather than failing.
    """
    global _current
    wanted = code or system_language()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _current = SOURCE_LANGUAGE
    if wanted == SOURCE_LANGUAGE:
        return _current
    ours = QTranslator(app)
    if not ours.load(translation_file(wanted)):
        return _current
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{wanted}", qt_dir):
        app.installTranslator(qt_own)  # standard buttons, file dialogs, context menus
        _installed.append(qt_own)
    app.installTranslator(ours)
    _installed.append(ours)
    _current = wanted
    return _current


def ui_locale() -> QLocale:
    """Where numbers, sizes and dates are written: the system's locale when it speaks the
    interface's language (its own digits and separators), else that language's own, so an
    English window on a German system does not say "Bytes"."""
    wanted, system = QLocale(_current), QLocale.system()
    if system.language() == wanted.language() and system.script() == wanted.script():
        return system
    return wanted


def data_size(size: int) -> str:
    """`size` bytes in the interface's language: "512 bytes", "1.2 MB"; "512 字节" in Chinese
    (decimal units, as file managers show them and as `core.messages.format_size` writes)."""
    return ui_locale().formattedDataSize(size, 1, QLocale.DataSizeFormat.DataSizeSIFormat)
