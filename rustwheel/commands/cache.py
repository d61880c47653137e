"""`rustwheel cache stats | verify | gc [--max-size] | clear`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

from rustwheel.errors import RustwheelError


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def cmd_cache(action: str, cache_dir: Optional[str], max_size: Optional[str]) -> int:
    from rustwheel.cache import maintenance
    from rustwheel.cache.store import default_cache_dir

    root = Path(cache_dir).resolve() if cache_dir else default_cache_dir(os.environ)
    if action == "stats":
        from rustwheel.cache.layout import StorePaths
        from rustwheel.cache.location import max_size as size_bound
        from rustwheel.cache.remotestats import read_counts

        result = {**maintenance.stats(root), "bytes_max_size": size_bound(os.environ),
                  **read_counts(StorePaths(root))}
        for key, value in result.items():
            shown = _human(value) if key.startswith("bytes") and isinstance(value, int) else value
            print(f"{key:<22} {shown}")
        return 0
    if action == "verify":
        problems = maintenance.verify(root)
        for p in problems:
            print(f"dropped: {p}")
        print(f"{len(problems)} bad entr{'y' if len(problems) == 1 else 'ies'} dropped in {root}")
        return 0
    if action == "gc":
        if max_size is None:
            raise RustwheelError("cache gc needs --max-size SIZE (for example --max-size 2G)")
        result = maintenance.gc(root, maintenance.parse_size(max_size))
        for key, value in result.items():
            print(f"{key:<22} {value}")
        return 0
    maintenance.clear(root)
    print(f"cleared {root}", file=sys.stderr)
    return 0
