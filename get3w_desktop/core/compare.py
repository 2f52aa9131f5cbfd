"""A compare grid: one prompt across several models (rows) and seeds (columns).

The form's values belong to one model; another model may not have the same parameters, or
may not offer the same options. Each cell therefore gets only what its model accepts: the
prompt goes to the model's own prompt field ("prompt" or "text"), every other value is kept
where the model has that parameter and accepts that value, and the rest is left out with a
note saying so. The form's input picture (or video, or sound) goes to the model's own
input of that kind, "image" or "images" alike. A model that needs something the form does
not give (the images of an edit model) is an error, said once per model; `offer` says so
before it can be picked, so the window lists only what can run. Every column shares one
seed, so a row of models is compared on equal terms; a model without a seed varies each run
by itself.

Pure Python: the window and the tests share it.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

from get3w_desktop.core.catalogue import Catalogue, ModelInfo, ParamKind, validate_params
from get3w_desktop.core.money import CURRENCY, Quote, format_money, money_round, unit_price
from get3w_desktop.core.validation import validate

#: The most models and seeds one grid compares (36 tasks at most).
MAX_MODELS = 6
MAX_SEEDS = 6
#: The largest seed any model in the catalogue takes (a signed 32-bit integer).
MAX_SEED = 2**31 - 1
_PROMPT_KEYS = ("prompt", "text")
#: The main input of each media kind, one or many: a form's "image" feeds a model's
#: "images" (as a list of one) and a form's "images" a model's "image" (the first).
_MAIN_INPUTS = (("image", "images"), ("video", "videos"), ("audio", "audios"))
_SEED_SEPARATORS = re.compile(r"[\s,;]+")


@dataclasses.dataclass(frozen=True)
class CompareCell:
    """One task of the grid: where it sits, what it sends, and what it should cost."""

    row: int  # the model's place in the plan
    column: int  # the seed's place in the plan
    model_id: str
    model_name: str
    output_kind: str  # "image", "video" or "audio"
    seed: int | None  # None: the model takes no seed
    params: Mapping[str, Any]
    price: float | None  # the catalogue's price for these params; None when it has none
    estimated_duration: float | None

    @property
    def quote(self) -> Quote | None:
        return None if self.price is None else Quote(self.price, CURRENCY, estimated=True)


@dataclasses.dataclass(frozen=True)
class ModelNote:
    """What one model leaves out, replaces or cannot do in a comparison (the window words
    it in the person's language; `text` is the English sentence)."""

    model_name: str
    left_out: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    no_seed: bool = False
    no_price: bool = False

    def text(self) -> str:
        parts: list[str] = []
        if self.left_out:
            parts.append(f"has no {_names(self.left_out)} (left out)")
        if self.replaced:
            parts.append(f"does not offer {_names(self.replaced)} (its default is used)")
        if self.no_seed:
            parts.append("takes no seed (each of its runs varies by itself)")
        if self.no_price:
            parts.append("has no price in the model list (the total leaves it out)")
        return f"{self.model_name} {'; '.join(parts)}." if parts else ""


@dataclasses.dataclass(frozen=True)
class ComparePlan:
    """What a compare run will send. Send it only when `ok`."""

    prompt: str
    model_ids: tuple[str, ...]
    seeds: tuple[int, ...]  # one per column, shared by every model that takes a seed
    cells: tuple[CompareCell, ...]
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    model_notes: tuple[ModelNote, ...] = ()  # the structured form of the models' notes

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.cells)

    @property
    def rows(self) -> int:
        return len(self.model_ids)

    @property
    def columns(self) -> int:
        return len(self.seeds)

    @property
    def count(self) -> int:
        return len(self.cells)

    @property
    def total_cost(self) -> float | None:
        """The estimated total of the priced cells; None when no cell has a price."""
        prices = [c.price for c in self.cells if c.price is not None]
        return money_round(sum(prices)) if prices else None

    @property
    def unpriced(self) -> int:
        """Cells whose model has no price in the catalogue (left out of `total_cost`)."""
        return sum(1 for c in self.cells if c.price is None)

    @property
    def takes_seeds(self) -> bool:
        """Whether any model in the grid takes a seed (else columns are plain repeats)."""
        return any(c.seed is not None for c in self.cells)

    def cell(self, row: int, column: int) -> CompareCell | None:
        return next((c for c in self.cells if (c.row, c.column) == (row, column)), None)

    def summary(self) -> str:
        """ "2 models × 3 seeds = 6 tasks · about $0.84" (English; the window says its own)."""
        if not self.cells:
            return "Nothing to compare yet"
        models = _plural(self.rows, "model")
        seeds = _plural(self.columns, "seed" if self.takes_seeds else "run")
        text = f"{models} × {seeds} = {_plural(self.count, 'task')}"
        total = self.total_cost
        if total is not None:
            text += f" · about {format_money(total)}"
            if self.unpriced:
                text += f" + {self.unpriced} unpriced"
        return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# -- seeds -----------------------------------------------------------------------------


