"""``descend explore``: the explorer's page and its JSON interface, served on this machine.

The standard library's threading HTTP server, bound to ``127.0.0.1`` only, on a free
port (or the one asked for). ``GET /`` is the page and ``GET /static/NAME`` its script
and style, shipped inside the package: nothing is fetched from the network.
``GET /api/datasets``, ``POST /api/run``, ``POST /api/example`` and ``POST /api/columns``
are the interface of
:mod:`descend.explore.api`. A malformed request, or one the interface refuses, gets a
400 with ``{"error": message}``; a body over the size limit a 413; no traceback ever
reaches the page.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

from . import api

__all__ = ["make_server", "serve"]

#: The largest request body, in bytes: an upload's limit twice (escaped in JSON, a
#: file's newlines and quotes take two bytes each) and room for the rest.
MAX_BODY = 2 * api.MAX_UPLOAD + 100_000
#: An oversized body is read up to this size before the 413 (beyond, the connection
#: is closed unread).
DRAIN = 16 * MAX_BODY
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8"}
_STATIC = ("explorer.js", "explorer.css")


_ONE_AT_A_TIME = threading.Lock()


def _static(name):
    return resources.files("descend.explore").joinpath("static", name).read_bytes()


class _Handler(BaseHTTPRequestHandler):
    server_version = "descend-explore"
    timeout = 30                                # a client that stops sending is let go

    def log_message(self, format, *args):        # quiet: the terminal shows the address only
        pass

    def _send(self, status, body, kind="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            return self._send(200, _static("index.html"), _TYPES[".html"])
        if path.startswith("/static/") and path[len("/static/"):] in _STATIC:
            name = path[len("/static/"):]
            return self._send(200, _static(name), _TYPES[name[name.rindex("."):]])
        if path == "/api/datasets":
            return self._answer(api.datasets)
        if path == "/favicon.ico":
            return self._send(204, b"", "image/x-icon")
        self._send(404, {"error": f"nothing at {path}"})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        handlers = {"/api/run": api.run, "/api/example": api.example, "/api/columns": api.columns}
        if path not in handlers:
            return self._send(404, {"error": f"nothing at {path}"})
        try:
            size = int(self.headers.get("Content-Length", ""))
        except ValueError:
            size = -1
        if size <= 0:
            self.close_connection = True
            return self._send(400, {"error": "the request has no body (or no Content-Length): "
                                             "send a JSON object"})
        if size > MAX_BODY:
            self.close_connection = True
            left = min(size, DRAIN)                    # read what was sent, so that the
            while left > 0:                            # client hears the answer
                left -= len(self.rfile.read(min(left, 1 << 16)) or b"x" * left)
            return self._send(413, {"error": f"the request is {size:,} bytes; the explorer takes "
                                             f"up to {MAX_BODY:,} (an upload up to "
                                             f"{api.MAX_UPLOAD:,})"})
        try:
            request = json.loads(self.rfile.read(size) or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            return self._send(400, {"error": f"the request is not JSON: {e}"})
        if not isinstance(request, dict):
            return self._send(400, {"error": "the request must be a JSON object"})
        self._answer(lambda: handlers[path](request))

    def _answer(self, compute):
        from ..errors import DescendError

        try:
            with _ONE_AT_A_TIME:               # warnings are caught per fit: one fit at a time
                answer = compute()
            return self._send(200, answer)
        except (api.BadRequest, DescendError) as e:
            return self._send(400, {"error": str(e)})
        except Exception as e:                    # never a traceback on the page
            return self._send(500, {"error": f"the explorer failed on this request "
                                             f"({type(e).__name__}: {e})"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that went away (a closed tab) is not an error worth a traceback."""
        import sys
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def make_server(port=0):
    """The server on ``127.0.0.1:port`` (0: a free port), not yet serving."""
    return _Server(("127.0.0.1", port), _Handler)


def serve(port=0, browser=True, echo=print):
    """Serve until Ctrl-C; open the page in the default browser unless ``browser`` is
    False. Returns 0."""
    server = make_server(port)
    host, port = server.server_address[:2]
    address = f"http://{host}:{port}/"
    echo(f"descend explore: {address}  (Ctrl-C stops it)")
    if browser:
        import webbrowser
        threading.Thread(target=webbrowser.open, args=(address,), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        echo("descend explore: stopped")
    finally:
        server.server_close()
    return 0
