"""Messages from below the UI (`core.messages.Message`), in the person's language.

The lower layers send a code, its arguments and an English fallback. Here each code has
a text lupdate collects (QT_TRANSLATE_NOOP) and `render` translates at show time. Where
no translation exists (English, or a text not yet translated) the fallback is shown: it
is the same words, or the server's own, which may say more than ours.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QDateTime

from get3w_desktop.core.job import Job
from get3w_desktop.core.legacy_messages import cleaned_up
from get3w_desktop.core.messages import Code, Message
from get3w_desktop.ui.connection_texts import CONNECTION_TEXTS
from get3w_desktop.ui.i18n import data_size, ui_locale
from get3w_desktop.ui.settings_texts import DATE_FORMAT, DAY_MONTH_FORMAT, SETTINGS_TEXTS
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP

CONTEXT = "Messages"

_TEXTS: dict[Code, str] = {
    Code.RETRYING: QT_TRANSLATE_NOOP("Messages", "{reason} Retrying in {seconds} s."),
    Code.WAITING_FOR_NETWORK: QT_TRANSLATE_NOOP("Messages", "Waiting for the network."),
    Code.RATE_LIMITED: QT_TRANSLATE_NOOP("Messages", "Rate limited."),
    Code.SLOWER_THAN_USUAL: QT_TRANSLATE_NOOP("Messages", "Slower than usual; still checking."),
    Code.HISTORY_NOT_SAVED: QT_TRANSLATE_NOOP(
        "Messages", "Running, but the history could not be saved: {reason}"
    ),
    Code.NOT_SENT_HISTORY: QT_TRANSLATE_NOOP(
        "Messages",
        "Not sent: the task could not be written to the history ({reason}). Nothing was "
        "charged. Free some disk space, then re-run it.",
    ),
    Code.NOT_SENT_DESTINATION: QT_TRANSLATE_NOOP(
        "Messages", "Not sent: {reason} Nothing was charged."
    ),
    Code.TASK_FORGOTTEN: QT_TRANSLATE_NOOP(
        "Messages", "The server no longer knows this task (Get3W keeps task records 30 days)."
    ),
    Code.UNEXPECTED: QT_TRANSLATE_NOOP(
        "Messages", "An unexpected error stopped this task. Details are in the log."
    ),
    Code.STOPPED_BEFORE_SAVED: QT_TRANSLATE_NOOP(
        "Messages", "Stopped before every output was saved."
    ),
    Code.UNCERTAIN: QT_TRANSLATE_NOOP(
        "Messages",
        "The task may have been created (and charged), but its answer was lost. It was not "
        "sent again. Check your Get3W history before retrying.",
    ),
    Code.NOT_SAVED: QT_TRANSLATE_NOOP("Messages", "An output could not be saved: {reason}"),
    Code.TASK_FLAGGED: QT_TRANSLATE_NOOP("Messages", "The content was flagged by moderation."),
    Code.TASK_MISSING_PARAMETER: QT_TRANSLATE_NOOP("Messages", "A required parameter is missing."),
    Code.TASK_INVALID_PARAMETER: QT_TRANSLATE_NOOP("Messages", "A parameter is invalid."),
    Code.TASK_MEDIA_UNREACHABLE: QT_TRANSLATE_NOOP("Messages", "A media URL could not be reached."),
    Code.TASK_FAILED: QT_TRANSLATE_NOOP("Messages", "The task failed."),
    Code.TASK_INTERNAL: QT_TRANSLATE_NOOP("Messages", "Internal error while generating."),
    Code.TASK_UNAVAILABLE: QT_TRANSLATE_NOOP("Messages", "The model is temporarily unavailable."),
    Code.TASK_TIMED_OUT: QT_TRANSLATE_NOOP("Messages", "The generation timed out."),
    # HTTP failures: the English words are built in core/messages.py; these are the sources
    # the translations are made from (arguments a translation may leave out: `what`,
    # `reason`, which are the client's or the server's own English words).
    Code.HTTP_KEY_LINE_BREAK: QT_TRANSLATE_NOOP(
        "Messages", "The API key is malformed: it contains a line break. Nothing was sent."
    ),
    Code.HTTP_KEY_CHARACTERS: QT_TRANSLATE_NOOP(
        "Messages",
        "The API key is malformed: it contains spaces or characters that are not plain ASCII "
        "letters and digits. Nothing was sent.",
    ),
    Code.HTTP_TOO_LARGE: QT_TRANSLATE_NOOP(
        "Messages", "{host} sent an answer larger than expected (over {max_bytes} bytes); refused."
    ),
    Code.HTTP_TOO_SLOW: QT_TRANSLATE_NOOP("Messages", "{host} is answering too slowly; gave up."),
    Code.HTTP_NO_TALK: QT_TRANSLATE_NOOP("Messages", "Could not talk to {host}."),
    Code.HTTP_BROKE: QT_TRANSLATE_NOOP(
        "Messages", "The connection to {host} broke while reading the answer."
    ),
    Code.HTTP_BAD_REDIRECT: QT_TRANSLATE_NOOP(
        "Messages", "{host} sent a malformed redirect; the client does not follow API redirects."
    ),
    Code.HTTP_CONNECT_TIMEOUT: QT_TRANSLATE_NOOP(
        "Messages", "Could not connect to {host} (timed out)."
    ),
    Code.HTTP_READ_TIMEOUT: QT_TRANSLATE_NOOP("Messages", "{host} did not answer in time."),
    Code.HTTP_DNS: QT_TRANSLATE_NOOP(
        "Messages", "Could not find {host}: check the address and your internet connection."
    ),
    Code.HTTP_REFUSED: QT_TRANSLATE_NOOP(
        "Messages", "Could not connect to {host}: it refused the connection or is unreachable."
    ),
    Code.HTTP_TLS: QT_TRANSLATE_NOOP(
        "Messages", "The secure connection to {host} failed (certificate or TLS problem)."
    ),
    Code.HTTP_LOST: QT_TRANSLATE_NOOP(
        "Messages", "The connection to {host} was lost before an answer arrived."
    ),
    Code.HTTP_AUTH: QT_TRANSLATE_NOOP(
        "Messages", "{host} refused the API key. Check the key in Settings."
    ),
    Code.HTTP_BALANCE: QT_TRANSLATE_NOOP(
        "Messages",
        "Your Get3W balance is too low for this task. Top up your account, then try again.",
    ),
    Code.HTTP_PARAMETERS: QT_TRANSLATE_NOOP("Messages", "Get3W rejected the parameters."),
    Code.HTTP_NOT_FOUND: QT_TRANSLATE_NOOP("Messages", "The server does not know what was asked."),
    Code.HTTP_RATE_LIMITED: QT_TRANSLATE_NOOP(
        "Messages", "Get3W is limiting requests (too many tasks at once)."
    ),
    Code.HTTP_REDIRECTED: QT_TRANSLATE_NOOP(
        "Messages", "{host} redirected the request elsewhere; the client does not follow it."
    ),
    Code.HTTP_SERVER: QT_TRANSLATE_NOOP(
        "Messages", "{host} had a problem answering (HTTP {status}). This is usually temporary."
    ),
    Code.HTTP_UNREADABLE: QT_TRANSLATE_NOOP("Messages", "The server sent an unreadable answer."),
    Code.HTTP_NOT_OBJECT: QT_TRANSLATE_NOOP(
        "Messages", "The server sent an unexpected answer (not a JSON object)."
    ),
    Code.KEY_ACCEPTED: QT_TRANSLATE_NOOP("Messages", "Key accepted; balance {balance}."),
    Code.KEY_ACCEPTED_EMPTY: QT_TRANSLATE_NOOP(
        "Messages", "Key accepted; the account has no balance."
    ),
    Code.KEY_ACCEPTED_NO_BALANCE: QT_TRANSLATE_NOOP(
        "Messages", "Key accepted (this server does not report a balance)."
    ),
    Code.KEY_REFUSED: QT_TRANSLATE_NOOP(
        "Messages",
        "{host} refused this key. Check that the whole key was pasted, or create a new one.",
    ),
    Code.KEY_NOT_GIVEN: QT_TRANSLATE_NOOP("Messages", "No key was given."),
    Code.KEY_UNCHECKED: QT_TRANSLATE_NOOP(
        "Messages", "The key could not be checked with {host}: {reason}"
    ),
    # saving files and the history: the sources leave out `reason` and `kind` (the system's
    # or Python's English words; the English fallback and the log keep them)
    Code.DISK_FULL: QT_TRANSLATE_NOOP(
        "Messages", "The disk is full: could not save into {folder}. Free some space, then retry."
    ),
    Code.DISK_READ_ONLY: QT_TRANSLATE_NOOP(
        "Messages",
        "Cannot write into {folder} (read-only or no permission). Choose another folder.",
    ),
    Code.DISK_PATH_TOO_LONG: QT_TRANSLATE_NOOP(
        "Messages", "The path {folder} is too long for this file system."
    ),
    Code.DISK_OTHER: QT_TRANSLATE_NOOP(
        "Messages", "Could not save into {folder} (the system reported an error)."
    ),
    Code.SAVE_UNEXPECTED: QT_TRANSLATE_NOOP(
        "Messages", "Not saved: an unexpected error. Details are in the log."
    ),
    Code.HISTORY_READ_FAILED: QT_TRANSLATE_NOOP(
        "Messages", "The task history could not be read. Details are in the log."
    ),
    Code.HISTORY_WRITE_FAILED: QT_TRANSLATE_NOOP(
        "Messages", "The task history could not be saved. Details are in the log."
    ),
    # the key service; KEY_NOT_REMOVED's `problem` is one of the keyring.* messages
    Code.KEY_NOT_REMOVED: QT_TRANSLATE_NOOP(
        "Messages", "The key could not be removed from the keyring. {problem}"
    ),
    Code.KEY_SERVICE_FAILED: QT_TRANSLATE_NOOP(
        "Messages", "Something went wrong handling the key (see the log)."
    ),
    Code.KEYRING_LOCKED: QT_TRANSLATE_NOOP(
        "Messages", "The keyring is locked: unlock it, then try again."
    ),
    Code.KEYRING_REFUSED: QT_TRANSLATE_NOOP(
        "Messages", "The keyring refused the request (details are in the log)."
    ),
    Code.KEYRING_TIMEOUT: QT_TRANSLATE_NOOP(
        "Messages", "The keyring did not answer in time (an unlock prompt may be waiting)."
    ),
    # the bill and the price
    Code.BILL_UNREADABLE: QT_TRANSLATE_NOOP("Messages", "The bill could not be read: {reason}"),
    Code.BILL_CRASHED: QT_TRANSLATE_NOOP("Messages", "The bill could not be read (see the log)."),
    Code.PRICE_UNREADABLE: QT_TRANSLATE_NOOP("Messages", "The price could not be read."),
    Code.PRICE_NONE: QT_TRANSLATE_NOOP("Messages", "This model has no published price."),
    Code.CANCEL_CRASHED: QT_TRANSLATE_NOOP("Messages", "an unexpected error (see the log)"),
    # housekeeping (export, delete, clean up); the sources leave out Python's `reason`
    Code.HK_STOPPED_BEFORE_START: QT_TRANSLATE_NOOP(
        "Messages", "Stopped before it started; nothing was changed."
    ),
    Code.HK_STOPPED: QT_TRANSLATE_NOOP(
        "Messages", "Stopped before it finished; nothing was changed."
    ),
    Code.HK_CRASHED: QT_TRANSLATE_NOOP(
        "Messages", "Housekeeping failed unexpectedly. Details are in the log."
    ),
    Code.HK_NO_FOLDER: QT_TRANSLATE_NOOP(
        "Messages", "The folder {folder} does not exist (or is not a folder)."
    ),
    Code.HK_NO_SPACE: QT_TRANSLATE_NOOP(
        "Messages",
        "Not enough space in {folder}: the export needs {needed} and {free} is free. Free some "
        "space or choose another folder.",
    ),
    Code.HK_NO_FREE_NAME: QT_TRANSLATE_NOOP(
        "Messages", "Could not find a free name for the export in {folder}."
    ),
    Code.HK_NOT_DELETED: QT_TRANSLATE_NOOP("Messages", "Nothing was deleted locally: {reason}"),
    Code.HK_NOT_CLEANED: QT_TRANSLATE_NOOP("Messages", "Nothing was cleaned up: {reason}"),
    Code.HK_FILE_NOT_DELETED: QT_TRANSLATE_NOOP(
        "Messages", "{name} could not be deleted (the system reported an error)."
    ),
    Code.HK_KEPT_SERVER_FAILED: QT_TRANSLATE_NOOP(
        "Messages", "{count} task(s) kept because the server could not delete them: {reason}"
    ),
    Code.HK_KEPT_STOPPED: QT_TRANSLATE_NOOP(
        "Messages",
        "{count} task(s) kept because it was stopped before they were deleted on the server.",
    ),
    Code.HK_KEPT_OTHER_PROFILE: QT_TRANSLATE_NOOP(
        "Messages",
        "{count} task(s) kept because they belong to {names}: switch to it to delete them on "
        "the server.",
    ),
    Code.HK_NO_REMOTE_DELETE: QT_TRANSLATE_NOOP(
        "Messages", "This server does not offer deleting tasks."
    ),
    Code.EXPORT_DISK_FULL: QT_TRANSLATE_NOOP(
        "Messages",
        "The disk is full: the export into {folder} was not saved (nothing was left behind). "
        "Free some space or choose another folder.",
    ),
    Code.EXPORT_NOT_A_FOLDER: QT_TRANSLATE_NOOP(
        "Messages", "{folder} is not a folder that can be written to. Choose another folder."
    ),
    Code.EXPORT_OTHER: QT_TRANSLATE_NOOP(
        "Messages", "Could not export into {folder} (the system reported an error)."
    ),
    # showing a saved image; IMAGE_UNSHOWABLE's source leaves out Python's `reason`
    Code.IMAGE_MISSING: QT_TRANSLATE_NOOP(
        "Messages", "The file is missing: it may have been moved or deleted."
    ),
    Code.IMAGE_UNSUPPORTED: QT_TRANSLATE_NOOP(
        "Messages", "This file is not an image this app can show."
    ),
    Code.IMAGE_DAMAGED: QT_TRANSLATE_NOOP(
        "Messages", "The image is damaged or incomplete and cannot be shown."
    ),
    Code.IMAGE_TOO_LARGE: QT_TRANSLATE_NOOP(
        "Messages",
        "This image is too large to preview ({width} × {height} pixels). Open it in another app.",
    ),
    Code.IMAGE_UNSHOWABLE: QT_TRANSLATE_NOOP(
        "Messages", "This file cannot be shown. Details are in the log."
    ),
    # the "Test connection" sentences
    **CONNECTION_TEXTS,
    # the settings' validation sentences, a cleaned-up task
    **SETTINGS_TEXTS,
}
#: Appended when a wait note knows when it retries.
_RETRY_IN = QT_TRANSLATE_NOOP("Messages", " Retrying in {seconds} s.")


def render(message: Message) -> str:
    """`message` in the current language (its fallback where there is no translation)."""
    if message.code is Code.TEXT:
        return message.fallback
    if message.code in _VALUES:
        return _value(message)
    source = _TEXTS.get(message.code)
    if source is None:
        return message.fallback
    translated = QCoreApplication.translate(CONTEXT, source)
    if translated == source:  # English, or not translated: the exact words built below
        return message.fallback
    args = {k: render(v) if isinstance(v, Message) else str(v) for k, v in message.args.items()}
    try:
        text = translated.format(**args)
    except (KeyError, IndexError, ValueError):  # a translation naming an unknown argument
        return message.fallback
    retries = (Code.WAITING_FOR_NETWORK, Code.RATE_LIMITED, Code.HTTP_RATE_LIMITED)
    if message.code in retries and "seconds" in args:
        text += QCoreApplication.translate(CONTEXT, _RETRY_IN).format(seconds=args["seconds"])
    return text


_VALUES = (Code.DATA_SIZE, Code.DATE, Code.DAY_MONTH)


def _value(message: Message) -> str:
    """A size or a date in the person's locale (the fallback when it carries no number)."""
    number = message.args.get("bytes" if message.code is Code.DATA_SIZE else "epoch")
    if not isinstance(number, int | float) or isinstance(number, bool):
        return message.fallback
    if message.code is Code.DATA_SIZE:
        return data_size(int(number))
    shape = DATE_FORMAT if message.code is Code.DATE else DAY_MONTH_FORMAT
    day = QDateTime.fromSecsSinceEpoch(int(number)).date()
    return ui_locale().toString(day, QCoreApplication.translate(CONTEXT, shape))


def job_error(job: Job) -> str | None:
    """The job's error in the current language; None when it has none. An old cleaned-up
    task's English note, stored before it was coded, is read back into its message."""
    message = job.error_message
    if message is None and job.error is not None:
        message = cleaned_up(job.error)
    if message is not None and job.error is not None and message.fallback == job.error:
        return render(message)
    return job.error


def job_note(job: Job) -> str:
    """What the job is doing right now, in the current language ("" when nothing)."""
    message = job.note_message
    if message is not None and message.fallback == job.note:
        return render(message)
    return job.note
