"""The "Test connection" sentences (api/connection_test.py) as `core.messages.Message`s.

Each keeps the English words the check always said (logs and `ConnectionReport.lines()` see
them unchanged); `ui/connection_texts.py` holds the texts the window translates. Parts that
recur (who was talked to, what to check) are messages themselves, so a translation composes
them in its own order. The system's and OpenSSL's words (an errno text, a reason such as
WRONG_VERSION_NUMBER) are kept as a `reason` a translation may quote or leave out.
"""

from __future__ import annotations

from get3w_desktop.core.messages import ArgValue, Code, Message, text
from get3w_desktop.core.messages import build as _m

# -- the walk itself ------------------------------------------------------------------------

STOPPED = _m(Code.CONN_STOPPED, "Stopped before this check.")
NOT_CHECKED = _m(Code.CONN_NOT_CHECKED, "Not checked: an earlier check failed.")
COULD_NOT_RUN = _m(Code.CONN_COULD_NOT_RUN, "The test could not run; the log has the details.")


def stage_unexpected(stage: str, kind: str) -> Message:
    return _m(Code.CONN_STAGE_UNEXPECTED, f"{stage} failed unexpectedly ({kind}).",
              stage=stage, kind=kind)  # fmt: skip


def everything_works(target: str) -> Message:
    return _m(Code.CONN_EVERYTHING_WORKS,
              f"Everything works: {target} answered every check.", target=target)  # fmt: skip


# -- the parts sentences share --------------------------------------------------------------


def who(host: str, is_proxy: bool) -> Message:
    """`host`, or "The proxy host" when it is the proxy."""
    return _m(Code.CONN_THE_PROXY, f"The proxy {host}", host=host) if is_proxy else text(host)


def what_name(host: str, is_proxy: bool) -> Message:
    """ "the name host" or "the proxy's name host" (lower case: it sits inside a sentence)."""
    if is_proxy:
        return _m(Code.CONN_THE_PROXY_NAME, f"the proxy's name {host}", host=host)
    return _m(Code.CONN_THE_NAME, f"the name {host}", host=host)


FIX_ADDRESS = _m(Code.CONN_FIX_ADDRESS,
                 "Check the address, your internet connection or proxy settings.")  # fmt: skip
FIX_PROXY_ADDRESS = _m(Code.CONN_FIX_PROXY_ADDRESS,
                       "Check the proxy address in the profile's settings.")  # fmt: skip
FIX_PORT = _m(Code.CONN_FIX_PORT, "Check the address and port.")
FIX_PROXY_PORT = _m(Code.CONN_FIX_PROXY_PORT, "Check the proxy address and port.")


def _capitalised(message: Message) -> str:
    return message.fallback[:1].upper() + message.fallback[1:]


# -- address --------------------------------------------------------------------------------


def address_direct(url: str) -> Message:
    return _m(Code.CONN_ADDRESS_DIRECT, f"{url}, direct connection.", url=url)


def address_proxy(url: str, proxy: str) -> Message:
    return _m(Code.CONN_ADDRESS_PROXY, f"{url}, through the proxy {proxy}.", url=url, proxy=proxy)


def proxy_unusable(problem: Message) -> Message:
    return _m(Code.CONN_PROXY_UNUSABLE, f"The proxy setting is not usable: {problem}",
              problem=problem)  # fmt: skip


def system_proxy_unusable(proxy: str, problem: Message) -> Message:
    return _m(Code.CONN_SYSTEM_PROXY_UNUSABLE,
              f"The system proxy {proxy} is not usable: {problem}",
              proxy=proxy, problem=problem)  # fmt: skip


# -- name lookup (DNS) ----------------------------------------------------------------------


def dns_numeric(host: str, is_proxy: bool) -> Message:
    name = who(host, is_proxy)
    return _m(Code.CONN_DNS_NUMERIC, f"{name} is a numeric address: nothing to look up.",
              who=name)  # fmt: skip


def dns_found(host: str, is_proxy: bool, addresses: str) -> Message:
    name = who(host, is_proxy)
    return _m(Code.CONN_DNS_FOUND, f"{name} is at {addresses}.", who=name, addresses=addresses)


