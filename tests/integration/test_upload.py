"""``rustwheel upload`` and ``rustwheel publish`` against a real pypiserver on loopback (with
an htpasswd file), through small loopback proxies that count, fail or hang requests, and a
loopback server speaking PyPI's trusted-publishing endpoints."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CRATES, REPO, Venv, run_rustwheel
from tests.integration.loopback import (
    PASSWORD,
    USER,
    OidcIndex,
    Proxy,
    PypiServer,
    Redirector,
)

pytestmark = pytest.mark.slow
CRATE = CRATES / "pyo3-pure-abi3"
NAME = "pyo3_pure_abi3-0.3.0a1"


@pytest.fixture(scope="session")
def start_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], PypiServer]]:
    """Starts a fresh pypiserver (its own package dir and port); all stopped at the end."""
    started: list[PypiServer] = []

    def start() -> PypiServer:
        started.append(PypiServer(tmp_path_factory.mktemp("index")))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory, target_dir: Path) -> dict[str, Path]:
    """pyo3-pure-abi3's wheel (for this interpreter) and sdist, built once."""
    out = tmp_path_factory.mktemp("dist")
    proc = run_rustwheel(["build", "-m", str(CRATE / "Cargo.toml"), "-o", str(out), "--sdist",
                          "--target-dir", str(target_dir), "-i", sys.executable])
    files = [Path(line) for line in proc.stdout.splitlines()]
    return {"wheel": next(p for p in files if p.suffix == ".whl"),
            "sdist": next(p for p in files if p.name.endswith(".tar.gz"))}


def upload(files: list[Path], url: str, state: Path, *extra: str, password: str = PASSWORD,
           env: Any = None, check: bool = False) -> subprocess.CompletedProcess[str]:
    return run_rustwheel(["upload", "--repository-url", url, "-u", USER, "-p", password,
                          "--cache-dir", str(state), *extra, *map(str, files)],
                         env={"CI": "true", **(env or {})}, check=check)


def test_upload_wheel_and_sdist_then_pip_install(start_index: Callable[[], PypiServer],
                                                 dists: dict[str, Path], tmp_path: Path,
                                                 ) -> None:
    index = start_index()
    files = [dists["wheel"], dists["sdist"]]
    proc = upload(files, index.url, tmp_path / "state", check=True)
    assert index.listing() == sorted(p.name for p in files)
    assert f"uploaded {dists['wheel'].name}" in proc.stderr
    venv = Venv(tmp_path / "venv")
    subprocess.run([str(venv.python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "--only-binary", ":all:", "--index-url",
                    f"http://{USER}:{PASSWORD}@127.0.0.1:{index.port}/simple/",
                    "pyo3-pure-abi3"], check=True)
    assert venv.run_python("import pyo3_pure_abi3 as m; print(m.add(2, 3), m.greet('index'))"
                           ).split() == ["5", "Hello,", "index!"]
    # The same state: recorded, not sent again.
    again = upload(files, index.url, tmp_path / "state", check=True)
    assert again.stderr.count("up to date  upload:") == 2, again.stderr
    # Another machine (no record): the index says it exists; --skip-existing skips it.
    other = upload(files, index.url, tmp_path / "other")
    assert other.returncode == 1
    assert f"{dists['wheel'].name} already exists on {index.url} (the same bytes); pass " \
           "--skip-existing" in other.stderr
    skipped = upload(files, index.url, tmp_path / "third", "--skip-existing", check=True)
    assert f"note: skipping {dists['wheel'].name}" in skipped.stderr
    assert f"note: skipping {dists['sdist'].name}" in skipped.stderr


def test_wrong_password_is_a_credentials_error_and_never_printed(
        start_index: Callable[[], PypiServer], dists: dict[str, Path], tmp_path: Path) -> None:
    index = start_index()
    wrong = "Wr0ng-Secret-pw"
    proc = upload([dists["sdist"]], index.url, tmp_path, "-v", password=wrong)
    assert proc.returncode == 1
    assert "the credentials were refused: check the user name and password" in proc.stderr
    assert "403" in proc.stderr and "Traceback" not in proc.stderr
    assert wrong not in proc.stdout + proc.stderr
    assert "Authorization" not in proc.stderr and "POST http://127.0.0.1" in proc.stderr
    assert index.listing() == []


def _other_bytes(wheel: Path, dest: Path) -> Path:
    """The same wheel name with other bytes (still a valid wheel: a zip comment)."""
    dest.mkdir()
    copy = Path(shutil.copy(wheel, dest / wheel.name))
    with zipfile.ZipFile(copy, "a") as zf:
        zf.comment = b"other bytes"
    return copy


def test_same_name_other_bytes_is_an_error(start_index: Callable[[], PypiServer],
                                           dists: dict[str, Path], tmp_path: Path) -> None:
    index = start_index()
    upload([dists["wheel"]], index.url, tmp_path / "state", check=True)
    other = _other_bytes(dists["wheel"], tmp_path / "other")
    for extra in ([], ["--skip-existing"]):
        proc = upload([other], index.url, tmp_path / "state", *extra)
        assert proc.returncode == 1
        assert f"{other.name}: the file name is taken on {index.url} by other bytes" \
            in proc.stderr, proc.stderr


def test_bad_record_hash_refused_before_any_request(start_index: Callable[[], PypiServer],
                                                    dists: dict[str, Path],
                                                    tmp_path: Path) -> None:
    index = start_index()
    proxy = Proxy(index.url)
    bad = tmp_path / dists["wheel"].name
    with zipfile.ZipFile(dists["wheel"]) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data + b"#" if info.filename.endswith(".pyi") else data)
    proc = upload([bad, dists["sdist"]], proxy.url, tmp_path / "state")
    assert proc.returncode == 1
    assert "does not match the hash in its RECORD" in proc.stderr
    assert proxy.requests == [] and index.listing() == []
    proxy.stop()


