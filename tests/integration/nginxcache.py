"""A real nginx on 127.0.0.1 serving a Bazel-style HTTP cache (WebDAV PUT, basic auth), for the
remote store tests: its own prefix, temp paths and htpasswd under a temp dir."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

USER = "builder"
PASSWORD = "s3cret-Pa55word-41"

_CONF = """\
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
{user}
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        client_max_body_size 0;
        location / {{
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
            auth_basic "rustwheel cache";
            auth_basic_user_file {prefix}/htpasswd;
        }}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _htpasswd(path: Path) -> None:
    hashed = subprocess.run(["openssl", "passwd", "-apr1", PASSWORD], check=True,
                            capture_output=True, text=True).stdout.strip()
    path.write_text(f"{USER}:{hashed}\n", encoding="utf-8")


class Nginx:
    """One nginx process; ``root`` is the directory it serves (and PUTs into)."""

    def __init__(self, prefix: Path) -> None:
        self.prefix = prefix
        self.root = prefix / "root"
        self.root.mkdir(parents=True)
        self.port = _free_port()
        _htpasswd(prefix / "htpasswd")
        user = "user root root;" if os.getuid() == 0 else ""
        (prefix / "nginx.conf").write_text(
            _CONF.format(prefix=prefix, root=self.root, port=self.port, user=user),
            encoding="utf-8")
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def start(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([nginx, "-p", str(self.prefix), "-c",
                                      str(self.prefix / "nginx.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"nginx exited: {err}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start listening")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def url(self, base: str, password: str = PASSWORD) -> str:
        return f"http://{USER}:{password}@127.0.0.1:{self.port}/{base}"

    def files(self, base: str = "") -> dict[str, bytes]:
        top = self.root / base
        return {str(p.relative_to(top)): p.read_bytes() for p in sorted(top.rglob("*"))
                if p.is_file()} if top.is_dir() else {}

    def put(self, path: str, data: bytes) -> int:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/{path}", data=data,
                                     method="PUT", headers={"Authorization": f"Basic {token}"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
