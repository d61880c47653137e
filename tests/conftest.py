"""Shared fixtures: run rustwheel as a real command, real crates, real virtual environments."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Optional

import pytest

REPO = Path(__file__).resolve().parent.parent
CRATES = REPO / "tests" / "crates"
# The platform tag the repair stage gives the test crates' wheels on this machine (glibc 2.36):
# Rust's standard library requires GLIBC_2.34 symbols when linked against glibc >= 2.34.
# `assert_auditwheel_agrees` checks every audited wheel against `auditwheel show` besides.
HOST_PLATFORM = f"manylinux_2_34_{platform.machine()}"


def _target_dir() -> Path:
    """One cargo target dir for the whole suite (kept between runs) keeps it fast."""
    return Path(os.environ.get("RUSTWHEEL_TEST_TARGET_DIR", REPO / "target" / "test-crates"))


@pytest.fixture(scope="session", autouse=True)
def isolated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every build in the suite uses one fresh content-addressed store, never the user's."""
    store = tmp_path_factory.mktemp("store")
    os.environ["RUSTWHEEL_CACHE_DIR"] = str(store)
    # Store writes finish after each command, in CI as on a laptop (the default is inline on
    # CI): tests that read the store's files wait for them (`storetools.settled`).
    os.environ["RUSTWHEEL_CACHE_WRITE"] = "background"
    # Tools installed beside the test interpreter (uniffi-bindgen) are on PATH, as in an
    # activated virtual env.
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return store


@pytest.fixture(scope="session")
def target_dir() -> Path:
    d = _target_dir()
    d.mkdir(parents=True, exist_ok=True)
    return d


def settle_store(store: Path) -> None:
    """Wait until the store writes that earlier commands left to a detached writer are done
    (a test reading the store's files directly does this first, as rustwheel itself does)."""
    from rustwheel.cache.layout import StorePaths
    from rustwheel.cache.pending import wait_all

    wait_all(StorePaths(store))


