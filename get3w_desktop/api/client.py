"""The Get3W client: submit, get, the optional /api/v3 routes, and downloads.

Thread-safe for concurrent use by workers (requests sessions are safe for concurrent
requests in practice; we never mutate them after construction). Nothing here sleeps or
retries on its own except where a method says so: polling lives in `waiting.py`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from get3w_desktop.api import download as _download
from get3w_desktop.api.http import (
    DEFAULT_DEADLINE,
    DEFAULT_TIMEOUT,
    MAX_TASK_BYTES,
    MalformedKeyError,
    Reply,
    make_api_session,
    make_output_session,
    raise_for_status,
    send,
)
from get3w_desktop.api.money import parse_billings, parse_quote, parse_usage
from get3w_desktop.api.parse import loads_object, parse_task
from get3w_desktop.core import media
from get3w_desktop.core.catalogue import Catalogue, parse_catalogue
from get3w_desktop.core.errors import (
    BadResponseError,
    CancelledError,
    Get3WError,
    InvalidParametersError,
    NetworkError,
    RateLimitedError,
    ServerError,
    SubmissionUncertainError,
    UnsupportedError,
)
from get3w_desktop.core.money import Billing, Quote, Usage
from get3w_desktop.core.proxy import ProxyConfig
from get3w_desktop.core.redact import REDACTOR
from get3w_desktop.core.schedule import Backoff
from get3w_desktop.core.task import SubmitMode, Task
from get3w_desktop.core.urls import host_of, normalise_base_url

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Read timeout for `?sync=true`, which holds the connection until the task is done.
SYNC_READ_TIMEOUT = 180.0
#: Upload limits from the v3 documentation, by media type prefix.
#: Bill lines asked for per page, and the most pages read (a runaway server stops here).
BILLING_PAGE_SIZE = 200
BILLING_MAX_PAGES = 50
#: Whole-exchange limit for an upload (the body may be 100 MB on a slow line).
UPLOAD_DEADLINE = 30 * 60.0
_MODEL_ID_CHARS = "/-_.:"


class Get3WClient:
    """Speaks the Get3W API at `base_url` with `api_key` (sent to that origin only)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        sync_timeout: float = SYNC_READ_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        proxy: ProxyConfig | None = None,
        ca_bundle: str | None = None,
    ) -> None:
        """`timeout` is (connect, read) per socket operation; `deadline` bounds a whole
        API exchange (a sync submit gets `sync_timeout` on top). `proxy` is the profile's
        choice (None: direct); it applies to API calls and downloads alike. `ca_bundle`
        replaces the bundled certificate authorities (a company's inspecting proxy, tests);
        certificates are always checked."""
        self.base_url = normalise_base_url(base_url)
        self._has_key = bool(api_key)
        REDACTOR.add_secret(api_key)
        self.proxy = proxy
        self._api = make_api_session(api_key, self.base_url, proxy)
        self._outputs = make_output_session(proxy)
        if ca_bundle:
            self._api.verify = self._outputs.verify = ca_bundle
        self._timeout = timeout
        self._sync_timeout = sync_timeout
        self._deadline = deadline
        self._v3_lock = threading.Lock()
        self._v3_available: bool | None = None

    def close(self) -> None:
        self._api.close()
        self._outputs.close()

    def __enter__(self) -> Get3WClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def host(self) -> str:
        return host_of(self.base_url)

    # -- the v1 contract -------------------------------------------------------------

    def submit(
        self,
        model_id: str,
        params: Mapping[str, Any],
        *,
        mode: SubmitMode = SubmitMode.ASYNC,
        webhook_url: str | None = None,
    ) -> Task:
        """POST one task. Never repeated here: see `submit_with_safe_retries`.

        Returns the created task (async, webhook) or the task as the sync call left it:
        terminal, or still running when the gateway gave up holding (poll it then).
        Raises SubmissionUncertainError when the server may have created the task but its
        answer was lost: the caller must not submit again without asking the person.
        Anything that goes wrong once the request may have left (a lost, huge, garbled
        or redirected answer) is uncertain, never "failed": a person told "failed"
        submits again and pays twice.
        """
        url = f"{self.base_url}/v1/{_model_path(model_id)}"
        query: dict[str, str] = {}
        read_timeout = self._timeout[1]
        deadline = self._deadline
        if mode is SubmitMode.SYNC:
            query["sync"] = "true"
            read_timeout = self._sync_timeout
            deadline += self._sync_timeout
        elif mode is SubmitMode.WEBHOOK:
            if not webhook_url:
                raise InvalidParametersError("Webhook mode needs a webhook address.")
            query["webhook"] = webhook_url
        try:
            body = json.dumps(dict(params), allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise InvalidParametersError(f"The parameters cannot be sent as JSON: {exc}.") from None
        try:
            reply = send(
                self._api,
                "POST",
                url,
                params=query,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=(self._timeout[0], read_timeout),
                total_deadline=deadline,
                max_bytes=MAX_TASK_BYTES,
            )
        except MalformedKeyError:
            raise  # found before anything was sent
        except NetworkError as exc:
            if not exc.maybe_sent:
                raise
            raise _uncertain(exc) from None
        except Get3WError as exc:  # too large, a malformed redirect, …: after the POST left
            raise _uncertain(exc) from None
        except Exception as exc:  # whatever it is, the request may have left
            log.warning("submit to %s failed unexpectedly", self.host, exc_info=True)
            cause = BadResponseError(
                f"The answer from {self.host} could not be read.", detail=type(exc).__name__
            )
            raise _uncertain(cause) from None
        try:
            raise_for_status(reply, f"model {model_id}")
        except (ServerError, BadResponseError) as exc:
            # 503 means "not accepted"; any other 5xx or odd answer may hide a created task.
            if isinstance(exc, ServerError) and exc.status == 503:
                raise
            raise _uncertain(exc) from None
        try:
            task = parse_task(loads_object(reply.body, "the submit"), "the submit")
        except BadResponseError as exc:
            raise _uncertain(exc) from None
        if not task.model:
            task = dataclasses.replace(task, model=model_id)
        return task

    def submit_with_safe_retries(
        self,
        model_id: str,
        params: Mapping[str, Any],
        *,
        mode: SubmitMode = SubmitMode.ASYNC,
        webhook_url: str | None = None,
        attempts: int = 3,
        cancel: threading.Event | None = None,
        on_retry: Callable[[Get3WError, float], None] | None = None,
    ) -> Task:
        """`submit`, repeated only when the task was certainly not created.

        That is: the request never left (DNS, refused, connect timeout), or the server
        said 429 or 503. Everything else propagates at once.
        """

        def once() -> Task:
            return self.submit(model_id, params, mode=mode, webhook_url=webhook_url)

        def safe(exc: Get3WError) -> bool:
            if isinstance(exc, NetworkError):
                return not exc.maybe_sent
            if isinstance(exc, ServerError):
                return exc.status == 503
            return isinstance(exc, RateLimitedError)

        return retry_call(once, attempts=attempts, cancel=cancel, is_retryable=safe,
                          on_retry=on_retry)  # fmt: skip

    def get(self, task_id: str) -> Task:
        """One poll. No retries here: the wait loop owns them."""
        url = f"{self.base_url}/v1/requests/{quote(task_id, safe='')}"
        reply = send(self._api, "GET", url, timeout=self._timeout, total_deadline=self._deadline,
                     max_bytes=MAX_TASK_BYTES)  # fmt: skip
        raise_for_status(reply, f"task {task_id}")
        task = parse_task(loads_object(reply.body, "the status request"), "the status request")
        if task.id != task_id:
            raise BadResponseError(
                "The server answered about a different task than the one asked for.",
                detail=f"asked {task_id}, got {task.id}",
            )
        return task

    # -- outputs ---------------------------------------------------------------------

    def download(
        self,
        url: str,
        folder: Path,
        stem: str,
        *,
        expected_kind: str | None = None,
        cancel: threading.Event | None = None,
        attempts: int = 4,
        on_retry: Callable[[Get3WError, float], None] | None = None,
    ) -> _download.DownloadResult:
        """Save one output (never with credentials), retrying transient failures."""

        def once() -> _download.DownloadResult:
            return _download.download(
                self._outputs, url, folder, stem, expected_kind=expected_kind, cancel=cancel,
                timeout=self._timeout, head_deadline=self._deadline,
            )  # fmt: skip

        return retry_call(once, attempts=attempts, cancel=cancel, on_retry=on_retry)

    # -- optional /api/v3 routes -----------------------------------------------------

    def v3_available(self) -> bool | None:
        """True/False once probed; None while unknown."""
        return self._v3_available

    def list_models(self) -> Catalogue:
        """The server's model list, or UnsupportedError when the route is not served."""
        catalogue, _problems = parse_catalogue(self.model_list_data(), source="remote")
        return catalogue

    def model_list_data(self) -> Any:
        """The model list as the server sent it (the envelope's `data`), for the cache;
        UnsupportedError when the route is not served."""
        return self._v3("GET", "/api/v3/models", "the model list")

    def balance(self) -> float | None:
        """The account balance in USD, or None when the server does not say."""
        try:
            data = self._v3("GET", "/api/v3/balance", "the balance")
        except UnsupportedError:
            return None
        value = data.get("balance") if isinstance(data, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return None

    def price(self, model_id: str, params: Mapping[str, Any]) -> Quote | None:
        """The server's price for one task with `params`; None when it offers no pricing.

        Free: nothing is created or charged. Other failures raise as usual.
        """
        try:
            body = json.dumps({"model_id": _model_path(model_id), "inputs": dict(params)},
                              allow_nan=False)  # fmt: skip
        except (TypeError, ValueError) as exc:
            raise InvalidParametersError(f"The parameters cannot be sent as JSON: {exc}.") from None
        try:
            data = self._v3(
                "POST", "/api/v3/model/pricing", "the price", data=body.encode("utf-8"),
                headers={"Content-Type": "application/json"},
            )  # fmt: skip
        except UnsupportedError:
            return None
        return parse_quote(data)

    def billings(self, since: dt.datetime | None = None) -> list[Billing] | None:
        """The account's charges and refunds from `since` on, oldest first; None when the
        server does not offer them. Reads every page (up to BILLING_MAX_PAGES)."""
        query: dict[str, str] = {"page_size": str(BILLING_PAGE_SIZE)}
        if since is not None:
            moment = since if since.tzinfo else since.astimezone()
            query["since"] = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines: list[Billing] = []
        for page in range(1, BILLING_MAX_PAGES + 1):
            query["page"] = str(page)
            try:
                data = self._v3("GET", "/api/v3/billings", "the billing history", params=query)
            except UnsupportedError:
                return None
            chunk = parse_billings(data)
            lines.extend(chunk.items)
            got = len(chunk.items) + chunk.skipped
            if got < BILLING_PAGE_SIZE or (chunk.total is not None and page * BILLING_PAGE_SIZE
                                           >= chunk.total):  # fmt: skip
                break
        return lines

    def usage(self, period: str | None = None) -> Usage | None:
        """A month's usage (`period` "YYYY-MM", this month by default); None if not offered."""
        query = {"period": period} if period else {}
        try:
            data = self._v3("GET", "/api/v3/usage", "the usage", params=query)
        except UnsupportedError:
            return None
        return parse_usage(data)

    def upload(self, path: Path) -> str:
        """Upload a local file; its URL on the server. UnsupportedError if not offered."""
        media_type, limit = media.media_type(path), media.upload_limit(path)
        size = path.stat().st_size
        if limit is not None and size > limit:
            raise InvalidParametersError(
                f"{path.name} is {size / 1024**2:.1f} MB; the limit for this kind of file "
                f"is {limit // 1024**2} MB."
            )
        with path.open("rb") as handle:
            data = self._v3(
                "POST", "/api/v3/files/upload", "the upload",
                files={"file": (path.name, handle, media_type)},
                total_deadline=UPLOAD_DEADLINE,
            )  # fmt: skip
        url = data.get("url") if isinstance(data, dict) else None
        if not isinstance(url, str) or not url:
            raise BadResponseError("The upload answer has no file address.")
        return url

    def delete(self, task_id: str) -> bool:
        """Delete (or cancel) a task on the server. False when the route is not offered."""
        try:
            self._v3("DELETE", f"/api/v3/predictions/{quote(task_id, safe='')}", "the delete")
        except UnsupportedError:
            return False
        return True

    def _v3(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        """Call a v3 route, unwrap its envelope, and remember if the family is missing."""
        if self._v3_available is False:
            raise UnsupportedError(f"This server does not offer {what}.")
        kwargs.setdefault("total_deadline", self._deadline)
        reply = send(self._api, method, self.base_url + path, timeout=self._timeout, **kwargs)
        data = _envelope_data(reply)
        if data is _MISSING:
            # Only a definite "no such route" settles the probe; an error inside a served
            # route (401, 403, 5xx) is reported as usual.
            if reply.status in (404, 405, 501) or 200 <= reply.status < 300:
                with self._v3_lock:
                    if self._v3_available is None:
                        self._v3_available = False
                raise UnsupportedError(f"This server does not offer {what}.")
            raise_for_status(reply, what)
            raise BadResponseError(f"The server sent an unexpected answer to {what}.")
        with self._v3_lock:
            self._v3_available = True
        if not 200 <= reply.status < 300:
            raise_for_status(reply, what)
        return data


_MISSING: Any = object()


def _envelope_data(reply: Reply) -> Any:
    """The `data` of a v3 envelope, or _MISSING when the answer is not one."""
    try:
        decoded = json.loads(reply.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return _MISSING
    if isinstance(decoded, dict) and "data" in decoded and "code" in decoded:
        return decoded["data"]
    return _MISSING


def _model_path(model_id: str) -> str:
    model_id = model_id.strip().strip("/")
    if not model_id or any(not (c.isalnum() or c in _MODEL_ID_CHARS) for c in model_id):
        raise InvalidParametersError(f"“{model_id}” is not a model id (like owner/model/task).")
    if any(part in ("", ".", "..") for part in model_id.split("/")):
        raise InvalidParametersError(f"“{model_id}” is not a model id (like owner/model/task).")
    return model_id


def _uncertain(cause: Get3WError) -> SubmissionUncertainError:
    return SubmissionUncertainError(
        "The task may have been created (and charged), but its answer was lost: "
        f"{cause.message} It was not sent again. Check your Get3W history before retrying.",
        cause=cause,
        detail=cause.detail,
    )


def retry_call(
    fn: Callable[[], T],
    *,
    attempts: int,
    cancel: threading.Event | None = None,
    is_retryable: Callable[[Get3WError], bool] | None = None,
    on_retry: Callable[[Get3WError, float], None] | None = None,
    backoff: Backoff | None = None,
) -> T:
    """Call `fn`, repeating transient failures with backoff; waits are cancellable.

    Only for idempotent calls (or ones `is_retryable` proves safe). `Retry-After` wins.
    """
    backoff = backoff or Backoff()
    event = cancel or threading.Event()
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except Get3WError as exc:
            retryable = is_retryable(exc) if is_retryable else exc.transient
            if not retryable or attempt == attempts or isinstance(exc, CancelledError):
                raise
            delay = backoff.next_delay()
            retry_after = getattr(exc, "retry_after", None)
            if isinstance(retry_after, float):
                delay = max(delay, retry_after)
            if on_retry is not None:
                on_retry(exc, delay)
            if event.wait(delay):
                raise CancelledError("Cancelled while waiting to retry.") from None
    raise AssertionError("unreachable")  # pragma: no cover
