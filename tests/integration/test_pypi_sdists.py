"""Popular maturin-built projects from PyPI, built from their sdists as pip builds them: the
PEP 517 `build_wheel` hook run in the sdist's top directory (README "Drop-in compatibility with
maturin"). Each wheel is installed into a fresh venv, imported and called.

The sdists are downloaded at test time with `pip download --no-binary :all: --no-deps`, plus
`--no-build-isolation`: pip prepares an sdist's metadata with its build backend, and in an
isolated environment `--no-binary :all:` would make it build maturin itself from source; the
test environment has maturin installed (the `test` extra). Five small projects (cold, release
builds, about a minute each on 2 cores), all in the session's shared cargo target dir.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, run_in_venv_of
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Sdist:
    name: str
    version: str
    code: str
    """Python run in the venv the wheel is installed into; it prints ``expected``."""
    expected: str

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


SDISTS = (
    Sdist("fastuuid", "0.14.0", "import fastuuid; print(fastuuid.UUID(int=42).int)", "42"),
    Sdist("rtoml", "0.13.0", "import rtoml; print(rtoml.loads('a = [1, 2]')['a'])", "[1, 2]"),
    Sdist("rpds-py", "2026.9.1",
          "from rpds import HashTrieMap; print(HashTrieMap({'a': 1}).insert('b', 2)['b'])", "2"),
    Sdist("jiter", "0.19.0", "import jiter; print(jiter.from_json(b'{\"a\": [1, 2]}'))",
          "{'a': [1, 2]}"),
    Sdist("ormsgpack", "1.13.1",
          "import ormsgpack; print(ormsgpack.unpackb(ormsgpack.packb({'a': [1, 2]})))",
          "{'a': [1, 2]}"),
)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every sdist, downloaded once for the module."""
    where = tmp_path_factory.mktemp("sdists")
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                    "--no-binary", ":all:", "--no-deps", "--no-build-isolation", "-d", str(where),
                    *(s.requirement for s in SDISTS)], check=True)
    return where


def _unpack(downloads: Path, sdist: Sdist, dest: Path) -> Path:
    """The sdist's top directory, unpacked under ``dest``."""
    archives = [p for p in downloads.glob("*.tar.gz")
                if canonicalize_name(p.name[:-len(".tar.gz")].rsplit("-", 1)[0]) ==
                canonicalize_name(sdist.name)]
    assert len(archives) == 1, (sdist, sorted(p.name for p in downloads.iterdir()))
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    with tarfile.open(archives[0]) as tar:
        tar.extractall(dest, **safe)  # type: ignore[arg-type]
    tops = [p for p in dest.iterdir() if p.is_dir()]
    assert len(tops) == 1, tops
    return tops[0]


@pytest.mark.parametrize("sdist", SDISTS, ids=lambda s: s.name)
def test_pypi_sdist_builds_installs_and_runs(sdist: Sdist, downloads: Path, tmp_path: Path,
                                             target_dir: Path) -> None:
    top = _unpack(downloads, sdist, tmp_path / "src")
    out = tmp_path / "wheels"
    env = {**os.environ, "PYTHONPATH": str(REPO), "CARGO_TARGET_DIR": str(target_dir)}
    hook = f"import rustwheel.buildapi as b; print(b.build_wheel({str(out)!r}))"
    proc = subprocess.run([sys.executable, "-c", hook], cwd=top, env=env, text=True,
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheel = out / proc.stdout.strip().splitlines()[-1]
    assert wheel.name.startswith(f"{canonicalize_name(sdist.name).replace('-', '_')}-"
                                 f"{sdist.version}-"), wheel.name
    assert run_in_venv_of(sys.executable, wheel, sdist.code, tmp_path / "venv") == sdist.expected
