"""Settings: defaults, round trip, migration, corrupt files, validation, file-name patterns."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from get3w_desktop.storage.paths import app_paths
from get3w_desktop.storage.settings import (
    DEFAULT_CAP_PER_DAY,
    DEFAULT_PROFILE,
    SANDBOX,
    SANDBOX_PROFILE,
    SCHEMA_VERSION,
    Profile,
    Settings,
    SettingsError,
    SubmitModeSetting,
    Theme,
    load_settings,
    migrate,
    render_filename,
    save_settings,
    settings_path,
    validate,
    validate_pattern,
)

WHEN = dt.datetime(2026, 3, 28, 7, 51, 34)


def write(doc: object) -> Path:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def custom(tmp_path: Path) -> Settings:
    return Settings(
        profiles=(SANDBOX, Profile("default", "https://api.get3w.com"),
                  Profile("team", "https://gateway.example.com/")),
        active_profile="team",
        default_channel="economy",
        submit_mode=SubmitModeSetting.SYNC,
        concurrency=9,
        download_folder=str(tmp_path / "downloads"),
        autosave_folder=str(tmp_path / "auto"),
        filename_pattern="{model}-{index}",
        theme=Theme.DARK,
        notifications=False,
    )  # fmt: skip


def test_no_file_means_defaults_without_warnings() -> None:
    loaded = load_settings()
    assert loaded.settings == Settings() and loaded.warnings == () and loaded.found_version == 0
    assert [p.name for p in loaded.settings.profiles] == [SANDBOX_PROFILE, DEFAULT_PROFILE]
    assert loaded.settings.active.is_sandbox
    assert validate(loaded.settings) == ()


def test_round_trip_is_exact_and_the_file_is_plain_json(tmp_path: Path) -> None:
    original = custom(tmp_path)
    assert validate(original) == ()
    path = save_settings(original)
    loaded = load_settings()
    assert loaded.warnings == () and loaded.found_version == SCHEMA_VERSION
    # Base URLs are normalised on load (no trailing slash); everything else is as saved.
    assert loaded.settings == dataclasses.replace(
        original,
        profiles=(SANDBOX, Profile("default", "https://api.get3w.com"),
                  Profile("team", "https://gateway.example.com")),
    )  # fmt: skip
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == SCHEMA_VERSION
    assert [p["name"] for p in doc["profiles"]] == ["default", "team"]  # the sandbox is built in
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temp file left


def test_the_sandbox_profile_is_always_there_and_first() -> None:
    settings = Settings(profiles=(Profile("team", "https://a.example"),), active_profile="team")
    assert [p.name for p in settings.profiles] == ["sandbox", "team"]
    again = Settings(profiles=(Profile("team", "https://a.example"), Profile("sandbox", "x")))
    assert again.profiles == (SANDBOX, Profile("team", "https://a.example"))


def test_v1_file_is_migrated_to_profiles() -> None:
    write({
        "schema_version": 1, "base_url": "https://eu.get3w.example/", "use_sandbox": False,
        "channel": "official", "sync": True, "max_concurrent": 6, "output_dir": "/srv/out",
        "notify": False, "theme": "light",
    })  # fmt: skip
    loaded = load_settings()
    assert loaded.found_version == 1 and loaded.warnings == ()
    s = loaded.settings
    assert s.profiles == (SANDBOX, Profile("default", "https://eu.get3w.example"))
    assert s.active_profile == "default"
    assert s.default_channel == "official" and s.submit_mode is SubmitModeSetting.SYNC
    assert s.concurrency == 6 and s.download_folder == "/srv/out"
    assert s.notifications is False and s.theme is Theme.LIGHT
    assert s.extras == ()  # every v1 key has a v2 home


def test_a_file_without_a_version_is_v1_and_defaults_to_the_sandbox() -> None:
    doc, version = migrate({"theme": "dark"})
    assert version == 1 and doc["schema_version"] == SCHEMA_VERSION
    assert doc["active_profile"] == SANDBOX_PROFILE
    assert doc["profiles"] == [{"name": "default", "base_url": "https://api.get3w.com"}]


def test_saving_after_migration_writes_the_current_version(tmp_path: Path) -> None:
    write({"schema_version": 1, "max_concurrent": 3})
    save_settings(load_settings().settings)
    doc = json.loads(settings_path().read_text(encoding="utf-8"))
    assert doc["schema_version"] == SCHEMA_VERSION and doc["concurrency"] == 3
    assert "max_concurrent" not in doc


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[1, 2, 3]", b"\xff\xfe\x00garbage", b'{"schema_version": "two"}', b""],
)
def test_a_corrupt_file_is_set_aside_and_defaults_are_used(content: bytes) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    loaded = load_settings()
    assert loaded.settings == Settings()
    [warning] = loaded.warnings
    assert "could not be read" in warning and "defaults" in warning
    [backup] = [p for p in path.parent.iterdir() if p.name.startswith("settings.json.corrupt-")]
    assert backup.read_bytes() == content and backup.name in warning
    assert not path.exists()


def test_bad_values_fall_back_one_by_one_with_a_warning_each() -> None:
    write({
        "schema_version": 2, "concurrency": 99, "theme": "purple", "notifications": "yes",
        "filename_pattern": "{oops}", "download_folder": "relative/path",
        "active_profile": "gone", "default_channel": "stable",
        "profiles": [{"name": "team", "base_url": "http://remote.example.com"},
                     {"name": "ok", "base_url": "https://ok.example"}, "junk"],
    })  # fmt: skip
    loaded = load_settings()
    s, warnings = loaded.settings, " | ".join(loaded.warnings)
    defaults = Settings()
    assert s.concurrency == defaults.concurrency and "concurrency" in warnings
    assert s.theme is Theme.SYSTEM and "theme" in warnings
    assert s.notifications is True and "notifications" in warnings
    assert s.filename_pattern == defaults.filename_pattern and "{oops}" in warnings
    assert s.download_folder == defaults.download_folder and "download_folder" in warnings
    assert s.default_channel == "stable"  # a good value next to bad ones is kept
    assert s.profiles == (SANDBOX, Profile("ok", "https://ok.example"))
    assert "team" in warnings and "plain HTTP" in warnings
    assert s.active_profile == SANDBOX_PROFILE and "gone" in warnings
    assert len(loaded.warnings) == 8
    assert "one of system, light, dark" in warnings


def test_unknown_keys_are_kept_but_never_secrets(tmp_path: Path) -> None:
    write({
        "schema_version": 2, "future_feature": {"level": 3}, "api_key": "sk_live_abcdefgh1234",
        "note": "sk_live_abcdefgh5678", "token": "abc",
    })  # fmt: skip
    loaded = load_settings()
    assert dict(loaded.settings.extras) == {"future_feature": '{"level": 3}'}
    save_settings(loaded.settings)
    text = settings_path().read_text(encoding="utf-8")
    assert json.loads(text)["future_feature"] == {"level": 3}
    assert "sk_live" not in text and "token" not in text


def test_a_newer_file_is_read_and_kept_whole_before_it_is_replaced() -> None:
    original = {"schema_version": 7, "concurrency": 5, "hologram_mode": True}
    write(original)
    loaded = load_settings()
    assert loaded.found_version == 7 and loaded.settings.concurrency == 5
    assert "newer version" in loaded.warnings[0]
    save_settings(loaded.settings)
    copy = settings_path().with_name("settings.json.v7")
    assert json.loads(copy.read_text(encoding="utf-8")) == original
    assert json.loads(settings_path().read_text(encoding="utf-8"))["hologram_mode"] is True


def test_a_failed_save_says_why(tmp_path: Path) -> None:
    """A config path under a file cannot hold settings.json (works as root, unlike chmod)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    paths = dataclasses.replace(app_paths(), config=blocker / "config")
    with pytest.raises(SettingsError) as caught:
        save_settings(Settings(), paths)
    assert "could not be saved" in caught.value.message and str(blocker) in caught.value.message


