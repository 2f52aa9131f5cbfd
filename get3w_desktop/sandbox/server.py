"""The sandbox server: an API host and a separate output host, on loopback threads."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer
from typing import Any

from get3w_desktop.core.catalogue import Catalogue, load_bundled
from get3w_desktop.core.resources import resource_path
from get3w_desktop.sandbox.config import SandboxConfig
from get3w_desktop.sandbox.handlers import ApiHandler, OutputHandler, render_outputs
from get3w_desktop.sandbox.state import Output, SandboxState, SandboxTask, Stats

log = logging.getLogger("get3w_desktop.sandbox")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: Any, sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        super().__init__(address, handler)


class SandboxServer:
    """A Get3W-compatible server for tests and the app's offline mode."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        output_port: int = 0,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self.catalogue = catalogue or load_bundled()
        self.state = SandboxState(self.config, self.config.clock or time.monotonic)
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._api = _Server((host, port), ApiHandler, self)
        self._output = _Server((host, output_port), OutputHandler, self)
        self._threads: list[threading.Thread] = []
        self._catalogue_json: list[Any] | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> SandboxServer:
        for name, server in (("sandbox-api", self._api), ("sandbox-output", self._output)):
            thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("sandbox serving %s (outputs %s)", self.base_url, self.output_base_url)
        return self

    def stop(self) -> None:
        """Stop both hosts at once, releasing hanging, dripping and idle connections."""
        self.stopping.set()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for server in (self._api, self._output):
            if self._threads:
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

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
        return self._url(self._api)

    @property
    def output_base_url(self) -> str:
        return self._url(self._output)

    @property
    def stats(self) -> Stats:
        with self.state.lock:
            return self.state.stats.snapshot()

    def task_count(self) -> int:
        with self.state.lock:
            return len(self.state.tasks)

    def outputs_of(self, task: SandboxTask) -> list[Output]:
        """Render a completed task's outputs once; later calls return the same bytes."""
        with task.output_lock:
            if task.outputs is None:
                task.outputs = render_outputs(task, self.config.render_scale, self.config.seed)
            return task.outputs

    def output_checksums(self, task_id: str) -> list[str]:
        """SHA-256 of each output exactly as served (rendered now if need be)."""
        task = self.state.tasks.get(task_id)
        if task is None or task.status(self.state.clock()) != "completed":
            return []
        return [o.sha256 for o in self.outputs_of(task)]

    def catalogue_json(self) -> list[Any]:
        if self._catalogue_json is None:
            raw = json.loads(resource_path("catalogue.json").read_text(encoding="utf-8"))
            self._catalogue_json = list(raw["models"])
        return self._catalogue_json

    # -- webhooks --------------------------------------------------------------------

    def deliver_webhook_later(self, task: SandboxTask) -> None:
        thread = threading.Thread(target=self._deliver, args=(task,), name="sandbox-webhook",
                                  daemon=True)  # fmt: skip
        thread.start()

    def _deliver(self, task: SandboxTask) -> None:
        while task.status(self.state.clock()) in ("created", "processing"):
            if self.stopping.wait(0.02):
                return
        assert task.webhook is not None
        body = json.dumps(self.state.task_json(task, self.output_base_url)).encode()
        signature = hmac.new(self.config.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        for attempt in range(4):
            request = urllib.request.Request(  # noqa: S310 - the receiver is the point
                task.webhook, data=body, method="POST",
                headers={"Content-Type": "application/json", "X-Get3W-Signature": signature},
            )  # fmt: skip
            status = 0
            # Any URL is the point of a webhook (the person's own receiver).
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                    status = answer.status
            except (urllib.error.URLError, OSError) as exc:
                status = getattr(exc, "code", 0) or 0
            with self.state.lock:
                self.state.stats.webhook_deliveries.append(
                    {
                        "task_id": task.id,
                        "url": task.webhook,
                        "attempt": attempt + 1,
                        "status": status,
                    }
                )
            if 200 <= status < 300 or self.stopping.wait(0.2 * 2**attempt):
                return
