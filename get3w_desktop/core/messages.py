"""Texts built below the UI, carried as a code and its arguments so the UI can translate them.

A `Message` keeps an English `fallback` (for the `get3w` command, logs and the history's
plain `error`/`note` columns) and a `code` with `args` the window looks up in its own
translation table (`ui/messages.py`). Arguments may themselves be messages.

Server task errors are mapped by their code first (API.md: 1200 moderation, 14xx input,
5xxx server), then by a known text; anything else is kept as the server's own words.
"""

from __future__ import annotations

import dataclasses
import enum
import time
from collections.abc import Mapping
from typing import Any, TypeVar, Union

from get3w_desktop.core.errors import (
    DownloadError,
    Get3WError,
    SubmissionUncertainError,
    TaskFailedError,
)


class Code(enum.StrEnum):
    # notes: what a job is doing right now
    RETRYING = "note.retrying"  # reason, seconds
    WAITING_FOR_NETWORK = "note.waiting_for_network"  # seconds (or absent)
    RATE_LIMITED = "note.rate_limited"  # seconds (or absent)
    SLOWER_THAN_USUAL = "note.slower_than_usual"
    HISTORY_NOT_SAVED = "note.history_not_saved"  # reason
    # failures
    NOT_SENT_HISTORY = "error.not_sent_history"  # reason
    NOT_SENT_DESTINATION = "error.not_sent_destination"  # reason
    TASK_FORGOTTEN = "error.task_forgotten"
    UNEXPECTED = "error.unexpected"
    STOPPED_BEFORE_SAVED = "error.stopped_before_saved"
    UNCERTAIN = "error.uncertain"  # reason
    NOT_SAVED = "error.not_saved"  # reason
    # server task errors
    TASK_FLAGGED = "task.flagged"
    TASK_MISSING_PARAMETER = "task.missing_parameter"
    TASK_INVALID_PARAMETER = "task.invalid_parameter"
    TASK_MEDIA_UNREACHABLE = "task.media_unreachable"
    TASK_FAILED = "task.failed"
    TASK_INTERNAL = "task.internal"
    TASK_UNAVAILABLE = "task.unavailable"
    TASK_TIMED_OUT = "task.timed_out"
    # HTTP failures (api/http.py, api/parse.py); `host` is the API host
    HTTP_KEY_LINE_BREAK = "http.key_line_break"
    HTTP_KEY_CHARACTERS = "http.key_characters"
    HTTP_TOO_LARGE = "http.too_large"  # host, max_bytes
    HTTP_TOO_SLOW = "http.too_slow"  # host
    HTTP_NO_TALK = "http.no_talk"  # host
    HTTP_BROKE = "http.broke"  # host
    HTTP_BAD_REDIRECT = "http.bad_redirect"  # host
    HTTP_CONNECT_TIMEOUT = "http.connect_timeout"  # host
    HTTP_READ_TIMEOUT = "http.read_timeout"  # host
    HTTP_DNS = "http.dns"  # host
    HTTP_REFUSED = "http.refused"  # host
    HTTP_TLS = "http.tls"  # host
    HTTP_LOST = "http.lost"  # host
    HTTP_AUTH = "http.auth"  # host, reason
    HTTP_BALANCE = "http.balance"
    HTTP_PARAMETERS = "http.parameters"  # reason
    HTTP_NOT_FOUND = "http.not_found"  # what
    HTTP_RATE_LIMITED = "http.rate_limited"  # seconds (or absent)
    HTTP_REDIRECTED = "http.redirected"  # host, what
    HTTP_SERVER = "http.server"  # host, what, status
    HTTP_UNREADABLE = "http.unreadable"  # what
    HTTP_NOT_OBJECT = "http.not_object"  # what
    # the key check (api/keycheck.py)
    KEY_ACCEPTED = "key.accepted"  # balance
    KEY_ACCEPTED_EMPTY = "key.accepted_empty"
    KEY_ACCEPTED_NO_BALANCE = "key.accepted_no_balance"
    KEY_REFUSED = "key.refused"  # host, reason
    KEY_NOT_GIVEN = "key.not_given"
    KEY_UNCHECKED = "key.unchecked"  # host, reason
    # saving files (api/download.disk_error, workers/file_copy.py); `folder` is a path
    DISK_FULL = "disk.full"  # folder
    DISK_READ_ONLY = "disk.read_only"  # folder
    DISK_PATH_TOO_LONG = "disk.path_too_long"  # folder
    DISK_OTHER = "disk.other"  # folder, reason (the system's English words)
    SAVE_UNEXPECTED = "save.unexpected"  # kind (a Python class name)
    # the task history (workers/history_writer.py)
    HISTORY_WRITE_FAILED = "history.write_failed"  # reason (logged too)
    HISTORY_READ_FAILED = "history.read_failed"  # reason (logged too)
    # the key service (workers/keys.py)
    KEY_NOT_REMOVED = "key.not_removed"  # problem (a keyring.* message)
    KEY_SERVICE_FAILED = "key.service_failed"
    KEYRING_LOCKED = "keyring.locked"
    KEYRING_REFUSED = "keyring.refused"
    KEYRING_TIMEOUT = "keyring.timeout"
    # the bill (workers/account.py) and the price (workers/pricing.py)
    BILL_UNREADABLE = "bill.unreadable"  # reason (a message)
    BILL_CRASHED = "bill.crashed"
    PRICE_UNREADABLE = "price.unreadable"
    PRICE_NONE = "price.none"
    CANCEL_CRASHED = "cancel.crashed"
    # housekeeping (core/housekeeping.py, workers/housekeeping.py)
    HK_STOPPED_BEFORE_START = "housekeeping.stopped_before_start"
    HK_STOPPED = "housekeeping.stopped"
    HK_CRASHED = "housekeeping.crashed"  # reason (Python's words; logged)
    HK_NO_FOLDER = "housekeeping.no_folder"  # folder
    HK_NO_SPACE = "housekeeping.no_space"  # folder, needed, free
    HK_NO_FREE_NAME = "housekeeping.no_free_name"  # folder
    HK_NOT_DELETED = "housekeeping.not_deleted"  # reason (a message)
    HK_NOT_CLEANED = "housekeeping.not_cleaned"  # reason (a message)
    HK_FILE_NOT_DELETED = "housekeeping.file_not_deleted"  # name, reason (system's words)
    HK_KEPT_SERVER_FAILED = "housekeeping.kept_server_failed"  # count, reason (a message)
    HK_KEPT_STOPPED = "housekeeping.kept_stopped"  # count
    HK_KEPT_OTHER_PROFILE = "housekeeping.kept_other_profile"  # count, names
    HK_NO_REMOTE_DELETE = "housekeeping.no_remote_delete"
    EXPORT_DISK_FULL = "export.disk_full"  # folder
    EXPORT_NOT_A_FOLDER = "export.not_a_folder"  # folder
    EXPORT_OTHER = "export.other"  # folder, reason (the system's words)
    # showing a saved image (workers/thumbnails.py)
    IMAGE_MISSING = "image.missing"
    IMAGE_UNSUPPORTED = "image.unsupported"
    IMAGE_DAMAGED = "image.damaged"
    IMAGE_TOO_LARGE = "image.too_large"  # width, height
    IMAGE_UNSHOWABLE = "image.unshowable"  # reason (Python's words; logged)
    # the "Test connection" check (api/connection_test.py, core/connection_messages.py);
    # `who`, `what` and `fix` are messages; `reason` is the system's or OpenSSL's words
    CONN_STOPPED = "conn.stopped"
    CONN_NOT_CHECKED = "conn.not_checked"
    CONN_STAGE_UNEXPECTED = "conn.stage_unexpected"  # stage, kind (English label, class name)
    CONN_COULD_NOT_RUN = "conn.could_not_run"
    CONN_EVERYTHING_WORKS = "conn.everything_works"  # target
    CONN_THE_PROXY = "conn.the_proxy"  # host ("The proxy {host}")
    CONN_THE_NAME = "conn.the_name"  # host
    CONN_THE_PROXY_NAME = "conn.the_proxy_name"  # host
    CONN_FIX_ADDRESS = "conn.fix_address"
    CONN_FIX_PROXY_ADDRESS = "conn.fix_proxy_address"
    CONN_FIX_PORT = "conn.fix_port"
    CONN_FIX_PROXY_PORT = "conn.fix_proxy_port"
    CONN_ADDRESS_DIRECT = "conn.address_direct"  # url
    CONN_ADDRESS_PROXY = "conn.address_proxy"  # url, proxy
    CONN_PROXY_UNUSABLE = "conn.proxy_unusable"  # problem (a proxy.* message)
    CONN_SYSTEM_PROXY_UNUSABLE = "conn.system_proxy_unusable"  # proxy, problem (a message)
    CONN_DNS_NUMERIC = "conn.dns_numeric"  # who
    CONN_DNS_FOUND = "conn.dns_found"  # who, addresses
    CONN_DNS_NO_ANSWER = "conn.dns_no_answer"  # what
    CONN_DNS_NOT_FOUND = "conn.dns_not_found"  # what, fix
    CONN_DNS_FAILED = "conn.dns_failed"  # what, reason, fix
    CONN_TCP_CONNECTED = "conn.tcp_connected"  # who, port
    CONN_TCP_REFUSED = "conn.tcp_refused"  # who, port, fix
    CONN_TCP_TIMEOUT = "conn.tcp_timeout"  # who, port, seconds
    CONN_TCP_NO_ROUTE = "conn.tcp_no_route"  # who, fix
    CONN_TCP_FAILED = "conn.tcp_failed"  # who, port, reason
    CONN_SOCKS_LATER = "conn.socks_later"
    CONN_NO_TUNNEL = "conn.no_tunnel"
    CONN_PROXY_TLS = "conn.proxy_tls"  # reason (a TLS message)
    CONN_TUNNEL_BROKE = "conn.tunnel_broke"  # proxy, host, reason
    CONN_PROXY_WANTS_LOGIN = "conn.proxy_wants_login"  # proxy
    CONN_PROXY_REFUSED_LOGIN = "conn.proxy_refused_login"  # proxy
    CONN_PROXY_BLOCKED = "conn.proxy_blocked"  # proxy, target, status, reason
    CONN_TUNNEL_OPEN = "conn.tunnel_open"  # target
    CONN_TLS_NOT_NEEDED = "conn.tls_not_needed"
    CONN_TLS_OK = "conn.tls_ok"  # host, version
    CONN_TLS_UNTRUSTED = "conn.tls_untrusted"  # host, reason (a message), hint (a message or "")
    CONN_TLS_INSPECTING = "conn.tls_inspecting"
    CONN_CERT_NOT_YET_VALID = "conn.cert_not_yet_valid"
    CONN_CERT_EXPIRED = "conn.cert_expired"
    CONN_CERT_SELF_SIGNED = "conn.cert_self_signed"
    CONN_CERT_UNTRUSTED_ROOT = "conn.cert_untrusted_root"
    CONN_CERT_UNTRUSTED_ISSUER = "conn.cert_untrusted_issuer"
    CONN_CERT_UNCHECKABLE = "conn.cert_uncheckable"
    CONN_CERT_OTHER_NAME = "conn.cert_other_name"
    CONN_CERT_OTHER = "conn.cert_other"  # reason (OpenSSL's words)
    CONN_TLS_NOT_TLS = "conn.tls_not_tls"  # host, reason (an OpenSSL token)
    CONN_TLS_FAILED = "conn.tls_failed"  # host, reason (an OpenSSL token or class name)
    CONN_TLS_TIMEOUT = "conn.tls_timeout"  # host
    CONN_TLS_BROKE = "conn.tls_broke"  # host, reason
    CONN_TLS_FAILED_PLAIN = "conn.tls_failed_plain"  # host
    CONN_HTTP_FAILED = "conn.http_failed"  # reason (an HTTP message)
    CONN_HTTP_OK = "conn.http_ok"  # host, status
    CONN_NO_KEY = "conn.no_key"
    CONN_KEY_REFUSED = "conn.key_refused"  # host, reason (the server's words)
    CONN_KEY_UNCHECKED = "conn.key_unchecked"  # reason (a message)
    # the API address and the proxy address as typed (core/urls.py, core/proxy.py)
    URL_EMPTY = "url.empty"  # example
    URL_NOT_WEB_ADDRESS = "url.not_web_address"  # text
    URL_CREDENTIALS = "url.credentials"
    URL_QUERY = "url.query"
    URL_PLAIN_HTTP = "url.plain_http"  # host
    PROXY_EMPTY = "proxy.empty"  # example
    PROXY_NO_KIND = "proxy.no_kind"  # text
    PROXY_NOT_ADDRESS = "proxy.not_address"  # shown, example
    PROXY_SOCKS_MISSING = "proxy.socks_missing"
    PROXY_SOCKS_KIND = "proxy.socks_kind"
    PROXY_KIND_UNSUPPORTED = "proxy.kind_unsupported"  # kinds, scheme
    PROXY_NO_HOST = "proxy.no_host"  # example
    PROXY_PATH = "proxy.path"
    CONN_ROUTE_PROXY = "conn.route_proxy"  # host, proxy (core/proxy.describe_route)
    CONN_ROUTE_LOCAL = "conn.route_local"  # host
    CONN_ROUTE_SYSTEM_DIRECT = "conn.route_system_direct"  # host
    CONN_ROUTE_DIRECT = "conn.route_direct"  # host
    # the settings as typed (core/settings_messages.py, storage/settings.py)
    PROFILE_NAME_EMPTY = "profile.name_empty"
    PROFILE_NAME_SANDBOX = "profile.name_sandbox"
    PROFILE_NAME_CHARACTERS = "profile.name_characters"
    PROFILE_NAME_TAKEN = "profile.name_taken"  # name
    PROFILE_MISSING = "profile.missing"  # name
    PROFILE_PROBLEM = "profile.problem"  # profile, problem (a message)
    FOLDER_DOWNLOAD = "folder.download"  # "download folder", a `what`
    FOLDER_AUTOSAVE = "folder.autosave"  # "auto-save folder", a `what`
    FOLDER_ANY = "folder.any"  # "folder", a `what`
    FOLDER_EMPTY = "folder.empty"  # what (a message)
    FOLDER_NOT_ABSOLUTE = "folder.not_absolute"  # what (a message), example
    FOLDER_IS_FILE = "folder.is_file"  # folder
    CHANNEL_ONE_WORD = "settings.channel_one_word"  # channels
    CONCURRENCY_RANGE = "settings.concurrency_range"  # low, high
    SETTINGS_NOT_SAVED = "settings.not_saved"  # folder, reason (the system's words)
    # the settings file as loaded (storage/settings.load_settings): start-up notes
    SETTINGS_VALUE_INVALID = "settings.value_invalid"  # key, reason (Python's words)
    SETTINGS_ACTIVE_GONE = "settings.active_gone"  # name
    SETTINGS_PROFILE_UNNAMED = "settings.profile_unnamed"
    SETTINGS_PROFILE_DROPPED = "settings.profile_dropped"  # name, problem (a message)
    SETTINGS_PROXY_INVALID = "settings.proxy_invalid"  # profile
    SETTINGS_PROXY_UNUSABLE = "settings.proxy_unusable"  # profile, problem (a message)
    SETTINGS_UNREADABLE = "settings.unreadable"  # reason (the system's words)
    SETTINGS_CORRUPT = "settings.corrupt"  # reason (Python's words)
    SETTINGS_CORRUPT_KEPT = "settings.corrupt_kept"  # reason, backup (a file name)
    SETTINGS_NEWER = "settings.newer"  # version
    PATTERN_EMPTY = "pattern.empty"  # example
    PATTERN_SLASH = "pattern.slash"
    PATTERN_BRACES = "pattern.braces"
    PATTERN_UNKNOWN = "pattern.unknown"  # shown, known
    PATTERN_FORMAT = "pattern.format"  # name
    PATTERN_NO_PLACEHOLDER = "pattern.no_placeholder"
    # a cleaned-up task's error (core/housekeeping.without_local_copies)
    HK_CLEANED_UP = "housekeeping.cleaned_up"  # day (a DATE), remote (a message)
    HK_REMOTE_UNTIL = "housekeeping.remote_until"  # until (a DAY_MONTH)
    HK_REMOTE_EXPIRED = "housekeeping.remote_expired"
    # values the window writes in the person's locale (ui/messages.py); the fallback is the
    # English the app always wrote
    DATA_SIZE = "value.data_size"  # bytes (an int)
    DATE = "value.date"  # epoch (seconds): day, month and year
    DAY_MONTH = "value.day_month"  # epoch (seconds): day and month
    # words the client or the server wrote that have no code: shown as they are
    TEXT = "text"  # text