def test_the_key_is_never_written(tmp_path: Path) -> None:
    canary = "sk_canary_settings_0042"
    s = dataclasses.replace(
        custom(tmp_path), extras=(("api_key", json.dumps(canary)),), default_channel="stable"
    )
    save_settings(s)
    assert canary not in settings_path().read_text(encoding="utf-8")


# -- validation -------------------------------------------------------------------------


def fields(settings: Settings) -> dict[str, str]:
    return {issue.field: issue.message for issue in validate(settings)}


def test_validation_names_each_bad_field_in_plain_words(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    bad = Settings(
        profiles=(Profile("team", "http://remote.example.com"), Profile("Team", "https://x.y"),
                  Profile("", "https://z.example"), Profile("Sandbox", "https://q.example")),
        active_profile="nobody",
        default_channel="Not A Channel",
        concurrency=0,
        download_folder=str(tmp_path / "a-file"),
        autosave_folder="relative",
        filename_pattern="{model:>10}",
    )  # fmt: skip
    found = fields(bad)
    assert "plain HTTP" in found["profiles.1.base_url"]
    assert "already a profile" in found["profiles.2.name"]
    assert "name" in found["profiles.3.name"]
    assert "built-in" in found["profiles.4.name"]
    assert "nobody" in found["active_profile"]
    assert "channel" in found["default_channel"]
    assert "between 1 and 32" in found["concurrency"]
    assert "is a file" in found["download_folder"]
    assert "full path" in found["autosave_folder"]
    assert "without a format" in found["filename_pattern"]
    assert fields(Settings(concurrency=32, default_channel="official")) == {}


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("", "Enter"),
        ("{date}/{model}", "cannot contain /"),
        ("{model", "Unbalanced"),
        ("{}", "Unknown placeholder {}"),
        ("{nope}_{index}", "Unknown placeholder {nope}"),
        ("{seed!r}", "without a format"),
        ("image", "at least one placeholder"),
    ],
)
def test_pattern_problems(pattern: str, problem: str) -> None:
    message = validate_pattern(pattern)
    assert message is not None and problem in message