def dns_no_answer(host: str, is_proxy: bool) -> Message:
    what = what_name(host, is_proxy)
    return _m(Code.CONN_DNS_NO_ANSWER,
              f"{_capitalised(what)} could not be looked up right now (DNS: no answer). "
              "Check your internet connection.", what=what)  # fmt: skip


def _dns_fix(is_proxy: bool) -> Message:
    return FIX_PROXY_ADDRESS if is_proxy else FIX_ADDRESS


def dns_not_found(host: str, is_proxy: bool) -> Message:
    what, fix = what_name(host, is_proxy), _dns_fix(is_proxy)
    return _m(Code.CONN_DNS_NOT_FOUND, f"{_capitalised(what)} could not be found (DNS). {fix}",
              what=what, fix=fix)  # fmt: skip


def dns_failed(host: str, is_proxy: bool, reason: str) -> Message:
    what, fix = what_name(host, is_proxy), _dns_fix(is_proxy)
    return _m(Code.CONN_DNS_FAILED, f"Looking up {what} failed (DNS: {reason}). {fix}",
              what=what, reason=reason, fix=fix)  # fmt: skip


# -- connection (TCP) -----------------------------------------------------------------------


def _port_fix(is_proxy: bool) -> Message:
    return FIX_PROXY_PORT if is_proxy else FIX_PORT


def tcp_connected(host: str, port: int, is_proxy: bool) -> Message:
    name = who(host, is_proxy)
    shown = f"the proxy {host}" if is_proxy else host
    return _m(Code.CONN_TCP_CONNECTED, f"Connected to {shown} on port {port}.",
              who=name, port=port)  # fmt: skip


def tcp_refused(host: str, port: int, is_proxy: bool) -> Message:
    name, fix = who(host, is_proxy), _port_fix(is_proxy)
    return _m(Code.CONN_TCP_REFUSED,
              f"{name} refused the connection on port {port} (TCP): nothing is listening there, "
              f"or a firewall blocks it. {fix}", who=name, port=port, fix=fix)  # fmt: skip


def tcp_timeout(host: str, port: int, is_proxy: bool, seconds: float) -> Message:
    name = who(host, is_proxy)
    return _m(Code.CONN_TCP_TIMEOUT,
              f"{name} did not answer on port {port} within {seconds:.0f} s (TCP). "
              "A firewall may be blocking it, or the network is down.",
              who=name, port=port, seconds=f"{seconds:.0f}")  # fmt: skip


def tcp_no_route(host: str, is_proxy: bool) -> Message:
    name, fix = who(host, is_proxy), _port_fix(is_proxy)
    return _m(Code.CONN_TCP_NO_ROUTE,
              f"{name} cannot be reached from this computer (TCP: no route). {fix}",
              who=name, fix=fix)  # fmt: skip


def tcp_failed(host: str, port: int, is_proxy: bool, reason: str) -> Message:
    name = who(host, is_proxy)
    return _m(Code.CONN_TCP_FAILED, f"Could not connect to {name} on port {port} (TCP: {reason}).",
              who=name, port=port, reason=reason)  # fmt: skip


# -- proxy tunnel ---------------------------------------------------------------------------

SOCKS_LATER = _m(Code.CONN_SOCKS_LATER,
                 "The SOCKS handshake is checked with the web request below.")  # fmt: skip
NO_TUNNEL = _m(Code.CONN_NO_TUNNEL, "Plain HTTP goes to the proxy as it is; no tunnel is needed.")


def proxy_tls(reason: Message) -> Message:
    return _m(Code.CONN_PROXY_TLS, f"The proxy: {reason}", reason=reason)


def tunnel_broke(proxy: str, host: str, reason: str) -> Message:
    return _m(Code.CONN_TUNNEL_BROKE,
              f"The proxy {proxy} broke off while opening a tunnel to {host} ({reason}).",
              proxy=proxy, host=host, reason=reason)  # fmt: skip


def proxy_wants_password(proxy: str) -> Message:
    return _m(Code.CONN_PROXY_WANTS_LOGIN,
              f"The proxy {proxy} asks for a user name and password (HTTP 407). "
              "Write them in the proxy address, e.g. http://user:password@host:port.",
              proxy=proxy)  # fmt: skip


