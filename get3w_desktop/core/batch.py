"""Batches: many tasks from a pasted prompt list or a .txt/.csv file, checked before sending.

A batch is rows × variations. Each row starts from the form's values (the base) and
overrides what it names: a prompt line overrides the prompt; a CSV row overrides one
parameter per column (the header row names them). Everything is checked against the
model's schema first, and each problem says where it is ("Row 7, column seed: …"), so
nothing is sent until the whole batch is right. Pure Python: the dialog and the tests
share it.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import difflib
import enum
import io
import math
import random
from collections.abc import Iterable, Mapping
from typing import Any

from get3w_desktop.core.catalogue import ModelInfo, ParamKind, ParamSpec, validate_params
from get3w_desktop.core.errors import InvalidParametersError
from get3w_desktop.core.job import JobState

#: The most tasks one batch sends (rows × variations), and the most rows it reads.
MAX_TASKS = 1000
#: Larger files are refused before decoding: a prompt list is text, not a data dump.
MAX_FILE_BYTES = 4 * 1024 * 1024
#: Problems listed one by one; the rest are counted.
MAX_LISTED_PROBLEMS = 50
_DELIMITERS = (",", ";", "\t")
_TRUE = {"yes", "true", "1", "y", "on"}
_FALSE = {"no", "false", "0", "n", "off"}


class SourceFormat(enum.Enum):
    LINES = "lines"  # one prompt per line
    CSV = "csv"  # a header row naming parameters, then one row per item


@dataclasses.dataclass(frozen=True)
class BatchProblem:
    """Something wrong with one row (or the whole source), in words for people."""

    message: str
    row: int | None = None  # as the person sees it: a line number, or a spreadsheet row
    column: str | None = None
    unit: str = "Row"  # "Row" for CSV, "Line" for prompt lists

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        where = f"{self.unit} {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclasses.dataclass(frozen=True)
class BatchItem:
    """One row: its number, the overrides it gives, and the cells as written."""

    row: int
    values: Mapping[str, Any]
    cells: Mapping[str, str]


@dataclasses.dataclass(frozen=True)
class ParsedSource:
    items: tuple[BatchItem, ...]
    columns: tuple[str, ...]  # parameter names, in the order shown
    warnings: tuple[str, ...] = ()
    errors: tuple[BatchProblem, ...] = ()
    format: SourceFormat = SourceFormat.LINES
    total_rows: int = 0  # rows found, also beyond MAX_TASKS


@dataclasses.dataclass(frozen=True)
class BatchPlan:
    """What a batch will send: one parameter dict per task, and whether it may be sent."""

    model_id: str
    params: tuple[dict[str, Any], ...]
    items: tuple[BatchItem, ...]
    columns: tuple[str, ...]
    variations: int
    warnings: tuple[str, ...] = ()
    errors: tuple[BatchProblem, ...] = ()
    unit_price: float | None = None
    format: SourceFormat = SourceFormat.LINES

    @property
    def count(self) -> int:
        return len(self.items) * self.variations

    @property
    def cost(self) -> float | None:
        """An estimate: the model's base price per task (options can change the real one)."""
        return None if self.unit_price is None else self.unit_price * self.count

    @property
    def ok(self) -> bool:
        return not self.errors and self.count > 0

    def summary(self) -> str:
        """ "24 prompts × 2 variations = 48 tasks · about $0.58"."""
        noun = "prompt" if self.format is SourceFormat.LINES else "row"
        if not self.items:
            return f"No {noun}s yet"
        text = (
            f"{_plural(len(self.items), noun)} × {_plural(self.variations, 'variation')}"
            f" = {_plural(self.count, 'task')}"
        )
        cost = self.cost
        if cost is not None:
            text += f" · about {format_money(cost)}"
        return text


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def format_money(amount: float) -> str:
    if 0 < amount < 0.01:
        return "less than $0.01"
    return f"${amount:,.2f}"


# -- reading ---------------------------------------------------------------------------


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Text from a file's bytes: UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252/latin-1.

    The fallbacks never fail, so this never raises; a warning says when one was used.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text, name = data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        text, name = data.decode("latin-1"), "Latin-1"
    return text, [
        f"The file is not UTF-8, so it was read as {name}. If some letters look wrong, "
        "save it as UTF-8 and load it again."
    ]


