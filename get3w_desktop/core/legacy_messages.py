"""Messages stored before they were coded, recognised from their English words.

Tasks cleaned up before the note was coded (core/worker_messages.hk_cleaned_up) keep only
the sentence housekeeping wrote into the history's `error` column, e.g.

    The local copy was cleaned up on 03 Dec 2026 to free disk space. Get3W keeps the
    output until about 10 Dec: Task › Copy output URL, or re-run the task.

`cleaned_up` reads such a sentence back into the coded message it would be today, with
the same dates, so the window can show it in the person's language. The history is not
rewritten: the stored words stay as they are (the `get3w` command, logs and an older
version read them unchanged), and a sentence that cannot be read with certainty (a date
written in a language we do not know) is simply shown as stored, its date intact.
"""

from __future__ import annotations

import functools
import re
import time

from get3w_desktop.core.messages import Code, Message
from get3w_desktop.core.worker_messages import CLEANED_PREFIX

_CLEANED = re.compile(
    re.escape(CLEANED_PREFIX) + r" on (?P<day>[^.]+?) to free disk space\. (?P<remote>.+)",
    re.DOTALL,
)
_UNTIL = re.compile(
    r"Get3W keeps the output until about (?P<until>[^:]+?): Task › Copy output URL, "
    r"or re-run the task\."
)
_EXPIRED = "The copy on Get3W may have expired (outputs are kept about 7 days)."
#: The C locale's month abbreviations (`time.strftime("%b")`), which the app wrote unless
#: the system's locale had other names for them.
_MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
)}  # fmt: skip
#: "03 Dec" (C locale) or "03 12月" (a Chinese or Japanese system locale), then the year.
_DAY = re.compile(r"(?P<day>\d{1,2}) (?P<month>[A-Za-z]{3}|\d{1,2}月)(?: (?P<year>\d{4}))?")


def _month(name: str) -> int | None:
    if name.endswith("月"):
        number = int(name[:-1])
        return number if 1 <= number <= 12 else None
    return _MONTHS.get(name)


def _read_day(words: str, year: int | None) -> tuple[int, int, int] | None:
    """(year, month, day) of "03 Dec 2026" ("03 Dec" with `year` given); None if unsure."""
    found = _DAY.fullmatch(words)
    if found is None or (found["year"] is None) == (year is None):
        return None
    month = _month(found["month"])
    day = int(found["day"])
    if month is None or not 1 <= day <= 31:
        return None
    return (int(found["year"]) if year is None else year), month, day


def _noon(year: int, month: int, day: int) -> int | None:
    """That day's local noon (the date the window writes from it is that day in any zone
    a day's time difference away); None for a day the month does not have."""
    try:
        epoch = time.mktime((year, month, day, 12, 0, 0, 0, 0, -1))
    except (OverflowError, ValueError):
        return None
    shown = time.localtime(epoch)
    return (
        round(epoch) if (shown.tm_year, shown.tm_mon, shown.tm_mday) == (year, month, day) else None
    )


def cleaned_up(error: str) -> Message | None:
    """The coded message of an old cleaned-up task's `error`; None for any other words.

    The message's fallback is `error` itself, so it is shown only for exactly these words
    (ui/messages.job_error), and it carries the same dates as numbers."""
    return _read_cleaned_up(error) if error.startswith(CLEANED_PREFIX) else None


@functools.lru_cache(maxsize=1024)  # read on every paint of the row: once per sentence
def _read_cleaned_up(error: str) -> Message | None:
    found = _CLEANED.fullmatch(error)
    if found is None:
        return None
    cleaned = _read_day(found["day"], None)
    if cleaned is None:
        return None
    when = _noon(*cleaned)
    if when is None:
        return None
    remote_words = found["remote"]
    if remote_words == _EXPIRED:
        remote = Message(Code.HK_REMOTE_EXPIRED, {}, remote_words)
    else:
        until = _UNTIL.fullmatch(remote_words)
        read = None if until is None else _read_day(until["until"], cleaned[0])
        if until is None or read is None:
            return None
        year, month, day = read
        if (month, day) < cleaned[1:]:  # kept until early next year
            year += 1
        expires = _noon(year, month, day)
        if expires is None:
            return None
        remote = Message(Code.HK_REMOTE_UNTIL,
                         {"until": Message(Code.DAY_MONTH, {"epoch": expires}, until["until"])},
                         remote_words)  # fmt: skip
    written = Message(Code.DATE, {"epoch": when}, found["day"])
    return Message(Code.HK_CLEANED_UP, {"day": written, "remote": remote}, error)
