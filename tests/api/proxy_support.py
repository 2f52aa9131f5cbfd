"""Loopback stand-ins for a proxy and a TLS server, for proxy and connection tests.

- `ConnectProxy`: an HTTP proxy that only tunnels (`CONNECT host:port`). It maps host names
  to loopback addresses (so `api.get3w.test` can exist without DNS), can require a
  user name and password, counts connections and keeps every byte clients sent it.
- `TLSRelay`: a TLS server with a certificate made here, relaying the decrypted stream to
  a plain TCP server (the sandbox), so a client sees an HTTPS API.
- Certificates are made with `cryptography`: a test authority, leaves signed by it (valid
  or expired), and self-signed ones.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import ipaddress
import selectors
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# -- certificates -------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    cert_pem: bytes
    key_pem: bytes
    key: Any
    cert: x509.Certificate

    def write(self, folder: Path, stem: str) -> tuple[Path, Path]:
        cert, key = folder / f"{stem}.crt", folder / f"{stem}.key"
        cert.write_bytes(self.cert_pem)
        key.write_bytes(self.key_pem)
        return cert, key


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def issue(names: list[str], *, ca: Issued | None = None, is_ca: bool = False,
          expired: bool = False) -> Issued:  # fmt: skip
    """A certificate for `names`, signed by `ca` (self-signed without one)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    start, end = (now - dt.timedelta(days=30), now - dt.timedelta(days=1)) if expired else (
        now - dt.timedelta(days=1), now + dt.timedelta(days=30))  # fmt: skip
    subject = _name(names[0])
    sans: list[x509.GeneralName] = []
    for name in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject if ca else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if not is_ca:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    else:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    cert = builder.sign(ca.key if ca else key, hashes.SHA256())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())  # fmt: skip
    return Issued(cert.public_bytes(serialization.Encoding.PEM), key_pem, key, cert)


# -- servers ------------------------------------------------------------------------------


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    block_on_close = True
    daemon_threads = False


class _Base:
    """A threaded loopback TCP server that can cut every open connection when it stops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self.connections = 0
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with owner._lock:
                    owner.connections += 1
                    owner._sockets.add(self.request)
                try:
                    owner.serve(self.request)
                except OSError:
                    pass
                finally:
                    with owner._lock:
                        owner._sockets.discard(self.request)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)  # fmt: skip

    def serve(self, sock: socket.socket) -> None:
        raise NotImplementedError

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def __enter__(self) -> Any:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        with self._lock:
            for sock in list(self._sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        self._server.server_close()  # joins the handler threads
        self._thread.join(5)


def pipe(a: Any, b: socket.socket, record: bytearray | None = None) -> None:
    """Relay both ways until either side closes; `record` keeps what `a` sent."""
    with selectors.DefaultSelector() as selector:
        selector.register(a, selectors.EVENT_READ, b)
        selector.register(b, selectors.EVENT_READ, a)
        while True:
            pending = isinstance(a, ssl.SSLSocket) and a.pending() > 0
            events = [(selector.get_key(a), 0)] if pending else selector.select(timeout=5)
            if not events:
                continue
            for key, _mask in events:
                source, sink = key.fileobj, key.data
                try:
                    data = source.recv(65536)  # type: ignore[union-attr]
                except (OSError, ssl.SSLError):
                    return
                if not data:
                    return
                if record is not None and source is a:
                    record.extend(data)
                sink.sendall(data)


class ConnectProxy(_Base):
    """An HTTP proxy that only opens tunnels; see the module docstring."""

    def __init__(self, routes: dict[str, int] | None = None,
                 credentials: tuple[str, str] | None = None) -> None:  # fmt: skip
        super().__init__()
        self.routes = routes or {}  # host name -> loopback port
        self.credentials = credentials
        self.request_lines: list[str] = []
        self.heads: list[str] = []
        self.received = bytearray()  # every byte any client sent, tunnels included

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(1)
            if not chunk:
                return
            head += chunk
        self.received.extend(head)
        text = head.decode("latin-1")
        line = text.split("\r\n", 1)[0]
        with self._lock:
            self.request_lines.append(line)
            self.heads.append(text)
        method, _sp, rest = line.partition(" ")
        if method != "CONNECT":
            sock.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        if self.credentials is not None:
            token = base64.b64encode(":".join(self.credentials).encode()).decode()
            if f"proxy-authorization: basic {token}".lower() not in text.lower():
                sock.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                             b"Proxy-Authenticate: Basic realm=\"test\"\r\n"
                             b"Content-Length: 0\r\n\r\n")  # fmt: skip
                return
        target = rest.split(" ", 1)[0]
        host, _colon, port = target.rpartition(":")
        upstream_port = self.routes.get(host, int(port) if host == "127.0.0.1" else 0)
        if not upstream_port:
            sock.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        with socket.create_connection(("127.0.0.1", upstream_port), timeout=10) as upstream:
            self.track(upstream)
            sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            sock.settimeout(None)
            pipe(sock, upstream, self.received)


class TLSRelay(_Base):
    """HTTPS in front of a plain TCP server on loopback."""

    def __init__(self, cert: Path, key: Path, upstream_port: int) -> None:
        super().__init__()
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.upstream_port = upstream_port
        self.handshakes_failed = 0

    def serve(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        try:
            tls = self.context.wrap_socket(sock, server_side=True)
        except (ssl.SSLError, OSError):
            with self._lock:
                self.handshakes_failed += 1
            return
        self.track(tls)
        with tls, socket.create_connection(("127.0.0.1", self.upstream_port), 10) as upstream:
            self.track(upstream)
            tls.settimeout(None)
            pipe(tls, upstream)