ArgValue = Union[str, int, float, "Message"]
E = TypeVar("E", bound=Get3WError)


@dataclasses.dataclass(frozen=True)
class Message:
    code: Code
    args: Mapping[str, ArgValue] = dataclasses.field(default_factory=dict)
    fallback: str = ""

    def __str__(self) -> str:
        return self.fallback

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "args": {k: v.as_json() if isinstance(v, Message) else v for k, v in self.args.items()},
            "fallback": self.fallback,
        }

    @classmethod
    def from_json(cls, data: object) -> Message | None:
        """The message `as_json` wrote, or None for anything this version cannot read."""
        if not isinstance(data, Mapping):
            return None
        try:
            code = Code(str(data.get("code")))
        except ValueError:
            return None
        raw = data.get("args")
        args: dict[str, ArgValue] = {}
        for key, value in raw.items() if isinstance(raw, Mapping) else ():
            if isinstance(value, Mapping):
                inner = cls.from_json(value)
                if inner is not None:
                    args[str(key)] = inner
            elif isinstance(value, str | int | float) and not isinstance(value, bool):
                args[str(key)] = value
        fallback = data.get("fallback")
        return cls(code, args, fallback if isinstance(fallback, str) else "")


def text(words: str) -> Message:
    """Words without a code (a server's or a lower layer's own): shown as they are."""
    return Message(Code.TEXT, {"text": words}, words)


