"""Words that come from the Qt-free layers, shown in the person's language.

core/ and itemmodels/ keep plain English (they cannot call Qt's `tr`). The fixed texts they
hand up (job states, filter groups, the bundled catalogue's titles and help lines) are listed
here with QT_TRANSLATE_NOOP so lupdate collects them, and translated where they are shown.
Text not listed (a new catalogue entry, a server's error message) shows as it came.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from get3w_desktop.core.batch import BatchCounts, BatchPlan, SourceFormat
from get3w_desktop.core.job import JobState
from get3w_desktop.core.money import Quote, format_money


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Marks `source` for lupdate and returns it as is (Qt's own is typed `object`)."""
    del context
    return source


# JobState.label, in the task list's chips and the viewer's subtitle.
JOB_STATE_LABELS = (
    QT_TRANSLATE_NOOP("JobState", "Queued"),
    QT_TRANSLATE_NOOP("JobState", "Submitting"),
    QT_TRANSLATE_NOOP("JobState", "Running"),
    QT_TRANSLATE_NOOP("JobState", "Downloading"),
    QT_TRANSLATE_NOOP("JobState", "Done"),
    QT_TRANSLATE_NOOP("JobState", "Failed"),
    QT_TRANSLATE_NOOP("JobState", "Not saved"),
    QT_TRANSLATE_NOOP("JobState", "Submission uncertain"),
    QT_TRANSLATE_NOOP("JobState", "Stopped"),
)

# itemmodels.job_filter.StateGroup values and Period labels (the filter bar's lists).
FILTER_LABELS = (
    QT_TRANSLATE_NOOP("TaskFilter", "All statuses"),
    QT_TRANSLATE_NOOP("TaskFilter", "In progress"),
    QT_TRANSLATE_NOOP("TaskFilter", "Done"),
    QT_TRANSLATE_NOOP("TaskFilter", "Failed or not saved"),
    QT_TRANSLATE_NOOP("TaskFilter", "Stopped"),
    QT_TRANSLATE_NOOP("TaskFilter", "Any time"),
    QT_TRANSLATE_NOOP("TaskFilter", "Last 24 hours"),
    QT_TRANSLATE_NOOP("TaskFilter", "Last 7 days"),
    QT_TRANSLATE_NOOP("TaskFilter", "Last 30 days"),
)

