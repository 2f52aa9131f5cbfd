"""What the window translates for the "Test connection" sentences (core/connection_messages).

Part of `ui/messages.py`'s table (same "Messages" context), kept apart by subject. The English
words are built below the UI; these are the sources the translations are made from. Arguments
that carry the system's or OpenSSL's English words (`reason`, `problem`) are quoted only where
they are a single token (WRONG_VERSION_NUMBER) and left out where they are a sentence; the
English fallback and `ConnectionReport.lines()` keep them.
"""

from __future__ import annotations

from get3w_desktop.core.messages import Code
from get3w_desktop.ui.texts import QT_TRANSLATE_NOOP

CONNECTION_TEXTS: dict[Code, str] = {
    Code.CONN_STOPPED: QT_TRANSLATE_NOOP("Messages", "Stopped before this check."),
    Code.CONN_NOT_CHECKED: QT_TRANSLATE_NOOP("Messages", "Not checked: an earlier check failed."),
    Code.CONN_STAGE_UNEXPECTED: QT_TRANSLATE_NOOP(
        "Messages", "This check failed unexpectedly. Details are in the log."
    ),
    Code.CONN_COULD_NOT_RUN: QT_TRANSLATE_NOOP(
        "Messages", "The test could not run; the log has the details."
    ),
    Code.CONN_EVERYTHING_WORKS: QT_TRANSLATE_NOOP(
        "Messages", "Everything works: {target} answered every check."
    ),
    Code.CONN_THE_PROXY: QT_TRANSLATE_NOOP("Messages", "The proxy {host}"),
    Code.CONN_THE_NAME: QT_TRANSLATE_NOOP("Messages", "the name {host}"),
    Code.CONN_THE_PROXY_NAME: QT_TRANSLATE_NOOP("Messages", "the proxy's name {host}"),
    Code.CONN_FIX_ADDRESS: QT_TRANSLATE_NOOP(
        "Messages", "Check the address, your internet connection or proxy settings."
    ),
    Code.CONN_FIX_PROXY_ADDRESS: QT_TRANSLATE_NOOP(
        "Messages", "Check the proxy address in the profile's settings."
    ),
    Code.CONN_FIX_PORT: QT_TRANSLATE_NOOP("Messages", "Check the address and port."),
    Code.CONN_FIX_PROXY_PORT: QT_TRANSLATE_NOOP("Messages", "Check the proxy address and port."),
    Code.CONN_ADDRESS_DIRECT: QT_TRANSLATE_NOOP("Messages", "{url}, direct connection."),
    Code.CONN_ADDRESS_PROXY: QT_TRANSLATE_NOOP("Messages", "{url}, through the proxy {proxy}."),
    Code.CONN_PROXY_UNUSABLE: QT_TRANSLATE_NOOP(
        "Messages", "The proxy setting is not usable: {problem}"
    ),
    Code.CONN_SYSTEM_PROXY_UNUSABLE: QT_TRANSLATE_NOOP(
        "Messages", "The system proxy {proxy} is not usable: {problem}"
    ),
    Code.CONN_DNS_NUMERIC: QT_TRANSLATE_NOOP(
        "Messages", "{who} is a numeric address: nothing to look up."
    ),
    Code.CONN_DNS_FOUND: QT_TRANSLATE_NOOP("Messages", "{who} is at {addresses}."),
    Code.CONN_DNS_NO_ANSWER: QT_TRANSLATE_NOOP(
        "Messages",
        "{what} could not be looked up right now (DNS: no answer). Check your internet connection.",
    ),
    Code.CONN_DNS_NOT_FOUND: QT_TRANSLATE_NOOP(
        "Messages", "{what} could not be found (DNS). {fix}"
    ),
    Code.CONN_DNS_FAILED: QT_TRANSLATE_NOOP("Messages", "Looking up {what} failed (DNS). {fix}"),
    Code.CONN_TCP_CONNECTED: QT_TRANSLATE_NOOP("Messages", "Connected to {who} on port {port}."),
    Code.CONN_TCP_REFUSED: QT_TRANSLATE_NOOP(
        "Messages",
        "{who} refused the connection on port {port} (TCP): nothing is listening there, or a "
        "firewall blocks it. {fix}",
    ),
    Code.CONN_TCP_TIMEOUT: QT_TRANSLATE_NOOP(
        "Messages",
        "{who} did not answer on port {port} within {seconds} s (TCP). A firewall may be "
        "blocking it, or the network is down.",
    ),
    Code.CONN_TCP_NO_ROUTE: QT_TRANSLATE_NOOP(
        "Messages", "{who} cannot be reached from this computer (TCP: no route). {fix}"
    ),
    Code.CONN_TCP_FAILED: QT_TRANSLATE_NOOP(
        "Messages", "Could not connect to {who} on port {port} (TCP; the system reported an error)."
    ),
    Code.CONN_SOCKS_LATER: QT_TRANSLATE_NOOP(
        "Messages", "The SOCKS handshake is checked with the web request below."
    ),
    Code.CONN_NO_TUNNEL: QT_TRANSLATE_NOOP(
        "Messages", "Plain HTTP goes to the proxy as it is; no tunnel is needed."
    ),
    Code.CONN_PROXY_TLS: QT_TRANSLATE_NOOP("Messages", "The proxy: {reason}"),
    Code.CONN_TUNNEL_BROKE: QT_TRANSLATE_NOOP(
        "Messages", "The proxy {proxy} broke off while opening a tunnel to {host}."
    ),
    Code.CONN_PROXY_WANTS_LOGIN: QT_TRANSLATE_NOOP(
        "Messages",
        "The proxy {proxy} asks for a user name and password (HTTP 407). Write them in the "
        "proxy address, e.g. http://user:password@host:port.",
    ),
    Code.CONN_PROXY_REFUSED_LOGIN: QT_TRANSLATE_NOOP(
        "Messages", "The proxy {proxy} refused the user name or password (HTTP 407)."
    ),
    Code.CONN_PROXY_BLOCKED: QT_TRANSLATE_NOOP(
        "Messages",
        "The proxy {proxy} would not connect to {target} (HTTP {status}). The proxy may block "
        "this address.",
    ),
    Code.CONN_TUNNEL_OPEN: QT_TRANSLATE_NOOP("Messages", "The proxy opened a tunnel to {target}."),
    Code.CONN_TLS_NOT_NEEDED: QT_TRANSLATE_NOOP(
        "Messages", "Plain HTTP to this computer: no encryption is needed."
    ),
    Code.CONN_TLS_OK: QT_TRANSLATE_NOOP("Messages", "{host} proved its identity ({version})."),
    Code.CONN_TLS_UNTRUSTED: QT_TRANSLATE_NOOP(
        "Messages", "The secure connection to {host} is not trusted (TLS): {reason}.{hint}"
    ),
    Code.CONN_TLS_INSPECTING: QT_TRANSLATE_NOOP(
        "Messages", " A company network that inspects traffic can cause this."
    ),
    Code.CONN_CERT_NOT_YET_VALID: QT_TRANSLATE_NOOP(
        "Messages", "its certificate is not valid yet. Check this computer's date and time"
    ),
    Code.CONN_CERT_EXPIRED: QT_TRANSLATE_NOOP(
        "Messages",
        "its certificate has expired. If this computer's date is right, the server must renew "
        "its certificate",
    ),
    Code.CONN_CERT_SELF_SIGNED: QT_TRANSLATE_NOOP(
        "Messages", "its certificate is self-signed, so nobody vouches for it"
    ),
    Code.CONN_CERT_UNTRUSTED_ROOT: QT_TRANSLATE_NOOP(
        "Messages", "its certificate chain ends in an authority this computer does not trust"
    ),
    Code.CONN_CERT_UNTRUSTED_ISSUER: QT_TRANSLATE_NOOP(
        "Messages", "its certificate comes from an authority this computer does not trust"
    ),
    Code.CONN_CERT_UNCHECKABLE: QT_TRANSLATE_NOOP(
        "Messages", "its certificate could not be checked against a trusted authority"
    ),
    Code.CONN_CERT_OTHER_NAME: QT_TRANSLATE_NOOP("Messages", "its certificate is for another name"),
    Code.CONN_CERT_OTHER: QT_TRANSLATE_NOOP("Messages", "its certificate failed the check"),
    Code.CONN_TLS_NOT_TLS: QT_TRANSLATE_NOOP(
        "Messages",
        "{host} did not answer in TLS (TLS: {reason}). Is the address http:// rather than "
        "https://, or the port wrong?",
    ),
    Code.CONN_TLS_FAILED: QT_TRANSLATE_NOOP(
        "Messages", "The secure connection to {host} failed (TLS: {reason})."
    ),
    Code.CONN_TLS_TIMEOUT: QT_TRANSLATE_NOOP(
        "Messages", "{host} did not finish the secure handshake in time (TLS)."
    ),
    Code.CONN_TLS_BROKE: QT_TRANSLATE_NOOP(
        "Messages", "{host} broke off the secure handshake (TLS)."
    ),
    Code.CONN_TLS_FAILED_PLAIN: QT_TRANSLATE_NOOP(
        "Messages", "The secure connection to {host} failed (TLS)."
    ),
    Code.CONN_HTTP_FAILED: QT_TRANSLATE_NOOP("Messages", "The web request failed (HTTP): {reason}"),
    Code.CONN_HTTP_OK: QT_TRANSLATE_NOOP(
        "Messages", "{host} answered a web request (HTTP {status})."
    ),
    Code.CONN_NO_KEY: QT_TRANSLATE_NOOP(
        "Messages", "No API key was given for this address, so the key was not checked."
    ),
    Code.CONN_KEY_REFUSED: QT_TRANSLATE_NOOP(
        "Messages",
        "{host} refused the API key (auth). Check that the whole key was pasted, or set a new one.",
    ),
    Code.CONN_KEY_UNCHECKED: QT_TRANSLATE_NOOP(
        "Messages", "The key could not be checked (auth): {reason}"
    ),
    Code.URL_EMPTY: QT_TRANSLATE_NOOP("Messages", "Enter the API address, e.g. {example}."),
    Code.URL_NOT_WEB_ADDRESS: QT_TRANSLATE_NOOP(
        "Messages", "“{text}” is not a web address (expected https://host)."
    ),
    Code.URL_CREDENTIALS: QT_TRANSLATE_NOOP(
        "Messages", "The API address must not contain a user name or password."
    ),
    Code.URL_QUERY: QT_TRANSLATE_NOOP(
        "Messages", "The API address must not contain ‘?’ or ‘#’ parts."
    ),
    Code.URL_PLAIN_HTTP: QT_TRANSLATE_NOOP(
        "Messages",
        "Refusing plain HTTP to {host}: the API key would travel unencrypted. Use https:// "
        "(plain http:// is allowed only for this computer).",
    ),
    Code.PROXY_EMPTY: QT_TRANSLATE_NOOP("Messages", "Enter the proxy address, e.g. {example}."),
    Code.PROXY_NO_KIND: QT_TRANSLATE_NOOP(
        "Messages", "Start the proxy address with its kind, e.g. http://{text}."
    ),
    Code.PROXY_NOT_ADDRESS: QT_TRANSLATE_NOOP(
        "Messages", "“{shown}” is not a proxy address (expected e.g. {example})."
    ),
    Code.PROXY_SOCKS_MISSING: QT_TRANSLATE_NOOP(
        "Messages",
        "SOCKS proxies need the PySocks package, which is not installed; use an http:// or "
        "https:// proxy.",
    ),
    Code.PROXY_SOCKS_KIND: QT_TRANSLATE_NOOP(
        "Messages", "Use socks5:// or socks5h:// for a SOCKS proxy."
    ),
    Code.PROXY_KIND_UNSUPPORTED: QT_TRANSLATE_NOOP(
        "Messages", "A proxy address starts with {kinds}; “{scheme}://” is not supported."
    ),
    Code.PROXY_NO_HOST: QT_TRANSLATE_NOOP(
        "Messages", "The proxy address has no host name (expected e.g. {example})."
    ),
    Code.PROXY_PATH: QT_TRANSLATE_NOOP(
        "Messages", "A proxy address is only a host and a port, without a path or ‘?’ parts."
    ),
    Code.CONN_ROUTE_PROXY: QT_TRANSLATE_NOOP(
        "Messages", "{host} is reached through the proxy {proxy}."
    ),
    Code.CONN_ROUTE_LOCAL: QT_TRANSLATE_NOOP(
        "Messages", "{host} is on this computer: no proxy is used."
    ),
    Code.CONN_ROUTE_SYSTEM_DIRECT: QT_TRANSLATE_NOOP(
        "Messages", "The system settings name no proxy for {host}: direct connection."
    ),
    Code.CONN_ROUTE_DIRECT: QT_TRANSLATE_NOOP("Messages", "{host} is reached directly."),
}