def format_for_name(name: str) -> SourceFormat:
    return SourceFormat.CSV if name.lower().endswith((".csv", ".tsv")) else SourceFormat.LINES


def prompt_param(model: ModelInfo) -> ParamSpec | None:
    """The parameter a line of a prompt list fills (`prompt`, or `text` for speech)."""
    return next((p for p in model.params if p.kind is ParamKind.PROMPT), None)


def parse_lines(text: str, model: ModelInfo) -> ParsedSource:
    """One prompt per line; blank lines and lines starting with # are skipped."""
    spec = prompt_param(model)
    if spec is None:
        problem = BatchProblem(
            f"{model.name} takes no prompt, so a list of prompts cannot drive it. "
            "Load a CSV file that names its parameters instead."
        )
        return ParsedSource((), (), errors=(problem,))
    items: list[BatchItem] = []
    total = 0
    for number, line in enumerate(text.splitlines(), start=1):
        prompt = line.strip()
        if not prompt or prompt.startswith("#"):
            continue
        total += 1
        if total <= MAX_TASKS:
            items.append(BatchItem(number, {spec.name: prompt}, {spec.name: prompt}))
    errors = [] if total <= MAX_TASKS else [_too_many(total, "prompts")]
    return ParsedSource(tuple(items), (spec.name,), errors=tuple(errors), total_rows=total)


def _too_many(total: int, noun: str) -> BatchProblem:
    return BatchProblem(f"The list has {total:,} {noun}; a batch takes at most {MAX_TASKS:,}. "
                        "Split it into smaller batches.")  # fmt: skip