# The bundled catalogue's parameter titles, help lines and model descriptions.
CATALOGUE_TEXTS = (
    # parameter titles
    QT_TRANSLATE_NOOP("Catalogue", "Channel"),
    QT_TRANSLATE_NOOP("Catalogue", "Prompt"),
    QT_TRANSLATE_NOOP("Catalogue", "Aspect ratio"),
    QT_TRANSLATE_NOOP("Catalogue", "Resolution"),
    QT_TRANSLATE_NOOP("Catalogue", "Duration (s)"),
    QT_TRANSLATE_NOOP("Catalogue", "Size"),
    QT_TRANSLATE_NOOP("Catalogue", "Seed"),
    QT_TRANSLATE_NOOP("Catalogue", "Format"),
    QT_TRANSLATE_NOOP("Catalogue", "Negative prompt"),
    QT_TRANSLATE_NOOP("Catalogue", "Images"),
    QT_TRANSLATE_NOOP("Catalogue", "Generate audio"),
    QT_TRANSLATE_NOOP("Catalogue", "Guidance"),
    QT_TRANSLATE_NOOP("Catalogue", "Start image"),
    QT_TRANSLATE_NOOP("Catalogue", "Mask"),
    QT_TRANSLATE_NOOP("Catalogue", "Strength"),
    QT_TRANSLATE_NOOP("Catalogue", "Steps"),
    QT_TRANSLATE_NOOP("Catalogue", "Safety checker"),
    QT_TRANSLATE_NOOP("Catalogue", "First frame"),
    QT_TRANSLATE_NOOP("Catalogue", "Last frame"),
    QT_TRANSLATE_NOOP("Catalogue", "Fixed camera"),
    QT_TRANSLATE_NOOP("Catalogue", "Audio"),
    QT_TRANSLATE_NOOP("Catalogue", "Shots"),
    QT_TRANSLATE_NOOP("Catalogue", "Expand prompt"),
    QT_TRANSLATE_NOOP("Catalogue", "Image"),
    QT_TRANSLATE_NOOP("Catalogue", "Text"),
    QT_TRANSLATE_NOOP("Catalogue", "Voice"),
    QT_TRANSLATE_NOOP("Catalogue", "Speed"),
    QT_TRANSLATE_NOOP("Catalogue", "Volume"),
    QT_TRANSLATE_NOOP("Catalogue", "Pitch"),
    QT_TRANSLATE_NOOP("Catalogue", "Emotion"),
    QT_TRANSLATE_NOOP("Catalogue", "Read numbers in English"),
    # parameter help lines
    QT_TRANSLATE_NOOP("Catalogue", "About 1024, 2048 or 4096 pixels on the long side."),
    QT_TRANSLATE_NOOP("Catalogue", "Add a matching soundtrack."),
    QT_TRANSLATE_NOOP(
        "Catalogue", "Better reading of numbers and dates in English text (a little slower)."
    ),
    QT_TRANSLATE_NOOP("Catalogue", "Filter unsafe results."),
    QT_TRANSLATE_NOOP("Catalogue", "Get3W service tier: economy (cheapest), stable, or official."),
    QT_TRANSLATE_NOOP("Catalogue", "How closely to follow the prompt."),
    QT_TRANSLATE_NOOP("Catalogue", "How far to move away from the start image."),
    QT_TRANSLATE_NOOP("Catalogue", "How many images to make."),
    QT_TRANSLATE_NOOP("Catalogue", "Keep the camera still."),
    QT_TRANSLATE_NOOP("Catalogue", "Length in seconds."),
    QT_TRANSLATE_NOOP("Catalogue", "Length of the video in seconds."),
    QT_TRANSLATE_NOOP("Catalogue", "Let the model elaborate on the prompt."),
    QT_TRANSLATE_NOOP("Catalogue", "Loudness; 1 is normal."),
    QT_TRANSLATE_NOOP("Catalogue", "More steps: more detail, slower."),
    QT_TRANSLATE_NOOP("Catalogue", "One of MiniMax's system voices."),
    QT_TRANSLATE_NOOP("Catalogue", "One shot or several."),
    QT_TRANSLATE_NOOP("Catalogue", "Optional: a soundtrack to follow."),
    QT_TRANSLATE_NOOP("Catalogue", "Optional: an image to start from."),
    QT_TRANSLATE_NOOP("Catalogue", "Optional: the image it ends on."),
    QT_TRANSLATE_NOOP("Catalogue", "Optional: white areas are repainted."),
    QT_TRANSLATE_NOOP("Catalogue", "Shift the voice up or down, in semitones."),
    QT_TRANSLATE_NOOP("Catalogue", "Speaking rate; 1 is normal."),
    QT_TRANSLATE_NOOP("Catalogue", "The image file format."),
    QT_TRANSLATE_NOOP("Catalogue", "The image the video starts from."),
    QT_TRANSLATE_NOOP("Catalogue", "The image to animate."),
    QT_TRANSLATE_NOOP("Catalogue", "The images to edit or combine."),
    QT_TRANSLATE_NOOP("Catalogue", "The images to edit."),
    QT_TRANSLATE_NOOP("Catalogue", "The mood of the delivery."),
    QT_TRANSLATE_NOOP("Catalogue", "The same seed and inputs give the same result; -1 = random."),
    QT_TRANSLATE_NOOP("Catalogue", "The shape of the image."),
    QT_TRANSLATE_NOOP("Catalogue", "The shape of the video."),
    QT_TRANSLATE_NOOP("Catalogue", "Video resolution."),
    QT_TRANSLATE_NOOP(
        "Catalogue",
        "What the voice says (up to 10,000 characters); <#0.5#> inserts a pause in seconds.",
    ),
    QT_TRANSLATE_NOOP("Catalogue", "What to generate, in plain words."),
    QT_TRANSLATE_NOOP("Catalogue", "What to keep out of the result."),
    QT_TRANSLATE_NOOP("Catalogue", "Width*height in pixels, 1024–4096 a side."),
    QT_TRANSLATE_NOOP("Catalogue", "Width*height in pixels, 256–1536 a side."),
    QT_TRANSLATE_NOOP("Catalogue", "Width*height of the video."),
    QT_TRANSLATE_NOOP("Catalogue", "Width*height."),
    # parameter names as the details panel shows them (output_format -> "Output format")
    QT_TRANSLATE_NOOP("Catalogue", "Output format"),
    QT_TRANSLATE_NOOP("Catalogue", "Mask image"),
    QT_TRANSLATE_NOOP("Catalogue", "Num inference steps"),
    QT_TRANSLATE_NOOP("Catalogue", "Guidance scale"),
    QT_TRANSLATE_NOOP("Catalogue", "Num images"),
    QT_TRANSLATE_NOOP("Catalogue", "Enable safety checker"),
    QT_TRANSLATE_NOOP("Catalogue", "Duration"),
    QT_TRANSLATE_NOOP("Catalogue", "Last image"),
    QT_TRANSLATE_NOOP("Catalogue", "Camera fixed"),
    QT_TRANSLATE_NOOP("Catalogue", "Shot type"),
    QT_TRANSLATE_NOOP("Catalogue", "Enable prompt expansion"),
    QT_TRANSLATE_NOOP("Catalogue", "Voice id"),
    QT_TRANSLATE_NOOP("Catalogue", "English normalization"),
    # placeholders
    QT_TRANSLATE_NOOP("Catalogue", "Describe what you want to see…"),
    QT_TRANSLATE_NOOP("Catalogue", "Describe the change…"),
    QT_TRANSLATE_NOOP("Catalogue", "Describe the motion…"),
    QT_TRANSLATE_NOOP("Catalogue", "Describe the scene and the motion…"),
    QT_TRANSLATE_NOOP("Catalogue", "Describe the scene, the motion and the camera…"),
    QT_TRANSLATE_NOOP("Catalogue", "Describe the scene, the motion and the sound…"),
    QT_TRANSLATE_NOOP("Catalogue", "Type the words to speak…"),
    QT_TRANSLATE_NOOP("Catalogue", "blurry, text…"),
    # model descriptions
    QT_TRANSLATE_NOOP(
        "Catalogue", "Google's image model with sharp detail and accurate text rendering."
    ),
    QT_TRANSLATE_NOOP("Catalogue", "Edit or combine up to 14 images with a written instruction."),
    QT_TRANSLATE_NOOP(
        "Catalogue", "Fast Google image model with extra-wide and extra-tall formats."
    ),
    QT_TRANSLATE_NOOP(
        "Catalogue", "ByteDance's high-resolution image model, up to 4096 pixels a side."
    ),
    QT_TRANSLATE_NOOP("Catalogue", "Edit up to 10 reference images with Seedream 4.5."),
    QT_TRANSLATE_NOOP(
        "Catalogue", "Open-weight FLUX model; optional image-to-image and inpainting."
    ),
    QT_TRANSLATE_NOOP("Catalogue", "Google's fast video model with native sound."),
    QT_TRANSLATE_NOOP("Catalogue", "Animate a still image with Veo 3.1 Fast."),
    QT_TRANSLATE_NOOP("Catalogue", "ByteDance's cinematic video model with audio."),
    QT_TRANSLATE_NOOP(
        "Catalogue", "Alibaba's video model with multi-shot stories and your own audio."
    ),
    QT_TRANSLATE_NOOP(
        "Catalogue", "Kuaishou's image-to-video model with smooth, realistic motion."
    ),
    QT_TRANSLATE_NOOP("Catalogue", "OpenAI's video model with synchronised sound."),
    QT_TRANSLATE_NOOP(
        "Catalogue", "Natural, high-definition text-to-speech with 17 ready-made voices."
    ),
)


