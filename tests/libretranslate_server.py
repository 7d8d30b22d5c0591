"""A LibreTranslate-compatible HTTP server on 127.0.0.1, for tests and benchmarks that must stay offline.

    with FakeLibreTranslate() as server:                 # or FakeLibreTranslate(mode="hang"), …
        engine = LibreTranslateEngine(server.url)
        engine.translate_batch(["Hello <x1/>"], "en", "ja")   # -> ["[ja] Hello <x1/>"]
        assert server.request_count == 1

``POST /translate`` accepts what real clients send: a JSON body (the direct client), a form body,
or deep-translator's query string with an empty body. ``q`` may be a string or a list. The fake
translation is ``"[<target>] " + text``, so placeholders come back untouched unless a mode says
otherwise. ``POST /v2/translate`` answers like DeepL, for the ``deepl`` package.

Behaviour, set in the constructor or later with :meth:`configure`:
    mode="normal"             translate as above
    mode="hang"               accept the request, never answer (until the server stops)
    mode="error500"           always HTTP 500
    mode="drop_placeholder"   translate, but lose the first placeholder-looking tag
    mode="inject_markup"      translate, and add markup of the engine's own: a link, strong, code
    mode="echo_key"           translate, and echo the API key the request carried into the text
    mode="garbage_html"       200 with an HTML page (a proxy or a wrong URL)
    mode="garbage_empty"      200 with ``{}``
    mode="garbage_type"       200 with ``{"translatedText": 42}``
    mode="garbage_length"     200 with one translation too few (or a list for a single text)
    fail_first=N, fail_status=429   the first N requests get that status, then the mode applies
    latency=0.1               seconds to wait before answering each request
    api_key="k"               requests without that key get 403 {"error": "Invalid API key"}
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MODES = (
    "normal",
    "hang",
    "error500",
    "drop_placeholder",
    "inject_markup",
    "echo_key",
    "garbage_html",
    "garbage_empty",
    "garbage_type",
    "garbage_length",
)
_TAG_RE = re.compile(r"<[^<>]*>")


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    shape: str  # "json", "form" or "query" (deep-translator: parameters in the URL, empty body)
    params: dict[str, Any]


@dataclass
class Behaviour:
    mode: str = "normal"
    latency: float = 0.0
    fail_first: int = 0
    fail_status: int = 429
    api_key: str | None = None
    hang_for: float = 30.0  # a hanging request gives up after this, in case nobody stops the server
    extra: dict[str, Any] = field(default_factory=dict)


def fake_translate(text: str, target: str) -> str:
    return f"[{target}] {text}"


class FakeLibreTranslate:
    def __init__(self, mode: str = "normal", **settings: Any):
        self.behaviour = Behaviour()
        self.requests: list[RecordedRequest] = []
        self.max_in_flight = 0  # most requests being handled at the same moment
        self._in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.configure(mode=mode, **settings)

    # -- control ---------------------------------------------------------------------------------

    def configure(self, **settings: Any) -> None:
        mode = settings.get("mode", self.behaviour.mode)
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}")
        with self._lock:
            for key, value in settings.items():
                setattr(self.behaviour, key, value)

    @property
    def url(self) -> str:
        assert self._server is not None, "start the server first (use it as a context manager)"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def texts_received(self) -> list[str]:
        """Every text that reached /translate, one entry per text (batches flattened)."""
        texts: list[str] = []
        with self._lock:
            for request in self.requests:
                q = request.params.get("q")
                texts += q if isinstance(q, list) else [q]
        return texts

    def start(self) -> FakeLibreTranslate:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging requests
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeLibreTranslate:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- request handling (called from handler threads) ------------------------------------------

    def _record(self, request: RecordedRequest) -> tuple[Behaviour, int]:
        with self._lock:
            self.requests.append(request)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            return Behaviour(**vars(self.behaviour)), len(self.requests)

    def _done(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _answer_libre(self, params: dict[str, Any], behaviour: Behaviour, number: int) -> tuple[int, str, bytes]:
        failed = self._common_failure(behaviour, number, params.get("api_key"))
        if failed:
            return failed
        q, target, mode = params.get("q"), str(params.get("target", "")), behaviour.mode
        if not isinstance(q, str | list) or not params.get("source") or not target:
            return _json(400, {"error": "Invalid request: missing q, source or target"})
        if mode == "garbage_html":
            return 200, "text/html", b"<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>"
        if mode == "garbage_empty":
            return _json(200, {})
        if mode == "garbage_type":
            return _json(200, {"translatedText": 42})
        texts = q if isinstance(q, list) else [q]
        answers = [fake_translate(text, target) for text in texts]
        if mode == "drop_placeholder":
            answers = [_TAG_RE.sub("", answer, count=1) for answer in answers]
        if mode == "echo_key":
            answers = [f"{answer} (key {params.get('api_key')})" for answer in answers]
        if mode == "inject_markup":
            answers = [f"{answer} [ok](https://evil.example/) **bold** `code`" for answer in answers]
        if mode == "garbage_length":
            return _json(200, {"translatedText": answers[:-1] if isinstance(q, list) else [answers[0]] * 2})
        return _json(200, {"translatedText": answers if isinstance(q, list) else answers[0]})

    def _answer_deepl(
        self, body: dict[str, Any], auth: str, behaviour: Behaviour, number: int
    ) -> tuple[int, str, bytes]:
        key = auth.removeprefix("DeepL-Auth-Key ")
        failed = self._common_failure(behaviour, number, key)
        if failed:
            return failed
        target = str(body.get("target_lang", ""))
        texts = body.get("text") or []
        translations = [
            {"detected_source_language": "EN", "text": fake_translate(text, target), "billed_characters": len(text)}
            for text in texts
        ]
        return _json(200, {"translations": translations})

    def _common_failure(self, behaviour: Behaviour, number: int, key: object) -> tuple[int, str, bytes] | None:
        if behaviour.latency:
            time.sleep(behaviour.latency)
        if behaviour.mode == "hang":
            self._stopping.wait(behaviour.hang_for)
            return 0, "", b""  # 0: close the connection without an answer
        if behaviour.api_key is not None and key != behaviour.api_key:
            return _json(403, {"error": "Invalid API key"})
        if number <= behaviour.fail_first:
            return _json(
                behaviour.fail_status,
                {"error": "Slowdown: too many requests" if behaviour.fail_status == 429 else "boom"},
            )
        if behaviour.mode == "error500":
            return _json(500, {"error": "Internal server error"})
        return None


def _json(status: int, body: object) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(body, ensure_ascii=False).encode()


def _handler_for(server: FakeLibreTranslate) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real server behind a proxy would
        disable_nagle_algorithm = True  # headers and body are two writes: avoid 40 ms delayed-ACK stalls

        def do_POST(self) -> None:  # noqa: N802 -- http.server's naming
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            params, shape = _params(url.query, raw, self.headers.get("Content-Type", ""))
            behaviour, number = server._record(RecordedRequest(url.path, shape, params))
            try:
                if url.path == "/translate":
                    status, content_type, body = server._answer_libre(params, behaviour, number)
                elif url.path == "/v2/translate":
                    auth = self.headers.get("Authorization", "")
                    status, content_type, body = server._answer_deepl(params, auth, behaviour, number)
                else:
                    status, content_type, body = _json(404, {"error": "Not Found"})
            finally:
                server._done()
            if status == 0:
                self.close_connection = True
                return
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # tests read server.requests, not stderr

    return Handler


def _params(query: str, raw: bytes, content_type: str) -> tuple[dict[str, Any], str]:
    if raw and "json" in content_type:
        return json.loads(raw), "json"
    if raw:
        return _flatten(parse_qs(raw.decode(), keep_blank_values=True)), "form"
    return _flatten(parse_qs(query, keep_blank_values=True)), "query"


def _flatten(multi: dict[str, list[str]]) -> dict[str, Any]:
    return {key: values[0] if len(values) == 1 else values for key, values in multi.items()}
