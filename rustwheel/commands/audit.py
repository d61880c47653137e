"""`rustwheel audit WHEEL... [--json]`: the manylinux / musllinux tag each wheel is consistent with.

Like ``auditwheel show``: the first line names the most compatible platform tag the wheel's
binaries satisfy as they are; then the symbol versions they require, what bundling the external
libraries would reach, and for each stricter policy why it is not satisfied. ``--json`` prints a
JSON list with one object per wheel (`AuditResult.to_dict`). A plain ELF file (a ``.so`` or an
executable) is audited as a one-file wheel.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from rustwheel.audit.analyze import LIBPYTHON, LIBPYTHON_NOTE
from rustwheel.audit.result import REPAIR, AuditResult

if TYPE_CHECKING:
    from rustwheel.audit.resolve import Resolver


def _audit(path: Path, resolver: Resolver) -> AuditResult:
    from rustwheel.audit.analyze import analyze
    from rustwheel.audit.elf import is_elf, read_elf
    from rustwheel.audit.wheel import audit_wheel

    if path.suffix != ".whl" and is_elf(path):
        return analyze({path.name: read_elf(path)}, name=str(path), resolver=resolver)
    return audit_wheel(path, resolver=resolver)


def _external(result: AuditResult) -> dict[str, str]:
    """Every external library the binaries need, with where it was found."""
    external: dict[str, str] = {}
    for verdict in result.verdicts:
        for soname, where in verdict.external_libs.items():
            external.setdefault(soname, where or (
                LIBPYTHON_NOTE if LIBPYTHON.match(soname) else "not found"))
    return external


def _blockers(result: AuditResult) -> list[str]:
    """Why each stricter policy does not fit, beyond libraries a repair would bundle."""
    lines = []
    for verdict in reversed(result.stricter()):
        if verdict.status == REPAIR:
            continue  # only the external libraries are in the way
        lines += [f"  not {verdict.tag}: {reason.message(limit=4)}"
                  for reason in verdict.reasons if not reason.repairable]
    return lines


def format_text(result: AuditResult) -> list[str]:
    """The human-readable report of one audit, line by line."""
    lines = [f'{result.name} is consistent with the following platform tag: "{result.tag}".']
    if result.aliases:
        lines.append(f"  (legacy name: {', '.join(result.aliases)})")
    if result.versioned_symbols:
        shown = "; ".join(f"{lib} ({', '.join(versions)})"
                          for lib, versions in result.versioned_symbols.items())
        lines.append(f"  versioned symbols required: {shown}")
    else:
        lines.append("  no versioned symbols required from system libraries")
    external = _external(result)
    if external:
        lines.append("  external libraries, not whitelisted (bundling them is a repair):")
        lines += [f"    {soname} => {where}" for soname, where in sorted(external.items())]
    if result.repair_tag is not None:
        lines.append(f'  with them bundled it would be consistent with "{result.repair_tag}".')
    return lines + _blockers(result)


def cmd_audit(paths: list[str], as_json: bool) -> int:
    """Audit each wheel in ``paths``; print text (or one JSON list); 0 when all were read."""
    from rustwheel.audit.resolve import Resolver, system_search_paths

    resolver = Resolver(system_search_paths())
    results: list[AuditResult] = []
    for i, raw in enumerate(paths):
        result = _audit(Path(raw), resolver)
        if as_json:
            results.append(result)
            continue
        if i:
            print()
        print("\n".join(format_text(result)))
    if as_json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    return 0
