"""``SandboxServer``: a threaded HTTP/1.1 server on loopback that stands in for PacSpace."""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import socketserver
import sys
import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from .config import SandboxConfig, is_loopback_host
from .faults import parse_fault_queue
from .handler import SandboxContext, SandboxRequestHandler
from .state import SandboxState
from .webhooks import WebhookDeliverer

log = logging.getLogger("pacspace_desktop.sandbox")

JOIN_TIMEOUT = 5.0


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], context: SandboxContext) -> None:
        self.context = context
        self._conn_lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._quit = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        try:
            super().__init__(address, SandboxRequestHandler)
        except OSError:
            self._wake_r.close()
            self._wake_w.close()
            raise

    def serve(self) -> None:
        """Accept until :meth:`request_quit`; unlike ``serve_forever`` it wakes at once."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._quit.is_set():
                for key, _events in selector.select():
                    if key.fileobj is self.socket and not self._quit.is_set():
                        self._accept_one()

    def _accept_one(self) -> None:
        try:
            request, client_address = self.get_request()
        except OSError:
            return
        try:
            self.process_request(request, client_address)
        except (OSError, RuntimeError):
            log.error("could not serve %s", client_address, exc_info=True)
            self.shutdown_request(request)

    def request_quit(self) -> None:
        self._quit.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def server_close(self) -> None:
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a DNS lookup that can be slow.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def get_request(self) -> tuple[Any, Any]:
        conn, address = super().get_request()
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            log.debug("could not set TCP_NODELAY", exc_info=True)
        return conn, address

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self._connections[request] = threading.current_thread()
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self._connections.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            log.debug("connection from %s ended: %r", client_address, error)
        else:
            log.error("error while serving %s", client_address, exc_info=True)

    def close_connections(self) -> list[threading.Thread]:
        with self._conn_lock:
            items = list(self._connections.items())
        for conn, _thread in items:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        return [thread for _conn, thread in items]


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class SandboxServer:
    """Local stand-in for PacSpace. ``start()`` binds and serves in a daemon thread."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config if config is not None else SandboxConfig()
        if not self.config.allow_non_loopback and not is_loopback_host(self.config.host):
            raise ValueError(
                f"refusing to bind the sandbox to non-loopback host {self.config.host!r}: "
                "it would expose a fake PacSpace to the network. Use 127.0.0.1 or pass "
                "allow_non_loopback=True (--allow-remote) if you really mean it."
            )
        self._stopping = threading.Event()
        self._deliverer = WebhookDeliverer(self._stopping)
        self._state = SandboxState(self.config, self._deliverer)
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> SandboxServer:
        with self._lock:
            if self._httpd is not None or self._stopped:
                raise RuntimeError("a SandboxServer can be started only once")
            context = SandboxContext(self.config, self._state, self._stopping)
            host = self.config.host.strip("[]")
            server_class = _HTTPServer6 if ":" in host else _HTTPServer
            httpd = server_class((host, self.config.port), context)
            self._httpd = httpd
            self._thread = threading.Thread(
                target=httpd.serve,
                name=f"pacspace-sandbox:{httpd.server_port}",
                daemon=True,
            )
            self._thread.start()
        log.info("PacSpace sandbox listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            httpd, thread = self._httpd, self._thread
        self._stopping.set()
        self._deliverer.stop()
        if httpd is None or thread is None:
            return
        httpd.request_quit()
        thread.join(JOIN_TIMEOUT)
        handlers = httpd.close_connections()
        httpd.server_close()
        for handler in handlers:
            handler.join(JOIN_TIMEOUT)
        log.info("PacSpace sandbox stopped")

    def __enter__(self) -> SandboxServer:
        if self._httpd is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._httpd is not None and not self._stopped

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the sandbox server is not started")
        return int(self._httpd.server_address[1])

    @property
    def host(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the sandbox server is not started")
        return str(self._httpd.server_address[0])

    @property
    def base_url(self) -> str:
        host = self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    # -- state and scripting ---------------------------------------------------
    def state_snapshot(self) -> dict[str, Any]:
        """The same JSON as ``GET /_sandbox/state``."""
        return self._state.snapshot()

    def set_faults(self, queue: list[dict[str, Any]]) -> int:
        """Replace the fault queue (same entries as ``POST /_sandbox/faults``)."""
        return self._state.set_faults(parse_fault_queue(queue))

    def faults(self) -> list[Any]:
        return self._state.faults_json()

    def reset(self) -> None:
        """Same as ``POST /_sandbox/reset``."""
        self._state.reset()

    def webhooks(self) -> list[dict[str, Any]]:
        """Every webhook event and how its delivery went (``webhooks`` of the state)."""
        return self._deliverer.snapshot()

    def redeliver(self, event_id: str) -> bool:
        """Send a webhook event again now, same id and body (a replay)."""
        return self._deliverer.redeliver(event_id)

    def update_settings(self, **patch: Any) -> dict[str, Any]:
        """Same as ``POST /_sandbox/config``: ``quota``, ``rate_limit``, ``verify_delay``."""
        return self._state.patch_settings(patch)
