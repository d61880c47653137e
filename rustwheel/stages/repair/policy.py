"""Which platform tag the repair stage gives a wheel, and which libraries it must bundle.

The rules are maturin's: with no policy asked for, the most compatible policy the binaries
satisfy, possibly after bundling non-whitelisted libraries; if none, plain ``linux_<arch>`` with
a warning (an error for ``pypi``). A policy asked for must be satisfiable, else an error lists
what prevents it (too-new symbol versions, black-listed symbols, libraries). Executables may link
libpython (a pyo3 binary embeds the interpreter); libraries may not.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

from rustwheel.audit.analyze import LIBPYTHON, analyze
from rustwheel.audit.elf import ElfInfo, read_elf
from rustwheel.audit.resolve import Resolver, system_search_paths
from rustwheel.audit.result import FAIL, LIBRARY, OK, REPAIR, AuditResult, PolicyVerdict
from rustwheel.stages.repair.plan import RepairError, RepairPlan


@dataclass(frozen=True)
class Decision:
    platform: str
    """``manylinux_2_17_x86_64.manylinux2014_x86_64`` or ``linux_x86_64``."""
    bundle: dict[str, Path] = field(default_factory=dict)
    """soname -> system file to copy into the wheel."""
    notes: list[str] = field(default_factory=list)


def _platform(verdict: PolicyVerdict) -> str:
    return ".".join([verdict.tag, *verdict.aliases])


def _allow_libpython(verdict: PolicyVerdict, binaries_only: bool) -> PolicyVerdict:
    """An executable's libpython is allowed (never bundled); a library's is an error."""
    if not binaries_only:
        return verdict
    reasons = tuple(r for r in verdict.reasons
                    if not (r.kind == LIBRARY and r.library and LIBPYTHON.match(r.library)))
    libs = {k: v for k, v in verdict.external_libs.items() if not LIBPYTHON.match(k)}
    status = OK if not reasons else REPAIR if all(r.repairable for r in reasons) else FAIL
    return replace(verdict, reasons=reasons, external_libs=libs, status=status)


def _why(verdict: PolicyVerdict) -> str:
    return "; ".join(r.message(limit=8) for r in verdict.reasons)


def _libpython_error(verdict: PolicyVerdict, plan: RepairPlan) -> Optional[RepairError]:
    linked = sorted(k for k in verdict.external_libs if LIBPYTHON.match(k))
    libraries = [f.archive_path for f in plan.files if not f.binary]
    if linked and libraries:
        return RepairError(f"{', '.join(libraries)} links {linked[0]}, which an extension "
                           "module must not do (it would tie the wheel to one libpython); "
                           "build pyo3 with the `extension-module` feature or without "
                           "`auto-initialize`")
    return None


def _bundle(verdict: PolicyVerdict, plan: RepairPlan) -> dict[str, Path]:
    missing = sorted(k for k, v in verdict.external_libs.items() if v is None)
    if missing:
        raise RepairError(f"cannot bundle {', '.join(missing)} into the wheel for "
                          f"{verdict.tag}: not found in the library search path; install it, "
                          "set LD_LIBRARY_PATH, or pass --compatibility linux")
    return {k: Path(v) for k, v in sorted(verdict.external_libs.items()) if v is not None}


def _chosen(result: AuditResult, plan: RepairPlan, binaries_only: bool,
            ) -> tuple[Optional[PolicyVerdict], list[str]]:
    verdicts = [_allow_libpython(v, binaries_only) for v in result.verdicts]
    notes: list[str] = []
    if plan.policy is None:
        chosen = next((v for v in verdicts if v.status in (OK, REPAIR)), None)
        if chosen is None:
            newest = verdicts[-1]
            why = f"{newest.tag}: {_why(newest)}"
            if plan.pypi:
                raise RepairError(f"no manylinux or musllinux tag fits, and PyPI rejects "
                                  f"linux_{plan.arch} wheels (--compatibility pypi): {why}")
            notes.append(f"no manylinux or musllinux tag fits, so the wheel is tagged "
                         f"linux_{plan.arch}, which PyPI rejects ({why})")
        return chosen, notes
    wanted = next((v for v in verdicts if v.tag == f"{plan.policy}_{plan.arch}"), None)
    if wanted is None:
        raise RepairError(f"compatibility {plan.policy} does not apply to these "
                          f"{result.libc} binaries for {plan.arch}; use a "
                          f"{'musllinux' if result.libc == 'musl' else 'manylinux'} policy "
                          "or --compatibility linux")
    if wanted.status == FAIL:
        fix = (" (build with --zig to link against an older glibc)"
               if plan.policy.startswith("manylinux") else "")
        raise RepairError(f"the wheel cannot be tagged {wanted.tag}: {_why(wanted)}; ask for "
                          f"a newer policy{fix} or pass --compatibility linux")
    better = next((v for v in verdicts if v.status in (OK, REPAIR)), None)
    if better is not None and better.priority > wanted.priority:
        notes.append(f"the wheel is eligible for {better.tag}, more compatible than the "
                     f"{wanted.tag} asked for")
    return wanted, notes


def decide(plan: RepairPlan) -> Decision:
    """Audit the plan's files on this host and decide."""
    infos: dict[str, ElfInfo] = {f.archive_path: read_elf(Path(f.source), label=f.archive_path)
                                 for f in plan.files}
    env = {"LD_LIBRARY_PATH": plan.ld_library_path}
    return choose(analyze(infos, name="the wheel", resolver=Resolver(system_search_paths(env))),
                  plan)


def choose(result: AuditResult, plan: RepairPlan) -> Decision:
    """The tag and the libraries to bundle for an audit ``result``, per the plan's mode,
    policy and pypi flag; `RepairError` when the policy asked for cannot be met."""
    binaries_only = all(f.binary for f in plan.files)
    chosen, notes = _chosen(result, plan, binaries_only)
    if chosen is None:
        return Decision(f"linux_{plan.arch}", notes=notes)
    error = _libpython_error(chosen, plan)
    if error is not None:
        raise error
    if chosen.status == OK:
        return Decision(_platform(chosen), notes=notes)
    libs = ", ".join(sorted(chosen.external_libs))
    if plan.mode == "check":
        raise RepairError(f"the wheel links {libs}, which {chosen.tag} does not allow; re-run "
                          "with --auditwheel=repair to bundle them")
    if plan.mode == "warn":
        notes.append(f"the wheel links {libs}, which {chosen.tag} does not allow; it is tagged "
                     f"{chosen.tag} anyway (--auditwheel=warn)")
        return Decision(_platform(chosen), notes=notes)
    return Decision(_platform(chosen), bundle=_bundle(chosen, plan), notes=notes)
