"""Small HTTP servers on 127.0.0.1 for the upload tests: a real pypiserver (`PypiServer`), a
proxy in front of it that counts, fails or hangs requests (`Proxy`), and a server speaking
PyPI's trusted-publishing endpoints and GitHub's ID-token endpoint (`OidcIndex`)."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

USER, PASSWORD = "uploader", "s3cret-Pa55word"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PypiServer:
    """``pypi-server run`` on a free loopback port, with an htpasswd file (written by
    passlib) guarding upload, download and list."""

    def __init__(self, root: Path) -> None:
        import warnings

        with warnings.catch_warnings():  # passlib 1.7.4 imports the deprecated crypt module
            warnings.simplefilter("ignore", DeprecationWarning)
            from passlib.apache import HtpasswdFile

        self.packages = root / "packages"
        self.packages.mkdir(parents=True)
        htpasswd = HtpasswdFile(str(root / "htpasswd"), new=True, default_scheme="sha256_crypt")
        htpasswd.set_password(USER, PASSWORD)
        htpasswd.save()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        server = shutil.which("pypi-server", path=str(Path(sys.executable).parent))
        assert server, "pypiserver is installed by scripts/setup.sh"
        self.proc = subprocess.Popen(
            [server, "run", "-i", "127.0.0.1", "-p", str(self.port), "-P",
             str(root / "htpasswd"), "-a", "update,download,list", "--disable-fallback",
             str(self.packages)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait()

    def _wait(self) -> None:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{self.url}health", timeout=1).read()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("pypiserver did not start")

    def listing(self) -> list[str]:
        return sorted(p.name for p in self.packages.iterdir())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class Loopback:
    """A threaded HTTP server on a free port; ``handle(handler)`` answers each request."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.handle(self)

            do_POST = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.requests: list[tuple[str, str]] = []
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def body_of(h: BaseHTTPRequestHandler) -> bytes:
    return h.rfile.read(int(h.headers.get("Content-Length") or 0))


def answer(h: BaseHTTPRequestHandler, status: int, body: bytes = b"",
           headers: Optional[dict[str, str]] = None) -> None:
    h.send_response(status)
    for key, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
        h.send_header(key, value)
    h.end_headers()
    h.wfile.write(body)


class Proxy(Loopback):
    """Forwards every request to ``upstream``; counts them; answers the first
    ``fail_posts`` POSTs with 503; with ``hang_post`` = n, the n-th POST is never answered;
    with ``lose_answer_post`` = n, the n-th POST reaches upstream but its answer is lost (the
    connection is closed instead)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.fail_posts = 0
        self.hang_post = 0
        self.lose_answer_post = 0
        self.posts = 0
        self.hung = threading.Event()
        super().__init__()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        self.requests.append((h.command, h.path))
        data = body_of(h) if h.command == "POST" else None
        if h.command == "POST":
            self.posts += 1
            if self.posts <= self.fail_posts:
                return answer(h, 503, b"<html><title>busy</title>try later</html>")
            if self.posts == self.hang_post:
                self.hung.set()
                time.sleep(3600)
        status, body, kind = self._forward(h, data)
        if h.command == "POST" and self.posts == self.lose_answer_post:
            h.close_connection = True
            return
        answer(h, status, body, {"Content-Type": kind} if kind else None)

    def _forward(self, h: BaseHTTPRequestHandler, data: Optional[bytes],
                 ) -> tuple[int, bytes, str]:
        headers = {k: v for k, v in h.headers.items() if k.lower() not in ("host",)}
        request = urllib.request.Request(self.upstream + h.path, data=data, headers=headers,
                                         method=h.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                status, body, kind = r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, body, kind = e.code, e.read(), e.headers.get("Content-Type", "")
        return status, body, kind


class OidcIndex(Loopback):
    """PyPI's documented trusted-publishing endpoints (``/_/oidc/audience``,
    ``/_/oidc/mint-token``), GitHub's ID-token endpoint (``/github-token``) and an upload
    endpoint (``/legacy/``) that accepts only ``__token__`` with the minted token."""

    AUDIENCE, REQUEST_TOKEN = "testindex", "actions-request-S3CRET"
    ID_TOKEN, MINTED = "github-id-token-S3CRET", "pypi-minted-token-S3CRET"

    def __init__(self) -> None:
        self.uploaded: list[str] = []
        super().__init__()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        self.requests.append((h.command, parts.path))
        data = body_of(h) if h.command == "POST" else b""
        route = {("GET", "/_/oidc/audience"): self._audience,
                 ("GET", "/github-token"): self._id_token,
                 ("POST", "/_/oidc/mint-token"): self._mint,
                 ("POST", "/legacy/"): self._upload}.get((h.command, parts.path))
        if route is None:
            return answer(h, 404, b"not found")
        route(h, parts.query, data)

    def _audience(self, h: BaseHTTPRequestHandler, query: str, data: bytes) -> None:
        answer(h, 200, json.dumps({"audience": self.AUDIENCE}).encode())

    def _id_token(self, h: BaseHTTPRequestHandler, query: str, data: bytes) -> None:
        ok = (h.headers.get("Authorization") == f"bearer {self.REQUEST_TOKEN}"
              and parse_qs(query).get("audience") == [self.AUDIENCE])
        answer(h, 200 if ok else 403, json.dumps({"value": self.ID_TOKEN}).encode())

    def _mint(self, h: BaseHTTPRequestHandler, query: str, data: bytes) -> None:
        ok = json.loads(data).get("token") == self.ID_TOKEN
        answer(h, 200 if ok else 403, json.dumps({"token": self.MINTED}).encode())

    def _upload(self, h: BaseHTTPRequestHandler, query: str, data: bytes) -> None:
        expected = base64.b64encode(f"__token__:{self.MINTED}".encode()).decode()
        if h.headers.get("Authorization") != f"Basic {expected}":
            return answer(h, 403, b"<title>403 Invalid or non-existent authentication</title>")
        marker = b'name="content"; filename="'
        start = data.index(marker) + len(marker)
        self.uploaded.append(data[start:data.index(b'"', start)].decode())
        answer(h, 200, b"OK")


class Redirector(Loopback):
    """Answers every request with a redirect to ``<url>legacy/``, as PyPI does for a URL
    without its trailing ``/legacy/``."""

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        self.requests.append((h.command, h.path))
        if h.command == "POST":
            body_of(h)
        answer(h, 301, b"", {"Location": f"{self.url}legacy/"})
