"""`get3w key set|status|delete`: the same keyring entry the desktop app uses."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
import uuid

from get3w_desktop.api.client import Get3WClient
from get3w_desktop.cli.common import Exit, base_url, report_error, say
from get3w_desktop.core.errors import AuthError, Get3WError, NotFoundError
from get3w_desktop.core.redact import REDACTOR, mask_key
from get3w_desktop.storage.secrets import KeyringSecretStore, SecretStore, SecretStoreError


def check_key(client: Get3WClient) -> str:
    """A cheap call that fails only on authentication. Returns what it learned."""
    balance = client.balance()
    if balance is not None:
        return f"key accepted; balance ${balance:,.2f}"
    # No balance route: ask for a task that cannot exist; a 404 means the key passed.
    with contextlib.suppress(NotFoundError):
        client.get(str(uuid.uuid4()))
    return "key accepted"


def read_key_from_stdin() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Get3W API key (input hidden): ").strip()
    return sys.stdin.readline().strip()


def cmd_key(args: argparse.Namespace, store: SecretStore | None = None) -> int:
    store = store or KeyringSecretStore()
    if args.key_command == "status":
        try:
            stored = store.get()
        except SecretStoreError as exc:
            say(f"keyring: {store.backend_name} (unusable: {exc})")
            return Exit.AUTH
        secure = "secure" if store.is_secure else "NOT secure"
        print(f"keyring backend: {store.backend_name} ({secure})")
        print(f"stored key: {mask_key(stored) if stored else 'none'}")
        return Exit.OK
    if args.key_command == "delete":
        try:
            store.delete()
        except SecretStoreError as exc:
            say(f"error: {exc}")
            return Exit.AUTH
        say("key removed from the keyring")
        return Exit.OK
    key = read_key_from_stdin()
    if not key:
        say("error: no key given on standard input")
        return Exit.USAGE
    REDACTOR.add_secret(key)
    if not args.no_check:
        try:
            with Get3WClient(base_url(args), key) as client:
                say(check_key(client))
        except AuthError as exc:
            say(f"error: the key was refused, so it was not stored. ({exc.message})")
            return Exit.AUTH
        except Get3WError as exc:
            say("the key could not be checked; not stored (use --no-check to store anyway)")
            return report_error(exc)
    try:
        store.set(key)
    except SecretStoreError as exc:
        say(f"error: {exc}")
        return Exit.AUTH
    say(f"stored {mask_key(key)} in {store.backend_name}")
    return Exit.OK