def parse_seeds(text: str) -> tuple[list[int], list[str]]:
    """Seeds typed as "1, 2, 42" (commas, semicolons or spaces): the numbers and the problems."""
    seeds: list[int] = []
    problems: list[str] = []
    for word in _SEED_SEPARATORS.split(text.strip()):
        if not word:
            continue
        try:
            number = int(word)
        except ValueError:
            problems.append(f"“{word}” is not a whole number")
            continue
        if not 0 <= number <= MAX_SEED:
            problems.append(f"{number} is not a seed (seeds run from 0 to {MAX_SEED:,})")
            continue
        seeds.append(number)
    return seeds, problems


def column_seeds(
    base_params: Mapping[str, Any],
    seeds: int | Sequence[int],
    rng: random.Random | None = None,
    top: int = MAX_SEED,
) -> tuple[list[int], list[str], list[str]]:
    """The seed of each column, with errors and notes.

    A count follows the Generate rule (core.batch.variations): a fixed seed in the form
    gives seed, seed+1, …; a random one (-1 or absent) gives concrete random seeds, so every
    cell can be made again. An explicit list is used as given, duplicates once.
    """
    errors: list[str] = []
    notes: list[str] = []
    if isinstance(seeds, int):
        if seeds < 1:
            return [], ["Ask for at least one seed."], notes
        if seeds > MAX_SEEDS:
            errors.append(f"Compare at most {MAX_SEEDS} seeds at a time ({seeds} asked).")
            seeds = MAX_SEEDS
        base = base_params.get("seed", -1)
        if isinstance(base, int) and not isinstance(base, bool) and base >= 0:
            return [(base + i) % (MAX_SEED + 1) for i in range(seeds)], errors, notes
        pick = rng or random.Random()  # noqa: S311 - seeds, not secrets
        chosen: list[int] = []
        while len(chosen) < seeds:
            seed = pick.randint(0, max(top, seeds - 1))
            if seed not in chosen:
                chosen.append(seed)
        return chosen, errors, notes
    unique: list[int] = []
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
            errors.append(f"{seed!r} is not a seed (seeds run from 0 to {MAX_SEED:,}).")
        elif seed in unique:
            notes.append(f"Seed {seed} is listed twice; it runs once.")
        else:
            unique.append(seed)
    if not unique and not errors:
        errors.append("Give at least one seed.")
    if len(unique) > MAX_SEEDS:
        errors.append(f"Compare at most {MAX_SEEDS} seeds at a time ({len(unique)} given).")
    return unique, errors, notes


# -- parameters ------------------------------------------------------------------------


def prompt_name(model: ModelInfo) -> str | None:
    """The parameter that takes the prompt: "prompt", else "text", else the first PROMPT field."""
    for name in _PROMPT_KEYS:
        spec = model.param(name)
        if spec is not None and spec.kind is ParamKind.PROMPT:
            return name
    return next((p.name for p in model.params if p.kind is ParamKind.PROMPT), None)


@dataclasses.dataclass(frozen=True)
class MappedParams:
    """The form's values as one model takes them."""

    params: dict[str, Any]
    left_out: tuple[str, ...]  # names the model does not have
    replaced: tuple[str, ...]  # "aspect_ratio 21:9" values it does not offer (default used)
    missing: tuple[str, ...]  # required names nothing gives
    problems: tuple[str, ...]  # values it has but refuses (the prompt too long, …)


