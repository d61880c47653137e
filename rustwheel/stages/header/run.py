"""The header stage's work: `job()` (see the package docstring)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from rustwheel import _run, ui
from rustwheel.atomic import write_if_changed
from rustwheel.errors import ToolError
from rustwheel.plan import codec
from rustwheel.stages.header import cbindgen
from rustwheel.stages.header.plan import HeaderPlan, rust_sources
from rustwheel.stages.stage import StageRun
from rustwheel.toolerror import extract

_CFFI_VERSION = """\
import sys
try:
    import cffi
except ImportError as exc:
    sys.stderr.write("%s\\n" % exc)
    sys.exit(3)
print(cffi.__version__)
"""

_MAKE_FFI = """\
import sys
import cffi
from cffi import recompiler

ffi = cffi.FFI()
with open(sys.argv[1], encoding="utf-8") as header:
    ffi.cdef(header.read())
recompiler.make_py_source(ffi, "ffi", sys.argv[2])
"""










def cffi_version(interpreter: str) -> str:
    proc = _run.run([interpreter, "-c", _CFFI_VERSION], check=False)
    if proc.returncode != 0:
        detail = (extract(proc.stderr) or ["no output"])[0]
        raise ToolError(f"the target interpreter {interpreter} cannot import cffi ({detail}), "
                        "which cffi bindings need to generate ffi.py; install it there with "
                        f"`{interpreter} -m pip install cffi`")
    return proc.stdout.strip()


def make_ffi(interpreter: str, header: Path, output: Path, source: str) -> None:
    """Run cffi in the target interpreter over ``header`` (``source`` names it for errors)."""
    proc = _run.run([interpreter, "-c", _MAKE_FFI, str(header), str(output)], check=False)
    if proc.returncode != 0 or not output.is_file():
        detail = (extract(proc.stderr) or ["no output"])[0]
        raise ToolError(f"cffi could not read {source} with {interpreter} "
                        f"({detail}); make the header plain C declarations that cffi's cdef "
                        "accepts (no #include or #define)")


def _stage(source: Path, dest: str) -> None:
    write_if_changed(Path(dest), source.read_text(encoding="utf-8"))


class HeaderJob:
    """cbindgen (or the build script's header), then cffi's ffi.py, staged under the state
    dir; the presence of ``cbindgen.toml`` and of the existing header are probed."""

    store_name = "header"

    def __init__(self, plan: HeaderPlan) -> None:
        self.plan = plan
        self.existing = Path(plan.existing_header)
        self.use_existing = self.existing.is_file()
        known = list(plan.known_inputs)
        if os.path.isfile(plan.config_path):
            known.append(plan.config_path)
        if self.use_existing:
            known.append(str(self.existing))
        self.known_inputs = known
        self.output_dir = Path(plan.stage_dir)

    def tools(self) -> dict[str, str]:
        return {"header": "existing" if self.use_existing else cbindgen.version(),
                "cffi": cffi_version(self.plan.interpreter)}

    def _outputs(self) -> dict[str, Path]:
        return {"header.h": Path(self.plan.header_path), "ffi.py": Path(self.plan.ffi_path)}

    def consults_store(self, seen: Mapping[str, os.stat_result]) -> bool:
        return True

    def run(self, seen: Mapping[str, os.stat_result]) -> StageRun:
        plan = self.plan
        if self.use_existing:
            ui.note(f"Using the existing header at {self.existing}")
        self.output_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".header-", dir=self.output_dir) as tmp:
            header = Path(tmp) / "header.h"
            if self.use_existing:
                header.write_bytes(self.existing.read_bytes())
            else:
                cbindgen.generate(Path(plan.crate_dir), header, Path(tmp), plan.lockfile)
            ffi = Path(tmp) / "ffi.py"
            source = (f"the header {self.existing}" if self.use_existing
                      else f"the header cbindgen wrote for {plan.crate_dir}")
            make_ffi(plan.interpreter, header, ffi, source)
            _stage(header, plan.header_path)
            _stage(ffi, plan.ffi_path)
        sources = [] if self.use_existing else rust_sources(plan.source_dirs)
        return StageRun(self._outputs(), sources, probed=plan.watched(),
                        values={"ffi": plan.ffi_path})

    def restored(self, outputs: Mapping[str, Path]) -> StageRun:
        return StageRun(outputs, probed=self.plan.watched(), values={"ffi": self.plan.ffi_path})


def job(plan_text: str) -> HeaderJob:
    return HeaderJob(codec.loads(HeaderPlan, plan_text))
