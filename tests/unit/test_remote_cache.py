"""The remote store's pieces: signed entries, URL redaction, where the configuration comes from,
and `LayeredStore` against a small in-process HTTP cache server."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from rustwheel.cache.entries import ActionEntry, OutputFile, encode_action
from rustwheel.cache.keys import digest_bytes
from rustwheel.cache.layout import CorruptEntry
from rustwheel.cache.remote import HttpRemote, LayeredStore, unwrap, wrap
from rustwheel.cache.remoteconfig import RemoteConfig, parse_url, redact_url, remote_config
from rustwheel.cache.remotestats import read_counts
from rustwheel.cache.store import LocalStore
from rustwheel.errors import ConfigError

KEY = "ab" * 32


# -- signatures ---------------------------------------------------------------------------------

def test_signed_entry_round_trips_and_binds_its_key() -> None:
    body = b'{"body":{}}\n'
    signed = wrap(KEY, body, b"secret")
    assert signed.endswith(body) and signed != body
    assert unwrap(KEY, signed, b"secret") == body
    assert unwrap(KEY, signed, None) == body  # a reader without the secret takes the entry
    with pytest.raises(CorruptEntry, match="signature does not match"):
        unwrap(KEY, signed, b"other")
    with pytest.raises(CorruptEntry, match="signature does not match"):
        unwrap("cd" * 32, signed, b"secret")  # moved to another key
    with pytest.raises(CorruptEntry, match="not signed"):
        unwrap(KEY, body, b"secret")
    assert wrap(KEY, body, None) == body


def test_tampered_signed_entry_is_rejected() -> None:
    signed = wrap(KEY, b'{"a":1}\n', b"secret")
    with pytest.raises(CorruptEntry):
        unwrap(KEY, signed.replace(b'"a":1', b'"a":2'), b"secret")


# -- URLs and configuration -------------------------------------------------------------------

@pytest.mark.parametrize(("url", "shown"), [
    ("https://user:pa55@cache.example/x", "https://user:***@cache.example/x"),
    ("http://tokenvalue@cache.example", "http://***@cache.example"),
    ("http://cache.example/a@b", "http://cache.example/a@b"),
    ("http://cache.example:8080/base", "http://cache.example:8080/base"),
])
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_parsed_url_keeps_credentials_out_of_what_is_shown() -> None:
    cfg = parse_url("http://me:p%40ss@127.0.0.1:9/base/", "--remote-cache", {}, False)
    assert (cfg.host, cfg.port, cfg.base_path) == ("127.0.0.1", 9, "/base")
    assert cfg.shown == "http://127.0.0.1:9/base"
    assert cfg.headers == (("Authorization", "Basic bWU6cEBzcw=="),)  # me:p@ss
    assert "p@ss" not in repr(cfg.shown)


@pytest.mark.parametrize("url", ["ftp://u:pw-hidden@h/x", "file:///tmp/x", "http:///x",
                                 "http://h/x?token=pw-hidden"])
def test_bad_url_is_one_clear_error_without_the_password(url: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_url(url, "--remote-cache", {}, False)
    assert "pw-hidden" not in str(exc.value)


def test_header_from_the_environment() -> None:
    env = {"RUSTWHEEL_REMOTE_CACHE_HEADER": "X-Token: abc def"}
    assert parse_url("http://h", "x", env, False).headers == (("X-Token", "abc def"),)
    with pytest.raises(ConfigError, match="Name: value") as exc:
        parse_url("http://h", "x", {"RUSTWHEEL_REMOTE_CACHE_HEADER": "no-colon-secretvalue"},
                  False)
    assert "secretvalue" not in str(exc.value)


def _config_home(tmp_path: Path, text: str) -> dict[str, str]:
    (tmp_path / "rustwheel").mkdir(exist_ok=True)
    (tmp_path / "rustwheel" / "config.toml").write_text(text, encoding="utf-8")
    return {"XDG_CONFIG_HOME": str(tmp_path)}


def test_config_precedence_flag_then_environment_then_user_file(tmp_path: Path) -> None:
    env = _config_home(tmp_path, 'remote-cache = "http://file/x"\nremote-cache-read-only = true\n')
    from_file = remote_config(None, False, env)
    assert from_file is not None and from_file.shown == "http://file/x" and from_file.read_only
    env["RUSTWHEEL_REMOTE_CACHE"] = "http://envhost/y"
    env["RUSTWHEEL_REMOTE_CACHE_READ_ONLY"] = "0"
    from_env = remote_config(None, False, env)
    assert from_env is not None and from_env.shown == "http://envhost/y"
    assert not from_env.read_only
    from_flag = remote_config("http://flag/z", True, env)
    assert from_flag is not None and from_flag.shown == "http://flag/z" and from_flag.read_only


def test_no_remote_when_nothing_or_an_empty_value_is_set(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path), "RUSTWHEEL_REMOTE_CACHE": ""}
    assert remote_config(None, False, env) is None


def test_bad_read_only_value_is_an_error(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path), "RUSTWHEEL_REMOTE_CACHE": "http://h",
           "RUSTWHEEL_REMOTE_CACHE_READ_ONLY": "maybe"}
    with pytest.raises(ConfigError, match="RUSTWHEEL_REMOTE_CACHE_READ_ONLY"):
        remote_config(None, False, env)


# -- LayeredStore against an in-process server --------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    status: list[int] = []
    requests: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, body: bool) -> None:
        self.requests.append(f"{self.command} {self.path}")
        if self.status:
            self.send_response(self.status[0])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = self.files.get(self.path)
        self.send_response(200 if data is not None else 404)
        self.send_header("Content-Length", str(len(data or b"")))
        self.end_headers()
        if body and data:
            self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)

    def do_PUT(self) -> None:  # noqa: N802
        data = self.rfile.read(int(self.headers["Content-Length"]))
        self.requests.append(f"PUT {self.path}")
        if not self.status:
            self.files[self.path] = data
        self.send_response(self.status[0] if self.status else 201)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def server() -> Iterator[type[_Handler]]:
    handler = type("Handler", (_Handler,), {"files": {}, "status": [], "requests": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    handler.port = httpd.server_address[1]  # type: ignore[attr-defined]
    yield handler
    httpd.shutdown()
    httpd.server_close()


def _layered(tmp_path: Path, server: type[_Handler], name: str, warnings: list[str],
             secret: bytes | None = None, read_only: bool = False) -> LayeredStore:
    port = server.port  # type: ignore[attr-defined]
    cfg = RemoteConfig("http", "127.0.0.1", port, "/c", (), read_only, secret,
                       f"http://127.0.0.1:{port}/c")
    return LayeredStore(LocalStore(tmp_path / name, warn=warnings.append),
                        HttpRemote(cfg, warnings.append), warnings.append)


def _stored(store: LayeredStore, tmp_path: Path) -> ActionEntry:
    src = tmp_path / "out.bin"
    src.write_bytes(b"payload " * 1000)
    out = store.put_output(src, "lib/out.bin", False)
    entry = ActionEntry("compile", (out,), {})
    store.put_action(KEY, entry)
    return entry


def test_entry_and_blobs_round_trip_through_the_server(tmp_path: Path,
                                                      server: type[_Handler]) -> None:
    warnings: list[str] = []
    entry = _stored(_layered(tmp_path, server, "a", warnings, b"s"), tmp_path)
    other = _layered(tmp_path, server, "b", warnings, b"s")
    assert other.get_action(KEY) == entry
    buf = io.BytesIO()
    assert other.restore_output(entry.outputs[0], buf) and buf.getvalue() == b"payload " * 1000
    assert other.local.get_action(KEY) == entry  # written to the local store
    assert warnings == []
    assert read_counts(other.paths) == {"remote_hits": 1, "remote_misses": 0}


def test_blob_not_matching_its_name_is_never_served(tmp_path: Path,
                                                     server: type[_Handler]) -> None:
    warnings: list[str] = []
    entry = _stored(_layered(tmp_path, server, "a", warnings), tmp_path)
    server.files[f"/c/cas/{entry.outputs[0].digest}"] = b"evil"
    other = _layered(tmp_path, server, "b", warnings)
    assert other.get_action(KEY) is None
    assert any("does not match its sha256" in w for w in warnings), warnings
    assert not other.local.contains_blob(entry.outputs[0].digest)


def test_escaping_output_name_is_ignored(tmp_path: Path, server: type[_Handler]) -> None:
    warnings: list[str] = []
    data = b"x"
    bad = ActionEntry("compile", (OutputFile("../escape", digest_bytes(data), 1, False),), {})
    server.files[f"/c/cas/{digest_bytes(data)}"] = data
    server.files[f"/c/ac/{KEY}"] = encode_action(KEY, bad)
    store = _layered(tmp_path, server, "b", warnings)
    assert store.get_action(KEY) is None
    assert any("invalid cache output name" in w for w in warnings), warnings


@pytest.mark.parametrize("status", [401, 403, 500, 503])
def test_failing_server_is_one_warning_then_left_alone(tmp_path: Path, server: type[_Handler],
                                                       status: int) -> None:
    warnings: list[str] = []
    server.status.append(status)
    store = _layered(tmp_path, server, "a", warnings)
    assert store.get_action(KEY) is None
    _stored(store, tmp_path)  # written locally, not uploaded
    assert store.get_action("cd" * 32) is None
    assert len(warnings) == 1 and f"HTTP {status}" in warnings[0], warnings
    assert len(server.requests) == 1, server.requests
    assert store.local.get_action(KEY) is not None


def test_unreachable_server_is_one_warning(tmp_path: Path) -> None:
    warnings: list[str] = []
    cfg = RemoteConfig("http", "127.0.0.1", 9, "", (), False, None, "http://127.0.0.1:9")
    store = LayeredStore(LocalStore(tmp_path / "s", warn=warnings.append),
                         HttpRemote(cfg, warnings.append), warnings.append)
    assert store.get_action(KEY) is None and store.get_action("cd" * 32) is None
    assert len(warnings) == 1 and "unavailable" in warnings[0], warnings


def test_read_only_never_writes(tmp_path: Path, server: type[_Handler]) -> None:
    warnings: list[str] = []
    _stored(_layered(tmp_path, server, "a", warnings, read_only=True), tmp_path)
    assert not any(r.startswith(("PUT", "HEAD")) for r in server.requests), server.requests
    assert server.files == {}


# -- what is written to disk ----------------------------------------------------------------

def test_remote_url_is_left_out_of_written_arguments() -> None:
    from rustwheel.commands.options import without_remote_url

    args = ["-r", "--remote-cache", "http://u:pw@h/x", "--remote-cache=http://u:pw@h/y",
            "--remote-cache-read-only", "-q"]
    assert without_remote_url(args) == ["-r", "--remote-cache-read-only", "-q"]


def test_remote_store_does_not_change_the_build_stamp(tmp_path: Path) -> None:
    from rustwheel.freshness.stamp import stamps_of
    from rustwheel.options import BuildOptions

    env = {"RUSTWHEEL_CACHE_DIR": str(tmp_path)}
    plain = stamps_of(BuildOptions(), env)
    assert plain is not None
    remote = stamps_of(BuildOptions(remote_cache="http://u:pw@h/x", remote_cache_read_only=True),
                       {**env, "RUSTWHEEL_REMOTE_CACHE": "http://h/z"})
    assert remote == plain


def test_upload_failure_in_the_detached_writer_is_one_relayed_warning(
        tmp_path: Path, server: type[_Handler], monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import sys

    from rustwheel import ui
    from rustwheel.cache import pending

    # the writer closes every inherited descriptor: pytest's capture file among them
    monkeypatch.setattr(sys, "stderr", io.StringIO())

    port = server.port  # type: ignore[attr-defined]
    cfg = RemoteConfig("http", "127.0.0.1", port, "/c", (), False, None, f"http://127.0.0.1:{port}")
    store = LayeredStore(LocalStore(tmp_path / "a"), HttpRemote(cfg, ui.warn), ui.warn)
    server.status.append(500)
    writes = pending.Writes()
    writes.owner = os.getpid()
    writes.add(store.paths, lambda: _stored(store, tmp_path))
    writes.finish()  # a detached child uploads, and fails
    with ui.collecting() as relayed:
        pending.wait_all(store.paths)
    assert len(relayed) == 1, relayed
    assert "(while storing the last build's results)" in relayed[0] and "HTTP 500" in relayed[0]
    assert "Traceback" not in relayed[0]
    assert store.local.get_action(KEY) is not None  # stored locally all the same