def format_size(size: float) -> str:
    """1234567 -> "1.2 MB" (decimal units, as file managers show them): the English words."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"  # pragma: no cover - unreachable


def data_size(size: int) -> Message:
    """A number of bytes; the window writes it in the person's locale ("512 字节")."""
    return Message(Code.DATA_SIZE, {"bytes": int(size)}, format_size(size))


def date(epoch: float) -> Message:
    """A day ("03 Dec 2026" in English); the window writes it in the person's locale."""
    return Message(Code.DATE, {"epoch": round(epoch)},
                   time.strftime("%d %b %Y", time.localtime(epoch)))  # fmt: skip


def day_month(epoch: float) -> Message:
    """A day without its year ("10 Dec" in English)."""
    return Message(Code.DAY_MONTH, {"epoch": round(epoch)},
                   time.strftime("%d %b", time.localtime(epoch)))  # fmt: skip


def _seconds(seconds: float | None) -> str:
    return f" Retrying in {seconds:.0f} s." if seconds is not None else ""


def retrying(reason: Message, seconds: float) -> Message:
    return Message(Code.RETRYING, {"reason": reason, "seconds": round(seconds)},
                   f"{reason.fallback} Retrying in {seconds:.0f} s.")  # fmt: skip


def waiting_for_network(seconds: float | None) -> Message:
    args: dict[str, ArgValue] = {} if seconds is None else {"seconds": round(seconds)}
    return Message(Code.WAITING_FOR_NETWORK, args,
                   f"Waiting for the network.{_seconds(seconds)}")  # fmt: skip


