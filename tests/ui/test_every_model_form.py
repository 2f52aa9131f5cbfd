"""Every real model (../shared/catalogue/models.json, 794 of them) gets a usable form.

One form is reused for all of them: building 794 forms is the slow part (12 to 40 ms
each, depending on the machine's load; the duration is printed with -s). For each model
the form is built and shows its defaults, the required inputs are filled the way a
person would, and the values read back go into the form again unchanged, then through
history (a Job stored and read again) and remix (a sidecar written and read again).
LoRAs go out as `{path, scale}` objects, never as text.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from get3w_desktop.core.catalogue import (
    Catalogue,
    ModelInfo,
    ParamKind,
    ParamSpec,
    parse_catalogue,
    validate_params,
)
from get3w_desktop.core.job import Job, JobState
from get3w_desktop.core.remix import read_recipe, write_sidecar
from get3w_desktop.storage.history import HistoryStore
from get3w_desktop.ui.param_form import ParamForm
from tests.real_catalogue import real_models_json

SAMPLES: dict[ParamKind, Any] = {
    ParamKind.PROMPT: "a red fox in the snow",
    ParamKind.TEXT: "some text",
    ParamKind.MEDIA: "https://cdn.example.com/input.png",
    ParamKind.MEDIA_LIST: ["https://cdn.example.com/a.png", "https://cdn.example.com/b.png"],
}


@pytest.fixture(scope="module")
def real_catalogue() -> Catalogue:
    catalogue, problems = parse_catalogue(real_models_json(), source="real")
    assert problems == []
    assert len(catalogue) == 794
    assert len(catalogue.types()) == 25
    return catalogue


def _empty(value: Any) -> bool:
    return value in ("", [], {})


def _fill_required(form: ParamForm, model: ModelInfo) -> None:
    """What a person must type before Generate: a prompt, an input image, …"""
    for spec in model.params:
        field = form.field(spec.name)
        if field is None or not spec.required or field.value() is not None:
            continue
        sample = SAMPLES.get(spec.kind)
        if sample is not None and spec.kind is ParamKind.MEDIA_LIST:
            sample = sample[: spec.max_items or len(sample)]
        if sample is not None:
            assert field.set_value(sample), (model.model_id, spec.name)


def _check_defaults_shown(model: ModelInfo, values: dict[str, Any]) -> None:
    for spec in model.params:
        if spec.disabled:
            assert spec.name not in values, f"{model.model_id}: {spec.name} is disabled"
            continue
        if spec.default is None or _empty(spec.default):
            continue  # "" and [] mean the same as leaving it out
        got = values.get(spec.name)
        if spec.kind is ParamKind.OBJECT_LIST:  # rows shown; required cells get a start value
            assert isinstance(got, list) and len(got) == len(spec.default), (model.model_id, got)
        else:
            assert got == spec.default, (model.model_id, spec.name, spec.default, got)


def _check_loras(model: ModelInfo, values: dict[str, Any]) -> int:
    count = 0
    for spec in model.params:
        if spec.kind is ParamKind.LORA_LIST and spec.name in values:
            for lora in values[spec.name]:
                assert isinstance(lora, dict), lora
                assert isinstance(lora["path"], str) and lora["path"]
                assert isinstance(lora["scale"], int | float)
                count += 1
    return count


def _is_fillable(spec: ParamSpec) -> bool:
    return spec.kind in SAMPLES or spec.default is not None


def test_every_real_model_builds_round_trips_and_validates(
    qtbot: QtBot, tmp_path: Path, real_catalogue: Catalogue
) -> None:
    form = ParamForm()
    qtbot.addWidget(form)
    started = time.perf_counter()
    jobs: list[Job] = []
    loras = valid = 0
    for model in real_catalogue:
        form.set_model(model)
        _check_defaults_shown(model, form.values())
        _fill_required(form, model)
        values = form.values()
        json.dumps(values)  # plain JSON, ready to send
        loras += _check_loras(model, values)
        assert form.set_values(values) == [], model.model_id
        assert form.values() == values, model.model_id
        fillable = all(_is_fillable(p) for p in model.params if p.required and not p.hidden)
        if fillable and not validate_params(model, values):
            valid += 1
        jobs.append(Job(model.model_id, values, state=JobState.COMPLETED))
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    built = time.perf_counter() - started

    # Equal params make an equal form (checked above), so history and remix need no rebuild.
    with HistoryStore.open(tmp_path / "history.sqlite3") as history:
        history.save_many(jobs)
        for job in jobs:
            stored = history.get(job.local_id)
            assert stored is not None and stored.params == job.params, job.model_id
            sidecar = write_sidecar(stored, tmp_path / f"{job.local_id}.png")
            recipe = read_recipe(sidecar, known_models=real_catalogue)
            assert (recipe.model_id, recipe.params) == (job.model_id, job.params)
    total = time.perf_counter() - started
    print(f"\n{len(jobs)} forms built, filled and read back in {built:.1f} s; "
          f"with history and remix {total:.1f} s")  # fmt: skip
    default_loras = sum(
        len(p.default) for m in real_catalogue for p in m.params
        if p.kind is ParamKind.LORA_LIST and isinstance(p.default, list) and not p.hidden
    )  # fmt: skip
    assert loras == default_loras >= 15  # the default LoRAs went out as objects
    # Everything a person can fill in from the form alone passes the catalogue's checks.
    assert valid >= 700, valid
