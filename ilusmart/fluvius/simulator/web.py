"""Minimal HTTP plumbing for the simulator: request/response objects and a threaded WSGI server.

The stdlib ``wsgiref`` server handles one request at a time; mixing in ``ThreadingMixIn`` with
daemon threads lets a ``timeout`` fault hold one connection while others are served. A handler
can raise :class:`DropConnection` to close the connection without sending any answer.
"""

import json
import socketserver
from dataclasses import dataclass, field
from urllib.parse import parse_qs
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
MAX_BODY_BYTES = 1_000_000


class DropConnection(Exception):  # noqa: N818 - it is a control-flow signal, not an error
    """Raised by a handler to close the connection without answering."""


class BadRequestBody(ValueError):
    """The request body is not what the endpoint reads (invalid JSON, not an object)."""


@dataclass
class Request:
    """One HTTP request. ``lpath`` is the lower-cased path without a trailing slash."""

    method: str
    path: str
    query_string: str
    environ: dict
    body: bytes = b""
    query: dict[str, list[str]] = field(default_factory=dict)

    @property
    def lpath(self) -> str:
        return self.path.lower().rstrip("/") or "/"

    @classmethod
    def from_environ(cls, environ: dict) -> "Request":
        """Build a request from a WSGI environ, reading the body (up to 1 MB)."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(min(length, MAX_BODY_BYTES)) if length > 0 else b""
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        query_string = environ.get("QUERY_STRING", "")
        query: dict[str, list[str]] = {}
        for key, values in parse_qs(query_string, keep_blank_values=True).items():
            query.setdefault(key.lower(), []).extend(values)
        return cls(environ.get("REQUEST_METHOD", "GET").upper(), path, query_string, environ, body, query)

    def param(self, name: str) -> str | None:
        """The last value of query key ``name`` (case-insensitive), or None."""
        values = self.query.get(name.lower())
        return values[-1] if values else None

    def header(self, name: str) -> str | None:
        """A request header by its HTTP name."""
        return self.environ.get("HTTP_" + name.upper().replace("-", "_"))

    def json(self) -> dict:
        """The body as a JSON object; BadRequestBody otherwise."""
        try:
            data = json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadRequestBody(f"body is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise BadRequestBody("body must be a JSON object")
        return data

    def form(self) -> dict[str, list[str]]:
        """The body as an application/x-www-form-urlencoded form."""
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)


@dataclass
class Response:
    """One HTTP response."""

    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(data, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    """A JSON response."""
    return Response(status, json.dumps(data).encode("utf-8"), headers=list(headers or []))


def text_response(text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8") -> Response:
    """A text (plain, CSV or HTML) response."""
    return Response(status, text.encode("utf-8"), content_type=content_type)


def redirect_response(location: str) -> Response:
    """A 302 redirect."""
    return Response(302, b"", content_type="text/plain; charset=utf-8", headers=[("Location", location)])


class _ServerHandler(ServerHandler):
    def handle_error(self):
        # A DropConnection means "answer nothing": leave the socket to be closed by the server.
        if isinstance(self._exc, DropConnection):
            return
        super().handle_error()

    def run(self, application):
        self._exc = None
        try:
            self.setup_environ()
            self.result = application(self.environ, self.start_response)
            self.finish_response()
        except (ConnectionAbortedError, BrokenPipeError, ConnectionResetError):
            return
        except DropConnection as exc:
            self._exc = exc
            self.handle_error()
        except Exception:
            self.handle_error()


class _RequestHandler(WSGIRequestHandler):
    quiet = True

    def handle(self):
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _ServerHandler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True
        )
        handler.request_handler = self
        handler.run(self.server.get_app())

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        if not self.quiet:
            super().log_message(format, *args)


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server with one daemon thread per connection."""

    daemon_threads = True
    allow_reuse_address = True


def make_threaded_server(host: str, port: int, app, *, quiet: bool = True) -> ThreadingWSGIServer:
    """A threaded WSGI server for ``app`` bound to (host, port); call serve_forever() on it."""
    handler = type("RequestHandler", (_RequestHandler,), {"quiet": quiet})
    server = ThreadingWSGIServer((host, port), handler)
    server.set_app(app)
    return server
