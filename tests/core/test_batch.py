"""Batch parsing and planning: prompt lists, CSV typed by the schema, limits, seeds, cost."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from get3w_desktop.core.batch import (
    MAX_LISTED_PROBLEMS,
    MAX_TASKS,
    BatchCounts,
    SourceFormat,
    build_plan,
    convert_cell,
    decode_bytes,
    format_for_name,
    listed,
    parse_csv,
    parse_lines,
    plan_from_text,
    variations,
)
from get3w_desktop.core.catalogue import ModelInfo, load_bundled, validate_params
from get3w_desktop.core.job import JobState

NANO = "google/nano-banana-pro/text-to-image"  # prompt + enums, $0.14
FLUX = "wavespeed-ai/flux-dev"  # ints, floats, bool, seed, $0.012
VEO = "google/veo3.1-fast/text-to-video"  # an integer enum (duration 4/6/8)
SPEECH = "minimax/speech-02-hd"  # the prompt is called "text"


def model(model_id: str) -> ModelInfo:
    found = load_bundled().get(model_id)
    assert found is not None
    return found


def errors(plan_errors: Any) -> list[str]:
    return [str(problem) for problem in plan_errors]


# -- prompt lists ------------------------------------------------------------------------


def test_lines_skip_blanks_and_comments_trim_and_accept_crlf() -> None:
    text = "  a red fox  \r\n\r\n# a comment\r\n\t\r\nA lighthouse\r\n   # indented comment\n"
    source = parse_lines(text, model(NANO))
    assert [dict(item.values) for item in source.items] == [
        {"prompt": "a red fox"},
        {"prompt": "A lighthouse"},
    ]
    assert [item.row for item in source.items] == [1, 5]  # line numbers as in the editor
    assert source.errors == ()


def test_a_speech_model_fills_its_text_parameter() -> None:
    source = parse_lines("Hello there\nGood night\n", model(SPEECH))
    assert [item.values for item in source.items] == [{"text": "Hello there"},
                                                      {"text": "Good night"}]  # fmt: skip


def test_too_many_prompts_are_refused_with_the_count_and_the_limit() -> None:
    text = "\n".join(f"p{i}" for i in range(MAX_TASKS + 5))
    source = parse_lines(text, model(NANO))
    assert len(source.items) == MAX_TASKS and source.total_rows == MAX_TASKS + 5
    assert errors(source.errors) == [
        "The list has 1,005 prompts; a batch takes at most 1,000. Split it into smaller batches."
    ]
    plan = build_plan(model(NANO), {}, source, 1)
    assert not plan.ok


def test_rows_times_variations_over_the_limit_are_refused() -> None:
    plan = plan_from_text(model(NANO), {}, "\n".join(["x"] * 501), SourceFormat.LINES, 2)
    assert plan.count == 1002 and not plan.ok
    assert any("1,002 tasks" in text for text in errors(plan.errors))
    assert plan_from_text(model(NANO), {}, "\n".join(["x"] * 500), SourceFormat.LINES, 2).ok


# -- CSV ---------------------------------------------------------------------------------


def test_csv_cells_are_typed_from_the_schema() -> None:
    text = (
        "Prompt,Seed,num_inference_steps,guidance_scale,enable_safety_checker,output_format\n"
        '"a fox, in snow",42,20,3.5,yes,PNG\n'
        "an owl,random,8,4,0,jpeg\n"
    )
    source = parse_csv(text, model(FLUX))
    assert source.errors == ()
    assert [dict(item.values) for item in source.items] == [
        {"prompt": "a fox, in snow", "seed": 42, "num_inference_steps": 20,
         "guidance_scale": 3.5, "enable_safety_checker": True, "output_format": "png"},
        {"prompt": "an owl", "seed": -1, "num_inference_steps": 8, "guidance_scale": 4,
         "enable_safety_checker": False, "output_format": "jpeg"},
    ]  # fmt: skip
    assert [item.row for item in source.items] == [2, 3]  # spreadsheet rows (header is 1)


def test_an_integer_choice_is_picked_from_its_text() -> None:
    source = parse_csv("prompt,duration\nwaves,8\nrain,8.0\n", model(VEO))
    assert [item.values["duration"] for item in source.items] == [8, 8]
    assert source.errors == ()


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        ("seed", "abc", "Row 3, column seed: “abc” is not a whole number"),
        ("seed", "1.5", "Row 3, column seed: “1.5” is not a whole number"),
        ("num_inference_steps", "80",
         "Row 3, column num_inference_steps: must be at most 50 (got 80)"),
        ("guidance_scale", "lots", "Row 3, column guidance_scale: “lots” is not a number"),
        ("guidance_scale", "nan", "Row 3, column guidance_scale: “nan” is not a number"),
        ("enable_safety_checker", "maybe",
         "Row 3, column enable_safety_checker: “maybe” is not yes or no"),
        ("output_format", "gif",
         "Row 3, column output_format: “gif” is not one of the choices (jpeg, png)"),
        ("size", "big", "Row 3, column size: must look like 1024*1024 (got 'big')"),
    ],
)  # fmt: skip
def test_invalid_cells_are_reported_with_row_and_column(
    column: str, cell: str, message: str
) -> None:
    text = f"prompt,{column}\nfine,\nbroken,{cell}\n"
    plan = plan_from_text(model(FLUX), {}, text, SourceFormat.CSV, 1)
    assert errors(plan.errors) == [message]
    assert not plan.ok
    assert [(p.row, p.column) for p in plan.errors] == [(3, column)]


def test_unknown_and_repeated_columns_are_reported_with_a_suggestion() -> None:
    source = parse_csv("prompt,sed,notes,seed,Seed\na,1,x,2,3\n", model(FLUX))
    texts = errors(source.errors)
    assert (
        texts[0]
        == "Row 1, column sed: “sed” is not a parameter of FLUX.1 [dev]. Did you mean seed?"
    )
    assert texts[1].startswith("Row 1, column notes: “notes” is not a parameter of FLUX.1 [dev].")
    assert "It takes: prompt, image" in texts[1]
    assert texts[2] == "Row 1, column seed: seed is named twice (columns 4 and 5)"
    assert source.columns == ("prompt", "seed")


def test_a_headerless_list_loaded_as_csv_says_what_the_first_row_must_be() -> None:
    source = parse_csv("A sunset over the sea\nA fox\n", model(NANO))
    assert "The first row must name the columns" in errors(source.errors)[0]
    assert "One prompt per line" in errors(source.errors)[0]


def test_empty_cells_keep_the_form_value_and_empty_rows_are_skipped() -> None:
    text = "prompt;aspect_ratio\r\n\r\nfox;\r\n;;\r\nowl;16:9\r\n# note;1:1\r\n"
    plan = plan_from_text(model(NANO), {"aspect_ratio": "3:2", "resolution": "2k"}, text,
                          SourceFormat.CSV, 1)  # fmt: skip
    assert plan.ok
    assert [(p["prompt"], p["aspect_ratio"], p["resolution"]) for p in plan.params] == [
        ("fox", "3:2", "2k"), ("owl", "16:9", "2k"),
    ]  # fmt: skip


def test_a_quoted_cell_keeps_its_line_breaks_and_rows_count_records() -> None:
    source = parse_csv('prompt,seed\r\n"two\r\nlines",1\r\nnext,x\r\n', model(FLUX))
    assert source.items[0].values["prompt"] == "two\r\nlines"
    assert errors(source.errors) == ["Row 3, column seed: “x” is not a whole number"]


def test_tab_separated_and_extra_values_in_a_row() -> None:
    source = parse_csv("prompt\tseed\nfox\t1\towl\n", model(FLUX))
    assert errors(source.errors) == [
        "Row 2: it has 3 values but the first row names 2 columns "
        "(is a comma inside a prompt missing its quotes?)"
    ]


def test_a_problem_every_row_shares_is_said_once() -> None:
    text = "seed\n1\n2\n3\n"  # no prompt column, and none in the form
    plan = plan_from_text(model(FLUX), {}, text, SourceFormat.CSV, 1)
    assert errors(plan.errors) == ["Every row: prompt is required (check the form)"]
    one = plan_from_text(model(FLUX), {}, "seed\n1\n", SourceFormat.CSV, 1)
    assert errors(one.errors) == ["Row 2: prompt is required"]


def test_long_problem_lists_are_capped() -> None:
    text = "prompt,seed\n" + "".join(f"p{i},x\n" for i in range(120))
    plan = plan_from_text(model(FLUX), {}, text, SourceFormat.CSV, 1)
    shown = listed(plan.errors)
    assert len(plan.errors) == 120 and len(shown) == MAX_LISTED_PROBLEMS
    assert shown[-1] == "… and 71 more problems"


def test_convert_cell_accepts_every_spelling_of_yes_and_no() -> None:
    spec = model(FLUX).param("enable_safety_checker")
    assert spec is not None
    for word in ("yes", "YES", "true", "1", "y", "on"):
        assert convert_cell(spec, word) == (True, None)
    for word in ("no", "False", "0", "n", "off"):
        assert convert_cell(spec, word) == (False, None)


# -- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text", "warned"),
    [
        ("café".encode(), "café", False),
        (b"\xef\xbb\xbf" + "café".encode(), "café", False),
        ("café".encode("utf-16"), "café", False),
        ("café – “quoted”".encode("cp1252"), "café – “quoted”", True),
        (b"caf\xe9 \x81", "café \x81", True),  # not cp1252 either: latin-1 never fails
    ],
)
def test_decoding_utf8_with_or_without_bom_then_fallbacks(
    data: bytes, text: str, warned: bool
) -> None:
    decoded, warnings = decode_bytes(data)
    assert decoded == text
    assert bool(warnings) is warned


def test_the_format_follows_the_file_name() -> None:
    assert format_for_name("List.CSV") is SourceFormat.CSV
    assert format_for_name("list.tsv") is SourceFormat.CSV
    assert format_for_name("prompts.txt") is SourceFormat.LINES


# -- planning ----------------------------------------------------------------------------


def test_a_plan_merges_the_form_with_each_row_times_variations() -> None:
    plan = plan_from_text(model(FLUX), {"prompt": "form", "seed": 10, "num_images": 1},
                          "prompt,seed\nfox,\nowl,500\n", SourceFormat.CSV, 3)  # fmt: skip
    assert plan.ok and plan.count == 6 == len(plan.params)
    assert [(p["prompt"], p["seed"]) for p in plan.params] == [
        ("fox", 10), ("fox", 11), ("fox", 12), ("owl", 500), ("owl", 501), ("owl", 502),
    ]  # fmt: skip
    assert all(validate_params(model(FLUX), p) == [] for p in plan.params)


def test_random_seeds_become_concrete_and_distinct() -> None:
    plan = plan_from_text(model(FLUX), {"seed": -1}, "a\nb\n", SourceFormat.LINES, 4,
                          rng=random.Random(1))  # fmt: skip
    seeds = [p["seed"] for p in plan.params]
    assert len(set(seeds)) == 8 and all(0 <= s < 2**31 for s in seeds)


def test_variations_follow_the_main_window_rule() -> None:
    assert variations({"seed": 5}, 3, True) == [{"seed": 5}, {"seed": 6}, {"seed": 7}]
    assert variations({"prompt": "x"}, 2, False) == [{"prompt": "x"}, {"prompt": "x"}]
    assert variations({"prompt": "x"}, 0, False) == [{"prompt": "x"}]
    drawn = variations({"seed": True}, 2, True, random.Random(3))  # a bool is no seed
    assert all(isinstance(p["seed"], int) and p["seed"] is not True for p in drawn)


def test_summary_and_cost() -> None:
    nano = plan_from_text(model(NANO), {}, "\n".join(["p"] * 24), SourceFormat.LINES, 2)
    assert nano.summary() == "24 prompts × 2 variations = 48 tasks · about $6.72"
    assert nano.cost == pytest.approx(0.14 * 48)
    one = plan_from_text(model(FLUX), {}, "prompt\nx\n", SourceFormat.CSV, 1)
    assert one.summary() == "1 row × 1 variation = 1 task · about $0.01"
    cheap = plan_from_text(model(FLUX), {}, "x", SourceFormat.LINES, 1)
    free = type(cheap)(**{**cheap.__dict__, "unit_price": 0.004})
    assert free.summary().endswith("about less than $0.01")
    unpriced = type(cheap)(**{**cheap.__dict__, "unit_price": None})
    assert unpriced.summary() == "1 prompt × 1 variation = 1 task" and unpriced.cost is None
    assert plan_from_text(model(NANO), {}, "", SourceFormat.LINES, 1).summary() == "No prompts yet"


def test_counts_and_their_text() -> None:
    states = [JobState.COMPLETED] * 31 + [JobState.FAILED] * 3 + [JobState.RUNNING] * 4
    states += [JobState.QUEUED] * 10
    counts = BatchCounts.of(states, waiting=1)  # one failed is only waiting to go again
    assert (counts.total, counts.done, counts.failed, counts.queued, counts.running) == (
        48, 31, 2, 11, 4,
    )  # fmt: skip
    assert counts.text() == "Batch: 31 of 48 done · 2 failed"
    assert counts.progress == pytest.approx(33 / 48) and not counts.finished
    done = BatchCounts.of([JobState.COMPLETED, JobState.UNCERTAIN, JobState.CANCELLED])
    assert done.finished and done.progress == 1.0
    assert done.text() == "Batch: 1 of 3 done · 1 uncertain · 1 stopped"
    assert BatchCounts().progress == 0.0 and not BatchCounts().finished


# -- never raises ------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(text=st.text(), fmt=st.sampled_from(SourceFormat), count=st.integers(-3, 20),
       model_id=st.sampled_from([NANO, FLUX, VEO, SPEECH]))  # fmt: skip
def test_arbitrary_text_never_raises(
    text: str, fmt: SourceFormat, count: int, model_id: str
) -> None:
    plan = plan_from_text(model(model_id), {"seed": 3}, text, fmt, count)
    assert plan.count == len(plan.items) * max(1, count)
    assert len(plan.params) == plan.count
    plan.summary()
    listed(plan.errors)
    if plan.ok:
        assert all(validate_params(model(model_id), p) == [] for p in plan.params)


ONE_LINE = st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"])  # no line breaks


@settings(max_examples=100, deadline=None)
@given(
    cells=st.lists(st.lists(st.text(alphabet=ONE_LINE, max_size=12), min_size=1, max_size=5),
                   max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
)  # fmt: skip
def test_arbitrary_csv_grids_never_raise(cells: list[list[str]], delimiter: str) -> None:
    header = delimiter.join(["prompt", "seed", "guidance_scale", "output_format", "x"])
    text = "\n".join([header, *(delimiter.join(row) for row in cells)])
    source = parse_csv(text, model(FLUX))
    assert len(source.items) <= len(cells)
    assert any("“x” is not a parameter" in str(p) for p in source.errors)


@settings(deadline=None)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_decode(data: bytes) -> None:
    text, warnings = decode_bytes(data)
    assert isinstance(text, str) and len(warnings) <= 1