def map_params(model: ModelInfo, prompt: str, base_params: Mapping[str, Any]) -> MappedParams:
    """Keep what `model` accepts of `base_params`, put `prompt` in its prompt field.

    The seed is not carried: the grid gives each column its own.
    """
    target_prompt = prompt_name(model)
    params: dict[str, Any] = {}
    left_out: list[str] = []
    replaced: list[str] = []
    for name, value in base_params.items():
        if name in _PROMPT_KEYS or name == "seed" or value is None:
            continue
        spec = model.param(name)
        if spec is None and (twin := _main_input_twin(model, name, value)) is not None:
            name, value = twin
            spec = model.param(name)
        if spec is None:
            left_out.append(name)
        elif spec.check(value) is None:
            params[name] = value
        else:
            replaced.append(f"{name} {_short(value)}")
    if target_prompt is not None:
        params[target_prompt] = prompt.strip()
    # A carried value can pass its own field's check and still be refused by the model's
    # whole schema (a size whose sides must be 1440 or more): such values fall back to the
    # model's default too, as the form would show it.
    refused = {e.field for e in validate(model, {**model.defaults(), **params})}
    for name in [n for n in params if n in refused and n != target_prompt]:
        replaced.append(f"{name} {_short(params.pop(name))}")
    given = {**model.defaults(), **params}  # what the form would show, made explicit
    params = {p.name: given[p.name] for p in model.params if p.name in given}  # schema order
    missing = tuple(p.name for p in model.params if p.required and p.name not in params)
    problems = tuple(
        problem
        for problem in validate_params(model, params)
        if not (prompt.strip() == "" and problem.startswith(f"{target_prompt} "))
        and not any(problem == f"{name} is required" for name in missing)
    )
    return MappedParams(params, tuple(left_out), tuple(replaced), missing, problems)


def _main_input_twin(model: ModelInfo, name: str, value: Any) -> tuple[str, Any] | None:
    """A form's "image" as the model's "images" (or the other way round), when the form's
    name is one the model lacks and the model has the other, unless the form gives both."""
    for single, many in _MAIN_INPUTS:
        if name == single and model.param(many) is not None and value != "":
            return many, [value]
        if name == many and model.param(single) is not None and isinstance(value, list) and value:
            return single, value[0]
    return None


def _given_inputs(base_params: Mapping[str, Any]) -> list[str]:
    """The form's main inputs that hold something ("image", "images", "video", …)."""
    names = [name for pair in _MAIN_INPUTS for name in pair]
    return [n for n in names if base_params.get(n) not in (None, "", [])]


# -- what can be compared from a form --------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Offer:
    """Whether a model can be compared from a form, and if not, why (the window words it).

    `missing`: required inputs the form does not give (an edit model's images);
    `drops`: the form's own inputs this model would leave out (its picture, to a
    text-to-image model), so it would not do the same task; `no_prompt`: the form has a
    prompt the model cannot take; `refused`: the form's values it refuses outright.
    """

    model_id: str
    mapped: MappedParams
    missing: tuple[str, ...] = ()
    drops: tuple[str, ...] = ()
    no_prompt: bool = False
    refused: tuple[str, ...] = ()

    @property
    def runnable(self) -> bool:
        return not (self.missing or self.drops or self.no_prompt or self.refused)

    def reason(self) -> str:
        """In English, for logs and tests ("" when runnable)."""
        if self.missing:
            return f"needs {_names(self.missing)}, which the form does not give"
        if self.drops:
            return f"takes no {_names(self.drops)} (the form's input)"
        if self.no_prompt:
            return "takes no prompt"
        return "; ".join(self.refused)


def offer(model: ModelInfo, base_params: Mapping[str, Any], *, has_prompt: bool) -> Offer:
    """Can `model` run from a form of `base_params` (whose model takes a prompt when
    `has_prompt`)? The prompt itself is not judged: it is typed in the comparison."""
    mapped = map_params(model, "", base_params)
    drops = tuple(n for n in _given_inputs(base_params) if n in mapped.left_out)
    return Offer(
        model.model_id,
        mapped,
        missing=mapped.missing,
        drops=drops,
        no_prompt=has_prompt and prompt_name(model) is None,
        refused=mapped.problems,
    )


