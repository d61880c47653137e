"""manylinux / musllinux audit: which platform tag a set of ELF files is consistent with.

Layers, each usable on its own:

- `rustwheel.audit.policies`: the PEP 600 / PEP 656 policy data (vendored from auditwheel);
- `rustwheel.audit.elfinfo`: the facts an audit needs from one ELF file (`ElfInfo`);
- `rustwheel.audit.elf`: reads them, with `struct` (`elfdynamic`) or pyelftools (`elfsections`);
- `rustwheel.audit.resolve`: where the dynamic loader would find a ``DT_NEEDED`` library;
- `rustwheel.audit.analyze`: the policy verdicts for a set of ELF files (pure over the facts);
- `rustwheel.audit.wheel`: all of the above for a ``.whl`` file.
"""

from __future__ import annotations

from rustwheel.errors import RustwheelError


class AuditError(RustwheelError):
    """A file cannot be audited (not an ELF file, truncated, foreign architecture, bad wheel)."""