def rate_limited(seconds: float | None) -> Message:
    args: dict[str, ArgValue] = {} if seconds is None else {"seconds": round(seconds)}
    return Message(Code.RATE_LIMITED, args, f"Rate limited.{_seconds(seconds)}")


SLOWER_THAN_USUAL = Message(Code.SLOWER_THAN_USUAL, {}, "Slower than usual; still checking.")
TASK_FORGOTTEN = Message(
    Code.TASK_FORGOTTEN, {},
    "The server no longer knows this task (Get3W keeps task records 30 days).",
)  # fmt: skip
UNEXPECTED = Message(
    Code.UNEXPECTED, {}, "An unexpected error stopped this task. Details are in the log."
)
STOPPED_BEFORE_SAVED = Message(
    Code.STOPPED_BEFORE_SAVED, {}, "Stopped before every output was saved."
)


def history_not_saved(reason: str) -> Message:
    return Message(Code.HISTORY_NOT_SAVED, {"reason": reason},
                   f"Running, but the history could not be saved: {reason}")  # fmt: skip


def not_sent_history(reason: str) -> Message:
    return Message(
        Code.NOT_SENT_HISTORY, {"reason": reason},
        f"Not sent: the task could not be written to the history ({reason}). "
        "Nothing was charged. Free some disk space, then re-run it.",
    )  # fmt: skip


