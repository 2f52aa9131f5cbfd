"""The sandbox server: an API host and a separate output host, on background threads."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
import uuid
from http.server import ThreadingHTTPServer
from typing import Any

from get3w_desktop.core.catalogue import Catalogue, ModelInfo, load_bundled
from get3w_desktop.core.pacing import Pacer, paced
from get3w_desktop.core.resources import resource_path
from get3w_desktop.sandbox.api import ApiHandler
from get3w_desktop.sandbox.cdn import OutputHandler
from get3w_desktop.sandbox.config import SandboxConfig
from get3w_desktop.sandbox.dice import Dice, unit
from get3w_desktop.sandbox.media import render_outputs
from get3w_desktop.sandbox.state import Output, SandboxState, SandboxTask, Stats, output_extension
from get3w_desktop.sandbox.webhooks import WebhookSender
from get3w_desktop.sandbox.wire import WireHandler

log = logging.getLogger("get3w_desktop.sandbox")

#: Running sandboxes in this process: together they are one "CDN bucket", so an output
#: redirected (FaultConfig.redirect_to) to another sandbox's output host is found there.
_LIVE: set[SandboxServer] = set()
_LIVE_LOCK = threading.Lock()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = True  # server_close() joins the handler threads
    request_queue_size = 128  # socketserver's 5 overflows under 32 clients: resets

    def __init__(
        self, address: tuple[str, int], handler: type[WireHandler], sandbox: SandboxServer
    ) -> None:
        self.sandbox = sandbox
        super().__init__(address, handler)


class SandboxServer:
    """A Get3W-compatible server for tests and the app's offline mode.

    `start()` serves from background threads; `stop()` (or leaving a `with` block) ends
    both hosts promptly, releasing hanging and dripping answers.
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        output_port: int = 0,
        catalogue: Catalogue | None = None,
        *,
        memory: tuple[SandboxState, Dice] | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self.catalogue = catalogue or load_bundled()
        self._bundled = catalogue is None
        if memory is None:
            memory = (
                SandboxState(self.config, self.config.clock or time.monotonic),
                Dice(self.config.seed),
            )
        self.state, self.dice = memory
        self.stopping = threading.Event()
        slots = self.config.render_slots
        self._rendering: contextlib.AbstractContextManager[object] = (
            threading.BoundedSemaphore(slots) if slots else contextlib.nullcontext()
        )
        self.webhooks = WebhookSender(
            self.state, self.config.webhook_secret, lambda: self.output_base_url, self.stopping
        )
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._catalogue_json: list[Any] | None = None
        self._catalogue_answer: bytes | None = None
        self._catalogue_lock = threading.Lock()
        self._uploads = 0
        self._api = _HTTPServer((host, port), ApiHandler, self)
        try:
            self._output = _HTTPServer((host, output_port), OutputHandler, self)
        except OSError:
            self._api.server_close()
            raise

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> SandboxServer:
        if self._threads:
            return self  # already serving
        if self.stopping.is_set():
            raise RuntimeError("a stopped sandbox server cannot start again")
        for name, server in (("sandbox-api", self._api), ("sandbox-output", self._output)):
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
            )
            thread.start()
            self._threads.append(thread)
        with _LIVE_LOCK:
            _LIVE.add(self)
        log.info("sandbox serving %s (outputs %s)", self.base_url, self.output_base_url)
        return self

    def stop(self) -> None:
        """Stop both hosts, releasing hanging, dripping and idle connections; join threads."""
        if self.stopping.is_set() and not self._threads:
            return
        self.stopping.set()
        with _LIVE_LOCK:
            _LIVE.discard(self)
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for server in (self._api, self._output):
            if self._threads:
                server.shutdown()
            server.server_close()  # joins the handler threads
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        self.webhooks.stop()
        log.info("sandbox stopped")

    def restarted(self) -> SandboxServer:
        """The same service back after an outage: a new, started server on this one's
        addresses with its memory (tasks, balances, fault dice). Stop this one first."""
        if not self.stopping.is_set():
            raise RuntimeError("stop the sandbox before restarting it")
        host, port = self._api.server_address[:2]
        server = SandboxServer(
            self.config,
            str(host),
            int(port),
            int(self._output.server_address[1]),
            None if self._bundled else self.catalogue,
            memory=(self.state, self.dice),
        )
        server._uploads = self._uploads
        return server.start()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    # -- addresses and introspection -------------------------------------------------

    @staticmethod
    def _url(server: ThreadingHTTPServer) -> str:
        host, port = server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """The API host, e.g. http://127.0.0.1:8765."""
        return self._url(self._api)

    @property
    def output_base_url(self) -> str:
        """The separate output ("CDN") host."""
        return self._url(self._output)

    @property
    def stats(self) -> Stats:
        """A snapshot: later requests do not change it."""
        with self.state.lock:
            snapshot = self.state.stats.copy()
        snapshot.faults_injected = self.dice.injected_snapshot()
        return snapshot

    def stats_json(self) -> dict[str, Any]:
        """GET /_sandbox/stats: the stats plus output checksums by task id."""
        data = self.stats.as_json()
        with self.state.lock:
            ids = list(self.state.tasks)
        data["tasks"] = len(ids)
        data["checksums"] = {task_id: self.output_checksums(task_id) for task_id in ids}
        return data

    def task_count(self) -> int:
        """How many tasks this server has created (deleted ones included)."""
        with self.state.lock:
            return len(self.state.tasks)

    def output_checksums(self, task_id: str) -> list[str]:
        """SHA-256 (hex) of each output file exactly as served; [] until completed."""
        with self.state.lock:
            task = self.state.tasks.get(task_id)
        if task is None or task.status(self.state.clock()) != "completed":
            return []
        return [o.sha256 for o in self.outputs_of(task)]

    def catalogue_json(self) -> list[Any]:
        """GET /api/v3/models data: the bundled file's entries exactly (or the given models)."""
        if self._catalogue_json is None:
            if self._bundled:
                raw = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))
                self._catalogue_json = list(raw["models"])
            else:
                self._catalogue_json = [_model_entry(m) for m in self.catalogue]
        return self._catalogue_json

    def catalogue_answer(self) -> bytes:
        """GET /api/v3/models's whole answer, `{"code": 200, ..., "data": [models]}`, made
        once. In the app's own sandbox the request thread shares the interpreter lock
        with the window, and parsing and re-encoding the ~1 MB list held it ~20-40 ms
        while the window painted its first rows (issue 16). So the bundled list is served
        as the file's own text (see `_models_text`); a given list is encoded a model at a
        time, with a `Pacer` between."""
        with self._catalogue_lock:
            if self._catalogue_answer is None:
                head = json.dumps({"code": 200, "message": "success", "data": None})
                head = head.removesuffix("null}")
                text = _models_text(resource_path("catalogue.json").read_bytes()) \
                    if self._bundled else None  # fmt: skip
                if text is None:
                    models = [json.dumps(e).encode() for e in paced(self.catalogue_json(), Pacer())]
                    text = b"[" + b", ".join(models) + b"]"
                self._catalogue_answer = head.encode() + text + b"}"
            return self._catalogue_answer

    # -- for the handlers ------------------------------------------------------------

    def count_request(self, route: str, path: str) -> None:
        with self.state.lock:
            stats = self.state.stats
            stats.requests += 1
            if route == "poll":
                task_id = path.removeprefix("/v1/requests/")
                if task_id in self.state.tasks:
                    stats.polls_by_task[task_id] = stats.polls_by_task.get(task_id, 0) + 1

    def record_request(self, host: str, text: str) -> None:
        with self.state.lock:
            self.state.stats.requests_seen.append((host, text))

    def count_output_request(self, authorization: str | None) -> None:
        with self.state.lock:
            self.state.stats.output_requests += 1
            if authorization is not None:
                self.state.stats.output_auth_headers.append(authorization)

    def add_upload(self, data: bytes, content_type: str) -> str:
        """Keep an uploaded file; its id in /uploads/<id>/<name>."""
        with self.state.lock:
            self._uploads += 1
            number = int(unit(self.config.seed, "upload", self._uploads) * 2**64)
            upload_id = uuid.UUID(int=number << 64 | self._uploads, version=4).hex
            self.state.uploads[upload_id] = (data, content_type)
        return upload_id

    def outputs_of(self, task: SandboxTask) -> list[Output]:
        """Render a completed task's outputs once; later calls return the same bytes."""
        with task.output_lock:
            if task.outputs is None:
                with self._rendering:
                    task.outputs = render_outputs(task, self.config.render_scale)
            return task.outputs

    def find_file(self, parts: list[str]) -> tuple[bytes, str] | None:
        """(bytes, media type) for an output path's three parts, from any live sandbox."""
        found = self._local_file(parts)
        if found is None:
            with _LIVE_LOCK:
                others = [s for s in _LIVE if s is not self]
            for other in others:
                found = other._local_file(parts)
                if found is not None:
                    break
        return found

    def _local_file(self, parts: list[str]) -> tuple[bytes, str] | None:
        kind, name, leaf = parts
        if kind == "uploads":
            with self.state.lock:
                return self.state.uploads.get(name)
        if kind not in ("outputs", "files"):
            return None
        with self.state.lock:
            task = self.state.tasks.get(name)
        index, _, ext = leaf.partition(".")
        if task is None or not index.isdigit() or ext != output_extension(task):
            return None
        if task.status(self.state.clock()) != "completed" or int(index) >= task.output_count():
            return None
        output = self.outputs_of(task)[int(index)]
        return output.data, output.content_type


def _models_text(document: bytes) -> bytes | None:
    """The text of the "models" array in the bundled catalogue's file, without parsing
    it. scripts/build_catalogue.py writes `{"version":..,"note":"..","models":[...]}`,
    "models" last (a quote in the note is escaped, so `"models"` and a colon is the key;
    tests/sandbox/test_sandbox_model_list.py checks the text is the list). None when the
    file is not laid out so: then the list is parsed and encoded instead."""
    key = document.find(b'"models"')
    if key < 0:
        return None
    rest = document[key + len(b'"models"') :].lstrip()
    if not rest.startswith(b":"):
        return None
    array = rest[1:].strip()
    if not (array.startswith(b"[") and array.endswith(b"}")):
        return None
    array = array[:-1].rstrip()
    return array if array.endswith(b"]") else None


def _model_entry(model: ModelInfo) -> dict[str, Any]:
    """A model in WaveSpeed's list format (what the catalogue file holds)."""
    return {
        "model_id": model.model_id,
        "name": model.name,
        "description": model.description,
        "type": model.type,
        "base_price": model.base_price,
        "estimated_duration": model.estimated_duration,
        "api_schema": {
            "api_schemas": [{"type": "model_run", "request_schema": dict(model.schema)}]
        },
    }
