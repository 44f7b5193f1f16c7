"""One small HTTP server on a loopback address, for the tests that need a SPARQL endpoint, a
Graph Store or a JSON-LD context host to talk to (the only network the tests use).

A test gives the server a *respond* function ``respond(handler, count)``: *handler* is the
``BaseHTTPRequestHandler`` of the request (write the answer with :func:`reply`, or by hand to
misbehave), *count* how many requests have come so far, this one included. The server records
every request (method, path, headers, body) and when it came, before *respond* runs.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Respond = Callable[[BaseHTTPRequestHandler, int], None]


class LoopbackServer:
    """A threaded server on *host* (127.0.0.1 by default) at a free port, serving until :meth:`close`.

    ``requests`` holds one dict per request: ``method``, ``path``, ``headers`` (the request's
    header object: ``headers["host"]`` and ``headers["Host"]`` are the same) and ``body`` (bytes);
    ``times`` when each came (``time.monotonic()``).
    """

    def __init__(self, respond: Respond, host: str = "127.0.0.1"):
        self.requests: list[dict] = []
        self.times: list[float] = []
        self.host = host
        self.httpd = ThreadingHTTPServer((host, 0), _handler_class(self, respond))
        self.httpd.daemon_threads = True  # a handler left waiting does not hold the test run
        self.port = self.httpd.server_address[1]
        # A short poll, so close() returns at once.
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str = "") -> str:
        """``http://HOST:PORT`` followed by *path* (give it its leading ``/``)."""
        return f"http://{self.host}:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler_class(server: LoopbackServer, respond: Respond) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server.requests.append({"method": self.command, "path": self.path, "headers": self.headers, "body": body})
            server.times.append(time.monotonic())
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as it may
                respond(self, len(server.requests))

        do_GET = do_POST = do_PUT = _handle  # noqa: N815 - http.server's names

        def log_message(self, *args) -> None:  # keep the test output clean
            pass

    return Handler


def reply(
    handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None
) -> None:
    """A complete answer: *status*, *headers*, a Content-Length and *body*."""
    handler.send_response(status)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextlib.contextmanager
def loopback_servers() -> Iterator[Callable[..., LoopbackServer]]:
    """``start(respond, host=...)`` for a test's fixture: every server started is closed at the end."""
    started: list[LoopbackServer] = []

    def start(respond: Respond, host: str = "127.0.0.1") -> LoopbackServer:
        server = LoopbackServer(respond, host)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.close()