def state_label(state: JobState) -> str:
    """'Done', 'Failed'… in the current language."""
    return QCoreApplication.translate("JobState", state.label)


def filter_label(text: str) -> str:
    """A StateGroup value or Period label in the current language."""
    return QCoreApplication.translate("TaskFilter", text)


def catalogue_text(text: str) -> str:
    """A catalogue title or help line in the current language (unknown text unchanged)."""
    return QCoreApplication.translate("Catalogue", text) if text else text


def estimate_text(seconds: float | None) -> str:
    """ "about 20 s", "about 1½ min": how long something should take, said like an estimate.

    The one wording for every estimate the window shows: a model's typical time in the
    picker and the form's header, and the service's estimate for a running task (its row,
    the viewer and the details), so the same figure always reads the same."""
    if seconds is None or seconds <= 0:
        return ""
    if seconds < 60:
        return QCoreApplication.translate("ModelPicker", "about {s} s").format(s=round(seconds))
    halves = round(seconds / 60 * 2) / 2
    text = f"{int(halves)}½" if halves % 1 else f"{int(halves)}"
    return QCoreApplication.translate("ModelPicker", "about {m} min").format(m=text)


def quote_text(quote: Quote) -> str:
    """ "$0.14", or "about $0.14" for an estimate, in the current language."""
    shown = format_money(quote.amount, quote.currency)
    if not quote.estimated:
        return shown
    return QCoreApplication.translate("Money", "about {price}").format(price=shown)


