"""`get3w key set|status|delete [--profile NAME]`: the same keyring entries the desktop app uses."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from get3w_desktop.api.keycheck import Verdict, check_key_at
from get3w_desktop.cli.common import Exit, check_keyring_backend, report_error, say
from get3w_desktop.core.errors import ConfigError
from get3w_desktop.core.redact import REDACTOR, mask_key
from get3w_desktop.core.urls import DEFAULT_BASE_URL
from get3w_desktop.storage.secrets import (
    KeyringSecretStore,
    SecretStore,
    SecretStoreError,
    account_for,
    describe_backend,
)
from get3w_desktop.storage.settings import DEFAULT_PROFILE, SANDBOX_PROFILE, load_settings


def add_profile_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        default=None,
        metavar="NAME",
        help=f"the app profile whose key this is (default: {DEFAULT_PROFILE})",
    )


def read_key_from_stdin() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Get3W API key (input hidden): ").strip()
    return sys.stdin.readline().strip()


def profile_base_url(args: argparse.Namespace, profile: str) -> str | None:
    """--base-url, $GET3W_BASE_URL, the profile's address in the app's settings, or None."""
    explicit = getattr(args, "base_url", None) or os.environ.get("GET3W_BASE_URL")
    if explicit:
        return str(explicit)
    found = load_settings().settings.profile(profile)
    if found is not None:
        return found.base_url
    return DEFAULT_BASE_URL if profile == DEFAULT_PROFILE else None


def cmd_key(args: argparse.Namespace, store: SecretStore | None = None) -> int:
    store = store or KeyringSecretStore()
    profile = (getattr(args, "profile", None) or DEFAULT_PROFILE).strip()
    if profile == SANDBOX_PROFILE:
        say("error: the sandbox needs no key (it runs on this computer)")
        return Exit.USAGE
    account = account_for(profile)
    try:
        check_keyring_backend()
    except ConfigError as exc:
        return report_error(exc)
    if args.key_command == "status":
        return _status(store, account)
    if args.key_command == "delete":
        try:
            store.delete(account)
        except SecretStoreError as exc:
            say(f"error: {exc.message}")
            return Exit.AUTH
        say(f"key for profile “{profile}” removed from the keyring")
        return Exit.OK
    return _set(args, store, profile, account)


def _status(store: SecretStore, account: str) -> int:
    try:
        stored = store.get(account)
    except SecretStoreError as exc:
        say(f"keyring: {store.backend_name} (unusable: {exc.message})")
        return Exit.AUTH
    secure = "secure" if store.is_secure else "NOT secure"
    print(
        f"keyring backend: {store.backend_name} ({describe_backend(store.backend_name)}, {secure})"
    )
    print(f"profile: {account}")
    print(f"stored key: {mask_key(stored) if stored else 'none'}")
    return Exit.OK


def _set(args: argparse.Namespace, store: SecretStore, profile: str, account: str) -> int:
    url = profile_base_url(args, profile)
    if url is None:
        say(
            f"error: there is no profile called “{profile}”; add it in the app's Settings, "
            "or give its address with --base-url"
        )
        return Exit.USAGE
    key = read_key_from_stdin()
    if not key:
        say("error: no key given on standard input")
        return Exit.USAGE
    REDACTOR.add_secret(key)
    if not args.no_check:
        result = check_key_at(url, key)
        if result.verdict is Verdict.REFUSED:
            say(f"error: the key was refused, so it was not stored. ({result.message})")
            return Exit.AUTH
        if result.verdict is Verdict.UNCHECKED:
            say("the key could not be checked; not stored (use --no-check to store anyway)")
            if result.error is not None:
                return report_error(result.error)
            say(result.message)
            return Exit.NETWORK
        say(result.message)
    try:
        store.set(key, account)
    except SecretStoreError as exc:
        say(f"error: {exc.message}")
        return Exit.AUTH
    say(f"stored {mask_key(key)} for profile “{profile}” in {store.backend_name}")
    return Exit.OK
