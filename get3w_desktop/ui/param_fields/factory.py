"""Which widget edits which kind of parameter."""

from __future__ import annotations

from get3w_desktop.core.catalogue import ParamKind, ParamSpec
from get3w_desktop.ui.param_fields.arrays import ObjectListField
from get3w_desktop.ui.param_fields.choice import ChoiceField
from get3w_desktop.ui.param_fields.common import Field
from get3w_desktop.ui.param_fields.lora import LoraListField
from get3w_desktop.ui.param_fields.media import MediaField, MediaListField
from get3w_desktop.ui.param_fields.numbers import BoolField, NumberField, SeedField, SizeField
from get3w_desktop.ui.param_fields.text import ObjectField, StringListField, TextField

FIELDS: dict[ParamKind, type[Field]] = {
    ParamKind.PROMPT: TextField,
    ParamKind.TEXT: TextField,
    ParamKind.CHOICE: ChoiceField,
    ParamKind.INTEGER: NumberField,
    ParamKind.NUMBER: NumberField,
    ParamKind.BOOLEAN: BoolField,
    ParamKind.SEED: SeedField,
    ParamKind.SIZE: SizeField,
    ParamKind.MEDIA: MediaField,
    ParamKind.MEDIA_LIST: MediaListField,
    ParamKind.STRING_LIST: StringListField,
    ParamKind.OBJECT: ObjectField,
    ParamKind.OBJECT_LIST: ObjectListField,
    ParamKind.LORA_LIST: LoraListField,
}


def make_field(spec: ParamSpec) -> Field:
    """The input for `spec`; a kind without its own widget is edited as text."""
    return FIELDS.get(spec.kind, TextField)(spec)