def _short(value: Any, limit: int = 24) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _names(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# -- the plan --------------------------------------------------------------------------


def plan_compare(
    catalogue: Catalogue,
    prompt: str,
    base_params: Mapping[str, Any],
    model_ids: Sequence[str],
    seeds: int | Sequence[int],
    *,
    rng: random.Random | None = None,
) -> ComparePlan:
    """Cells for `model_ids` (rows) × `seeds` (a count, or the seeds themselves; columns).

    `base_params` are the form's values (any model's); each cell keeps what its model takes.
    Nothing here raises on bad input: problems come back as `errors`, each a sentence.
    """
    errors: list[str] = []
    notes: list[str] = []
    chosen = list(dict.fromkeys(model_ids))
    models: list[ModelInfo] = []
    for model_id in chosen:
        model = catalogue.get(model_id)
        if model is None:
            errors.append(f"{model_id} is not in the model list any more.")
        else:
            models.append(model)
    if not chosen:
        errors.append("Pick at least one model to compare.")
    elif len(chosen) > MAX_MODELS:
        errors.append(f"Compare at most {MAX_MODELS} models at a time ({len(chosen)} picked).")
    column_list, seed_errors, seed_notes = column_seeds(base_params, seeds, rng,
                                                        _seed_top(models))  # fmt: skip
    errors.extend(seed_errors)
    notes.extend(seed_notes)
    if not prompt.strip() and any(prompt_name(m) is not None for m in models):
        errors.append("Write a prompt to compare.")

    cells: list[CompareCell] = []
    model_notes: list[ModelNote] = []
    for row, model in enumerate(models[:MAX_MODELS]):
        mapped = map_params(model, prompt, base_params)
        errors.extend(_model_errors(model, mapped))
        if (note := _model_note(model, mapped, len(column_list))) is not None:
            model_notes.append(note)
            notes.append(note.text())
        seed_spec = model.param("seed")
        takes_seed = seed_spec is not None and seed_spec.kind is ParamKind.SEED
        for column, seed in enumerate(column_list[:MAX_SEEDS]):
            params = dict(mapped.params)
            if takes_seed:
                params["seed"] = seed
                if seed_spec is not None and (problem := seed_spec.check(seed)):
                    errors.append(f"{model.name}: {problem}.")
            cells.append(CompareCell(
                row=row, column=column, model_id=model.model_id, model_name=model.name,
                output_kind=model.output_kind, seed=seed if takes_seed else None,
                params=params, price=unit_price(model, params),
                estimated_duration=model.estimated_duration,
            ))  # fmt: skip
    return ComparePlan(
        prompt=prompt.strip(),
        model_ids=tuple(m.model_id for m in models[:MAX_MODELS]),
        seeds=tuple(column_list[:MAX_SEEDS]),
        cells=tuple(cells),
        errors=tuple(dict.fromkeys(errors)),
        notes=tuple(dict.fromkeys(notes)),
        model_notes=tuple(model_notes),
    )


def _seed_top(models: Sequence[ModelInfo]) -> int:
    """The largest random seed every model here takes (some stop at 1,000,000)."""
    tops = [MAX_SEED]
    for model in models:
        spec = model.param("seed")
        if spec is not None and spec.kind is ParamKind.SEED and spec.maximum is not None:
            tops.append(int(spec.maximum))
    return max(0, min(tops))


def _model_errors(model: ModelInfo, mapped: MappedParams) -> list[str]:
    errors = [f"{model.name}: {problem}." for problem in mapped.problems]
    if mapped.missing:
        errors.append(
            f"{model.name} needs {_names(mapped.missing)}, which the form does not give: "
            "leave it out of the comparison, or compare from its own form."
        )
    return errors


def _model_note(model: ModelInfo, mapped: MappedParams, columns: int) -> ModelNote | None:
    """At most one sentence per model: what it leaves out, replaces, or cannot do."""
    note = ModelNote(
        model.name,
        left_out=tuple(mapped.left_out),
        replaced=tuple(mapped.replaced),
        no_seed=columns > 1 and model.param("seed") is None,
        no_price=model.base_price is None,
    )
    return note if note.text() else None
