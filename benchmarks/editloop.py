"""run.py's edit-loop scenarios beyond one working copy: `develop` after a Rust edit, a package
of 3,000 python modules, no virtual env with python3 a pyenv shim, and a 400 MB data member.

Each builds a copy of its own (a *variant*: its own crate copy, target dir and output dir; the
tool's store is shared, as a user's would be), after an untimed warm-up build.
"""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from common import BenchError, copy_crate, run_measured, set_scale

if TYPE_CHECKING:
    from run import Bench, Sample, Tool

MANY_MODULES = 3000
BIG_MEMBER_MB = 400
PYENV_ROOT = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def tree_size(path: Path) -> int:
    """Bytes of the files below `path` (the store's growth)."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else 0


def write_many_modules(crate: Path) -> None:
    package = crate / "bench_mixed" / "many"
    package.mkdir()
    (package / "__init__.py").write_text('"""3,000 small modules."""\n')
    for i in range(MANY_MODULES):
        (package / f"m{i:04d}.py").write_text(
            f'"""Module {i}."""\n\n\ndef value() -> int:\n    return {i}\n\n\n'
            f"def twice(x: int) -> int:\n    return 2 * x + {i}\n")
    # Files written less than a second before a build are read again by the next one (rustwheel
    # copies a member from the last wheel only when its file is older than that: a write in
    # the same clock tick could leave its facts unchanged). Edits come to files that exist.
    time.sleep(1.1)


def write_big_member(crate: Path) -> None:
    """A 400 MB incompressible data file in the package (model weights, say)."""
    rng = random.Random(400)
    with open(crate / "bench_mixed" / "weights.bin", "wb") as f:
        for _ in range(BIG_MEMBER_MB):
            f.write(rng.randbytes(1 << 20))


class EditLoop:
    def __init__(self, bench: Bench) -> None:
        self.bench = bench

    def copy(self, tool: Tool, kind: str, python: Optional[str] = None,
             env: Optional[dict[str, str]] = None) -> Tool:
        """The tool with a copy of the crate of its own under `<tool root>/<kind>`."""
        root = tool.root / kind
        variant = dataclasses.replace(tool, root=root, crate=root / tool.crate.name,
                                      target=root / "target", out=root / "out",
                                      python=python, env=env)
        variant.out.mkdir(parents=True)
        copy_crate(self.bench.crate_src, variant.crate)
        return variant

    def variant(self, kind: str, prepare: Callable[[Path], None], python: Optional[str] = None,
                env: Optional[dict[str, str]] = None) -> dict[str, Tool]:
        """Per tool: a copy under `<tool root>/<kind>`, prepared, and built once (untimed; its
        sample goes to the `<kind>-first` cell)."""
        tools = {}
        for name, tool in self.bench.tools.items():
            variant = self.copy(tool, kind, python, env)
            prepare(variant.crate)
            sample = self.bench.build(variant, variant.crate, variant.target, variant.store)
            self.bench.record(f"{kind}-first", variant, sample)
            tools[name] = variant
        return tools

    # ---- no virtual env, python3 a pyenv shim

    def shim_tools(self) -> dict[str, Tool]:
        shims = PYENV_ROOT / "shims"
        if not (shims / "python3").is_file():
            raise BenchError(f"no pyenv shim {shims / 'python3'}: the shim scenario needs pyenv")
        cargo = shutil.which("cargo")
        if cargo is None:
            raise BenchError("cargo is not on PATH")
        env = {k: v for k, v in os.environ.items()
               if k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYENV_VERSION")}
        env["PATH"] = os.pathsep.join([str(shims), str(Path(cargo).parent), "/usr/bin", "/bin"])
        return self.variant("shim", lambda crate: None, python="python3", env=env)

    # ---- develop

    def develop_tools(self) -> dict[str, Tool]:
        tools = {}
        for name, tool in self.bench.tools.items():
            variant = self.copy(tool, "develop")
            subprocess.run([self.bench.python, "-m", "venv", str(variant.root / "venv")],
                           check=True)
            tools[name] = variant
            self.bench.record("develop-first", variant, self.develop(variant, 0))
            # A first build restored from the store leaves cargo's target dir empty: one Rust
            # edit (untimed) compiles the dependencies there, as a user's first edit would.
            set_scale(variant.crate, 199)
            self.develop(variant, 199)
        return tools

    def develop_cmd(self, tool: Tool) -> list[str]:
        manifest = ["-m", str(tool.crate / "Cargo.toml")]
        if tool.name == "maturin":
            return [*self.bench.maturin, "develop", *manifest]
        cmd = [self.bench.rw_python, "-m", "rustwheel", "develop", *manifest]
        return cmd + (["--cache-dir", str(tool.store)] if tool.store is not None else [])

    def develop(self, tool: Tool, scale: int) -> Sample:
        """`develop`, then an import that must show `scale`: timed together."""
        from run import Sample

        venv = tool.root / "venv"
        env = self.bench.tool_env(tool, tool.target, tool.store)
        env.update(VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}")
        code, seconds, rss = run_measured(self.develop_cmd(tool), tool.crate, env, self.bench.log,
                                          self.bench.rustwheel_stores())
        if code != 0:
            raise BenchError(f"{tool.name} develop failed (exit {code}); see {self.bench.log}")
        start = time.perf_counter()
        shown = subprocess.run([str(venv / "bin" / "python"), "-c",
                                "import bench_mixed._native as n; print(n.scale())"],
                               cwd=tool.root, capture_output=True, text=True, check=False)
        sample = Sample(seconds + time.perf_counter() - start, rss)
        if shown.stdout.strip() != str(scale) and scale:
            sample.note = f"STALE: import shows {shown.stdout.strip() or shown.stderr[-200:]}"
        return sample

    def develop_edit(self, tool: Tool, rep: int) -> Sample:
        set_scale(tool.crate, rep + 200)
        return self.develop(tool, rep + 200)

    # ---- a large member

    def big_python_edit(self, tool: Tool, rep: int) -> Sample:
        """The python edit, with the store's growth (rustwheel) in the sample."""
        before = tree_size(tool.store) if tool.store is not None else 0
        sample = self.bench.python_edit(tool, rep)
        if tool.store is not None:
            sample.store_growth = tree_size(tool.store) - before
        return sample