def not_sent_destination(reason: str) -> Message:
    return Message(Code.NOT_SENT_DESTINATION, {"reason": reason},
                   f"Not sent: {reason} Nothing was charged.")  # fmt: skip


# -- server task errors -------------------------------------------------------------------

#: Get3W task codes (API.md section 3) and the sandbox's texts for them.
_TASK_CODES: dict[int, Code] = {
    1200: Code.TASK_FLAGGED,
    1400: Code.TASK_MISSING_PARAMETER,
    1401: Code.TASK_INVALID_PARAMETER,
    1402: Code.TASK_MEDIA_UNREACHABLE,
    1403: Code.TASK_FAILED,
    1405: Code.TASK_FAILED,
    5000: Code.TASK_INTERNAL,
    5003: Code.TASK_UNAVAILABLE,
    5004: Code.TASK_TIMED_OUT,
}
TASK_TEXTS: dict[Code, str] = {
    Code.TASK_FLAGGED: "The content was flagged by moderation.",
    Code.TASK_MISSING_PARAMETER: "A required parameter is missing.",
    Code.TASK_INVALID_PARAMETER: "A parameter is invalid.",
    Code.TASK_MEDIA_UNREACHABLE: "A media URL could not be reached.",
    Code.TASK_FAILED: "The task failed.",
    Code.TASK_INTERNAL: "Internal error while generating.",
    Code.TASK_UNAVAILABLE: "The model is temporarily unavailable.",
    Code.TASK_TIMED_OUT: "The generation timed out.",
}
_BY_TEXT = {words.casefold().rstrip("."): code for code, words in TASK_TEXTS.items()}