def parse_csv(text: str, model: ModelInfo) -> ParsedSource:
    """A header row naming parameters, then one item per row; cells typed by the schema."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(_DELIMITERS, key=first.count) if first else ","
    try:  # quoted cells may hold line breaks: let csv see the text whole
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records = list(enumerate(reader, start=1))
    except csv.Error as exc:
        return ParsedSource((), (), errors=(BatchProblem(f"The CSV could not be read: {exc}."),),
                            format=SourceFormat.CSV)  # fmt: skip
    records = [(n, row) for n, row in records if any(cell.strip() for cell in row)]
    if not records:
        return ParsedSource((), (), format=SourceFormat.CSV)
    header_row, header = records[0]
    columns, warnings, errors = _read_header(header, header_row, model)
    items: list[BatchItem] = []
    total = 0
    for number, row in records[1:]:
        if row and row[0].lstrip().startswith("#"):
            continue  # a comment row
        total += 1
        if total > MAX_TASKS:
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            errors.append(BatchProblem(
                f"it has {len(row)} values but the first row names {len(header)} columns "
                "(is a comma inside a prompt missing its quotes?)", number,
            ))  # fmt: skip
        values: dict[str, Any] = {}
        cells: dict[str, str] = {}
        for position, spec in columns:
            cell = row[position].strip() if position < len(row) else ""
            cells[spec.name] = cell
            if not cell:
                continue  # the form's value stays
            value, problem = convert_cell(spec, cell)
            if problem is not None:
                errors.append(BatchProblem(problem, number, spec.name))
            else:
                values[spec.name] = value
        items.append(BatchItem(number, values, cells))
    if total > MAX_TASKS:
        errors.append(_too_many(total, "rows"))
    return ParsedSource(tuple(items), tuple(spec.name for _, spec in columns), tuple(warnings),
                        tuple(errors), SourceFormat.CSV, total)  # fmt: skip


def _read_header(
    header: list[str], row: int, model: ModelInfo
) -> tuple[list[tuple[int, ParamSpec]], list[str], list[BatchProblem]]:
    """(position, parameter) per usable column, warnings, and problems with the names."""
    columns: list[tuple[int, ParamSpec]] = []
    warnings: list[str] = []
    errors: list[BatchProblem] = []
    seen: dict[str, int] = {}
    names = [p.name for p in model.params if not p.hidden]
    prompt = prompt_param(model)
    for position, raw in enumerate(header):
        written = raw.strip()
        if not written:
            warnings.append(f"Column {position + 1} has no name in the first row; it is ignored.")
            continue
        key = written.lower().replace(" ", "_").replace("-", "_")
        spec = model.param(key)
        if spec is None and prompt is not None and key in ("prompt", "prompts", "text"):
            spec = prompt
        if spec is None:
            near = difflib.get_close_matches(key, names, n=1)
            hint = f" Did you mean {near[0]}?" if near else f" It takes: {', '.join(names)}."
            if len(header) == 1:
                hint += (" The first row must name the columns (for example prompt,seed); "
                         "for a plain list of prompts choose “One prompt per line”.")  # fmt: skip
            errors.append(BatchProblem(f"“{written}” is not a parameter of {model.name}.{hint}",
                                       row, written))  # fmt: skip
            continue
        if spec.name in seen:
            errors.append(BatchProblem(f"{spec.name} is named twice (columns {seen[spec.name]} "
                                       f"and {position + 1})", row, spec.name))  # fmt: skip
            continue
        seen[spec.name] = position + 1
        columns.append((position, spec))
    return columns, warnings, errors


def convert_cell(spec: ParamSpec, cell: str) -> tuple[Any, str | None]:
    """(value, None), or (None, why it is not acceptable) in plain words."""
    if spec.enum:
        value = spec.coerce(cell)  # "8" picks 8, "TRUE" picks True, "1K" picks "1k"
        if value not in spec.enum:
            options = ", ".join(str(option) for option in spec.enum)
            return None, f"“{cell}” is not one of the choices ({options})"
    elif spec.kind is ParamKind.SEED and cell.lower() in ("random", "rand", "-1"):
        value = -1
    elif spec.json_type == "boolean":
        if cell.lower() not in _TRUE | _FALSE:
            return None, f"“{cell}” is not yes or no"
        value = cell.lower() in _TRUE
    elif spec.json_type == "integer":
        number = _number(cell)
        if number is None or not number.is_integer():
            return None, f"“{cell}” is not a whole number"
        value = int(number)
    elif spec.json_type == "number":
        number = _number(cell)
        if number is None:
            return None, f"“{cell}” is not a number"
        value = int(number) if number.is_integer() and "." not in cell else number
    elif spec.json_type in ("array", "object"):
        try:
            value = spec.coerce(cell)
        except InvalidParametersError:
            shape = "a JSON object" if spec.json_type == "object" else "a list"
            return None, f"“{_short(cell)}” is not {shape}"
    else:
        value = cell
    problem = spec.check(value)
    if problem is not None:
        return None, problem.removeprefix(f"{spec.name} ").removeprefix(f"{spec.name}: ")
    return value, None


def _number(cell: str) -> float | None:
    try:
        number = float(cell.replace("_", "x"))  # "1_000" is Python, not a person's number
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_source(text: str, fmt: SourceFormat, model: ModelInfo) -> ParsedSource:
    return parse_csv(text, model) if fmt is SourceFormat.CSV else parse_lines(text, model)


# -- planning --------------------------------------------------------------------------


def variations(
    params: Mapping[str, Any], count: int, has_seed: bool, rng: random.Random | None = None
) -> list[dict[str, Any]]:
    """`count` copies of `params`, each with its own seed when the model takes one.

    The rule of the main window's Generate: a fixed seed gives seed, seed+1, …; a random
    seed (-1 or absent) becomes a concrete random seed so every result can be reproduced.
    Without a seed parameter the server varies each run by itself.
    """
    count = max(1, count)
    if not has_seed:
        return [dict(params) for _ in range(count)]
    pick = rng or random.Random()  # noqa: S311 - seeds, not secrets
    seed = params.get("seed", -1)
    out = []
    for i in range(count):
        copy = dict(params)
        fixed = isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0
        copy["seed"] = seed + i if fixed else pick.randint(0, 2**31 - 1)
        out.append(copy)
    return out


def build_plan(
    model: ModelInfo,
    base: Mapping[str, Any],
    source: ParsedSource,
    count: int,
    *,
    rng: random.Random | None = None,
) -> BatchPlan:
    """Base values ⊕ each row's overrides, × `count` variations, every task checked."""
    count = max(1, count)
    errors = list(source.errors)
    unit = "Row" if source.format is SourceFormat.CSV else "Line"
    cell_errors = {(p.row, p.column) for p in source.errors if p.column}
    row_problems: list[tuple[int, str]] = []
    params: list[dict[str, Any]] = []
    has_seed = model.param("seed") is not None
    for item in source.items:
        merged = {k: v for k, v in {**base, **item.values}.items() if v is not None}
        for problem in validate_params(model, merged):
            name = problem.split(" ", 1)[0].rstrip(":")
            if (item.row, name) not in cell_errors:  # the cell's own message says it better
                row_problems.append((item.row, problem))
        params.extend(variations(merged, count, has_seed, rng))
    errors.extend(_grouped(row_problems, len(source.items), unit))
    if source.items and len(source.items) * count > MAX_TASKS and source.total_rows <= MAX_TASKS:
        errors.append(BatchProblem(
            f"That makes {len(source.items) * count:,} tasks; a batch sends at most "
            f"{MAX_TASKS:,}. Use fewer rows or variations."
        ))  # fmt: skip
    return BatchPlan(model.model_id, tuple(params), source.items, source.columns, count,
                     source.warnings, tuple(errors), model.base_price, source.format)  # fmt: skip


