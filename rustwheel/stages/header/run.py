"""The header stage's work: `run()` (see the package docstring)."""
from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

from rustwheel import _run
from rustwheel.errors import ToolError
from rustwheel.freshness.records import record_inputs
from rustwheel.plan import codec as plancodec
from rustwheel.stages.header import cbindgen
from rustwheel.stages.header.plan import HeaderPlan, fingerprint, rust_sources
from rustwheel.tasks import reuse

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
        detail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ToolError(f"the target interpreter {interpreter} cannot import cffi ({detail}), "
                        "which cffi bindings need to generate ffi.py; install it there with "
                        f"`{interpreter} -m pip install cffi`")
    return proc.stdout.strip()


def make_ffi(interpreter: str, header: Path, output: Path, source: str) -> None:
    """Run cffi in the target interpreter over ``header`` (``source`` names it for errors)."""
    proc = _run.run([interpreter, "-c", _MAKE_FFI, str(header), str(output)], check=False)
    if proc.returncode != 0 or not output.is_file():
        detail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ToolError(f"cffi could not read {source} with {interpreter} "
                        f"({detail}); make the header plain C declarations that cffi's cdef "
                        "accepts (no #include or #define)")


def _stage(source: Path, dest: str) -> None:
    plancodec.write_if_changed(Path(dest), source.read_text(encoding="utf-8"))


def run(plan_path: str) -> dict[str, Any]:
    """doit action: stage the header and ``ffi.py`` described by the plan at ``plan_path``."""
    text = Path(plan_path).read_text(encoding="utf-8")
    plan = plancodec.loads(HeaderPlan, text)
    record_fp = fingerprint(text, plan.watched())
    existing = Path(plan.existing_header)
    use_existing = existing.is_file()
    if use_existing:
        print(f"Using the existing header at {existing}", file=sys.stderr, flush=True)
    tools = {"header": "existing" if use_existing else cbindgen.version(),
             "cffi": cffi_version(plan.interpreter)}
    known = list(plan.known_inputs)
    if os.path.isfile(plan.config_path):
        known.append(plan.config_path)
    if use_existing:
        known.append(str(existing))
    stage_dir = Path(plan.stage_dir)
    stage_dir.mkdir(parents=True, exist_ok=True)
    store = reuse.open_store(plan.cache)
    spec = None
    if plan.cache is not None:
        spec = dataclasses.replace(plan.cache, tools={**plan.cache.tools, **tools})
    if store is not None and spec is not None:
        hit = reuse.lookup(store, spec, "header", known)
        from rustwheel.cache.store import restore_files

        if hit is not None and restore_files(store, hit.entry, stage_dir):
            record_inputs(Path(plan.inputs_record), hit.inputs, record_fp)
            return {"ffi": plan.ffi_path, "restored": True}
    import tempfile

    with tempfile.TemporaryDirectory(prefix=".header-", dir=stage_dir) as tmp:
        header = Path(tmp) / "header.h"
        if use_existing:
            header.write_bytes(existing.read_bytes())
        else:
            cbindgen.generate(Path(plan.crate_dir), header, Path(tmp), plan.lockfile)
        ffi = Path(tmp) / "ffi.py"
        source = (f"the header {existing}" if use_existing
                  else f"the header cbindgen wrote for {plan.crate_dir}")
        make_ffi(plan.interpreter, header, ffi, source)
        _stage(header, plan.header_path)
        _stage(ffi, plan.ffi_path)
    inputs = sorted({*known, *([] if use_existing else rust_sources(plan.source_dirs))})
    record_inputs(Path(plan.inputs_record), inputs, record_fp)
    if store is not None and spec is not None:
        outputs = {"header.h": Path(plan.header_path), "ffi.py": Path(plan.ffi_path)}
        reuse.save(store, spec, "header", known, inputs, (), outputs)
    return {"ffi": plan.ffi_path}
