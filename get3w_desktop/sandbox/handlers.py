"""HTTP handlers for the sandbox's two hosts: the API and the output "CDN".

Faults are applied here, at the wire: a reset really resets the socket, a drip really
sends one byte a second, a hang really never answers (until the server stops).
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import hashlib
import json
import logging
import re
import socket
import struct
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from get3w_desktop.core.catalogue import validate_params
from get3w_desktop.sandbox import media
from get3w_desktop.sandbox.state import Output, SandboxTask, output_extension

if TYPE_CHECKING:
    from get3w_desktop.sandbox.server import SandboxServer

log = logging.getLogger("get3w_desktop.sandbox")
UPLOAD_LIMITS = {"image": 20 * 1024**2, "video": 100 * 1024**2, "audio": 50 * 1024**2}
MAX_BODY = 110 * 1024**2
_HTML = "<html><head><title>{code} {title}</title></head><body><h1>{code} {title}</h1><hr>nginx</body></html>"  # noqa: E501
_TITLES = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


class _Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections do not live forever
    server_version = "Get3WSandbox/1.0"

    @property
    def sandbox(self) -> SandboxServer:
        return self.server.sandbox  # type: ignore[attr-defined, no-any-return]

    def setup(self) -> None:
        super().setup()
        self.sandbox.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.sandbox.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    # -- wire-level answers ----------------------------------------------------------

    def reset(self) -> None:
        """Close with RST and no answer: the client sees a connection error."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def hang(self) -> None:
        self.sandbox.stopping.wait()
        self.reset()

    def answer(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None,
        *, drip: bool = False, truncate: bool = False,
    ) -> None:  # fmt: skip
        head = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n"]
        all_headers = {"Content-Type": content_type, "Content-Length": str(len(body)),
                       "Date": self.date_time_string(), "Server": self.server_version,
                       **(headers or {})}  # fmt: skip
        head += [f"{k}: {v}\r\n" for k, v in all_headers.items()]
        raw = ("".join(head) + "\r\n").encode("latin-1") + body
        log.info("%s %s -> %d%s", self.command, self.path.split("?")[0], status,
                 " (drip)" if drip else " (truncated)" if truncate else "")  # fmt: skip
        if truncate:
            self.wfile.write(raw[: len(raw) - max(1, len(body) // 2)])
            self.wfile.flush()
            self.reset()
            return
        if drip:
            for i in range(len(raw)):
                if self.sandbox.stopping.wait(1.0):
                    self.reset()
                    return
                self.wfile.write(raw[i : i + 1])
                self.wfile.flush()
            return
        self.wfile.write(raw)

    def json(self, status: int, data: Any, headers: dict[str, str] | None = None,
             **kw: bool) -> None:  # fmt: skip
        self.answer(status, json.dumps(data).encode(), "application/json", headers, **kw)

    def read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            return b""
        if int(length) > MAX_BODY:
            return None
        return self.rfile.read(int(length))


class ApiHandler(_Base):
    def do_GET(self) -> None:
        self.route("GET")

    def do_POST(self) -> None:
        self.route("POST")

    def do_DELETE(self) -> None:
        self.route("DELETE")

    def error(self, status: int, message: str, v3: bool,
              headers: dict[str, str] | None = None) -> None:  # fmt: skip
        body = {"code": status, "message": message, "data": None} if v3 else {
            "code": status, "error": message}  # fmt: skip
        self.json(status, body, headers)

    def route(self, method: str) -> None:
        state = self.sandbox.state
        faults = state.config.faults
        path = unquote(urlsplit(self.path).path)
        with state.lock:
            state.stats.requests += 1
        if path == "/_sandbox/stats" and method == "GET":
            stats = state.stats.snapshot().as_json()
            stats["checksums"] = {t: self.sandbox.output_checksums(t) for t in list(state.tasks)}
            self.json(200, stats)
            return
        body = self.read_body() if method == "POST" else b""
        v3 = path.startswith("/api/v3/")
        try:
            low, high = faults.latency
            if high > 0 and self.sandbox.stopping.wait(low + (high - low) * state.rng(
                    "latency", state.stats.requests).random()):  # fmt: skip
                return
            if state.decide("hang", faults.hang):
                self.hang()
                return
            drip = state.decide("drip", faults.drip)
            if state.decide("rate_limit", faults.rate_limit):
                self.error(429, "Rate limit exceeded", v3,
                           {"Retry-After": f"{faults.retry_after:g}"})  # fmt: skip
                return
            if state.decide("server_error", faults.server_error):
                code = state.pick("server_error_code", (502, 503, 504))
                extra = {"Retry-After": f"{faults.retry_after:g}"} if code == 503 else {}
                page = _HTML.format(code=code, title=_TITLES[code]).encode()
                self.answer(code, page, "text/html", extra)
                return
            key = self.authorise(v3)
            if key is None:
                return
            if body is None:
                self.error(413, "Request body too large", v3)
                return
            self.dispatch(method, path, body, key, v3, drip)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception:
            log.exception("sandbox handler failed for %s %s", method, path)
            self.error(500, "Server error", v3)

    def authorise(self, v3: bool) -> str | None:
        header = self.headers.get("Authorization")
        if not header:
            self.error(401, "Missing Authorization header", v3)
            return None
        scheme, _, key = header.partition(" ")
        if scheme != "Bearer" or not key.strip():
            self.error(401, "Invalid Authorization format, expected: Bearer <api_key>", v3)
            return None
        key = key.strip()
        if key not in self.sandbox.state.balances:
            self.error(401, "Invalid or revoked API key", v3)
            return None
        return key

    def dispatch(self, method: str, path: str, body: bytes, key: str, v3: bool,
                 drip: bool) -> None:  # fmt: skip
        state = self.sandbox.state
        if method == "GET" and path.startswith("/v1/requests/"):
            self.get_task(path.removeprefix("/v1/requests/"), drip)
        elif method == "POST" and path.startswith("/v1/"):
            self.submit(path.removeprefix("/v1/"), body, key, drip)
        elif not v3 or not state.config.v3_enabled:
            self.error(404, "Not found", v3=False)  # a server without v3 knows no envelope
        elif method == "GET" and path == "/api/v3/models":
            self.json(200, _ok(self.sandbox.catalogue_json()), drip=drip)
        elif method == "GET" and path == "/api/v3/balance":
            self.json(200, _ok({"balance": state.balance(key)}), drip=drip)
        elif method == "GET" and path == "/api/v3/usage":
            self.json(200, _ok(state.usage(key)), drip=drip)
        elif method == "POST" and path == "/api/v3/files/upload":
            self.upload(body)
        elif method == "DELETE" and path.startswith("/api/v3/predictions/"):
            task = state.find(path.removeprefix("/api/v3/predictions/"))
            if task is None or task.key != key:
                self.error(404, "Not found", v3=True)
                return
            task.deleted = True
            self.json(200, _ok({"id": task.id, "status": "deleted"}))
        else:
            self.error(404, "Not found", v3)

    def get_task(self, task_id: str, drip: bool) -> None:
        state = self.sandbox.state
        faults = state.config.faults
        task = state.find(task_id)
        if task is None:
            self.error(404, "Not found", v3=False)
            return
        with state.lock:
            state.stats.polls_by_task[task.id] = state.stats.polls_by_task.get(task.id, 0) + 1
        if state.decide("reset", faults.reset):
            self.reset()
            return
        payload = json.dumps(state.task_json(task, self.sandbox.output_base_url)).encode()
        if state.decide("malformed_json", faults.malformed_json):
            payload = payload[: len(payload) // 2]
        self.answer(200, payload, "application/json", drip=drip)

    def submit(self, model_id: str, body: bytes, key: str, drip: bool) -> None:
        sandbox = self.sandbox
        state = sandbox.state
        model = sandbox.catalogue.get(model_id.strip("/"))
        if model is None:
            self.error(404, "Not found", v3=False)
            return
        try:
            params = json.loads(body or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            self.error(400, "Invalid parameters: the body is not JSON", v3=False)
            return
        if not isinstance(params, dict):
            self.error(400, "Invalid parameters: the body must be a JSON object", v3=False)
            return
        problems = [p for p in validate_params(model, params) if "unknown parameter" not in p]
        if problems:
            self.error(400, f"Invalid parameters: {problems[0]}", v3=False)
            return
        query = parse_qs(urlsplit(self.path).query)
        webhook = query.get("webhook", [None])[0]
        sync = query.get("sync", ["false"])[0].lower() == "true"
        with state.lock:
            if state.balance(key) < (model.base_price or 0.0):
                self.error(403, "Insufficient balance", v3=False)
                return
            if state.active_count(key) >= state.config.concurrency_limit:
                self.error(429, "Rate limit exceeded", v3=False, headers={"Retry-After": "1"})
                return
            task = state.create(key, model, params, webhook)
        if webhook:
            sandbox.deliver_webhook_later(task)
        if state.decide("reset_after_submit", state.config.faults.reset_after_submit):
            self.reset()
            return
        if sync:
            self.hold_until_done(task)
            return
        self.json(200, {"id": task.id, "status": "created", "estimated_duration": task.estimate},
                  drip=drip)  # fmt: skip

    def hold_until_done(self, task: SandboxTask) -> None:
        state = self.sandbox.state
        config = state.config
        limit = config.sync_timeout * config.time_scale
        started_clock, started_real = state.clock(), time.monotonic()
        while task.status(state.clock()) in ("created", "processing"):
            waited = max(state.clock() - started_clock, time.monotonic() - started_real)
            if waited >= limit:
                if config.sync_timeout_mode == "504":
                    page = _HTML.format(code=504, title=_TITLES[504]).encode()
                    self.answer(504, page, "text/html")
                    return
                break
            if self.sandbox.stopping.wait(0.02):
                self.reset()
                return
        self.json(200, state.task_json(task, self.sandbox.output_base_url))

    def upload(self, body: bytes) -> None:
        content_type = self.headers.get("Content-Type", "")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        fields = (p for p in message.iter_parts()
                  if p.get_param("name", header="content-disposition") == "file")  # fmt: skip
        part = next(fields, None)
        data = part.get_payload(decode=True) if part is not None else None
        if part is None or not isinstance(data, bytes) or not data:
            self.error(400, "Invalid parameters: multipart field 'file' is required", v3=True)
            return
        kind = part.get_content_type().split("/")[0]
        limit = UPLOAD_LIMITS.get(kind)
        if limit is None:
            self.error(400, f"Unsupported file type {part.get_content_type()}", v3=True)
            return
        if len(data) > limit:
            self.error(400, f"File too large (limit {limit // 1024**2} MB)", v3=True)
            return
        name = re.sub(r"[^A-Za-z0-9._-]", "_", part.get_filename() or "upload")[-80:]
        upload_id = uuid.uuid4().hex
        with self.sandbox.state.lock:
            self.sandbox.state.uploads[upload_id] = (data, part.get_content_type())
        self.json(200, _ok({"url": f"{self.sandbox.output_base_url}/uploads/{upload_id}/{name}"}))


class OutputHandler(_Base):
    """The "CDN": serves outputs and uploads, records any credentials it is sent."""

    def do_GET(self) -> None:
        sandbox = self.sandbox
        state = sandbox.state
        faults = state.config.faults
        with state.lock:
            state.stats.output_requests += 1
            auth = self.headers.get("Authorization")
            if auth is not None:
                state.stats.output_auth_headers.append(auth)
        path = urlsplit(self.path).path
        try:
            if faults.redirect_to and not self.headers.get("X-Sandbox-Hop"):
                self.answer(302, b"", "text/plain",
                            {"Location": faults.redirect_to.rstrip("/") + self.path})  # fmt: skip
                return
            if (
                faults.redirect_outputs
                and path.startswith("/outputs/")
                and "hop=1" not in self.path
            ):
                self.answer(302, b"", "text/plain", {"Location": f"{path}?hop=1"})
                return
            if state.decide("hang", faults.hang):
                self.hang()
                return
            found = self.find(path)
            if found is None:
                self.answer(404, b"Not found", "text/plain")
                return
            data, content_type = found
            truncate = state.decide("truncated_download", faults.truncated_download)
            drip = state.decide("drip", faults.drip)
            self.answer(200, data, content_type, {"Cache-Control": "max-age=604800"},
                        drip=drip, truncate=truncate)  # fmt: skip
        except (BrokenPipeError, ConnectionResetError):
            pass

    def find(self, path: str) -> tuple[bytes, str] | None:
        sandbox = self.sandbox
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "uploads":
            with sandbox.state.lock:
                return sandbox.state.uploads.get(parts[1])
        if len(parts) != 3 or parts[0] != "outputs":
            return None
        task = sandbox.state.tasks.get(parts[1])
        index, _, ext = parts[2].partition(".")
        if task is None or not index.isdigit() or ext != output_extension(task):
            return None
        if task.status(sandbox.state.clock()) != "completed":
            return None
        outputs = sandbox.outputs_of(task)
        if int(index) >= len(outputs):
            return None
        output = outputs[int(index)]
        return output.data, output.content_type


def render_outputs(task: SandboxTask, render_scale: float, seed_base: int) -> list[Output]:
    params = task.params
    kind = task.model.output_kind
    prompt = str(params.get("prompt") or params.get("text") or "")
    outputs = []
    for index in range(task.output_count()):
        if kind == "video":
            data, content_type = media.video_clip(params), "video/mp4"
        elif kind == "audio":
            data, content_type = media.render_audio(f"{prompt}:{index}"), "audio/wav"
        else:
            seed = params.get("seed", -1)
            if not isinstance(seed, int) or seed < 0:
                seed = (seed_base * 1_000_003 + task.number) % 2**31
            size = media.image_size(params, render_scale)
            fmt = str(params.get("output_format", "png"))
            data, content_type = media.render_image(prompt, seed + index, size, fmt)
        ext = output_extension(task)
        outputs.append(Output(data, content_type, ext, hashlib.sha256(data).hexdigest()))
    return outputs


def _ok(data: Any) -> dict[str, Any]:
    return {"code": 200, "message": "success", "data": data}