def _grouped(problems: list[tuple[int, str]], rows: int, unit: str) -> list[BatchProblem]:
    """Per-row problems; one that every row shares (a form value) is said once."""
    by_message: dict[str, list[int]] = {}
    for row, message in problems:
        by_message.setdefault(message, []).append(row)
    out: list[BatchProblem] = []
    for message, where in by_message.items():
        if rows > 1 and len(where) == rows:
            out.append(BatchProblem(f"Every {unit.lower()}: {message} (check the form)"))
        else:
            out.extend(BatchProblem(message, row, None, unit) for row in where)
    return out


def listed(problems: Iterable[BatchProblem]) -> list[str]:
    """Problems as sentences, capped so a broken 1,000-row file stays readable."""
    texts = [str(p) for p in problems]
    if len(texts) <= MAX_LISTED_PROBLEMS:
        return texts
    rest = len(texts) - MAX_LISTED_PROBLEMS + 1
    return [*texts[: MAX_LISTED_PROBLEMS - 1], f"… and {rest:,} more problems"]


def plan_from_text(
    model: ModelInfo,
    base: Mapping[str, Any],
    text: str,
    fmt: SourceFormat,
    count: int,
    *,
    rng: random.Random | None = None,
) -> BatchPlan:
    return build_plan(model, base, parse_source(text, fmt, model), count, rng=rng)


# -- following a running batch -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BatchCounts:
    """Where a batch's tasks are. `waiting` are queued here to be sent again (never created)."""

    total: int = 0
    queued: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0
    not_saved: int = 0
    stopped: int = 0
    uncertain: int = 0

    @classmethod
    def of(cls, states: Iterable[JobState], waiting: int = 0) -> BatchCounts:
        tally = dict.fromkeys(JobState, 0)
        for state in states:
            tally[state] += 1
        running = tally[JobState.SUBMITTING] + tally[JobState.RUNNING] + tally[JobState.DOWNLOADING]
        return cls(
            total=sum(tally.values()),
            queued=tally[JobState.QUEUED] + waiting,
            running=running,
            done=tally[JobState.COMPLETED],
            failed=tally[JobState.FAILED] - waiting,
            not_saved=tally[JobState.NOT_SAVED],
            stopped=tally[JobState.CANCELLED],
            uncertain=tally[JobState.UNCERTAIN],
        )

    @property
    def settled(self) -> int:
        return self.done + self.failed + self.not_saved + self.stopped + self.uncertain

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.settled == self.total

    @property
    def progress(self) -> float:
        return self.settled / self.total if self.total else 0.0

    def text(self) -> str:
        """ "Batch: 31 of 48 done · 2 failed"."""
        parts = [f"Batch: {self.done:,} of {self.total:,} done"]
        for count, word in ((self.failed, "failed"), (self.not_saved, "not saved"),
                            (self.uncertain, "uncertain"), (self.stopped, "stopped")):  # fmt: skip
            if count:
                parts.append(f"{count:,} {word}")
        return " · ".join(parts)