def test_render_filename_fills_placeholders_safely() -> None:
    name = render_filename(
        "{date}_{time}_{model}_{seed}_{index}_{prompt}",
        model="google/nano-banana-pro/text-to-image",
        prompt='A "sunset": over/the <mountains>?',
        seed=42,
        index=2,
        when=WHEN,
        extension="png",
    )
    expected = "2026-03-28_075134_google-nano-banana-pro-text-to-image_42_2_"
    assert name == expected + "A _sunset_ over_the _mountains.png"
    assert "/" not in name and '"' not in name


def test_render_filename_edge_cases() -> None:
    assert render_filename("{seed}", model="m", seed=-1, when=WHEN) == "output"  # random seed
    assert render_filename("..{prompt}", model="m", prompt="..", when=WHEN) == "output"
    assert render_filename("{prompt}", model="m", prompt="con", when=WHEN) == "_con"
    assert render_filename("{index}", model="m", index=3, extension="../x") == "3"
    long = render_filename("{prompt}{prompt}{prompt}{prompt}{prompt}{prompt}", model="m",
                           prompt="é" * 200, when=WHEN, extension="webp")  # fmt: skip
    assert len(long.encode()) <= 205 and long.endswith(".webp")
    with pytest.raises(ValueError, match="Unknown placeholder"):
        render_filename("{bad}", model="m")


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    prompt=st.text(max_size=300),
    model=st.text(max_size=80),
    task=st.text(max_size=60),
)
def test_rendered_names_are_always_safe(prompt: str, model: str, task: str) -> None:
    name = render_filename(
        "{model}_{prompt}_{task}_{index}", model=model, prompt=prompt, task=task, when=WHEN,
        extension="png",
    )  # fmt: skip
    stem = name.removesuffix(".png")
    assert stem and not stem.startswith(".") and not stem.endswith((" ", "."))
    assert not any(c in name for c in '/\\<>:"|?*') and all(ord(c) >= 32 for c in name)
    assert len(name.encode("utf-8")) <= 255


# -- spending limits and sidecars (schema 3), the confirmation (schema 5) ------------------


def test_a_fresh_install_asks_above_one_dollar_and_stops_at_ten_a_day() -> None:
    s = load_settings().settings
    assert (s.confirm_above, s.cap_per_day, s.cap_per_batch) == (1.0, 10.0, None)


