"""One name for a result a person can recognise: model · prompt (cut) · seed.

Output files are named by the server's hashes; people remember what they asked for. Every
place that names a result (the viewer header, the audio card, media chips, gallery tiles)
asks here, so the same result reads the same everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from get3w_desktop.core.job import Job

# The most characters of a prompt a name carries (cut at a word, then "…").
PROMPT_CHARS = 40


def cut_prompt(prompt: str, limit: int = PROMPT_CHARS) -> str:
    """`prompt` on one line, at most `limit` characters, cut at a word when one is near."""
    text = " ".join(prompt.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space >= limit // 2:
        head = head[:space]
    return head.rstrip(" ,.;:-") + "…"


def human_name(job: Job, model_name: str | None = None) -> str:
    """'FLUX.1 [dev] · A lighthouse at dawn · seed 42' (parts that are unknown are left out)."""
    return " · ".join(name_parts(job, model_name))


def name_parts(job: Job, model_name: str | None = None) -> list[str]:
    """The parts of `human_name`: model, prompt (cut), seed."""
    parts = [model_name or job.model_id]
    prompt = cut_prompt(job.prompt)
    if prompt:
        parts.append(prompt)
    seed = job.params.get("seed")
    if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0:
        parts.append(QCoreApplication.translate("HumanName", "seed {seed}").format(seed=seed))
    return parts


def distinct_names(parts: list[list[str]]) -> list[str]:
    """Short names for results shown side by side: the parts they all share at the start
    (the same model and prompt) are left out, so tiles read "seed 42", "seed 43"."""
    shared = 0
    if len(parts) > 1:
        shortest = min(len(p) for p in parts)
        while shared < shortest - 1 and all(p[shared] == parts[0][shared] for p in parts):
            shared += 1
    return [" · ".join(p[shared:]) for p in parts]


def file_name(job: Job, path: str, model_name: str | None = None) -> str:
    """The human name of one of `job`'s files ('… · 2 of 4' when it made several)."""
    name = human_name(job, model_name)
    if len(job.files) > 1 and path in job.files:
        index = QCoreApplication.translate("HumanName", "{index} of {count}").format(
            index=job.files.index(path) + 1, count=len(job.files)
        )
        name = f"{name} · {index}"
    return name
