"""Hostile or broken servers: every trick is refused or handled with a clear message, and
nothing is ever written outside the chosen folder."""

from __future__ import annotations

import contextlib
import io
import socket
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from get3w_desktop.api import download as dl
from get3w_desktop.api.client import Get3WClient
from get3w_desktop.api.http import make_output_session
from get3w_desktop.core.errors import BadResponseError, DownloadError, SubmissionUncertainError
from get3w_desktop.workers.thumbnails import DecodeError, read_image
from tests.faults.support import files_under
from tests.scripted_server import Answer, ScriptedServer

KEY = "sk_hostile_canary_5e1d"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def tiny_png() -> bytes:
    """A real, decodable 4 x 4 PNG."""
    stream = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(stream, "PNG")
    return stream.getvalue()


def bomb_png(side: int = 50_000) -> bytes:
    """A small, valid-looking PNG that declares side x side pixels."""
    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 4096)
    return (
        PNG_MAGIC
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "chosen" / "outputs"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/png;base64,iVBORw0KGgo=",
        "/outputs/x.png",
        "../../../etc/passwd",
        "http://user:pass@127.0.0.1:1/x.png",
        "http://cdn.example.com/x.png",  # plain HTTP to a remote host
        "https://[",
        "ftp://127.0.0.1/x.png",
    ],
)
def test_output_addresses_that_are_not_https_files_are_refused(
    url: str, folder: Path, tmp_path: Path
) -> None:
    with Get3WClient("http://127.0.0.1:1", KEY) as client, pytest.raises(DownloadError) as caught:
        client.download(url, folder, "t_0", attempts=1)
    assert caught.value.message.startswith("Refusing")
    assert files_under(tmp_path) == set()


def test_the_file_name_is_ours_whatever_the_url_or_headers_say(
    server: ScriptedServer, folder: Path, tmp_path: Path
) -> None:
    server.on("GET", "/evil.sh", Answer(200, tiny_png(), {
        "Content-Type": "image/png",
        "Content-Disposition": 'attachment; filename="../../../.bashrc"'}))  # fmt: skip
    with make_output_session() as session:
        saved = dl.download(session, f"{server.url}/../../evil.sh", folder, "t_0")
    assert saved.path == folder / "t_0.png"
    assert files_under(tmp_path) == {folder / "t_0.png"}
    for stem in ("../t", "a/b", ".hidden", "", "x" * 200):
        with pytest.raises(DownloadError):
            dl.download(make_output_session(), f"{server.url}/x", folder, stem)


def test_a_huge_content_length_is_refused_before_reading(folder: Path, tmp_path: Path) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 99999999999999\r\n\r\n"
    with (
        raw_server(head + PNG_MAGIC + b"\x00" * 1000) as url,
        make_output_session() as session,
        pytest.raises(DownloadError) as caught,
    ):
        dl.download(session, url, folder, "t_0")
    assert "too large" in caught.value.message
    assert files_under(tmp_path) == set()


def test_a_body_longer_than_the_ceiling_is_cut_off(
    server: ScriptedServer, folder: Path, tmp_path: Path
) -> None:
    server.on("GET", "/big.png", Answer(200, PNG_MAGIC + b"\x00" * 5000))
    with make_output_session() as session, pytest.raises(DownloadError) as caught:
        dl.download(session, f"{server.url}/big.png", folder, "t_0", max_bytes=1000)
    assert "too large" in caught.value.message or "larger than" in caught.value.message
    assert files_under(tmp_path) == set()


def test_bytes_that_are_not_an_image_are_refused_whatever_their_label(
    server: ScriptedServer, folder: Path, tmp_path: Path
) -> None:
    server.on("GET", "/x.png", Answer(200, b"<html><script>alert(1)</script></html>",
                                      {"Content-Type": "image/png"}))  # fmt: skip
    with make_output_session() as session, pytest.raises(DownloadError) as caught:
        dl.download(session, f"{server.url}/x.png", folder, "t_0", expected_kind="image")
    assert "unrecognised file where an image was expected" in caught.value.message
    assert files_under(tmp_path) == set()


def test_a_decompression_bomb_is_refused_unread_and_never_decoded(
    server: ScriptedServer, folder: Path, tmp_path: Path
) -> None:
    server.on("GET", "/bomb.png", Answer(200, bomb_png(), {"Content-Type": "image/png"}))
    with make_output_session() as session, pytest.raises(DownloadError) as caught:
        dl.download(session, f"{server.url}/bomb.png", folder, "t_0", expected_kind="image")
    assert "does not decode" in caught.value.message or "too large" in caught.value.message
    assert files_under(tmp_path) == set()
    bomb = tmp_path / "bomb.png"  # and a preview of such a file (from elsewhere) is refused
    bomb.write_bytes(bomb_png())
    with pytest.raises(DecodeError) as refused:
        read_image(str(bomb), max_side=256)
    assert "too large to preview" in str(refused.value)
    assert "50000" in str(refused.value)


def test_html_where_json_was_expected_is_a_clear_protocol_error(server: ScriptedServer) -> None:
    page = Answer(200, "<!doctype html><html><body>Welcome to nginx!</body></html>",
                  {"Content-Type": "text/html"})  # fmt: skip
    server.on("GET", "/v1/requests/t-1", page)
    server.on("POST", "/v1/some/model", page)
    with Get3WClient(server.url, KEY) as client:
        with pytest.raises(BadResponseError) as caught:
            client.get("t-1")
        assert "unreadable answer" in caught.value.message
        assert "Welcome to nginx" in caught.value.detail  # a short, tag-free snippet
        assert "<" not in caught.value.detail
        with pytest.raises(SubmissionUncertainError):  # it may still have been created
            client.submit("some/model", {"prompt": "x"})
        assert len(server.requests_to("POST", "/v1/some/model")) == 1


def test_an_output_redirect_to_a_refused_address_is_not_followed(
    server: ScriptedServer, folder: Path, tmp_path: Path
) -> None:
    for target in ("file:///etc/passwd", "http://cdn.example.com/x.png", "https://[x"):
        server.on("GET", "/x.png", Answer(302, b"", {"Location": target}))
        with make_output_session() as session, pytest.raises(DownloadError) as caught:
            dl.download(session, f"{server.url}/x.png", folder, "t_0")
        assert "Refusing" in caught.value.message or "malformed" in caught.value.message
    server.on("GET", "/loop.png", Answer(302, b"", {"Location": "/loop.png"}))
    with make_output_session() as session, pytest.raises(DownloadError) as caught:
        dl.download(session, f"{server.url}/loop.png", folder, "t_0")
    assert "Too many redirects" in caught.value.message
    assert files_under(tmp_path) == set()


@contextlib.contextmanager
def raw_server(payload: bytes) -> Iterator[str]:
    """Answers one connection with `payload` verbatim, then closes (what no library sends)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        with contextlib.suppress(OSError):
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(payload)

    thread = threading.Thread(target=serve, name="raw-server")
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/x.png"
    finally:
        listener.close()
        thread.join(5)


def test_an_api_redirect_to_a_malformed_address_is_a_protocol_error(
    server: ScriptedServer,
) -> None:
    server.on("GET", "/v1/requests/t-1", Answer(302, b"", {"Location": "https://[x"}))
    with Get3WClient(server.url, KEY) as client, pytest.raises(BadResponseError) as caught:
        client.get("t-1")
    assert "malformed redirect" in caught.value.message
