"""Secrets and transport, on loopback only: an echoed key is masked before it is shown or
stored; loopback is never proxied; a SOCKS or unusable proxy setting does not crash; which
certificates were trusted is named when one is refused."""

from __future__ import annotations

import asyncio
import http.server
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.domain.redact import redact
from pacspace_desktop.domain.urls import base_url_problem, is_loopback_host
from pacspace_desktop.network.client import RetrySettings, WriteClient
from pacspace_desktop.network.factory import TlsTrust, make_http_client, trust_used
from pacspace_desktop.network.reads import ReadClient
from pacspace_desktop.sandbox import DEMO_API_KEY, SandboxServer
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.records import NewRun
from pacspace_desktop.submission.runner import AttemptFinished, SubmissionRunner

SECRET = DEMO_API_KEY.split(".", 1)[1]
PUBLIC_AND_SECRET = DEMO_API_KEY.removeprefix("pk_test_")
ITEMS = [WriteItem("inv-1", "acct-1", 5)]
NO_RETRY = RetrySettings(base_delay=0.001, max_delay=0.002, max_retries=0)
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
              "all_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


def test_redact_masks_the_key_its_prefixless_form_and_its_bare_secret() -> None:
    text = (f"key {DEMO_API_KEY}; without prefix {PUBLIC_AND_SECRET}; bare {SECRET}; "
            "someone else's pk_live_zzz.other")
    masked = redact(text, [DEMO_API_KEY])
    assert SECRET not in masked and "other" not in masked
    assert "pk_test_san…•••" in masked and "bare •••" in masked


@pytest.mark.parametrize("body", [
    f'{{"statusCode":401,"error":"Unauthorized","message":"Unknown key {DEMO_API_KEY}"}}',
    f'{{"statusCode":401,"message":"secret {SECRET} is disabled"}}',
    f"<html><title>502 Bad Gateway</title><pre>X-Api-Key: {DEMO_API_KEY}\n"
    f"Secret: {SECRET}</pre></html>",
])
def test_an_echoed_key_is_masked_before_it_is_shown_or_stored(
        sandbox: SandboxServer, store: HistoryStore, tmp_path: Path, body: str) -> None:
    status = 502 if body.startswith("<html>") else 401
    sandbox.set_faults([{"status": status, "body": body}])

    async def run() -> None:
        async with make_http_client(5, base_url=sandbox.base_url) as http:
            client = WriteClient(http, sandbox.base_url, ApiKey(DEMO_API_KEY), NO_RETRY)
            runner = SubmissionRunner(store, client)
            events: list[object] = []
            report = await runner.run(ITEMS, NewRun("test", "p", "sandbox",
                                                    sandbox.base_url), 100, events.append)
            attempts = [e.attempt for e in events if isinstance(e, AttemptFinished)]
            shown = [report.requests[0].server_message,
                     *(a.server_message for a in attempts), *(a.response_text for a in attempts)]
            assert attempts and all(SECRET not in s for s in shown), shown
            sandbox.set_faults([{"status": 404, "body": f'{{"message":"no {SECRET}"}}'}])
            read = await ReadClient(http, sandbox.base_url, ApiKey(DEMO_API_KEY)).read_bucket("k")
            assert SECRET not in read.server_message + read.response_text

    asyncio.run(run())
    store.close()
    for path in tmp_path.glob("history.sqlite3*"):
        assert SECRET.encode() not in path.read_bytes(), path.name


class _RecordingProxy:
    """A tiny HTTP proxy on 127.0.0.1 that records what reaches it and answers 502."""

    def __init__(self) -> None:
        self.seen: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.seen.append(conn.recv(65536))
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def proxy() -> Iterator[_RecordingProxy]:
    p = _RecordingProxy()
    try:
        yield p
    finally:
        p.close()


@pytest.mark.parametrize("with_base_url", [True, False])
@pytest.mark.parametrize("variable", ["HTTP_PROXY", "ALL_PROXY", "http_proxy"])
def test_the_loopback_sandbox_is_never_sent_through_a_proxy(
        sandbox: SandboxServer, proxy: _RecordingProxy, monkeypatch: pytest.MonkeyPatch,
        variable: str, with_base_url: bool) -> None:
    monkeypatch.setenv(variable, proxy.url)

    async def run() -> OutcomeKind:
        base = sandbox.base_url if with_base_url else ""
        async with make_http_client(5, base_url=base) as http:
            client = WriteClient(http, sandbox.base_url, ApiKey(DEMO_API_KEY), NO_RETRY)
            return (await client.send(ITEMS)).kind

    assert asyncio.run(run()) is OutcomeKind.ACCEPTED
    assert proxy.seen == []  # the proxy never saw X-Api-Key
    assert sandbox.state_snapshot()["requestsReceived"] == 1


