"""The simulator's WSGI application: routes the API, the token endpoint, the page and /_sim/.

API requests pass, in order: a queued fault for the path, the subscription key, the rate limit,
the bearer token, then the endpoint. Every API and token request is logged for /_sim/requests.
"""

import dataclasses
import threading
import time
from datetime import UTC, datetime

from . import api, control
from .config import API_BASE, PORTAL_PATH, TOKEN_PATH, SimulatorConfig
from .state import SimulatorState
from .web import STATUS_TEXT, DropConnection, Request, Response, json_response, make_threaded_server


class SimulatorApp:
    """A WSGI callable serving one simulator state with one configuration."""

    def __init__(self, state: SimulatorState, config: SimulatorConfig):
        self.state = state
        self.config = config
        self.defaults = dataclasses.replace(config)
        # Released when the server stops, so held "timeout" connections end at once.
        self.stopping = threading.Event()

    def __call__(self, environ, start_response):
        request = Request.from_environ(environ)
        response = self.handle(request)
        status_line = f"{response.status} {STATUS_TEXT.get(response.status, 'Unknown')}"
        headers = [("Content-Type", response.content_type), ("Content-Length", str(len(response.body)))]
        start_response(status_line, headers + response.headers)
        return [response.body]

    def handle(self, request: Request) -> Response:
        """Route one request and return its response (or raise DropConnection)."""
        lpath = request.lpath
        if lpath == API_BASE or lpath.startswith(API_BASE + "/"):
            return self._logged(request, lambda: self._api(request, lpath[len(API_BASE) :] or "/"))
        if lpath == TOKEN_PATH:
            return self._logged(request, lambda: api.token(request, self.state, self.config))
        if lpath == PORTAL_PATH:
            return control.portal_page(request, self.state, self.config)
        if lpath == "/_sim" or lpath.startswith("/_sim/"):
            return control.route(request, self.state, self.config, self.defaults)
        return json_response({"statusCode": 404, "message": "Resource not found"}, 404)

    def _logged(self, request: Request, serve) -> Response:
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": request.method,
            "path": request.path,
            "query": request.query_string,
            "status": None,
        }
        self.state.request_log(entry)
        response = serve()
        entry["status"] = response.status
        return response

    def _api(self, request: Request, relative_path: str) -> Response:
        fault = self.state.fault_take(relative_path)
        if fault is not None:
            return self._fault(fault)
        refused = api.gateway_check(request, self.state, self.config)
        if refused is not None:
            return refused
        return api.route(request, relative_path, self.state, self.config)

    def _fault(self, fault: dict) -> Response:
        status = fault["status"]
        retry_after = [("Retry-After", str(fault["retryAfter"]))]
        if status == 429:
            return api.gateway_error(
                429, f"Rate limit is exceeded. Try again in {fault['retryAfter']} seconds.", retry_after
            )
        if status == 503:
            response = api.api_error(503, "ServerError", "INTERNAL", "Service unavailable (maintenance).")
            response.headers.extend(retry_after)
            return response
        if status == 500:
            return api.api_error(500, "ServerError", "INTERNAL", "An unexpected error occurred.")
        if status == "malformed":
            now = self.state.now().strftime("%Y-%m-%dT%H:%M:%SZ")
            body = f'{{"_meta": {{"fetchTime": "{now}"}}, "data": {{"headpoint": {{"$type": "metering-on-me'
            return Response(200, body.encode("utf-8"))
        # "timeout": hold the connection without answering, then close it.
        deadline = time.monotonic() + float(fault["seconds"])
        while not self.stopping.is_set() and time.monotonic() < deadline:
            self.stopping.wait(min(0.5, max(0.0, deadline - time.monotonic())))
        raise DropConnection


def build_server(host: str, port: int, state: SimulatorState, config: SimulatorConfig, *, quiet: bool = True):
    """A threaded HTTP server for a new SimulatorApp; returns (server, app)."""
    app = SimulatorApp(state, config)
    return make_threaded_server(host, port, app, quiet=quiet), app