def task_failure(code: int, server_text: str | None) -> Message:
    """A failed task's reason: by its code, else by a known text, else the server's words."""
    words = (server_text or "").strip()
    known = _TASK_CODES.get(code) or _BY_TEXT.get(words.casefold().rstrip("."))
    if known is not None:
        # The server's own words stay the English text: they may say more than ours.
        return Message(known, {"code": code}, words or TASK_TEXTS[known])
    return text(words or "The task failed on the server.")


def for_error(error: Get3WError) -> Message:
    """The message of an expected failure raised below the UI."""
    if isinstance(error, TaskFailedError):
        return task_failure(error.code, error.message)
    if isinstance(error, SubmissionUncertainError):
        return Message(Code.UNCERTAIN, {"reason": error.message}, error.message)
    if error.coded is not None and error.coded.fallback == error.message:
        return error.coded
    if isinstance(error, DownloadError):
        return Message(Code.NOT_SAVED, {"reason": error.message}, error.message)
    return text(error.message)


def coded(error: E, message: Message) -> E:
    """`error` carrying `message`, so the window can show it in the person's language."""
    error.coded = message
    return error


def build(code: Code, fallback: str, **args: ArgValue) -> Message:
    """A message of `code` with its English `fallback`; the builders of every coded text
    (here and in worker_, connection_ and settings_messages) call it as `_m`."""
    return Message(code, args, fallback)