def money_text(amount: float) -> str:
    if 0 < amount < 0.01:
        return QCoreApplication.translate("Money", "less than $0.01")
    return f"${amount:,.2f}"


def batch_text(counts: BatchCounts) -> str:
    """ "Batch: 31 of 48 done · 2 failed" (core's BatchCounts.text, translated)."""
    parts = [
        QCoreApplication.translate("Batch", "Batch: {done} of {total} done").format(
            done=f"{counts.done:,}", total=f"{counts.total:,}"
        )
    ]
    for count, word in (
        (counts.failed, QCoreApplication.translate("Batch", "{count} failed")),
        (counts.not_saved, QCoreApplication.translate("Batch", "{count} not saved")),
        (counts.uncertain, QCoreApplication.translate("Batch", "{count} uncertain")),
        (counts.stopped, QCoreApplication.translate("Batch", "{count} stopped")),
    ):
        if count:
            parts.append(word.format(count=f"{count:,}"))
    return " · ".join(parts)


def plan_summary(plan: BatchPlan) -> str:
    """ "24 prompts × 2 variations = 48 tasks · about $0.58" (core's BatchPlan.summary)."""
    lines = plan.format is SourceFormat.LINES
    items = len(plan.items)
    if not items:
        return (
            QCoreApplication.translate("Batch", "No prompts yet")
            if lines
            else QCoreApplication.translate("Batch", "No rows yet")
        )
    translate = QCoreApplication.translate
    if lines:
        what = translate("Batch", "1 prompt") if items == 1 else translate("Batch", "{n} prompts")
    else:
        what = translate("Batch", "1 row") if items == 1 else translate("Batch", "{n} rows")
    times = (
        translate("Batch", "1 variation")
        if plan.variations == 1
        else translate("Batch", "{n} variations")
    )
    tasks = translate("Batch", "1 task") if plan.count == 1 else translate("Batch", "{n} tasks")
    what = what.format(n=f"{items:,}")
    times = times.format(n=f"{plan.variations:,}")
    tasks = tasks.format(n=f"{plan.count:,}")
    text = f"{what} × {times} = {tasks}"
    cost = plan.cost
    if cost is not None:
        text += QCoreApplication.translate("Batch", " · about {cost}").format(cost=money_text(cost))
    return text


# Said by the job book (workers/job_book.py), which translates them at run time.
JOB_BOOK_TEXTS = (
    QT_TRANSLATE_NOOP(
        "JobBook", "Waiting: this task runs on profile “{profile}”; switch to it to resume."
    ),
    QT_TRANSLATE_NOOP("JobBook", "Resuming 1 unfinished task"),
    QT_TRANSLATE_NOOP("JobBook", "Resuming {count} unfinished tasks"),
)


def no_key_note(profile: str) -> str:
    """The start-up note when a profile's key is missing, in the current language (the log
    keeps the English words)."""
    action = QCoreApplication.translate("SandboxBanner", "Enter API key…")
    return QCoreApplication.translate(
        "App",
        "No API key was found for “{name}”, so tasks run in the sandbox. Use “{action}” to add it.",
    ).format(name=profile, action=action)