def test_retries_5xx_with_backoff(start_index: Callable[[], PypiServer],
                                  dists: dict[str, Path], tmp_path: Path) -> None:
    index = start_index()
    proxy = Proxy(index.url)
    proxy.fail_posts = 2
    start = time.monotonic()
    proc = upload([dists["sdist"]], proxy.url, tmp_path,
                  env={"RUSTWHEEL_UPLOAD_RETRY_DELAY": "0.5"}, check=True)
    elapsed = time.monotonic() - start
    assert f"{proxy.url} answered 503 Service Unavailable: busy try later; retrying in 0.5s " \
        "(1 of 4)" in proc.stderr, proc.stderr
    assert "retrying in 1s (2 of 4)" in proc.stderr
    assert elapsed >= 1.5  # 0.5 s, then 1 s: the backoff doubles
    assert proxy.posts == 3 and index.listing() == [dists["sdist"].name]
    proxy.stop()


def _publish(url: str, out: Path, state: Path, target_dir: Path) -> list[str]:
    return [sys.executable, "-m", "rustwheel", "publish", "--debug", "-m",
            str(CRATE / "Cargo.toml"), "-o", str(out), "--target-dir", str(target_dir),
            "-i", sys.executable, "--repository-url", url, "--cache-dir", str(state)]


def test_lost_answer_retried_then_recognised(start_index: Callable[[], PypiServer],
                                            dists: dict[str, Path], tmp_path: Path) -> None:
    """The first POST reaches the index but its answer is lost: the retry's "already
    exists" with the same bytes means the upload worked."""
    index = start_index()
    proxy = Proxy(index.url)
    proxy.lose_answer_post = 1
    proc = upload([dists["sdist"]], proxy.url, tmp_path,
                  env={"RUSTWHEEL_UPLOAD_RETRY_DELAY": "0.1"}, check=True)
    assert "retrying in 0.1s (1 of 4)" in proc.stderr
    assert f"uploaded {dists['sdist'].name}" in proc.stderr
    assert proxy.posts == 2 and index.listing() == [dists["sdist"].name]
    proxy.stop()


def test_connection_errors_retried_then_one_error(dists: dict[str, Path],
                                                  tmp_path: Path) -> None:
    from tests.integration.loopback import free_port

    url = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    start = time.monotonic()
    proc = upload([dists["sdist"]], url, tmp_path, env={"RUSTWHEEL_UPLOAD_RETRY_DELAY": "0.1"})
    assert proc.returncode == 1 and time.monotonic() - start >= 1.5  # 0.1+0.2+0.4+0.8
    assert proc.stderr.count("retrying in") == 4
    assert f"error: cannot reach {url}: [Errno 111] Connection refused; gave up after 4 " \
           "retries" in proc.stderr, proc.stderr