_m = build


# -- HTTP failures (english kept exactly for the CLI and logs) -----------------------------


def http_key_line_break() -> Message:
    return _m(Code.HTTP_KEY_LINE_BREAK,
              "The API key is malformed: it contains a line break. Nothing was sent. "
              "Paste the key again (in Settings, or check GET3W_API_KEY).")  # fmt: skip


def http_key_characters() -> Message:
    return _m(Code.HTTP_KEY_CHARACTERS,
              "The API key is malformed: it contains spaces or characters that are not plain "
              "ASCII letters and digits. Nothing was sent. Paste the key again (in Settings, "
              "or check GET3W_API_KEY).")  # fmt: skip


def http_too_large(host: str, max_bytes: int) -> Message:
    return _m(Code.HTTP_TOO_LARGE,
              f"{host} sent an answer larger than expected (over {max_bytes:,} bytes); refused.",
              host=host, max_bytes=f"{max_bytes:,}")  # fmt: skip


def http_too_slow(host: str) -> Message:
    return _m(Code.HTTP_TOO_SLOW, f"{host} is answering too slowly; gave up.", host=host)


def http_no_talk(host: str) -> Message:
    return _m(Code.HTTP_NO_TALK, f"Could not talk to {host}.", host=host)


def http_broke(host: str) -> Message:
    return _m(Code.HTTP_BROKE, f"The connection to {host} broke while reading the answer.",
              host=host)  # fmt: skip


def http_bad_redirect(host: str) -> Message:
    return _m(Code.HTTP_BAD_REDIRECT,
              f"{host} sent a malformed redirect; the client does not follow API redirects.",
              host=host)  # fmt: skip


def http_connect_timeout(host: str) -> Message:
    return _m(Code.HTTP_CONNECT_TIMEOUT, f"Could not connect to {host} (timed out).", host=host)


def http_read_timeout(host: str) -> Message:
    return _m(Code.HTTP_READ_TIMEOUT, f"{host} did not answer in time.", host=host)


def http_dns(host: str) -> Message:
    return _m(Code.HTTP_DNS,
              f"Could not find {host}: check the address and your internet connection.",
              host=host)  # fmt: skip


def http_refused(host: str) -> Message:
    return _m(Code.HTTP_REFUSED,
              f"Could not connect to {host}: it refused the connection or is unreachable.",
              host=host)  # fmt: skip


def http_tls(host: str) -> Message:
    return _m(Code.HTTP_TLS,
              f"The secure connection to {host} failed (certificate or TLS problem).",
              host=host)  # fmt: skip


def http_lost(host: str) -> Message:
    return _m(Code.HTTP_LOST, f"The connection to {host} was lost before an answer arrived.",
              host=host)  # fmt: skip


