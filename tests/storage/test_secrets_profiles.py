"""Per-profile keys through `get3w key … --profile NAME` (cli/key.py), against the sandbox."""

from __future__ import annotations

import argparse
import io
import sys

import keyring
import pytest

from get3w_desktop.cli.common import Exit
from get3w_desktop.cli.key import cmd_key
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.storage.secrets import SERVICE
from get3w_desktop.storage.settings import Profile, Settings, save_settings


def args(command: str, profile: str | None, **extra: object) -> argparse.Namespace:
    return argparse.Namespace(
        key_command=command, profile=profile, no_check=False, base_url=None, **extra
    )


@pytest.fixture
def team(sandbox: SandboxServer) -> Profile:
    """A saved profile whose address is the sandbox: `key set` checks the key there."""
    profile = Profile("team", sandbox.base_url)
    save_settings(Settings(profiles=(profile,)))
    return profile


def feed(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text + "\n"))


def test_set_status_delete_for_a_named_profile(
    team: Profile,
    sandbox_key: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    feed(monkeypatch, "sk_wrong_key_0000")
    assert cmd_key(args("set", "team")) == Exit.AUTH
    assert keyring.get_password(SERVICE, "team") is None
    feed(monkeypatch, sandbox_key)
    assert cmd_key(args("set", "team")) == Exit.OK
    assert keyring.get_password(SERVICE, "team") == sandbox_key
    assert keyring.get_password(SERVICE, "default") is None  # other profiles untouched
    err = capsys.readouterr().err
    assert "balance $100.00" in err and sandbox_key not in err

    assert cmd_key(args("status", "team")) == Exit.OK
    out = capsys.readouterr().out
    assert "profile: team" in out and sandbox_key[-4:] in out and sandbox_key not in out
    assert cmd_key(args("delete", "team")) == Exit.OK
    assert keyring.get_password(SERVICE, "team") is None


def test_unknown_profiles_and_the_sandbox_are_refused(
    team: Profile, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed(monkeypatch, "sk_some_key_123456")
    assert cmd_key(args("set", "nobody")) == Exit.USAGE
    assert "no profile called “nobody”" in capsys.readouterr().err
    assert cmd_key(args("set", "sandbox")) == Exit.USAGE
    assert "needs no key" in capsys.readouterr().err
    assert keyring.get_password(SERVICE, "nobody") is None


def test_without_profile_the_default_account_is_used(
    sandbox: SandboxServer, sandbox_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Namespaces from a parser without --profile (today's cli/__init__.py) still work."""
    monkeypatch.setenv("GET3W_BASE_URL", sandbox.base_url)
    feed(monkeypatch, sandbox_key)
    namespace = argparse.Namespace(key_command="set", no_check=False, base_url=None)
    assert cmd_key(namespace) == Exit.OK
    assert keyring.get_password(SERVICE, "default") == sandbox_key


def test_an_unreachable_server_is_not_reported_as_a_bad_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    save_settings(Settings(profiles=(Profile("gone", "http://127.0.0.1:9"),)))
    feed(monkeypatch, "sk_some_key_123456")
    assert cmd_key(args("set", "gone")) == Exit.NETWORK
    err = capsys.readouterr().err
    assert "could not be checked" in err and "refused, so" not in err
    assert keyring.get_password(SERVICE, "gone") is None