def test_publish_killed_halfway_resumes(start_index: Callable[[], PypiServer], tmp_path: Path,
                                        target_dir: Path) -> None:
    index = start_index()
    proxy = Proxy(index.url)
    proxy.hang_post = 2
    argv = _publish(proxy.url, tmp_path / "dist", tmp_path / "state", target_dir)
    env = {**os.environ, "PYTHONPATH": str(REPO), "RUSTWHEEL_USERNAME": USER,
           "RUSTWHEEL_PASSWORD": PASSWORD, "CI": "true"}
    first = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    assert proxy.hung.wait(600), "the second upload never started"
    first.send_signal(signal.SIGKILL)
    out, err = first.communicate()
    [wheel] = (tmp_path / "dist").glob("*.whl")
    assert index.listing() == [wheel.name], err
    assert f"uploaded {wheel.name}" in err and "upload:check" not in err
    proxy.hang_post = 0
    posts = proxy.posts
    rerun = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    assert f"up to date  upload:{wheel.name}" in rerun.stderr
    assert f"uploaded {NAME}.tar.gz" in rerun.stderr
    assert "up to date  wheel:" in rerun.stderr  # one graph: the build, then the uploads
    assert rerun.stdout.split() == [str(tmp_path / "dist" / f"{NAME}.tar.gz"), str(wheel)]
    assert proxy.posts - posts == 1
    assert index.listing() == sorted([wheel.name, f"{NAME}.tar.gz"])
    proxy.stop()


def test_pypirc_repository_section(start_index: Callable[[], PypiServer],
                                   dists: dict[str, Path], tmp_path: Path) -> None:
    index = start_index()
    pypirc = tmp_path / "pypirc"
    pypirc.write_text(f"[distutils]\nindex-servers = local\n\n[local]\nrepository = {index.url}"
                      f"\nusername = {USER}\npassword = {PASSWORD}\n")
    proc = run_rustwheel(["upload", "-r", "local", "--config-file", str(pypirc), "-v",
                          "--cache-dir", str(tmp_path / "state"), str(dists["sdist"])],
                         env={"CI": "true"})
    assert "as uploader (credentials from .pypirc)" in proc.stderr
    assert PASSWORD not in proc.stderr and index.listing() == [dists["sdist"].name]


def test_no_credentials_non_interactive(dists: dict[str, Path], tmp_path: Path) -> None:
    proc = run_rustwheel(["upload", "--repository-url", "http://user:S3cr3t@127.0.0.1:9/",
                          "--cache-dir", str(tmp_path), str(dists["sdist"])],
                         env={"CI": "true", "HOME": str(tmp_path)}, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: no credentials for http://127.0.0.1:9/")
    assert "S3cr3t" not in proc.stderr


def test_trusted_publishing_oidc(dists: dict[str, Path], tmp_path: Path) -> None:
    server = OidcIndex()
    env = {"CI": "true", "HOME": str(tmp_path),
           "ACTIONS_ID_TOKEN_REQUEST_URL": f"{server.url}github-token?api-version=2.0",
           "ACTIONS_ID_TOKEN_REQUEST_TOKEN": OidcIndex.REQUEST_TOKEN}
    proc = run_rustwheel(["upload", "--repository-url", f"{server.url}legacy/", "-v",
                          "--cache-dir", str(tmp_path / "state"), str(dists["sdist"])], env=env)
    assert server.uploaded == [dists["sdist"].name]
    assert [r for r in server.requests] == [
        ("GET", "/_/oidc/audience"), ("GET", "/github-token"), ("POST", "/_/oidc/mint-token"),
        ("POST", "/legacy/")]
    assert "credentials from trusted publishing" in proc.stderr
    for secret in (OidcIndex.REQUEST_TOKEN, OidcIndex.ID_TOKEN, OidcIndex.MINTED):
        assert secret not in proc.stdout + proc.stderr
    server.stop()


def test_redirect_is_an_error(dists: dict[str, Path], tmp_path: Path) -> None:
    server = Redirector()
    proc = upload([dists["sdist"]], server.url, tmp_path)
    assert proc.returncode == 1
    assert f"error: {server.url} redirects the upload to {server.url}legacy/; use the correct " \
           "upload URL (e.g. with its trailing /legacy/)" in proc.stderr
    assert server.requests == [("POST", "/")]  # not followed, not retried
    server.stop()


def test_upload_tasks_in_a_dodo(start_index: Callable[[], PypiServer], tmp_path: Path,
                                target_dir: Path) -> None:
    """A user's dodo.py: build, run their own test task, then upload the built wheel."""
    index = start_index()
    crate = tmp_path / "crate"
    shutil.copytree(CRATE, crate, ignore=shutil.ignore_patterns("target"))
    (crate / "dodo.py").write_text(f"""
import sys
from rustwheel.tasks import DOIT_CONFIG, upload_tasks, wheel_tasks

OPTIONS = dict(out="dist", target_dir={str(target_dir)!r}, interpreters=(sys.executable,))

def task_wheel():
    yield from wheel_tasks(**OPTIONS)

def task_test():
    return {{"actions": ["echo tests passed"], "task_dep": ["wheel"]}}

def task_upload():
    yield from upload_tasks(after="test", repository_url={index.url!r},
                            cache_dir={str(tmp_path / "state")!r}, **OPTIONS)
""")
    env = {**os.environ, "PYTHONPATH": str(REPO), "RUSTWHEEL_USERNAME": USER,
           "RUSTWHEEL_PASSWORD": PASSWORD}
    doit = [sys.executable, "-m", "doit"]
    listed = subprocess.run([*doit, "list"], cwd=crate, env=env, capture_output=True,
                            text=True, check=True).stdout
    assert "upload " in listed
    subprocess.run(doit, cwd=crate, env=env, capture_output=True, text=True, check=True)
    wheels = [p.name for p in (crate / "dist").glob("*.whl")]
    assert index.listing() == wheels and len(wheels) == 1
    again = subprocess.run(doit, cwd=crate, env=env, capture_output=True, text=True, check=True)
    assert f"-- upload:{wheels[0]}" in again.stdout, again.stdout


def _in_a_terminal(argv: list[str], env: dict[str, str]) -> bytes:
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env)
    proc.wait(120)
    os.close(slave)
    out = b""
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    os.close(master)
    assert proc.returncode == 0, out
    return out


