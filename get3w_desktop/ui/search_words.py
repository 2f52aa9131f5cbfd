"""What the task search matches besides the prompt and model: the row's words as shown.

The search index (itemmodels/job_search.py) cannot import the UI's translations, so the
task panel hands it these through `JobListModel.set_texts`: a state's label and a job's
error and note in the window's language, as the row, its tooltip and the viewer show
them. The error's English words are matched in any case (people paste them from logs).
"""

from __future__ import annotations

from get3w_desktop.core.job import Job
from get3w_desktop.itemmodels.job_search import RowWords
from get3w_desktop.ui.messages import job_error, job_note
from get3w_desktop.ui.texts import state_label


def shown_messages(job: Job) -> str:
    """The job's error and note as the window shows them (the error only where its words
    differ from the English ones, which the index holds already)."""
    error = job_error(job)
    note = job_note(job)
    if error == job.error:
        return note
    return f"{error} {note}" if note else error or ""


def row_words() -> RowWords:
    """The words a task row shows, read in the current language whenever the index reads
    them (it does again when the language changes)."""
    return RowWords(state_label=state_label, messages=shown_messages)
