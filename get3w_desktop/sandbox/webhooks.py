"""Webhook deliveries: the final task object, POSTed when a task ends, signed, retried.

One background thread watches the sandbox clock for tasks with a webhook to end, then
POSTs the task object with `X-Get3W-Signature` = hex HMAC-SHA256(raw body, secret).
A delivery that fails (no answer or not 2xx) is retried with backoff; every attempt
is recorded in the stats.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import http.client
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from get3w_desktop.sandbox.state import ACTIVE, SandboxState, SandboxTask

log = logging.getLogger("get3w_desktop.sandbox")
ATTEMPTS = 4
FIRST_BACKOFF = 0.2  # seconds, doubled after each failed attempt
TIMEOUT = 2.0


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclasses.dataclass
class _Pending:
    task: SandboxTask
    attempt: int = 0
    not_before: float = 0.0  # time.monotonic(): retry backoff is real time


class WebhookSender:
    def __init__(
        self,
        state: SandboxState,
        secret: str,
        output_base: Callable[[], str],
        stopping: threading.Event,
    ) -> None:
        self._state = state
        self._secret = secret
        self._output_base = output_base
        self._stopping = stopping
        self._lock = threading.Lock()
        self._pending: list[_Pending] = []
        self._thread: threading.Thread | None = None
        self._connection: http.client.HTTPConnection | None = None

    def add(self, task: SandboxTask) -> None:
        with self._lock:
            self._pending.append(_Pending(task))
            if self._thread is None and not self._stopping.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="sandbox-webhooks", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """Called after the stop event is set: abort a delivery in flight and join."""
        with self._lock:
            connection, thread = self._connection, self._thread
        if connection is not None and connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.close()
        if thread is not None:
            thread.join(timeout=TIMEOUT + 1)

    def _run(self) -> None:
        while not self._stopping.wait(0.01):
            now, real_now = self._state.clock(), time.monotonic()
            with self._lock:
                due = [
                    p
                    for p in self._pending
                    if p.not_before <= real_now
                    and (p.task.status(now) not in ACTIVE or p.task.deleted)
                ]
            for pending in due:
                if self._stopping.is_set():
                    return
                self._attempt(pending)

    def _attempt(self, pending: _Pending) -> None:
        task = pending.task
        if task.deleted:  # nothing to report about a deleted task
            with self._lock:
                self._pending.remove(pending)
            return
        body = json.dumps(self._state.task_json(task, self._output_base())).encode()
        signature = sign(body, self._secret)
        pending.attempt += 1
        status, problem = self._post(task.webhook or "", body, signature)
        ok = 200 <= status < 300
        record: dict[str, Any] = {
            "task_id": task.id,
            "url": task.webhook,
            "attempt": pending.attempt,
            "status": status,
            "ok": ok,
            "signature": signature,
        }
        if problem:
            record["error"] = problem
        with self._state.lock:
            self._state.stats.webhook_deliveries.append(record)
        log.info(
            "webhook for task %s: attempt %d -> %s", task.id, pending.attempt, status or problem
        )
        with self._lock:
            if ok or pending.attempt >= ATTEMPTS:
                self._pending.remove(pending)
            else:
                pending.not_before = time.monotonic() + FIRST_BACKOFF * 2 ** (pending.attempt - 1)

    def _post(self, url: str, body: bytes, signature: str) -> tuple[int, str]:
        """(HTTP status, "") or (0, what went wrong)."""
        parts = urlsplit(url)
        factory = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {
            "Content-Type": "application/json",
            "X-Get3W-Signature": signature,
            "User-Agent": "Get3WSandbox-Webhook/1.0",
        }
        try:
            connection = factory(parts.hostname or "", parts.port, timeout=TIMEOUT)
        except (ValueError, OSError) as exc:
            return 0, str(exc)
        with self._lock:
            self._connection = connection
        try:
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, ""
        except (OSError, http.client.HTTPException) as exc:
            return 0, f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
            with self._lock:
                self._connection = None
