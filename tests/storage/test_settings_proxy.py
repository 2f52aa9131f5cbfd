"""Each profile's proxy: default, round trip, the v3 -> v4 migration, bad values, privacy."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from get3w_desktop.core.proxy import NO_PROXY, SYSTEM_PROXY, ProxyConfig
from get3w_desktop.core.redact import REDACTED, REDACTOR
from get3w_desktop.storage.settings import (
    SANDBOX,
    SCHEMA_VERSION,
    Profile,
    Settings,
    load_settings,
    migrate,
    save_settings,
    settings_path,
    to_json,
    validate,
)


def write(doc: object) -> Path:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def base(tmp_path: Path, *profiles: Profile) -> Settings:
    return Settings(profiles=(SANDBOX, *profiles), download_folder=str(tmp_path / "d"))


def test_profiles_follow_the_system_proxy_by_default() -> None:
    assert SCHEMA_VERSION >= 4
    assert all(p.proxy == SYSTEM_PROXY for p in Settings().profiles)
    doc = to_json(Settings())
    assert doc["profiles"][0]["proxy"] == {"mode": "system", "url": ""}


def test_each_profile_keeps_its_own_proxy_through_a_save(tmp_path: Path) -> None:
    original = base(
        tmp_path,
        Profile("default", "https://api.get3w.com", NO_PROXY),
        Profile("work", "https://api.get3w.com", ProxyConfig("custom", "http://corp.example:3128")),
        Profile("home", "https://api.get3w.com"),
    )
    assert validate(original) == ()
    save_settings(original)
    loaded = load_settings()
    assert loaded.warnings == () and loaded.settings == original
    assert [p.proxy.mode for p in loaded.settings.profiles[1:]] == ["none", "custom", "system"]


def test_a_v3_file_migrates_to_system_proxies_without_warnings() -> None:
    v3 = {"schema_version": 3, "active_profile": "team",
          "profiles": [{"name": "default", "base_url": "https://api.get3w.com"},
                       {"name": "team", "base_url": "https://team.example"}]}  # fmt: skip
    doc, start = migrate(v3)
    assert start == 3 and doc["schema_version"] == SCHEMA_VERSION
    write(v3)
    loaded = load_settings()
    assert loaded.found_version == 3 and loaded.warnings == ()
    assert [p.proxy for p in loaded.settings.profiles] == [SYSTEM_PROXY] * 3
    assert loaded.settings.active_profile == "team"


@pytest.mark.parametrize(
    ("proxy", "words"),
    [
        ({"mode": "sometimes", "url": ""}, "proxy setting was not valid"),
        ("http://corp.example", "proxy setting was not valid"),
        ({"mode": "custom", "url": "ftp://corp.example"}, "is not supported"),
        ({"mode": "custom", "url": ""}, "Enter the proxy address"),
    ],
)
def test_a_bad_proxy_falls_back_to_the_system_settings_with_a_warning(
    proxy: object, words: str
) -> None:
    profile = {"name": "work", "base_url": "https://api.get3w.com", "proxy": proxy}
    write({"schema_version": 4, "profiles": [profile]})
    loaded = load_settings()
    work = loaded.settings.profile("work")
    assert work is not None and work.proxy.mode == "system"  # the profile itself is kept
    assert len(loaded.warnings) == 1 and words in loaded.warnings[0]
    assert "work" in loaded.warnings[0]


def test_validation_names_the_profile_and_field(tmp_path: Path) -> None:
    settings = base(tmp_path, Profile("work", "https://x.example", ProxyConfig("custom", "nope")))
    issues = validate(settings)
    assert [i.field for i in issues] == ["profiles.1.proxy"]
    assert issues[0].message.startswith("work: Start the proxy address with its kind")


def test_a_proxy_password_is_private_to_its_owner_and_redacted_once_loaded(
    tmp_path: Path,
) -> None:
    url = "http://dana:Pr0xy-Secret-77@corp.example:3128"
    save_settings(base(tmp_path, Profile("work", "https://x.example", ProxyConfig("custom", url))))
    path = settings_path()
    if os.name == "posix":  # the justification for keeping it in this file
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_settings()
    work = loaded.settings.profile("work")
    assert work is not None and work.proxy.url == url
    assert "Pr0xy-Secret-77" not in repr(work)
    assert (
        REDACTOR.redact(f"dialling {url}") == f"dialling http://dana:{REDACTED}@corp.example:3128"
    )