def proxy_refused_password(proxy: str) -> Message:
    return _m(Code.CONN_PROXY_REFUSED_LOGIN,
              f"The proxy {proxy} refused the user name or password (HTTP 407).",
              proxy=proxy)  # fmt: skip


def proxy_blocked(proxy: str, target: str, status: int, reason: str) -> Message:
    return _m(Code.CONN_PROXY_BLOCKED,
              f"The proxy {proxy} would not connect to {target} "
              f"(HTTP {status} {reason}). The proxy may block this address.",
              proxy=proxy, target=target, status=status, reason=reason)  # fmt: skip


def tunnel_open(target: str) -> Message:
    return _m(Code.CONN_TUNNEL_OPEN, f"The proxy opened a tunnel to {target}.", target=target)


# -- secure connection (TLS) ----------------------------------------------------------------

TLS_NOT_NEEDED = _m(Code.CONN_TLS_NOT_NEEDED,
                    "Plain HTTP to this computer: no encryption is needed.")  # fmt: skip
TLS_INSPECTING = _m(Code.CONN_TLS_INSPECTING,
                    " A company network that inspects traffic can cause this.")  # fmt: skip

#: OpenSSL's verify codes, as what they mean for the person.
CERT_REASONS: dict[int, Message] = {
    9: _m(Code.CONN_CERT_NOT_YET_VALID,
          "its certificate is not valid yet. Check this computer's date and time"),
    10: _m(Code.CONN_CERT_EXPIRED,
           "its certificate has expired. If this computer's date is right, the server must "
           "renew its certificate"),
    18: _m(Code.CONN_CERT_SELF_SIGNED, "its certificate is self-signed, so nobody vouches for it"),
    19: _m(Code.CONN_CERT_UNTRUSTED_ROOT,
           "its certificate chain ends in an authority this computer does not trust"),
    20: _m(Code.CONN_CERT_UNTRUSTED_ISSUER,
           "its certificate comes from an authority this computer does not trust"),
    21: _m(Code.CONN_CERT_UNCHECKABLE,
           "its certificate could not be checked against a trusted authority"),
    62: _m(Code.CONN_CERT_OTHER_NAME, "its certificate is for another name"),
}  # fmt: skip


def cert_reason(verify_code: int, verify_message: str) -> Message:
    known = CERT_REASONS.get(verify_code)
    if known is not None:
        return known
    return _m(Code.CONN_CERT_OTHER, verify_message, reason=verify_message)


def tls_untrusted(host: str, reason: Message, inspecting: bool) -> Message:
    hint: ArgValue = TLS_INSPECTING if inspecting else ""
    return _m(Code.CONN_TLS_UNTRUSTED,
              f"The secure connection to {host} is not trusted (TLS): {reason}.{hint}",
              host=host, reason=reason, hint=hint)  # fmt: skip


def tls_not_tls(host: str, reason: str) -> Message:
    return _m(Code.CONN_TLS_NOT_TLS,
              f"{host} did not answer in TLS (TLS: {reason}). Is the address http:// rather "
              "than https://, or the port wrong?", host=host, reason=reason)  # fmt: skip


def tls_failed(host: str, reason: str) -> Message:
    return _m(Code.CONN_TLS_FAILED, f"The secure connection to {host} failed (TLS: {reason}).",
              host=host, reason=reason)  # fmt: skip


def tls_timeout(host: str) -> Message:
    return _m(Code.CONN_TLS_TIMEOUT, f"{host} did not finish the secure handshake in time (TLS).",
              host=host)  # fmt: skip


def tls_broke(host: str, reason: str) -> Message:
    return _m(Code.CONN_TLS_BROKE, f"{host} broke off the secure handshake (TLS: {reason}).",
              host=host, reason=reason)  # fmt: skip


def tls_failed_plain(host: str) -> Message:
    return _m(Code.CONN_TLS_FAILED_PLAIN, f"The secure connection to {host} failed (TLS).",
              host=host)  # fmt: skip


def tls_ok(host: str, version: str) -> Message:
    return _m(Code.CONN_TLS_OK, f"{host} proved its identity ({version}).",
              host=host, version=version)  # fmt: skip


# -- web server (HTTP) and API key (auth) ---------------------------------------------------


def http_failed(reason: Message) -> Message:
    return _m(Code.CONN_HTTP_FAILED, f"The web request failed (HTTP): {reason}", reason=reason)


