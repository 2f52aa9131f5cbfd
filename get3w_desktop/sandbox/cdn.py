"""The output host, a stand-in for Get3W's CDN: task outputs and uploaded files.

It needs no credentials and answers normally whatever it is sent, but it records every
Authorization header it receives: a correct client never sends one here.
Paths: /outputs/<task>/<n>.<ext> (the URLs in task objects, which may redirect) and
/files/<task>/<n>.<ext> (where the bytes are), /uploads/<id>/<name>.
"""

from __future__ import annotations

import re

from get3w_desktop.sandbox import hostile
from get3w_desktop.sandbox.wire import WireHandler, log

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) of a single `Range: bytes=…`; None = the whole file.

    Raises ValueError for a range that cannot be satisfied.
    """
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(size - 1, int(last)) if last else size - 1
    if start > end or start >= size:
        raise ValueError("unsatisfiable range")
    return start, end


class OutputHandler(WireHandler):
    host_name = "output"

    def do_GET(self) -> None:
        self.serve_file(head_only=False)

    def do_HEAD(self) -> None:
        self.serve_file(head_only=True)

    def serve_file(self, *, head_only: bool) -> None:
        sandbox = self.sandbox
        path = self.begin()
        sandbox.count_output_request(self.headers.get("Authorization"))
        try:
            self._serve(path, head_only)
        except OSError as exc:  # the client went away
            log.debug("output %s: connection lost (%s)", path, exc)
        except Exception:
            log.exception("sandbox output handler failed for %s", path)
            if not self.answered:
                self.close_connection = True
                self.answer(500, b"Server error", "text/plain", head_only=head_only)

    def _serve(self, path: str, head_only: bool) -> None:
        sandbox = self.sandbox
        faults, dice = sandbox.config.faults, sandbox.dice
        if dice.fault("hang", "output", faults.hang):
            self.hang()
            return
        self.drip = dice.fault("drip", "output", faults.drip)
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "outputs":
            real = f"/files/{parts[1]}/{parts[2]}"
            if faults.redirect_to:
                self.redirect(faults.redirect_to.rstrip("/") + real, head_only)
                return
            if faults.redirect_outputs:
                self.redirect(sandbox.output_base_url + real, head_only)
                return
        found = sandbox.find_file(parts) if len(parts) == 3 else None
        if found is None:
            self.answer(404, b"Not found", "text/plain", head_only=head_only)
            return
        data, content_type = found
        if dice.fault("corrupt_image", "output", faults.corrupt_image):
            data = hostile.corrupted(data, content_type)
        headers = {"Cache-Control": "public, max-age=604800", "Accept-Ranges": "bytes"}
        status = 200
        try:
            span = byte_range(self.headers.get("Range"), len(data))
        except ValueError:
            headers["Content-Range"] = f"bytes */{len(data)}"
            self.answer(416, b"", content_type, headers, head_only=head_only)
            return
        if span is not None:
            status = 206
            headers["Content-Range"] = f"bytes {span[0]}-{span[1]}/{len(data)}"
            data = data[span[0] : span[1] + 1]
        truncate = dice.fault("truncated_download", "output", faults.truncated_download)
        if not head_only and dice.fault(
            "lengthless_truncation", "output", faults.lengthless_truncation
        ):
            hostile.lengthless_truncated(self, status, data, content_type, headers)
            return
        self.answer(status, data, content_type, headers, truncate=truncate, head_only=head_only)

    def redirect(self, location: str, head_only: bool) -> None:
        self.answer(302, b"", "text/plain", {"Location": location}, head_only=head_only)
