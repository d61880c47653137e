"""The remote store against a real nginx (WebDAV PUT, basic auth) on 127.0.0.1: a second
checkout on another path restores every stage from it; damaged, unsigned, wrongly signed and
path-escaping entries are never served; an unavailable server or a wrong password costs one
warning and the build goes on; read-only mode writes nothing.

Every test has its own local stores and its own base path on the server."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_crate, settle_store
from nginxcache import PASSWORD, Nginx
from storetools import build, import_from_wheel, stats

from rustwheel.cache.keys import canonical_json, digest_bytes
from rustwheel.cache.remote import SIGNATURE, signature

pytestmark = pytest.mark.slow

ABI3_CHECK = ("import pyo3_pure_abi3 as m\n"
              "assert m.add(2, 3) == 5, m.add(2, 3)\n"
              "print('OK')\n")
INLINE = {"RUSTWHEEL_CACHE_WRITE": "inline"}
UNAVAILABLE = "is unavailable"


@pytest.fixture(scope="session")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    server = Nginx(tmp_path_factory.mktemp("nginx"))
    server.start()
    yield server
    server.stop()


def _remote_env(url: str, **extra: str) -> dict[str, str]:
    return {**INLINE, "RUSTWHEEL_REMOTE_CACHE": url, "RUSTWHEEL_REMOTE_CACHE_SECRET": "",
            **extra}


def _first_build(tmp_path: Path, target_dir: Path, url: str,
                 **env: str) -> tuple[Path, Path]:
    """Build checkout ``a`` with its own store, writing to the remote at ``url``."""
    a = copy_crate("pyo3-pure-abi3", tmp_path / "a")
    wheel, _, proc = build(a / "Cargo.toml", tmp_path / "dist-a", target_dir, "--cache-dir",
                           str(tmp_path / "store-a"), env=_remote_env(url, **env))
    assert UNAVAILABLE not in proc.stderr, proc.stderr
    return a, wheel


def _second_build(tmp_path: Path, target: Path, url: str, **env: str,
                  ) -> tuple[Path, dict[str, str], str]:
    """Build checkout ``b`` (another path) with an empty store: (wheel, statuses, stderr)."""
    b = copy_crate("pyo3-pure-abi3", tmp_path / "b")
    wheel, st, proc = build(b / "Cargo.toml", tmp_path / "dist-b", target, "--cache-dir",
                            str(tmp_path / "store-b"), env=_remote_env(url, **env))
    return wheel, st, proc.stderr + proc.stdout


def _again(tmp_path: Path, a: Path, target_dir: Path, url: str, **env: str,
           ) -> tuple[Path, dict[str, str], str]:
    """Build checkout ``a`` again with an empty store, its state in the shared target dir
    forgotten (so every stage asks the stores): (wheel, statuses, output)."""
    for state in (target_dir / "rustwheel").glob("pyo3-pure-abi3-*"):
        if _owned_by(state, a):
            shutil.rmtree(state)
    wheel, st, proc = build(a / "Cargo.toml", tmp_path / "dist-b", target_dir, "--cache-dir",
                            str(tmp_path / "store-b"), env=_remote_env(url, **env))
    return wheel, st, proc.stderr + proc.stdout


def _owned_by(state: Path, crate: Path) -> bool:
    """Whether the state dir ``state`` is that of the checkout ``crate`` (it names its path)."""
    return any(str(crate) in p.read_text(encoding="utf-8", errors="replace")
               for p in state.rglob("*") if p.is_file() and p.stat().st_size < 1 << 20)


def _works(wheel: Path, where: Path) -> None:
    assert import_from_wheel(wheel, where, ABI3_CHECK) == "OK\n"


def test_second_checkout_restores_every_stage_from_the_remote(
        tmp_path: Path, target_dir: Path, nginx: Nginx) -> None:
    url = nginx.url("two-checkouts")
    a = copy_crate("pyo3-pure-abi3", tmp_path / "a")
    # background writes: the detached writer holds the store until its uploads are done too
    first, _, _ = build(a / "Cargo.toml", tmp_path / "dist-a", target_dir,
                        "--remote-cache", url, "--cache-dir", str(tmp_path / "store-a"))
    settle_store(tmp_path / "store-a")
    served = nginx.files("two-checkouts")
    assert any(n.startswith("ac/") for n in served) and any(n.startswith("cas/") for n in served)
    b = copy_crate("pyo3-pure-abi3", tmp_path / "b")
    b_target = tmp_path / "b-target"
    # As a pull request's CI job would: its store (at another path) and read-only remote
    # given by the environment; neither may change a store key.
    second, _, proc = build(b / "Cargo.toml", tmp_path / "dist-b", b_target, "--remote-cache",
                            url, env={"RUSTWHEEL_CACHE_DIR": str(tmp_path / "store-b"),
                                      "RUSTWHEEL_REMOTE_CACHE_READ_ONLY": "1"})
    from conftest import stage_statuses

    statuses = {t: s for t, s in stage_statuses(proc.stderr).items() if t != "detect"}
    assert statuses and set(statuses.values()) == {"restored"}, proc.stderr
    assert "Compiling" not in proc.stderr, proc.stderr
    assert not (b_target / "debug").exists()
    assert second.name == first.name and second.read_bytes() == first.read_bytes()
    assert "warning" not in proc.stderr, proc.stderr
    counts = stats(tmp_path / "store-b")
    assert counts["remote_hits"] >= len(statuses) and counts["remote_misses"] == 0, counts


def test_corrupt_remote_blob_is_never_served(tmp_path: Path, target_dir: Path,
                                             nginx: Nginx) -> None:
    url = nginx.url("corrupt")
    _, first = _first_build(tmp_path, target_dir, url)
    cas = nginx.root / "corrupt" / "cas"
    for blob in cas.iterdir():
        data = blob.read_bytes()
        blob.write_bytes(bytes(b ^ 0x5A for b in data) or b"x")
    wheel, st, out = _second_build(tmp_path, target_dir, url)
    assert "does not match its sha256" in out, out
    assert st["compile"] == "ran", out
    _works(wheel, tmp_path / "unpacked")
    assert zipfile.ZipFile(wheel).namelist() == zipfile.ZipFile(first).namelist()
    assert stats(tmp_path / "store-b")["remote_misses"] > 0


def _killing_cargo(tmp_path: Path, server: Nginx) -> dict[str, str]:
    """PATH with a cargo that stops ``server`` when the compile stage runs it (after the
    build's first remote lookups, on a kept-alive connection), then runs the real cargo."""
    real = shutil.which("cargo")
    assert real and server.proc is not None
    wrap = tmp_path / "wrap-bin"
    wrap.mkdir()
    (wrap / "cargo").write_text(
        "#!/bin/sh\n"
        'case "$1" in metadata|-V|--version) ;; *) '
        f"kill -TERM {server.proc.pid} 2>/dev/null; "
        "sleep 0.5;; esac\n"
        f'exec {shlex.quote(real)} "$@"\n', encoding="utf-8")
    (wrap / "cargo").chmod(0o755)
    return {"PATH": f"{wrap}{os.pathsep}{os.environ['PATH']}"}


def test_server_killed_during_a_build_costs_one_warning(
        tmp_path: Path, target_dir: Path) -> None:
    server = Nginx(tmp_path / "nginx")
    server.start()
    try:
        _first_build(tmp_path, target_dir, server.url("gone"))
        # checkout b, edited: its compile stage misses and runs cargo, which kills the server;
        # the stages after it find no server
        b = copy_crate("pyo3-pure-abi3", tmp_path / "b")
        with open(b / "src" / "lib.rs", "a", encoding="utf-8") as f:
            f.write("\n// edited\n")
        wheel, st, proc = build(b / "Cargo.toml", tmp_path / "dist-b", target_dir, "--cache-dir",
                                str(tmp_path / "store-b"),
                                env={**_remote_env(server.url("gone")),
                                     **_killing_cargo(tmp_path, server)})
        out = proc.stdout + proc.stderr
        assert server.proc is not None and server.proc.poll() is not None, out
    finally:
        server.stop()
    assert st["compile"] == "ran", out
    assert out.count(UNAVAILABLE) == 1, out
    assert PASSWORD not in out
    _works(wheel, tmp_path / "unpacked")
    # and a build that starts with the server gone: one warning too
    wheel, _, proc = build(tmp_path / "a" / "pyo3-pure-abi3" / "Cargo.toml", tmp_path / "dist-c",
                           target_dir, "--cache-dir", str(tmp_path / "store-c"),
                           env=_remote_env(server.url("gone")))
    assert (proc.stdout + proc.stderr).count(UNAVAILABLE) == 1, proc.stderr


def test_wrong_password_costs_one_warning_and_is_never_printed(
        tmp_path: Path, target_dir: Path, nginx: Nginx) -> None:
    wrong = "not-the-Password-97"
    a = copy_crate("pyo3-pure-abi3", tmp_path / "a")
    wheel, _, proc = build(a / "Cargo.toml", tmp_path / "dist", target_dir, "--cache-dir",
                           str(tmp_path / "store"), "--remote-cache",
                           nginx.url("wrong", password=wrong), env=INLINE)
    out = proc.stdout + proc.stderr
    assert out.count(UNAVAILABLE) == 1 and "401" in out, out
    assert wrong not in out and PASSWORD not in out, out
    _works(wheel, tmp_path / "unpacked")
    assert nginx.files("wrong") == {}


def test_read_only_writes_nothing(tmp_path: Path, target_dir: Path, nginx: Nginx) -> None:
    before = nginx.files()
    a = copy_crate("pyo3-pure-abi3", tmp_path / "a")
    wheel, st, proc = build(a / "Cargo.toml", tmp_path / "dist", target_dir, "--cache-dir",
                            str(tmp_path / "store"),
                            env=_remote_env(nginx.url("read-only"),
                                            RUSTWHEEL_REMOTE_CACHE_READ_ONLY="1"))
    settle_store(tmp_path / "store")
    assert nginx.files() == before
    assert "remote cache" not in proc.stderr, proc.stderr
    assert stats(tmp_path / "store")["remote_misses"] > 0
    _works(wheel, tmp_path / "unpacked")


@pytest.mark.parametrize("writer_secret", ["", "another-secret-1"], ids=["unsigned", "other"])
def test_entries_without_the_right_signature_are_ignored(
        writer_secret: str, tmp_path: Path, target_dir: Path, nginx: Nginx) -> None:
    url = nginx.url(f"signed-{writer_secret or 'none'}")
    a, _ = _first_build(tmp_path, target_dir, url, RUSTWHEEL_REMOTE_CACHE_SECRET=writer_secret)
    wheel, st, out = _again(tmp_path, a, target_dir, url,
                            RUSTWHEEL_REMOTE_CACHE_SECRET="the-right-secret-2")
    reason = "is not signed" if not writer_secret else "signature does not match"
    assert reason in out, out
    assert "restored" not in st.values(), out
    assert "the-right-secret-2" not in out and PASSWORD not in out
    _works(wheel, tmp_path / "unpacked")


def _escaping(raw: bytes, key: str, secret: bytes, outside: Path) -> bytes:
    """The signed entry ``raw`` with its outputs renamed to escape the output directory."""
    doc = json.loads(raw.split(b"\n", 1)[1])
    body = doc["body"]
    for i, out in enumerate(body["outputs"]):
        out["name"] = f"../../escaped-{i}" if i % 2 == 0 else str(outside / f"abs-{i}")
    encoded = canonical_json({"body": body, "checksum": digest_bytes(canonical_json(body))}) \
        + b"\n"
    return SIGNATURE + signature(secret, key, encoded).encode() + b"\n" + encoded


def test_entry_naming_paths_outside_the_output_dir_writes_nothing_there(
        tmp_path: Path, target_dir: Path, nginx: Nginx) -> None:
    secret = "entry-signing-secret-3"
    url = nginx.url("escape")
    a, _ = _first_build(tmp_path, target_dir, url, RUSTWHEEL_REMOTE_CACHE_SECRET=secret)
    outside = tmp_path / "outside"
    crafted = 0
    for path, raw in nginx.files("escape").items():
        if path.startswith("ac/") and json.loads(raw.split(b"\n", 1)[1])["body"]["outputs"]:
            data = _escaping(raw, path[3:], secret.encode(), outside)
            assert nginx.put(f"escape/{path}", data) in (201, 204)
            crafted += 1
    assert crafted >= 2
    wheel, st, out = _again(tmp_path, a, target_dir, url, RUSTWHEEL_REMOTE_CACHE_SECRET=secret)
    assert "invalid cache output name" in out, out
    assert "restored" not in st.values(), out
    assert not outside.exists()
    assert not [p for p in tmp_path.parent.rglob("escaped-*")], out
    _works(wheel, tmp_path / "unpacked")


def test_bad_remote_url_is_one_error_line(tmp_path: Path, target_dir: Path) -> None:
    a = copy_crate("pyo3-pure-abi3", tmp_path / "a")
    from conftest import run_rustwheel

    proc = run_rustwheel(["build", "-m", str(a / "Cargo.toml"), "--target-dir", str(target_dir),
                          "--cache-dir", str(tmp_path / "s"), "--remote-cache",
                          "ftp://u:hidden-pass-4@host/x"], check=False)
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "http://" in errors[0], proc.stderr
    assert "hidden-pass-4" not in proc.stderr + proc.stdout
    shutil.rmtree(tmp_path / "s", ignore_errors=True)
    assert os.environ.get("RUSTWHEEL_REMOTE_CACHE") is None


def test_no_op_build_does_not_import_the_remote_store(tmp_path: Path, target_dir: Path,
                                                       nginx: Nginx) -> None:
    a = copy_crate("pyo3-pure-abi3", tmp_path / "a")
    args = ["build", "-m", str(a / "Cargo.toml"), "--target-dir", str(target_dir), "-o",
            str(tmp_path / "dist"), "--cache-dir", str(tmp_path / "store")]
    env = _remote_env(nginx.url("no-op"))
    from conftest import run_rustwheel, stage_statuses

    run_rustwheel(args, env=env)
    proc = run_rustwheel(args, env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
    assert set(stage_statuses(proc.stderr).values()) == {"up to date"}, proc.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    assert "rustwheel.cli" in imported, proc.stderr[-2000:]
    assert not imported & {"rustwheel.cache.remote", "rustwheel.cache.remoteconfig",
                           "http.client"}, sorted(imported)
