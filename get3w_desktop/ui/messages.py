"""Messages from below the UI (`core.messages.Message`), in the person's language.

The lower layers send a code, its arguments and an English fallback. Here each code has
a text lupdate collects (QT_TRANSLATE_NOOP) and `render` translates at show time. Where
no translation exists (English, or a text not yet translated) the fallback is shown: it
is the same words, or the server's own, which may say more than ours.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from get3w_desktop.core.job import Job
from get3w_desktop.core.messages import Code, Message
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
}
#: Appended when a wait note knows when it retries.
_RETRY_IN = QT_TRANSLATE_NOOP("Messages", " Retrying in {seconds} s.")


def render(message: Message) -> str:
    """`message` in the current language (its fallback where there is no translation)."""
    if message.code is Code.TEXT:
        return message.fallback
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
    if message.code in (Code.WAITING_FOR_NETWORK, Code.RATE_LIMITED) and "seconds" in args:
        text += QCoreApplication.translate(CONTEXT, _RETRY_IN).format(seconds=args["seconds"])
    return text


def job_error(job: Job) -> str | None:
    """The job's error in the current language; None when it has none."""
    message = job.error_message
    if message is not None and job.error is not None and message.fallback == job.error:
        return render(message)
    return job.error


def job_note(job: Job) -> str:
    """What the job is doing right now, in the current language ("" when nothing)."""
    message = job.note_message
    if message is not None and message.fallback == job.note:
        return render(message)
    return job.note
