"""``rustwheel sdist``: write the source distribution, print its path."""

from __future__ import annotations

from typing import Optional


def cmd_sdist(manifest_path: Optional[str], out: Optional[str], offline: bool) -> int:
    from rustwheel.api import sdist

    print(sdist(manifest_path=manifest_path, out=out, offline=offline))
    return 0