def http_ok(host: str, status: int) -> Message:
    return _m(Code.CONN_HTTP_OK, f"{host} answered a web request (HTTP {status}).",
              host=host, status=status)  # fmt: skip


NO_KEY = _m(Code.CONN_NO_KEY,
            "No API key was given for this address, so the key was not checked.")  # fmt: skip


def key_refused(host: str, reason: str) -> Message:
    return _m(Code.CONN_KEY_REFUSED,
              f"{host} refused the API key (auth: {reason}). Check that the whole key "
              "was pasted, or set a new one.", host=host, reason=reason)  # fmt: skip


def key_unchecked(reason: Message) -> Message:
    return _m(Code.CONN_KEY_UNCHECKED, f"The key could not be checked (auth): {reason}",
              reason=reason)  # fmt: skip


# -- where requests go (core/proxy.describe_route, the profile editor's note) ----------------


def route_proxy(host: str, proxy: str) -> Message:
    return _m(Code.CONN_ROUTE_PROXY, f"{host} is reached through the proxy {proxy}.",
              host=host, proxy=proxy)  # fmt: skip


def route_local(host: str) -> Message:
    return _m(Code.CONN_ROUTE_LOCAL, f"{host} is on this computer: no proxy is used.", host=host)


def route_system_direct(host: str) -> Message:
    return _m(Code.CONN_ROUTE_SYSTEM_DIRECT,
              f"The system settings name no proxy for {host}: direct connection.",
              host=host)  # fmt: skip


def route_direct(host: str) -> Message:
    return _m(Code.CONN_ROUTE_DIRECT, f"{host} is reached directly.", host=host)


# -- the API address and the proxy address as typed (core/urls.py, core/proxy.py) -----------


def url_empty(example: str) -> Message:
    return _m(Code.URL_EMPTY, f"Enter the API address, e.g. {example}.", example=example)


def url_not_web_address(text: str) -> Message:
    return _m(Code.URL_NOT_WEB_ADDRESS, f"“{text}” is not a web address (expected https://host).",
              text=text)  # fmt: skip


URL_CREDENTIALS = _m(Code.URL_CREDENTIALS,
                     "The API address must not contain a user name or password.")  # fmt: skip
URL_QUERY = _m(Code.URL_QUERY, "The API address must not contain ‘?’ or ‘#’ parts.")


def url_plain_http(host: str) -> Message:
    return _m(Code.URL_PLAIN_HTTP,
              f"Refusing plain HTTP to {host}: the API key would travel unencrypted. "
              "Use https:// (plain http:// is allowed only for this computer).",
              host=host)  # fmt: skip


def proxy_empty(example: str) -> Message:
    return _m(Code.PROXY_EMPTY, f"Enter the proxy address, e.g. {example}.", example=example)


def proxy_no_kind(text: str) -> Message:
    return _m(Code.PROXY_NO_KIND, f"Start the proxy address with its kind, e.g. http://{text}.",
              text=text)  # fmt: skip


def proxy_not_address(shown: str, example: str) -> Message:
    return _m(Code.PROXY_NOT_ADDRESS,
              f"“{shown}” is not a proxy address (expected e.g. {example}).",
              shown=shown, example=example)  # fmt: skip


PROXY_SOCKS_MISSING = _m(
    Code.PROXY_SOCKS_MISSING,
    "SOCKS proxies need the PySocks package, which is not installed; "
    "use an http:// or https:// proxy.",
)
PROXY_SOCKS_KIND = _m(Code.PROXY_SOCKS_KIND, "Use socks5:// or socks5h:// for a SOCKS proxy.")


def proxy_kind_unsupported(kinds: str, scheme: str) -> Message:
    return _m(Code.PROXY_KIND_UNSUPPORTED,
              f"A proxy address starts with {kinds}; “{scheme}://” is not supported.",
              kinds=kinds, scheme=scheme)  # fmt: skip


def proxy_no_host(example: str) -> Message:
    return _m(Code.PROXY_NO_HOST, f"The proxy address has no host name (expected e.g. {example}).",
              example=example)  # fmt: skip


PROXY_PATH = _m(
    Code.PROXY_PATH, "A proxy address is only a host and a port, without a path or ‘?’ parts."
)
