"""One input widget per parameter kind, each turning what a person did into a JSON value.

The kinds live in their own modules (text, choice, numbers, media, arrays); this package
re-exports them so callers import from one place.
"""

from get3w_desktop.ui.param_fields.arrays import ItemRow, LineField, ObjectListField
from get3w_desktop.ui.param_fields.choice import ChoiceField, Segmented, channel_spec
from get3w_desktop.ui.param_fields.common import (
    CHANNEL_HELP,
    CHANNEL_NAMES,
    INT_LIMIT,
    SEED_MAX,
    Combo,
    DoubleSpinBox,
    Field,
    Slider,
    SpinBox,
    channel_help,
    error_color,
    field_title,
    is_dark,
    muted,
    option_label,
    ratio_icon,
    ratio_of,
)
from get3w_desktop.ui.param_fields.factory import make_field
from get3w_desktop.ui.param_fields.lora import LoraListField
from get3w_desktop.ui.param_fields.media import MediaField, MediaListField
from get3w_desktop.ui.param_fields.media_chips import (
    MEDIA_SUFFIXES,
    UPLOAD_LIMIT_MB,
    DropBox,
    MediaChip,
    file_url,
    kind_words,
    load_thumbnail,
    local_path_of,
    media_kind_of,
    media_problem,
    name_filter,
    thumbnail_pixmap,
)
from get3w_desktop.ui.param_fields.numbers import BoolField, NumberField, SeedField, SizeField
from get3w_desktop.ui.param_fields.text import ObjectField, StringListField, TextBox, TextField

__all__ = [
    "CHANNEL_HELP",
    "CHANNEL_NAMES",
    "INT_LIMIT",
    "MEDIA_SUFFIXES",
    "SEED_MAX",
    "UPLOAD_LIMIT_MB",
    "BoolField",
    "ChoiceField",
    "Combo",
    "DoubleSpinBox",
    "DropBox",
    "Field",
    "ItemRow",
    "LineField",
    "LoraListField",
    "MediaChip",
    "MediaField",
    "MediaListField",
    "NumberField",
    "ObjectField",
    "ObjectListField",
    "SeedField",
    "Segmented",
    "SizeField",
    "Slider",
    "SpinBox",
    "StringListField",
    "TextBox",
    "TextField",
    "channel_help",
    "channel_spec",
    "error_color",
    "field_title",
    "file_url",
    "is_dark",
    "kind_words",
    "load_thumbnail",
    "local_path_of",
    "make_field",
    "media_kind_of",
    "media_problem",
    "muted",
    "name_filter",
    "option_label",
    "ratio_icon",
    "ratio_of",
    "thumbnail_pixmap",
]  # fmt: skip
