"""The compare plan: cells per model × seed, parameters mapped per model, limits and cost."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from get3w_desktop.core.catalogue import (
    Catalogue,
    ModelInfo,
    load_bundled,
    parse_model,
    validate_params,
)
from get3w_desktop.core.compare import (
    MAX_MODELS,
    MAX_SEED,
    MAX_SEEDS,
    column_seeds,
    map_params,
    offer,
    parse_seeds,
    plan_compare,
    prompt_name,
)
from get3w_desktop.core.money import unit_price

NANO = "google/nano-banana-pro/text-to-image"  # no seed, aspect_ratio/resolution, $0.14
NANO2 = "google/nano-banana-2/text-to-image"
FLUX = "wavespeed-ai/flux-dev"  # a seed, a size, no aspect_ratio, $0.012
SEEDREAM = "bytedance/seedream-v4.5"
EDIT = "google/nano-banana-pro/edit"  # needs images
VEO = "google/veo3.1-fast/text-to-video"  # aspect_ratio 16:9 / 9:16 only, a seed
SEEDANCE = "bytedance/seedance-v1.5-pro/text-to-video"
SPEECH = "minimax/speech-02-hd"  # the prompt is called "text"

FORM = {"prompt": "from the form", "aspect_ratio": "1:1", "resolution": "1k",
        "output_format": "png", "channel": "stable"}  # fmt: skip


def model(model_id: str) -> ModelInfo:
    found = load_bundled().get(model_id)
    assert found is not None
    return found


def test_two_models_by_two_seeds_give_four_cells_each_valid_for_its_model() -> None:
    plan = plan_compare(load_bundled(), "a red fox", {**FORM, "seed": 7}, [FLUX, VEO], 2)
    assert plan.ok, plan.errors
    assert (plan.rows, plan.columns, plan.count) == (2, 2, 4)
    assert [(c.row, c.column, c.model_id) for c in plan.cells] == [
        (0, 0, FLUX), (0, 1, FLUX), (1, 0, VEO), (1, 1, VEO),
    ]  # fmt: skip
    for cell in plan.cells:
        assert validate_params(model(cell.model_id), cell.params) == []
        assert cell.params["prompt"] == "a red fox"
    # Both models see the same seeds in a column: the fixed seed, then the next one.
    assert plan.seeds == (7, 8)
    assert [c.seed for c in plan.cells] == [7, 8, 7, 8]
    assert [c.params["seed"] for c in plan.cells] == [7, 8, 7, 8]


def test_a_random_seed_becomes_the_same_concrete_seeds_for_every_model() -> None:
    plan = plan_compare(load_bundled(), "a fox", {"seed": -1}, [FLUX, SEEDANCE], 3,
                        rng=random.Random(5))  # fmt: skip
    assert len(set(plan.seeds)) == 3
    assert all(0 <= s <= MAX_SEED for s in plan.seeds)
    rows = [[c.seed for c in plan.cells if c.row == r] for r in range(2)]
    assert rows[0] == rows[1] == list(plan.seeds)
    again = plan_compare(load_bundled(), "a fox", {}, [FLUX, SEEDANCE], 3, rng=random.Random(5))
    assert again.seeds == plan.seeds  # reproducible with the same generator


def test_explicit_seeds_are_used_as_given_and_duplicates_run_once() -> None:
    plan = plan_compare(load_bundled(), "a fox", {"seed": 3}, [FLUX], [42, 1, 42])
    assert plan.ok
    assert plan.seeds == (42, 1)
    assert [c.params["seed"] for c in plan.cells] == [42, 1]
    assert any("42 is listed twice" in note for note in plan.notes)


@pytest.mark.parametrize(
    ("seeds", "expected"),
    [
        ([-1], "is not a seed"),
        ([MAX_SEED + 1], "is not a seed"),
        ([], "at least one seed"),
        (list(range(MAX_SEEDS + 1)), f"at most {MAX_SEEDS} seeds"),
        (0, "at least one seed"),
        (MAX_SEEDS + 1, f"at most {MAX_SEEDS} seeds"),
    ],
)
def test_bad_seed_requests_are_refused_with_a_sentence(seeds: Any, expected: str) -> None:
    plan = plan_compare(load_bundled(), "a fox", {}, [FLUX], seeds)
    assert not plan.ok
    assert any(expected in error for error in plan.errors), plan.errors
    assert plan.count <= MAX_SEEDS  # never more cells than the limit


def test_a_fixed_seed_near_the_top_wraps_instead_of_overflowing() -> None:
    seeds, errors, _notes = column_seeds({"seed": MAX_SEED}, 2)
    assert errors == []
    assert seeds == [MAX_SEED, 0]


def test_typed_seeds_are_parsed_with_every_separator_and_bad_words_named() -> None:
    assert parse_seeds(" 1, 2;3  42\n7 ") == ([1, 2, 3, 42, 7], [])
    seeds, problems = parse_seeds("5, x, -3, 2.5")
    assert seeds == [5]
    assert len(problems) == 3
    assert "“x”" in problems[0] and "-3" in problems[1] and "“2.5”" in problems[2]
    assert parse_seeds("   ") == ([], [])


def test_parameters_a_model_lacks_are_left_out_with_a_note() -> None:
    form = {**FORM, "aspect_ratio": "16:9", "resolution": "2k"}
    plan = plan_compare(load_bundled(), "a fox", form, [NANO, FLUX], 1)
    flux = plan.cell(1, 0)
    nano = plan.cell(0, 0)
    assert flux is not None and nano is not None
    assert "aspect_ratio" not in flux.params and "resolution" not in flux.params
    assert flux.params["output_format"] == "png"  # FLUX has it and offers png: kept
    assert nano.params["aspect_ratio"] == "16:9" and nano.params["resolution"] == "2k"
    assert any(
        n.startswith(model(FLUX).name) and "aspect_ratio and resolution" in n for n in plan.notes
    ), plan.notes


def test_an_option_a_model_does_not_offer_falls_back_to_its_default() -> None:
    mapped = map_params(model(VEO), "a fox", {**FORM, "aspect_ratio": "1:1"})
    assert mapped.params["aspect_ratio"] == model(VEO).param("aspect_ratio").default  # type: ignore[union-attr]
    assert mapped.replaced == ("aspect_ratio 1:1", "resolution 1k")  # video tiers differ
    plan = plan_compare(load_bundled(), "a fox", {**FORM, "aspect_ratio": "1:1"}, [VEO], 1)
    assert any("does not offer aspect_ratio 1:1" in n for n in plan.notes)


def test_the_prompt_goes_to_a_speech_models_text_field() -> None:
    plan = plan_compare(load_bundled(), "Hello there", {"prompt": "old", "text": "old"},
                        [SPEECH], 1)  # fmt: skip
    assert plan.ok, plan.errors
    params = plan.cells[0].params
    assert params["text"] == "Hello there"
    assert "prompt" not in params
    # A required parameter with a default (the voice) is sent explicitly.
    assert params["voice_id"] == model(SPEECH).param("voice_id").default  # type: ignore[union-attr]
    assert validate_params(model(SPEECH), params) == []


def test_a_model_that_needs_what_the_form_lacks_is_an_error_said_once() -> None:
    plan = plan_compare(load_bundled(), "a fox", FORM, [NANO, EDIT], 3)
    assert not plan.ok
    needs = [e for e in plan.errors if "needs images" in e]
    assert len(needs) == 1 and needs[0].startswith(model(EDIT).name)
    # Given the images, the same model is fine.
    with_images = plan_compare(load_bundled(), "a fox", {**FORM, "images": ["https://x/a.png"]},
                               [NANO, EDIT], 1)  # fmt: skip
    assert with_images.ok, with_images.errors


def test_models_without_a_seed_run_unseeded_with_a_note() -> None:
    plan = plan_compare(load_bundled(), "a fox", {"seed": 9}, [NANO, FLUX], 2)
    nano_cells = [c for c in plan.cells if c.model_id == NANO]
    assert [c.seed for c in nano_cells] == [None, None]
    assert all("seed" not in c.params for c in nano_cells)
    assert plan.takes_seeds
    assert any("takes no seed" in n and model(NANO).name in n for n in plan.notes)
    only_unseeded = plan_compare(load_bundled(), "a fox", {}, [NANO, SEEDREAM], 2)
    assert not only_unseeded.takes_seeds
    assert "2 runs" in only_unseeded.summary()


def test_one_seed_makes_no_seed_note() -> None:
    plan = plan_compare(load_bundled(), "a fox", {}, [NANO], 1)
    assert not any("takes no seed" in n for n in plan.notes)


@pytest.mark.parametrize(
    ("prompt", "ids", "expected"),
    [
        ("a fox", [], "at least one model"),
        ("a fox", [NANO, NANO2, FLUX, SEEDREAM, VEO, SEEDANCE, SPEECH], f"at most {MAX_MODELS}"),
        ("a fox", ["nobody/nothing"], "not in the model list"),
        ("   ", [NANO], "Write a prompt"),
    ],
)
def test_limits_and_missing_input_are_plain_errors(
    prompt: str, ids: list[str], expected: str
) -> None:
    plan = plan_compare(load_bundled(), prompt, FORM, ids, 2)
    assert not plan.ok
    assert any(expected in error for error in plan.errors), plan.errors
    assert plan.rows <= MAX_MODELS


def test_an_empty_prompt_is_said_once_not_once_per_model() -> None:
    plan = plan_compare(load_bundled(), "", FORM, [NANO, FLUX, SPEECH], 1)
    assert plan.errors == ("Write a prompt to compare.",)


def test_the_total_is_the_sum_of_each_cells_own_price() -> None:
    form = {**FORM, "resolution": "2k", "seed": 1}
    plan = plan_compare(load_bundled(), "a fox", form, [NANO, FLUX], 3)
    expected = sum(unit_price(model(c.model_id), c.params) or 0.0 for c in plan.cells)
    assert plan.total_cost == pytest.approx(expected)
    nano = plan.cell(0, 0)
    base = model(NANO).base_price
    assert nano is not None and nano.price is not None and base is not None
    assert nano.price > base  # 2k costs more than the 1k base price
    assert nano.quote is not None and nano.quote.estimated
    assert "3 seeds = 6 tasks · about $" in plan.summary()


def test_a_model_without_a_price_is_counted_apart() -> None:
    free = parse_model({
        "model_id": "acme/no-price", "name": "No Price", "type": "text-to-image",
        "api_schema": {"api_schemas": [{"type": "model_run", "request_schema": {
            "type": "object", "required": ["prompt"],
            "properties": {"prompt": {"type": "string"}}}}]},
    }, source="test")  # fmt: skip
    catalogue = Catalogue([*load_bundled(), free])
    plan = plan_compare(catalogue, "a fox", {}, [FLUX, "acme/no-price"], 2)
    assert plan.ok
    assert plan.unpriced == 2
    assert plan.total_cost == pytest.approx(2 * (model(FLUX).base_price or 0))
    assert "+ 2 unpriced" in plan.summary()
    assert any(n.startswith("No Price ") and "has no price" in n for n in plan.notes)
    alone = plan_compare(catalogue, "a fox", {}, ["acme/no-price"], 1)
    assert alone.total_cost is None


# models that need nothing but a prompt (a captioner's one required field is its video)
_PROMPT_MODELS = [m.model_id for m in load_bundled() if m.required_names in ((), ("prompt",))]


@settings(max_examples=60, deadline=None)
@given(
    ids=st.lists(st.sampled_from(_PROMPT_MODELS), min_size=1, max_size=MAX_MODELS, unique=True),
    count=st.integers(1, MAX_SEEDS),
    source=st.sampled_from(_PROMPT_MODELS),
    seed=st.integers(-1, 1000),
)
def test_every_cell_of_any_plan_is_valid_for_its_model(
    ids: list[str], count: int, source: str, seed: int
) -> None:
    """Whatever model the form belongs to, the cells send only what their model accepts."""
    form = {**model(source).defaults(), "prompt": "a fox", "seed": seed}
    plan = plan_compare(load_bundled(), "a fox", form, ids, count, rng=random.Random(0))
    assert plan.ok, plan.errors
    assert plan.count == len(ids) * count
    for cell in plan.cells:
        assert validate_params(model(cell.model_id), cell.params) == []


def test_each_model_gets_at_most_one_note() -> None:
    form = {**FORM, "aspect_ratio": "1:1"}  # from an image form: VEO lacks some, refuses others
    plan = plan_compare(load_bundled(), "a fox", form, [VEO, SEEDREAM, NANO], 3)
    for model_id in plan.model_ids:
        name = model(model_id).name
        assert sum(1 for n in plan.notes if n.startswith(f"{name} ")) <= 1
    veo = next(n for n in plan.notes if n.startswith(model(VEO).name))
    assert "has no output_format (left out)" in veo and "does not offer aspect_ratio 1:1" in veo


def test_offer_says_which_models_can_run_from_a_form() -> None:
    catalogue = load_bundled()
    assert offer(model(FLUX), FORM, has_prompt=True).runnable
    edit = offer(model(EDIT), FORM, has_prompt=True)
    assert not edit.runnable and edit.missing == ("images",)
    assert edit.reason() == "needs images, which the form does not give"
    # With a picture in the form the edit model runs, and a text-to-image one would drop it.
    with_picture = {**FORM, "images": ["https://x/a.png"]}
    assert offer(model(EDIT), with_picture, has_prompt=True).runnable
    assert offer(model(NANO), with_picture, has_prompt=True).drops == ("images",)
    # A model that takes no prompt does not do a prompt's task.
    no_prompt = [m for m in catalogue if m.output_kind == "image" and prompt_name(m) is None
                 and not m.required_names]  # fmt: skip
    assert no_prompt and offer(no_prompt[0], FORM, has_prompt=True).no_prompt


def test_the_forms_image_goes_to_a_models_images_and_back() -> None:
    single = next(m for m in load_bundled() if m.output_kind == "image"
                  and (s := m.param("image")) is not None and s.required
                  and m.required_names == ("image", "prompt"))  # fmt: skip
    carried = map_params(model(EDIT), "winter", {"image": "https://x/a.png"})
    assert carried.params["images"] == ["https://x/a.png"] and carried.missing == ()
    back = map_params(single, "winter", {"images": ["https://x/a.png", "https://x/b.png"]})
    assert back.params["image"] == "https://x/a.png" and back.missing == ()


def test_random_seeds_fit_the_smallest_maximum_of_the_compared_models() -> None:
    capped = [
        (m, int(s.maximum))
        for m in load_bundled()
        if (s := m.param("seed")) is not None and s.maximum is not None
        and s.maximum < MAX_SEED and m.required_names == ("prompt",)
    ]  # fmt: skip
    assert capped
    low, top = capped[0]
    plan = plan_compare(load_bundled(), "a fox", {}, [FLUX, low.model_id], 6,
                        rng=random.Random(3))  # fmt: skip
    assert plan.ok, plan.errors
    assert all(0 <= seed <= top for seed in plan.seeds)