def test_a_v4_file_gains_the_confirmation_and_keeps_its_own_daily_limit() -> None:
    write({"schema_version": 4, "cap_per_day": None, "cap_per_batch": 4})
    loaded = load_settings()
    assert loaded.found_version == 4 and loaded.warnings == ()
    s = loaded.settings
    assert (s.confirm_above, s.cap_per_day, s.cap_per_batch) == (1.0, None, 4.0)
    doc, start = migrate({"schema_version": 4, "confirm_above": 2.5})
    assert start == 4 and doc["schema_version"] == SCHEMA_VERSION == 5
    assert doc["confirm_above"] == 2.5  # a value already there is taken


def test_the_confirmation_amount_round_trips_and_can_be_turned_off(tmp_path: Path) -> None:
    save_settings(dataclasses.replace(custom(tmp_path), confirm_above=None))
    assert json.loads(settings_path().read_text(encoding="utf-8"))["confirm_above"] is None
    assert load_settings().settings.confirm_above is None
    save_settings(dataclasses.replace(custom(tmp_path), confirm_above=3.25))
    assert load_settings().settings.confirm_above == 3.25
    assert "negative" in fields(Settings(confirm_above=-1.0))["confirm_above"]


def test_a_v2_file_gains_no_limits_and_no_sidecars() -> None:
    write({"schema_version": 2, "concurrency": 7, "theme": "dark"})
    loaded = load_settings()
    assert loaded.found_version == 2 and loaded.warnings == ()
    s = loaded.settings
    assert (s.cap_per_batch, s.cap_per_day, s.sidecars) == (None, None, False)
    assert s.concurrency == 7 and s.theme is Theme.DARK and s.extras == ()
    doc, start = migrate({"schema_version": 2, "sidecars": True})
    assert start == 2 and doc["schema_version"] == SCHEMA_VERSION >= 3
    assert doc["sidecars"] is True and doc["cap_per_day"] is None  # an existing value is kept


def test_limits_and_sidecars_round_trip(tmp_path: Path) -> None:
    original = dataclasses.replace(
        custom(tmp_path), cap_per_batch=2.5, cap_per_day=20, sidecars=True
    )
    assert validate(original) == ()
    save_settings(original)
    doc = json.loads(settings_path().read_text(encoding="utf-8"))
    assert (doc["cap_per_batch"], doc["cap_per_day"], doc["sidecars"]) == (2.5, 20, True)
    loaded = load_settings().settings
    assert (loaded.cap_per_batch, loaded.cap_per_day, loaded.sidecars) == (2.5, 20.0, True)
    cleared = dataclasses.replace(loaded, cap_per_batch=None)
    save_settings(cleared)
    assert load_settings().settings.cap_per_batch is None


@pytest.mark.parametrize(
    ("value", "said"),
    [(-1, "negative"), ("5", "amount"), (True, "amount"), (10**9, "at most"), ([], "amount")],
)
def test_a_bad_limit_in_the_file_falls_back_to_the_default_with_a_warning(
    value: object, said: str
) -> None:
    write({"schema_version": 3, "cap_per_day": value, "cap_per_batch": 3})
    loaded = load_settings()
    assert loaded.settings.cap_per_day == DEFAULT_CAP_PER_DAY  # the safe default, not "off"
    assert loaded.settings.cap_per_batch == 3.0
    [warning] = loaded.warnings
    assert "cap_per_day" in warning and said in warning


def test_limits_are_validated_in_plain_words() -> None:
    found = fields(Settings(cap_per_batch=-0.01, cap_per_day=float("nan")))
    assert "cannot be negative" in found["cap_per_batch"]
    assert "amount in dollars" in found["cap_per_day"]
    assert "at most" in fields(Settings(cap_per_day=1e7))["cap_per_day"]
    assert fields(Settings(cap_per_batch=0.0, cap_per_day=100_000)) == {}  # 0: nothing paid


def test_notification_mode_and_language_round_trip(tmp_path: Path) -> None:
    from get3w_desktop.storage.paths import app_paths
    from get3w_desktop.storage.settings import NotifyMode, Settings, load_settings, save_settings

    paths = app_paths(tmp_path).ensure()
    save_settings(Settings(notify_mode=NotifyMode.QUEUE, language="zh_CN"), paths)
    loaded = load_settings(paths)
    assert loaded.settings.notify_mode is NotifyMode.QUEUE
    assert loaded.settings.language == "zh_CN" and loaded.warnings == ()