def run_rustwheel(args: Sequence[str], *, cwd: Optional[Path] = None,
                  env: Optional[dict[str, str]] = None, check: bool = True,
                  timeout: Optional[float] = None) -> subprocess.CompletedProcess[str]:
    """`python -m rustwheel ARGS` in a subprocess, output captured as text."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    if env:
        full_env.update(env)
    proc = subprocess.run([sys.executable, "-m", "rustwheel", *args], cwd=cwd, env=full_env,
                          text=True, capture_output=True, check=False, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"rustwheel {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout}\n{proc.stderr}")
    if proc.returncode == 0 and args and args[0] in ("build", "b") and _audited(args):
        for line in proc.stdout.splitlines():
            if line.endswith(".whl"):
                assert_auditwheel_agrees(Path(line if cwd is None else cwd / line))
    return proc


CONSISTENT = re.compile(r'is\s+consistent\s+with\s+the\s+following\s+platform\s+tag:\s+"([^"]+)"')
_AUDITED: dict[str, str] = {}  # wheel sha256 -> auditwheel's tag


def _audited(args: Sequence[str]) -> bool:
    """Whether rustwheel chose the platform tag by auditing (not linux, skip or warn)."""
    joined = " ".join(args).replace("=", " ")
    return not any(f"{flag} {value}" in joined for flag, value in (
        ("--compatibility", "linux"), ("--compatibility", "off"), ("--manylinux", "linux"),
        ("--manylinux", "off"), ("--auditwheel", "skip"), ("--auditwheel", "warn")))


def auditwheel_show(wheel: Path) -> tuple[str, dict[str, Any]]:
    """(the tag of `auditwheel show`'s text, its --json output)."""
    argv = [sys.executable, "-m", "auditwheel", "show"]
    text = subprocess.run([*argv, str(wheel)], capture_output=True, text=True, check=True).stdout
    m = CONSISTENT.search(text)
    assert m, text
    out = subprocess.run([*argv, "--json", str(wheel)], capture_output=True, text=True,
                         check=True).stdout
    return m.group(1), json.loads(out)


def assert_auditwheel_agrees(wheel: Path) -> None:
    """`auditwheel show` reports the platform tag rustwheel gave ``wheel`` (every wheel the
    suite builds with an audit goes through here).

    One documented difference: an executable may link libpython (a pyo3 binary embeds the
    interpreter), which auditwheel counts as a library to eliminate and maturin and rustwheel
    allow."""
    if wheel.name.endswith("-any.whl"):
        return
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    ours = wheel.name[:-len(".whl")].rsplit("-", 1)[1].split(".")[0]
    if digest not in _AUDITED:
        shown, data = auditwheel_show(wheel)
        if shown != ours and shown.startswith("linux_"):
            libs = data["policy_upgrades"].get(ours, {}).get("libs_to_eliminate", [])
            if libs and all(lib.startswith("libpython") for lib in libs):
                shown = ours
        _AUDITED[digest] = shown
    assert _AUDITED[digest] == ours, f"auditwheel show says {_AUDITED[digest]} for {wheel.name}"


@pytest.fixture
def count_reads(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    """Call it to start counting `Path.read_bytes`: the names of the files read from then on."""
    def start() -> list[str]:
        reads: list[str] = []
        real = Path.read_bytes

        def counting(self: Path) -> bytes:
            reads.append(self.name)
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", counting)
        return reads

    return start


@pytest.fixture
def rustwheel() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_rustwheel


def build_wheel(crate_manifest: Path, out: Path, target: Path, *extra: str,
                env: Optional[dict[str, str]] = None) -> Path:
    """Build with rustwheel for this interpreter; return the one wheel's path."""
    proc = run_rustwheel(["build", "-m", str(crate_manifest), "-o", str(out), "--target-dir",
                          str(target), "-i", sys.executable, *extra], env=env)
    wheels = [Path(line) for line in proc.stdout.splitlines() if line.endswith(".whl")]
    assert len(wheels) == 1, proc.stdout + proc.stderr
    assert wheels[0].is_file()
    return wheels[0]


STAGE_LINE = re.compile(
    r"^\s+(ran|restored|up to date|failed|skipped)\s+(detect|[a-z]+:\S+)")


def stage_statuses(stderr: str) -> dict[str, str]:
    """Task name -> "ran" / "restored" / "up to date" / "failed", from the build's stderr."""
    out = {}
    for line in stderr.splitlines():
        m = STAGE_LINE.match(line)
        if m:
            out[m.group(2)] = m.group(1)
    return out


def check_record(zf: zipfile.ZipFile) -> list[list[str]]:
    """Every RECORD row's hash and size match its entry; RECORD lists itself last, unhashed."""
    names = zf.namelist()
    record = next(n for n in names if n.endswith(".dist-info/RECORD"))
    rows = list(csv.reader(io.StringIO(zf.read(record).decode("utf-8"))))
    assert sorted(r[0] for r in rows) == sorted(names), (rows, names)
    for path, digest, size in rows:
        if path == record:
            assert (digest, size) == ("", "")
            continue
        data = zf.read(path)
        want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert digest == f"sha256={want}", path
        assert size == str(len(data)), path
    return rows


PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


def pyenv_python(minor: int) -> Path:
    """pyenv's newest CPython 3.<minor> (.ci/run installs 3.8-3.13 through pyenv)."""
    found = sorted(PYENV_VERSIONS.glob(f"3.{minor}.*/bin/python3.{minor}"),
                   key=lambda p: [int(n) for n in p.parts[-3].split(".") if n.isdigit()])
    assert found, f"pyenv has no Python 3.{minor} under {PYENV_VERSIONS}"
    return found[-1]


def run_in_venv_of(python: str | Path, wheel: Path, code: str, where: Path) -> str:
    """Install ``wheel`` into a fresh venv of ``python`` and return what ``code`` prints there."""
    subprocess.run([str(python), "-m", "venv", str(where)], check=True)
    venv_python = str(where / "bin" / "python")
    subprocess.run([venv_python, "-m", "pip", "install", "-q", "--no-deps",
                    "--disable-pip-version-check", str(wheel)], check=True)
    proc = subprocess.run([venv_python, "-c", code], text=True, capture_output=True, check=True)
    return proc.stdout.strip()


def copy_crate(name: str, dest: Path) -> Path:
    """A private copy of tests/crates/NAME (without build outputs) under ``dest``."""
    target = dest / name.replace("/", "_")
    shutil.copytree(CRATES / name, target, ignore=shutil.ignore_patterns("target", "__pycache__"))
    return target


class Venv:
    """A fresh virtual environment made by the running interpreter."""

    def __init__(self, path: Path) -> None:
        venv.EnvBuilder(with_pip=True, clear=True).create(path)
        self.path = path
        self.python = path / "bin" / "python"

    def bin(self, name: str) -> Path:
        return self.path / "bin" / name

    def install(self, *wheels: Path, force: bool = False) -> None:
        """pip install the wheels; ``force`` replaces an installed distribution of the same
        version (pip would keep it)."""
        subprocess.run([str(self.python), "-m", "pip", "install", "--no-deps", "-q",
                        "--disable-pip-version-check", *(["--force-reinstall"] if force else []),
                        *map(str, wheels)], check=True)

    def run_python(self, code: str) -> str:
        proc = subprocess.run([str(self.python), "-c", code], text=True, capture_output=True,
                              check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout


@pytest.fixture
def make_venv(tmp_path: Path) -> Callable[[str], Venv]:
    def make(name: str = "venv") -> Venv:
        return Venv(tmp_path / name)

    return make


# --- PEP 517 frontends and rustwheel develop -------------------------------------------------

def as_rustwheel_project(crate: Path) -> None:
    """Point a test crate's [build-system] at rustwheel instead of maturin."""
    pyproject = crate / "pyproject.toml"
    text = pyproject.read_text()
    start = text.index("[build-system]")
    end = text.index("[project]")
    pyproject.write_text(text[:start] + '[build-system]\nrequires = ["rustwheel"]\n'
                         'build-backend = "rustwheel"\n\n' + text[end:])


@pytest.fixture(scope="session")
def rustwheel_wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of rustwheel itself, for the isolated build environments of pip, build and uv."""
    wheels = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                    str(REPO)], check=True)
    return wheels


@pytest.fixture(scope="session")
def session_venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """One virtual env shared by the frontend and develop tests (builds for one Python share
    cargo's compiled pyo3 whatever the env's path)."""
    return Venv(tmp_path_factory.mktemp("session-venv") / "venv")


def frontend_env(wheelhouse: Path, target_dir: Path, python: Path) -> dict[str, str]:
    """The environment for pip / build / uv driving rustwheel's backend: rustwheel from the
    wheelhouse; a dev build for ``python`` in the shared target dir (RUSTWHEEL_PEP517_ARGS)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PIP_FIND_LINKS=str(wheelhouse), UV_FIND_LINKS=str(wheelhouse),
               PIP_DISABLE_PIP_VERSION_CHECK="1",
               RUSTWHEEL_PEP517_ARGS=f"--profile dev --target-dir {target_dir} -i {python}")
    return env


def pytest_assertrepr_compare(op: str, left: object, right: object) -> Optional[list[str]]:
    """Large byte strings (wheels) that differ: say where, instead of pytest's diff of their
    reprs, which takes minutes for a few megabytes."""
    if op == "==" and isinstance(left, bytes) and isinstance(right, bytes) \
            and max(len(left), len(right)) > 4096:
        at = next((i for i, (a, b) in enumerate(zip(left, right)) if a != b),
                  min(len(left), len(right)))
        return [(f"byte strings differ (lengths {len(left)} and {len(right)}), first at offset "
                f"{at}: {left[at:at + 16]!r} != {right[at:at + 16]!r}")]
    return None
