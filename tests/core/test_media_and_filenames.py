"""The one media table and the one file-name cleaner."""

from __future__ import annotations

from pathlib import Path

import pytest

from get3w_desktop.core.filenames import MAX_NAME_BYTES, clean_text, is_reserved, safe_name
from get3w_desktop.core.media import (
    MEDIA_SUFFIXES,
    UPLOAD_LIMITS,
    media_kind_of,
    media_type,
    upload_limit,
)


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.PNG", "image"), ("b.tiff", "image"), ("c.mov", "video"), ("d.Opus", "audio"),
     ("e.glb", None), ("noext", None)],
)  # fmt: skip
def test_a_file_kind_comes_from_its_suffix(name: str, kind: str | None) -> None:
    assert media_kind_of(Path("/x") / name) == kind


def test_every_suffix_belongs_to_one_kind_and_uploads_have_limits() -> None:
    seen = [s for suffixes in MEDIA_SUFFIXES.values() for s in suffixes]
    assert len(seen) == len(set(seen)) and all(s == s.lower() and s[0] == "." for s in seen)
    assert set(UPLOAD_LIMITS) == set(MEDIA_SUFFIXES)
    assert upload_limit("clip.mp4") == 100 * 1024**2 and upload_limit("notes.txt") is None
    assert media_type("x.webp") == "image/webp" and media_type("x.zzz").endswith("octet-stream")


def test_names_lose_what_file_systems_refuse() -> None:
    assert clean_text('a/b:c*?"<>|  d\x00e', 80) == "a_b_c_ d_e"
    assert safe_name("  ..  ") == "task" and safe_name("x/y", fallback="f") == "x y"
    assert safe_name("CON.txt") == "_CON.txt" and is_reserved("lpt3.png")
    assert not is_reserved("console.png")
    long = safe_name("界" * 500, limit=400)
    assert len(long.encode("utf-8")) <= MAX_NAME_BYTES and long