def http_auth(host: str, reason: str) -> Message:
    return _m(Code.HTTP_AUTH, f"{host} refused the API key ({reason}). Check the key in Settings.",
              host=host, reason=reason)  # fmt: skip


HTTP_BALANCE = _m(
    Code.HTTP_BALANCE,
    "Your Get3W balance is too low for this task. Top up your account, then try again.",
)


def http_parameters(reason: str) -> Message:
    return _m(Code.HTTP_PARAMETERS, f"Get3W rejected the parameters: {reason}.", reason=reason)


def http_not_found(what: str) -> Message:
    return _m(Code.HTTP_NOT_FOUND, f"Not found: {what}.", what=what)


def http_rate_limited(seconds: float | None) -> Message:
    wait = f" Retrying in {seconds:.0f} s." if seconds else ""
    args: dict[str, ArgValue] = {"seconds": round(seconds)} if seconds else {}
    return Message(Code.HTTP_RATE_LIMITED, args,
                   f"Get3W is limiting requests (too many tasks at once).{wait}")  # fmt: skip


def http_redirected(host: str, what: str) -> Message:
    return _m(Code.HTTP_REDIRECTED,
              f"{host} redirected {what} elsewhere; the client does not follow API redirects.",
              host=host, what=what)  # fmt: skip


def http_server(host: str, what: str, status: int) -> Message:
    return _m(Code.HTTP_SERVER,
              f"{host} had a problem answering {what} (HTTP {status}). "
              "This is usually temporary.", host=host, what=what, status=status)  # fmt: skip


def http_unreadable(what: str) -> Message:
    return _m(Code.HTTP_UNREADABLE, f"The server sent an unreadable answer to {what}.", what=what)


def http_not_object(what: str) -> Message:
    return _m(Code.HTTP_NOT_OBJECT,
              f"The server sent an unexpected answer to {what} (not a JSON object).",
              what=what)  # fmt: skip


# -- the key check ---------------------------------------------------------------------------


def key_accepted(balance: float) -> Message:
    return _m(Code.KEY_ACCEPTED, f"Key accepted; balance ${balance:,.2f}.",
              balance=f"${balance:,.2f}")  # fmt: skip


KEY_ACCEPTED_EMPTY = _m(Code.KEY_ACCEPTED_EMPTY, "Key accepted; the account has no balance.")
KEY_ACCEPTED_NO_BALANCE = _m(
    Code.KEY_ACCEPTED_NO_BALANCE, "Key accepted (this server does not report a balance)."
)
KEY_NOT_GIVEN = _m(Code.KEY_NOT_GIVEN, "No key was given.")


def key_refused(host: str, reason: str) -> Message:
    return _m(Code.KEY_REFUSED,
              f"{host} refused this key ({reason}). "
              "Check that the whole key was pasted, or create a new one.",
              host=host, reason=reason)  # fmt: skip


def key_unchecked(host: str, error: Get3WError) -> Message:
    return _m(Code.KEY_UNCHECKED, f"The key could not be checked with {host}: {error.message}",
              host=host, reason=for_error(error))  # fmt: skip


#: Codes that mean "no answer came from the host" (not an answer saying no).
NETWORK_CODES = frozenset({
    Code.WAITING_FOR_NETWORK, Code.HTTP_TOO_SLOW, Code.HTTP_NO_TALK, Code.HTTP_BROKE,
    Code.HTTP_CONNECT_TIMEOUT, Code.HTTP_READ_TIMEOUT, Code.HTTP_DNS, Code.HTTP_REFUSED,
    Code.HTTP_TLS, Code.HTTP_LOST,
})  # fmt: skip


def says_unreachable(message: Message | None) -> bool:
    """True when `message` (or the reason of a retry note) is a connection failure."""
    if message is None:
        return False
    if message.code is Code.RETRYING:
        reason = message.args.get("reason")
        return isinstance(reason, Message) and reason.code in NETWORK_CODES
    return message.code in NETWORK_CODES
