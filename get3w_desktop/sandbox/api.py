"""The API host: `/v1` (bare JSON) and `/api/v3` (enveloped), as API.md describes them.

Before a request reaches the API it passes a simulated gateway, where the configured
faults happen: latency, hangs, drips, 429s and HTML 5xx pages.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from get3w_desktop.core.catalogue import apply_defaults, validate_params
from get3w_desktop.sandbox import hostile
from get3w_desktop.sandbox.state import ACTIVE, BillingLine, SandboxTask, price_of
from get3w_desktop.sandbox.uploads import UploadError, parse_upload
from get3w_desktop.sandbox.wire import WireHandler, gateway_page, log

_V3 = "/api/v3/"
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_PAGE_SIZE = 500


def route_of(method: str, path: str) -> str:
    """The route class a request's faults are counted under."""
    if path.startswith("/v1/requests/") and method == "GET":
        return "poll"
    if path.startswith("/v1/") and method == "POST":
        return "submit"
    if path.startswith(_V3):
        return path.removeprefix(_V3).split("/", 1)[0] or "v3"
    return "other"


def _ok(data: Any) -> dict[str, Any]:
    return {"code": 200, "message": "success", "data": data}


class ApiHandler(WireHandler):
    host_name = "api"

    def do_GET(self) -> None:
        self.handle_api()

    def do_POST(self) -> None:
        self.handle_api()

    def do_DELETE(self) -> None:
        self.handle_api()

    def do_PUT(self) -> None:
        self.handle_api()

    def do_PATCH(self) -> None:
        self.handle_api()

    def error(
        self, status: int, message: str, v3: bool, headers: dict[str, str] | None = None
    ) -> None:
        """The contract's error bodies: v1 `{code, error}`, v3 `{code, message, data}`."""
        if v3:
            self.json(status, {"code": status, "message": message, "data": None}, headers)
        else:
            self.json(status, {"code": status, "error": message}, headers)

    def handle_api(self) -> None:
        sandbox = self.sandbox
        path = unquote(self.begin())
        method = self.command
        v3 = path.startswith(_V3)
        try:
            if path == "/_sandbox/stats" and method == "GET":
                self.json(200, sandbox.stats_json())  # the admin route: no auth, no faults
                return
            body = self.read_body()  # read first, so a kept-alive connection stays in step
            route = route_of(method, path)
            sandbox.count_request(route, path)
            if body is None:
                self.error(413, "Request body too large", v3)
            elif not self.gateway(route, v3):
                self.serve(method, path, body, v3)
        except OSError as exc:  # the client went away
            log.debug("api %s %s: connection lost (%s)", method, path, exc)
        except Exception:
            log.exception("sandbox API handler failed for %s %s", method, path)
            if not self.answered:
                self.close_connection = True
                self.error(500, "Server error", v3)

    def gateway(self, route: str, v3: bool) -> bool:
        """Apply the gateway faults; True when one has dealt with the request (answered it,
        reset it or left it hanging), so the API never sees it."""
        sandbox = self.sandbox
        faults, dice = sandbox.config.faults, sandbox.dice
        low, high = faults.latency
        if high > 0 and sandbox.stopping.wait(low + (high - low) * dice.uniform("latency", route)):
            self.reset()
            return True
        if dice.fault("hang", route, faults.hang):
            self.hang()
            return True
        self.drip = dice.fault("drip", route, faults.drip)
        accepts = self.headers.get("Accept-Encoding", "").lower()
        self.gzip = "gzip" in accepts and dice.fault("gzip", route, faults.gzip)
        retry_after = {"Retry-After": f"{faults.retry_after:g}"}
        if dice.fault("rate_limit", route, faults.rate_limit):
            self.error(429, "Rate limit exceeded", v3, retry_after)
            return True
        if dice.fault("server_error", route, faults.server_error):
            code = dice.choose("server_error_code", route, (502, 503, 504))
            self.answer(code, gateway_page(code), "text/html", retry_after if code == 503 else {})
            return True
        return False

    def serve(self, method: str, path: str, body: bytes, v3: bool) -> None:
        if v3 and not self.sandbox.config.v3_enabled:
            self.error(404, "Not found", v3=False)  # a server without v3 knows no envelope
            return
        key = self.authorise(v3)
        if key is None:
            return
        if method == "GET" and path.startswith("/v1/requests/"):
            self.get_task(path.removeprefix("/v1/requests/"))
        elif method == "POST" and path.startswith("/v1/"):
            self.submit(path.removeprefix("/v1/").strip("/"), body, key)
        elif v3:
            self.serve_v3(method, path.removeprefix(_V3), body, key)
        else:
            self.error(404, "Not found", v3=False)

    def authorise(self, v3: bool) -> str | None:
        header = self.headers.get("Authorization")
        if not header or not header.strip():
            self.error(401, "Missing Authorization header", v3)
            return None
        scheme, _, key = header.strip().partition(" ")
        key = key.strip()
        if scheme != "Bearer" or not key or " " in key:
            self.error(401, "Invalid Authorization format, expected: Bearer <api_key>", v3)
            return None
        with self.sandbox.state.lock:
            known = key in self.sandbox.state.balances
        if not known:
            self.error(401, "Invalid or revoked API key", v3)
            return None
        return key

    # -- /v1 -------------------------------------------------------------------------

    def get_task(self, task_id: str) -> None:
        sandbox = self.sandbox
        task = sandbox.state.find(task_id)
        if task is None:
            self.error(404, "Not found", v3=False)
            return
        faults = sandbox.config.faults
        if sandbox.dice.fault("reset", "poll", faults.reset):
            self.reset()
            return
        payload = hostile.task_answer(
            self, sandbox.state.task_json(task, sandbox.output_base_url), "poll"
        )
        if sandbox.dice.fault("malformed_json", "poll", faults.malformed_json):
            payload = payload[: len(payload) // 2]  # a prefix of an object is never valid JSON
        self.answer(200, payload, "application/json")

    def submit(self, model_id: str, body: bytes, key: str) -> None:
        sandbox = self.sandbox
        state = sandbox.state
        model = sandbox.catalogue.get(model_id)
        if model is None:
            self.error(404, "Not found", v3=False)
            return
        try:
            params = json.loads(body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            self.error(400, "Invalid parameters: the body is not valid JSON", v3=False)
            return
        if not isinstance(params, dict):
            self.error(400, "Invalid parameters: the body must be a JSON object", v3=False)
            return
        # Like the real service, parameters a model does not know are ignored.
        known = {k: v for k, v in params.items() if model.param(str(k)) is not None}
        problems = validate_params(model, known)
        if problems:
            self.error(400, f"Invalid parameters: {problems[0]}", v3=False)
            return
        query = parse_qs(urlsplit(self.path).query)
        webhook = query.get("webhook", [None])[0]
        if webhook is not None and urlsplit(webhook).scheme not in ("http", "https"):
            self.error(400, "Invalid parameters: webhook must be an http(s) URL", v3=False)
            return
        with state.lock:
            if state.balance(key) < price_of(model, apply_defaults(model, known)):
                self.error(403, "Insufficient balance", v3=False)
                return
            active = state.active(key)
            if len(active) >= sandbox.config.concurrency_limit:
                self.error(
                    429,
                    "Rate limit exceeded",
                    v3=False,
                    headers={"Retry-After": str(self._retry_hint(active))},
                )
                return
            task = state.create(key, model, apply_defaults(model, params), webhook)
        log.info("api task %s created for %s", task.id, model.model_id)
        if webhook:
            sandbox.webhooks.add(task)
        if sandbox.dice.fault(
            "reset_after_submit", "submit", sandbox.config.faults.reset_after_submit
        ):
            self.reset()
            return
        answer = {"id": task.id, "status": "created", "estimated_duration": task.estimate}
        if hostile.submit_twist(self, answer):
            return
        if query.get("sync", ["false"])[0].lower() in ("true", "1"):
            self.hold_until_done(task)
            return
        self.answer(200, hostile.task_answer(self, answer, "submit"), "application/json")

    def _retry_hint(self, active: list[SandboxTask]) -> int:
        """Seconds until a slot is likely to free up (1..60)."""
        now = self.sandbox.state.clock()
        soonest = min((t.remaining(now) for t in active), default=1.0)
        return 1 if not math.isfinite(soonest) else max(1, min(60, math.ceil(soonest)))

    def hold_until_done(self, task: SandboxTask) -> None:
        """`?sync=true`: wait on the sandbox clock until the task ends or the timeout."""
        sandbox = self.sandbox
        config = sandbox.config
        clock = sandbox.state.clock
        deadline = clock() + config.sync_timeout * config.time_scale
        while task.status(clock()) in ACTIVE and not task.deleted:
            if clock() >= deadline:
                if config.sync_timeout_mode == "504":
                    self.answer(504, gateway_page(504), "text/html")
                    return
                break
            if sandbox.stopping.wait(0.005):
                self.reset()
                return
        self.json(200, sandbox.state.task_json(task, sandbox.output_base_url))

    # -- /api/v3 ---------------------------------------------------------------------

    def serve_v3(self, method: str, route: str, body: bytes, key: str) -> None:
        sandbox = self.sandbox
        state = sandbox.state
        if method == "GET" and route == "models":
            self.answer(200, sandbox.catalogue_answer(), "application/json")
        elif method == "GET" and route == "balance":
            self.json(200, _ok({"balance": state.balance(key)}))
        elif method == "GET" and route == "usage":
            period = self.query_value("period")
            if period is not None and not _PERIOD.match(period):
                self.error(400, "Invalid parameters: period must be YYYY-MM", v3=True)
                return
            self.json(200, _ok(state.usage(key, period)))
        elif method == "POST" and route == "model/pricing":
            self.pricing(body)
        elif method == "GET" and route == "billings":
            self.billings(key)
        elif method == "POST" and route == "files/upload":
            self.upload(body)
        elif method == "DELETE" and route.startswith("predictions/"):
            task = state.find(route.removeprefix("predictions/").strip("/"))
            if task is None or task.key != key:
                self.error(404, "Not found", v3=True)
                return
            state.delete(task)
            self.json(200, _ok({"id": task.id, "status": "deleted"}))
        else:
            self.error(404, "Not found", v3=True)

    def upload(self, body: bytes) -> None:
        try:
            upload = parse_upload(self.headers.get("Content-Type", ""), body)
        except UploadError as exc:
            self.error(400, str(exc), v3=True)
            return
        upload_id = self.sandbox.add_upload(upload.data, upload.content_type)
        url = f"{self.sandbox.output_base_url}/uploads/{upload_id}/{upload.filename}"
        self.json(
            200, _ok({"url": url, "content_type": upload.content_type, "size": len(upload.data)})
        )

    # -- money -----------------------------------------------------------------------

    def query_value(self, name: str) -> str | None:
        values = parse_qs(urlsplit(self.path).query).get(name)
        return values[0] if values else None

    def pricing(self, body: bytes) -> None:
        """`POST /api/v3/model/pricing` `{model_id, inputs}` -> `{model_id, unit_price, currency}`.

        Free, and lenient like a form that is still being filled: missing required
        values do not stop a quote; values the rule cannot read price as the default.
        """
        try:
            request = json.loads(body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            self.error(400, "Invalid parameters: the body is not valid JSON", v3=True)
            return
        model_id = request.get("model_id") if isinstance(request, dict) else None
        inputs = request.get("inputs", {}) if isinstance(request, dict) else None
        if not isinstance(model_id, str) or not isinstance(inputs, dict):
            self.error(400, "Invalid parameters: send {model_id, inputs}", v3=True)
            return
        model = self.sandbox.catalogue.get(model_id.strip().strip("/"))
        if model is None:
            self.error(404, "Not found", v3=True)
            return
        known = {k: v for k, v in inputs.items() if model.param(str(k)) is not None}
        price = price_of(model, apply_defaults(model, known))
        self.json(200, _ok({"model_id": model.model_id, "unit_price": price, "currency": "USD"}))

    def billings(self, key: str) -> None:
        """`GET /api/v3/billings?since=<ISO 8601>&page=1&page_size=100`: charges and refunds,
        oldest first, as `{items, page, page_size, total}`."""
        state = self.sandbox.state
        since_text = self.query_value("since")
        since: float | None = None
        if since_text:
            try:
                moment = datetime.datetime.fromisoformat(since_text.replace("Z", "+00:00"))
            except ValueError:
                self.error(400, "Invalid parameters: since must be an ISO 8601 time", v3=True)
                return
            since = state.clock_of(moment)
        try:
            page = int(self.query_value("page") or 1)
            size = int(self.query_value("page_size") or 100)
        except ValueError:
            self.error(400, "Invalid parameters: page and page_size are numbers", v3=True)
            return
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            self.error(400, f"Invalid parameters: page >= 1, page_size 1-{MAX_PAGE_SIZE}", v3=True)
            return
        lines = state.billings(key, since)
        chunk = lines[(page - 1) * size : page * size]
        items = [self._billing_json(line) for line in chunk]
        self.json(200, _ok({"items": items, "page": page, "page_size": size, "total": len(lines)}))

    def _billing_json(self, line: BillingLine) -> dict[str, Any]:
        return {
            "id": f"bill_{line.number:08d}",
            "billing_type": line.kind,
            "amount": line.amount,
            "currency": "USD",
            "task_id": line.task_id,
            "model_id": line.model_id,
            "created_at": self.sandbox.state.timestamp(line.at),
        }
