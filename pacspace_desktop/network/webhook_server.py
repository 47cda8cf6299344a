"""The webhook receiver's HTTP side: a small threaded HTTP/1.1 server (optionally TLS).

It knows nothing of signatures or storage: every POST is handed, with its raw body and headers,
to the injected `handle` function, which checks, stores and decides the answer. The answer is
sent only when `handle` returns, so a 2xx means the event is stored. Loopback by default; any
other address must be asked for explicitly (`allow_remote`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from pacspace_desktop.network.webhooks import MAX_BODY_BYTES

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Incoming:
    """One POST as it arrived: path, headers (lower-case names), raw body, sender address."""

    path: str
    headers: dict[str, str]
    body: bytes
    remote: str


@dataclass(frozen=True, slots=True)
class Answer:
    """What to answer a delivery."""

    status: int
    text: str


Handler = Callable[[Incoming], Answer]


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses."""
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handle: Handler,
                 tls: ssl.SSLContext | None = None) -> None:
        self.handle_delivery = handle
        self.tls = tls
        super().__init__(address, _RequestHandler)

    def get_request(self) -> tuple[Any, Any]:
        conn, address = super().get_request()
        if self.tls is not None:
            # The handshake happens in the connection's own thread (on its first read), so a
            # client that connects and says nothing cannot hold up everyone else.
            conn = self.tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        return conn, address

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (slow, and not needed here).
        import socketserver

        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PacSpaceDesktopReceiver/1.0"
    sys_version = ""
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _answer(self, status: int, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(200, "PacSpace Desktop webhook receiver: POST verification events here.\n")

    def do_POST(self) -> None:
        raw = self.headers.get("Content-Length")
        try:
            length = int(raw) if raw is not None else -1
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self._answer(413 if length > 0 else 411, "A body with a Content-Length of at "
                         f"most {MAX_BODY_BYTES} bytes is needed.\n")
            return
        body = self.rfile.read(length)
        incoming = Incoming(self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                            str(self.client_address[0]))
        server = cast(_Server, self.server)
        try:
            answer = server.handle_delivery(incoming)
        except Exception:  # a bug in the handler must still get an answer (non-2xx)
            log.exception("the webhook handler failed")
            answer = Answer(500, "The delivery could not be stored; send it again later.\n")
        self._answer(answer.status, answer.text)


class WebhookServer:
    """Listens for webhook deliveries in a daemon thread until `stop()`.

    Args:
        host: Address to listen on (loopback unless `allow_remote`).
        port: Port (0 picks a free one).
        handle: Called for every POST (in a server thread); its answer is sent back.
        allow_remote: Allow a non-loopback address.
        tls: A server-side SSL context, or None for plain HTTP.
    """

    def __init__(self, host: str, port: int, handle: Handler, *, allow_remote: bool = False,
                 tls: ssl.SSLContext | None = None) -> None:
        if not allow_remote and not is_loopback(host):
            raise ValueError(f"The receiver listens only on this computer unless listening on "
                             f"other addresses is switched on (asked for {host}).")
        self._host, self._port, self._handle, self._tls = host, port, handle, tls
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Where deliveries go, e.g. `http://127.0.0.1:8789/`."""
        if self._server is None:
            raise RuntimeError("the receiver is not listening")
        host, port = str(self._server.server_address[0]), int(self._server.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"{'https' if self._tls else 'http'}://{shown}:{port}/"

    @property
    def port(self) -> int:
        """The port listened on."""
        if self._server is None:
            raise RuntimeError("the receiver is not listening")
        return int(self._server.server_address[1])

    def start(self) -> WebhookServer:
        """Bind and serve. Raises OSError when the address cannot be used."""
        host = self._host.strip("[]")
        cls = _Server6 if ":" in host else _Server
        server = cls((host, self._port), self._handle, self._tls)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="webhook-receiver", daemon=True)
        self._thread.start()
        log.info("webhook receiver listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop listening (idempotent)."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        with contextlib.suppress(OSError):
            server.server_close()
        if thread is not None:
            thread.join(5.0)
        log.info("webhook receiver stopped")


def tls_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    """A server TLS context from a PEM certificate (chain) and its private key.

    Raises:
        OSError, ssl.SSLError: when the files cannot be read or do not match.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file or None)
    return context
