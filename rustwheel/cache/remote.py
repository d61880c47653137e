"""The remote store: a server speaking the Bazel HTTP cache protocol (bazel-remote, nginx with
WebDAV PUT, ...), layered behind the local store.

- ``<base>/ac/<key>``: an action entry, the local store's encoded entry, preceded with a secret
  by one line ``rustwheel-hmac-sha256:<hex>`` (HMAC-SHA256 of the key, a newline and the entry);
- ``<base>/cas/<sha256>``: a blob's raw content. GET, HEAD and PUT; 404 is a miss.

Lookups go to the local store first. A remote entry is verified (its signature when a secret is
set, its checksum, key and output names by `decode_action`), its blobs are fetched and checked
against their sha256, and only then is it written to the local store and served. Writes go to
the local store, then (unless read-only) to the remote. The first failure of the server (no
connection, a timeout, 401/403, 5xx) is one warning, and the remote is not asked again by this
process.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO, Callable, Optional, Union

from rustwheel.cache.entries import ActionEntry, OutputFile, decode_action, encode_action
from rustwheel.cache.layout import CHUNK, CorruptEntry, StorePaths
from rustwheel.cache.remoteconfig import RemoteConfig
from rustwheel.cache.remotestats import count
from rustwheel.cache.store import LocalStore

TIMEOUT = 5.0
"""Seconds to connect, and to wait for each read or write of a response or request."""
MAX_ENTRY = 16 * 1024 * 1024
"""An action entry longer than this is not one (a server answering with something else)."""
SIGNATURE = b"rustwheel-hmac-sha256:"
Body = Union[bytes, BinaryIO]
Sink = Callable[[bytes], Any]


class Unavailable(Exception):
    """The server cannot be used for this build (the message says why, without secrets)."""


def signature(secret: bytes, key: str, encoded: bytes) -> str:
    return hmac.new(secret, key.encode("ascii") + b"\n" + encoded, hashlib.sha256).hexdigest()


def wrap(key: str, encoded: bytes, secret: Optional[bytes]) -> bytes:
    """What goes over the wire for the entry ``encoded`` under ``key``."""
    if secret is None:
        return encoded
    return SIGNATURE + signature(secret, key, encoded).encode("ascii") + b"\n" + encoded


def unwrap(key: str, raw: bytes, secret: Optional[bytes]) -> bytes:
    """The encoded entry in ``raw``; with ``secret``, only if its signature is right
    (`CorruptEntry` otherwise)."""
    signed = raw.startswith(SIGNATURE)
    first, _, rest = raw.partition(b"\n") if signed else (b"", b"", raw)
    if secret is None:
        return rest
    if not signed:
        raise CorruptEntry("it is not signed, and RUSTWHEEL_REMOTE_CACHE_SECRET is set")
    given = first[len(SIGNATURE):].decode("ascii", "replace")
    if not hmac.compare_digest(given, signature(secret, key, rest)):
        raise CorruptEntry("its signature does not match RUSTWHEEL_REMOTE_CACHE_SECRET")
    return rest


class HttpRemote:
    """The server of one `RemoteConfig`, over one kept-alive connection."""

    def __init__(self, config: RemoteConfig, warn: Callable[[str], None]) -> None:
        self.config = config
        self.down = False
        self._warn = warn
        self._conn: Optional[http.client.HTTPConnection] = None
        self._pid = os.getpid()

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """(the connection, whether it was used before). A process forked from the one that
        opened it (doit's workers, the detached writer) opens its own: two processes must not
        talk over one socket."""
        if self._conn is not None and self._pid != os.getpid():
            if self._conn.sock is not None:  # the other process's: forgotten, never closed
                self._conn.sock.detach()     # here (its descriptor may be closed or reused)
            self._conn.sock = None
            self._conn = None
        if self._conn is not None:
            return self._conn, True
        self._pid = os.getpid()
        cls = http.client.HTTPSConnection if self.config.scheme == "https" \
            else http.client.HTTPConnection
        self._conn = cls(self.config.host.strip("[]"), self.config.port, timeout=TIMEOUT)
        return self._conn, False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _send(self, method: str, path: str, body: Optional[Body] = None,
              length: int = 0) -> http.client.HTTPResponse:
        headers = dict(self.config.headers)
        if body is not None:
            headers["Content-Length"] = str(length)
            headers["Content-Type"] = "application/octet-stream"
        while True:
            conn, reused = self._connection()
            try:
                conn.request(method, self.config.base_path + path, body=body, headers=headers)
                return conn.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if not reused:  # a kept-alive connection the server closed: once more
                    raise Unavailable(_reason(exc)) from None
                if not isinstance(body, (bytes, type(None))):
                    body.seek(0)

    def _call(self, method: str, path: str, sink: Optional[Sink] = None,
              body: Optional[Body] = None, length: int = 0, limit: int = -1) -> bool:
        """True on success (the response's body written to ``sink``), False on a 404."""
        response = self._send(method, path, body, length)
        try:
            status = response.status
            if status == 404 or not 200 <= status < 300:
                response.read()
                if status == 404:
                    return False
                raise Unavailable(_status_reason(status))
            _copy(response, sink if sink is not None else _discard, limit)
            return True
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise Unavailable(_reason(exc)) from None
        finally:
            response.close()

    def request(self, method: str, path: str, sink: Optional[Sink] = None,
                body: Optional[Body] = None, length: int = 0, limit: int = -1,
                ) -> Optional[bool]:
        """`_call`, or None when the server is (or just went) out of use for this build."""
        if self.down:
            return None
        try:
            return self._call(method, path, sink, body, length, limit)
        except Unavailable as exc:
            self.down = True
            self.close()
            self._warn(f"the remote cache {self.config.shown} is unavailable ({exc}); building "
                       "without it for the rest of this build")
            return None


def _copy(response: http.client.HTTPResponse, sink: Sink, limit: int) -> None:
    total = 0
    while True:
        chunk = response.read(CHUNK)
        if not chunk:
            return
        total += len(chunk)
        if 0 <= limit < total:
            raise Unavailable(f"it answered with more than {limit} bytes")
        sink(chunk)


def _discard(data: bytes) -> None:
    pass


def _reason(exc: BaseException) -> str:
    from rustwheel.toolerror import redact

    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return f"no answer within {TIMEOUT:g} s"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return redact(text)


def _status_reason(status: int) -> str:
    if status in (401, 403):
        return f"HTTP {status}: the credentials were refused"
    return f"HTTP {status}"


class _Hashing:
    """A sink that writes to a file and hashes what it writes."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh, self.sha, self.size = fh, hashlib.sha256(), 0

    def __call__(self, data: bytes) -> None:
        self.sha.update(data)
        self.size += len(data)
        self.fh.write(data)


class LayeredStore:
    """The local store with a remote one behind it (see the module's docstring)."""

    def __init__(self, local: LocalStore, remote: HttpRemote,
                 warn: Callable[[str], None]) -> None:
        self.local, self.remote = local, remote
        self.paths: StorePaths = local.paths
        self._warn = warn
        self._bad: set[str] = set()
        """Blobs the server holds damaged: uploaded again, over them."""

    def __repr__(self) -> str:
        return f"LayeredStore({self.local!r}, {self.remote.config.shown!r})"

    @property
    def writable(self) -> bool:
        return not self.remote.config.read_only

    # -- blobs ---------------------------------------------------------------------------------

    def contains_blob(self, digest: str) -> bool:
        return self.local.contains_blob(digest) or bool(
            self.remote.request("HEAD", f"/cas/{digest}"))

    def get_blob(self, digest: str) -> Optional[bytes]:
        data = self.local.get_blob(digest)
        if data is None and self._fetch_blob(digest):
            data = self.local.get_blob(digest)
        return data

    def put_blob(self, data: bytes) -> str:
        digest = self.local.put_blob(data)
        self._upload_blobs([digest])
        return digest

    def put_file(self, path: Path) -> tuple[str, int]:
        digest, size = self.local.put_file(path)
        self._upload_blobs([digest])
        return digest, size

    def put_output(self, path: Path, name: str, executable: bool) -> OutputFile:
        out = self.local.put_output(path, name, executable)
        self._upload_blobs([out.digest, *out.parts])
        return out

    def restore_output(self, out: OutputFile, fh: BinaryIO) -> bool:
        if not self._have_blobs(out):
            return False
        return self.local.restore_output(out, fh)

    def _have_blobs(self, out: OutputFile) -> bool:
        """Whether the local store has (or now fetched) every blob of ``out``."""
        wanted = [(out.digest, False), *((part, True) for part in out.parts)]
        return all(self.local.contains_blob(digest) or self._fetch_blob(digest, raw=raw)
                   for digest, raw in wanted)

    def _fetch_blob(self, digest: str, *, raw: bool = False) -> bool:
        """Copy the remote's blob into the local store if its content has its digest."""
        with tempfile.TemporaryFile(dir=_tmp_dir(self.paths)) as tmp:
            sink = _Hashing(tmp)
            if not self.remote.request("GET", f"/cas/{digest}", sink=sink):
                return False
            if sink.sha.hexdigest() != digest:
                self._bad.add(digest)
                self._warn(f"the remote cache's blob {digest} does not match its sha256; "
                           "ignored it (it is never served), the stage is rebuilt")
                return False
            tmp.seek(0)
            self.local.put_stream(tmp, sink.size, digest, raw=raw)
        return True

    def _upload_blobs(self, digests: Iterable[str]) -> None:
        """PUT each blob the server lacks (or holds damaged); nothing when read-only."""
        if not self.writable:
            return
        for digest in digests:
            if self.remote.down:
                return
            if digest not in self._bad and self.remote.request("HEAD", f"/cas/{digest}"):
                continue
            with tempfile.TemporaryFile(dir=_tmp_dir(self.paths)) as tmp:
                size = self.local.copy_blob(digest, tmp)
                if size < 0:
                    continue
                tmp.seek(0)
                self.remote.request("PUT", f"/cas/{digest}", body=tmp, length=size)

    # -- actions -------------------------------------------------------------------------------

    def contains_action(self, key: str) -> bool:
        return self.local.contains_action(key) or bool(self.remote.request("HEAD", f"/ac/{key}"))

    def get_action(self, key: str) -> Optional[ActionEntry]:
        entry = self.local.get_action(key)
        if entry is None and not self.remote.down:
            entry = self._fetch_action(key)
            if not self.remote.down:
                count(self.paths, "remote_hits" if entry is not None else "remote_misses")
        return entry

    def _fetch_action(self, key: str) -> Optional[ActionEntry]:
        """The remote's entry, verified, with its blobs, now in the local store too."""
        sink = io.BytesIO()
        if not self.remote.request("GET", f"/ac/{key}", sink=sink.write, limit=MAX_ENTRY):
            return None
        try:
            entry = decode_action(unwrap(key, sink.getvalue(), self.remote.config.secret), key)
        except CorruptEntry as exc:
            self._warn(f"ignored the remote cache's entry {key} ({exc}); the stage is rebuilt")
            return None
        if not all(self._have_blobs(out) for out in entry.outputs):
            return None
        self.local.put_action(key, entry)
        return entry

    def put_action(self, key: str, entry: ActionEntry) -> None:
        self.local.put_action(key, entry)
        if self.writable:
            data = wrap(key, encode_action(key, entry), self.remote.config.secret)
            self.remote.request("PUT", f"/ac/{key}", body=data, length=len(data))


def _tmp_dir(paths: StorePaths) -> Optional[str]:
    """The store's temp dir (the same file system as its blobs), if it exists."""
    return str(paths.tmp) if paths.tmp.is_dir() else None