def test_progress_bar_on_a_terminal(start_index: Callable[[], PypiServer],
                                    dists: dict[str, Path], tmp_path: Path) -> None:
    from tests.terminal import screen

    index = start_index()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm"}
    out = _in_a_terminal([sys.executable, "-m", "rustwheel", "upload", "--repository-url",
                          index.url, "-u", USER, "-p", PASSWORD, "--cache-dir",
                          str(tmp_path), str(dists["wheel"])], env)
    lines = screen(out)
    assert f"  {dists['wheel'].name}  [{'#' * 30}] 100%" in lines, lines
    assert out.count(b"\r  " + dists["wheel"].name.encode()) > 2  # redrawn in place
    assert f"  uploaded {dists['wheel'].name} to {index.url}" in lines


def test_publish_uploads_nothing_when_a_cell_fails(start_index: Callable[[], PypiServer],
                                                   tmp_path: Path, target_dir: Path) -> None:
    """A release is uploaded whole: the sdist built, the wheel did not, nothing is sent."""
    index = start_index()
    argv = _publish(index.url, tmp_path / "dist", tmp_path / "state", target_dir)
    argv[argv.index(str(CRATE / "Cargo.toml"))] = str(CRATES / "broken-compile" / "Cargo.toml")
    env = {**os.environ, "PYTHONPATH": str(REPO), "RUSTWHEEL_USERNAME": USER,
           "RUSTWHEEL_PASSWORD": PASSWORD, "CI": "true"}
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and "failed      compile:" in proc.stderr
    assert "upload:" not in proc.stderr and "Traceback" not in proc.stderr
    assert list((tmp_path / "dist").glob("*.tar.gz")) and index.listing() == []


def _read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 60) -> None:
    import select

    end = time.monotonic() + timeout
    while wanted not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        assert ready, f"no {wanted!r} in {bytes(seen)!r}"
        seen += os.read(fd, 4096)


def test_prompt_on_a_terminal_only(start_index: Callable[[], PypiServer],
                                   dists: dict[str, Path], tmp_path: Path) -> None:
    """Without credentials, a terminal is asked for them (the password without echo)."""
    import pty

    index = start_index()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(PYTHONPATH=str(REPO), HOME=str(tmp_path), TERM="xterm")
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "rustwheel", "upload", "--repository-url",
                             index.url, "--cache-dir", str(tmp_path / "state"),
                             str(dists["sdist"])], stdin=slave, stdout=slave, stderr=slave,
                            env=env)
    os.close(slave)
    seen = bytearray()
    _read_until(master, b"username: ", seen)
    os.write(master, USER.encode() + b"\n")
    _read_until(master, b"password (or API token): ", seen)
    os.write(master, PASSWORD.encode() + b"\n")
    _read_until(master, b"upload:" + dists["sdist"].name.encode(), seen)
    assert proc.wait(60) == 0, bytes(seen)
    os.close(master)
    assert PASSWORD.encode() not in seen
    assert index.listing() == [dists["sdist"].name]
