"""Resolving ``-i`` values and searching for interpreters, over real files: a PATH with a
pyenv-like shim that cannot run the version asked for, fake pyenv and uv install trees whose
programs are symlinks to the real interpreter running the tests, and real probes."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from rustwheel.errors import ConfigError, ToolError
from rustwheel.freshness import statefile
from rustwheel.host import discovery
from rustwheel.host.interpreter import PROBE_VERSION
from rustwheel.host.locate import find_all, locate
from rustwheel.host.probecache import InterpreterCache, cache_file

REAL = Path(os.path.realpath(sys.executable))
VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"
NAME = f"python{VERSION}"
# What pyenv's shim prints for a version it is not told to use; its last line alone says
# nothing.
SHIM = """#!/bin/sh
name=${0##*/}
echo "pyenv: $name: command not found" >&2
echo >&2
echo "The \\`$name' command exists in these Python versions:" >&2
echo "  3.12.1" >&2
echo >&2
echo "Note: See 'pyenv help global' for tips on allowing multiple" >&2
echo "      Python versions to be found at the same time." >&2
exit 127
"""


@dataclass
class Machine:
    env: dict[str, str]
    shims: Path
    bin: Path
    pyenv: Path
    uv: Path

    def pyenv_python(self, version: str, name: str = NAME, target: Path = REAL) -> Path:
        return _link(self.pyenv / "versions" / version / "bin" / name, target)

    def uv_python(self, version: str, name: str = NAME) -> Path:
        return _link(self.uv / f"cpython-{version}-linux-x86_64-gnu" / "bin" / name, REAL)


def _link(path: Path, target: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def _script(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    """PATH = a pyenv shims directory (a failing shim for NAME), then an empty bin dir."""
    pyenv, uv, bin_dir = tmp_path / "pyenv", tmp_path / "uv", tmp_path / "bin"
    shims = pyenv / "shims"
    _script(shims / NAME, SHIM)
    bin_dir.mkdir()
    env = {"PATH": f"{shims}{os.pathsep}{bin_dir}", "PYENV_ROOT": str(pyenv),
           "UV_PYTHON_INSTALL_DIR": str(uv), "HOME": str(tmp_path)}
    return Machine(env, shims, bin_dir, pyenv, uv)


@pytest.fixture
def cache(tmp_path: Path) -> InterpreterCache:
    return InterpreterCache(tmp_path / "cache" / "interpreters-v2.state")


def test_program_names_of_values() -> None:
    assert discovery.program_name("3.12") == "python3.12"
    assert discovery.program_name("3.13t") == "python3.13t"
    assert discovery.program_name("pypy3.10") == "pypy3.10"
    assert discovery.program_name("python3") == "python3"


def test_a_failing_shim_falls_back_to_pyenvs_newest_version(machine: Machine,
                                                              cache: InterpreterCache) -> None:
    older = machine.pyenv_python(f"{VERSION}.9")
    newest = machine.pyenv_python(f"{VERSION}.10")  # newer by number, not by name
    found = discovery.candidates(VERSION, machine.env)
    assert [(c.path, c.source, c.shim) for c in found] == [
        (machine.shims / NAME, "PATH", True), (newest, "pyenv", False),
        (older, "pyenv", False)]
    for value in (VERSION, NAME):
        interp = locate(value, machine.env, cache)
        assert interp.executable == str(newest)
        assert (interp.major, interp.minor, interp.micro) == sys.version_info[:3]
    # The shim was run each time (it decides when it runs); the real one once.
    assert cache.probed == [str(machine.shims / NAME), str(newest), str(machine.shims / NAME)]


def test_what_path_gives_comes_first(machine: Machine, cache: InterpreterCache) -> None:
    machine.pyenv_python(f"{VERSION}.10")
    on_path = _link(machine.bin / NAME, REAL)
    machine.env["PATH"] = str(machine.bin)
    assert locate(VERSION, machine.env, cache).executable == str(on_path)


def test_a_program_on_path_that_fails_falls_back_too(machine: Machine,
                                                     cache: InterpreterCache) -> None:
    _script(machine.bin / NAME, "#!/bin/sh\necho 'broken install' >&2\nexit 1\n")
    machine.env["PATH"] = str(machine.bin)
    uv = machine.uv_python(f"{VERSION}.4")
    assert discovery.candidates(VERSION, machine.env)[1].source == "uv"
    assert locate(VERSION, machine.env, cache).executable == str(uv)


def test_a_value_found_nowhere_is_one_error(machine: Machine, cache: InterpreterCache) -> None:
    with pytest.raises(ConfigError) as info:
        locate("3.99", machine.env, cache)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("interpreter '3.99' (from -i/--interpreter) was not found")
    for part in ("PATH", str(machine.pyenv / "versions"), str(machine.uv), "python3.99",
                 "pyenv install 3.99", "uv python install 3.99"):
        assert part in message
    with pytest.raises(ConfigError, match=r"'/nowhere/python3' .* is not an executable file"):
        locate("/nowhere/python3", machine.env, cache)


def test_a_path_is_used_as_given(machine: Machine, cache: InterpreterCache) -> None:
    exe = _link(machine.bin / "custom-python", REAL)
    assert discovery.candidates(str(exe), machine.env) == [discovery.Candidate(exe, "path")]
    assert locate(str(exe), machine.env, cache).executable == str(exe)


def test_nothing_that_runs_names_the_shims_first_line(machine: Machine,
                                                      cache: InterpreterCache) -> None:
    with pytest.raises(ToolError) as info:
        locate(VERSION, machine.env, cache)
    message = str(info.value)
    assert f"pyenv: {NAME}: command not found" in message
    assert "at the same time" not in message
    assert "-i/--interpreter" in message


@pytest.mark.parametrize("version, name", [("3.6.15", "python3.6"), ("2.7.18", "python2.7")])
def test_interpreters_too_old_are_rejected_by_version(machine: Machine, cache: InterpreterCache,
                                                      version: str, name: str) -> None:
    real = Path.home() / ".pyenv" / "versions" / version / "bin" / name
    assert real.is_file(), f"pyenv's {version} is not installed (the machine's pyenv has it)"
    with pytest.raises(ConfigError, match=rf"is Python {version}; Python 3.7 or newer"):
        locate(str(real), machine.env, cache)


def test_facts_are_remembered_per_executable_version(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "interpreters-v2.state"
    wrapper = _script(tmp_path / "bin" / "python", f'#!/bin/sh\nexec "{REAL}" "$@"\n')
    first = InterpreterCache(path)
    facts = first.facts(wrapper, os.environ)
    first.save()
    assert first.probed == [str(wrapper)]
    entry = statefile.read(path)[str(wrapper)]
    st = wrapper.stat()
    assert entry[:4] == [st.st_ino, st.st_size, st.st_mtime_ns, PROBE_VERSION]
    again = InterpreterCache(path)
    assert again.facts(wrapper, os.environ) == facts and again.probed == []
    with open(wrapper, "a") as fh:  # the executable changed: probed again
        fh.write("# upgraded\n")
    changed = InterpreterCache(path)
    assert changed.facts(wrapper, os.environ) == facts and changed.probed == [str(wrapper)]
    assert changed.facts(wrapper, os.environ, shim=True) == facts
    assert changed.probed == [str(wrapper)] * 2  # a shim is always run


def test_the_cache_lives_in_the_stores_root() -> None:
    assert cache_file(None, {"RUSTWHEEL_CACHE_DIR": "/c"}) == Path("/c/interpreters-v2.state")
    assert cache_file(Path("/store"), {}) == Path("/store/interpreters-v2.state")
    assert cache_file(None, {"HOME": "/h"}) == Path("/h/.cache/rustwheel/interpreters-v2.state")


def test_find_all_searches_path_pyenv_and_uv(machine: Machine, cache: InterpreterCache) -> None:
    on_path = _link(machine.bin / NAME, REAL)
    machine.pyenv_python(f"{VERSION}.10")
    machine.uv_python(f"{VERSION}.4")
    broken = _script(machine.pyenv / "versions" / "3.99.0" / "bin" / "python3.99",
                     "#!/bin/sh\nexit 3\n")
    _script(machine.bin / "python3-config", "#!/bin/sh\n")  # not an interpreter's name
    found, problems = find_all(machine.env, cache)
    # One per interpreter identity, the first found (PATH before pyenv before uv).
    assert [(f.path, f.source) for f in found] == [(on_path, "PATH")]
    assert found[0].interpreter.executable == str(on_path)
    assert problems == [f"{broken} could not be run (it exited with an error and no output)"]
    # The shims are not searched: pyenv's installs are.
    assert str(machine.shims / NAME) not in cache.probed
    machine.env["PATH"] = str(machine.shims)
    found, _ = find_all(machine.env, cache)
    assert [f.source for f in found] == ["pyenv"]


def test_find_all_leaves_out_interpreters_too_old(machine: Machine,
                                                  cache: InterpreterCache) -> None:
    old = Path.home() / ".pyenv" / "versions" / "3.6.15" / "bin" / "python3.6"
    assert old.is_file(), "pyenv's 3.6.15 is not installed (the machine's pyenv has it)"
    machine.pyenv_python("3.6.15", "python3.6", old)
    machine.pyenv_python(f"{VERSION}.10")
    found, problems = find_all(machine.env, cache)
    assert [f.interpreter.version for f in found] == [VERSION] and problems == []
    assert any(p.endswith("python3.6") for p in cache.probed)