def test_a_socks_proxy_setting_does_not_crash(sandbox: SandboxServer,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1")

    async def run() -> OutcomeKind:
        # a client for PacSpace itself is built with the SOCKS proxy (socksio is installed);
        # nothing is sent with it
        async with make_http_client(5, base_url="https://balance-api.pacspace.io"):
            pass
        async with make_http_client(5, base_url=sandbox.base_url) as http:
            client = WriteClient(http, sandbox.base_url, ApiKey(DEMO_API_KEY), NO_RETRY)
            return (await client.send(ITEMS)).kind

    assert asyncio.run(run()) is OutcomeKind.ACCEPTED


def test_an_unusable_proxy_setting_fails_each_send_in_words(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "ftp://user:hunter2@proxy.invalid:21")

    async def run() -> tuple[OutcomeKind, str]:
        # the client's transport refuses before any connection: nothing leaves the machine
        async with make_http_client(5, base_url="https://pacspace.invalid") as http:
            client = WriteClient(http, "https://pacspace.invalid", ApiKey(DEMO_API_KEY),
                                 NO_RETRY)
            result = await client.send(ITEMS)
            return result.kind, result.server_message

    kind, message = asyncio.run(run())
    assert kind is OutcomeKind.CONNECT_FAILED
    assert "The proxy setting ALL_PROXY=ftp://user:•••@proxy.invalid:21 cannot be used" in message
    assert "hunter2" not in message and "ProxyError" not in message


def test_loopback_means_a_loopback_address() -> None:
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1")
    assert is_loopback_host("localhost") and is_loopback_host("127.8.9.10")
    assert not is_loopback_host("sandbox.localhost")
    assert base_url_problem("http://sandbox.localhost:8787") is not None
    assert base_url_problem("http://127.0.0.1:8787") is None


# --- corporate TLS ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate, and that certificate."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = b'{"statusCode":202,"data":{"requestId":"req_tls","itemCount":1}}'
            self.send_response(202)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()


def _send(url: str, trust: TlsTrust | None = None) -> tuple[OutcomeKind, str, str]:
    async def run() -> tuple[OutcomeKind, str, str]:
        async with make_http_client(5, base_url=url, trust=trust) as http:
            result = await WriteClient(http, url, ApiKey(DEMO_API_KEY), NO_RETRY).send(ITEMS)
            return result.kind, result.server_message, trust_used(http)

    return asyncio.run(run())


def test_a_refused_certificate_names_the_certificates_used(
        tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    url, _cert = tls_server
    kind, message, _ = _send(url)
    assert kind is OutcomeKind.TLS_ERROR
    assert message.startswith("The certificate of 127.0.0.1:")
    assert "checked against the certificates that come with the app (certifi)" in message
    assert "SSLError" not in message and "_ssl.c" not in message and "Errno" not in message
    kind, message, _ = _send(url, TlsTrust(system_store=True))
    assert kind is OutcomeKind.TLS_ERROR
    assert "checked against the operating system's certificate store" in message
    monkeypatch.setenv("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
    kind, message, _ = _send(url)
    assert "checked against SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" in message


def test_a_ca_bundle_setting_is_trusted(tls_server: tuple[str, Path]) -> None:
    url, cert = tls_server
    kind, _message, used = _send(url, TlsTrust(ca_bundle=str(cert)))
    assert kind is OutcomeKind.ACCEPTED and used == f"the CA bundle {cert} (profile setting)"
    kind, _message, used = _send(url, TlsTrust(ca_bundle=str(cert), system_store=True))
    assert kind is OutcomeKind.ACCEPTED and "operating system's certificate store" in used


def test_an_unreadable_ca_bundle_fails_sends_in_words(tmp_path: Path) -> None:
    missing = tmp_path / "company.pem"
    kind, message, _ = _send("https://pacspace.invalid", TlsTrust(ca_bundle=str(missing)))
    assert kind is OutcomeKind.TLS_ERROR
    assert f"The CA bundle {missing} cannot be used" in message
    assert isinstance(make_http_client(5, trust=TlsTrust(ca_bundle=str(missing))),
                      httpx.AsyncClient)


@pytest.mark.parametrize(("error", "words"), [
    (httpx.ReadTimeout("timed out"), "did not answer in time after the request was sent"),
    (httpx.ConnectTimeout("timed out"), "No connection to pacspace.test could be opened in time"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."),
     "closed before an answer came (Server disconnected without sending a response.)"),
    (httpx.ConnectError("[Errno 111] Connection refused"), "refused the connection"),
])
def test_transport_failures_are_described_without_exception_names(
        error: httpx.TransportError, words: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    async def run() -> str:
        async with make_http_client(5, transport=httpx.MockTransport(handler)) as http:
            client = WriteClient(http, "https://pacspace.test", ApiKey(DEMO_API_KEY), NO_RETRY)
            return (await client.send(ITEMS)).server_message

    message = asyncio.run(run())
    assert words in message
    assert type(error).__name__ not in message and "Errno" not in message
