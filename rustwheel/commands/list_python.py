"""`rustwheel list-python [--json]`: the interpreters ``-f/--find-interpreter`` finds (PATH,
pyenv's and uv's installs), one line each: tag, version, implementation, path, where found."""

from __future__ import annotations

import json
import os
from typing import Any

from rustwheel import ui
from rustwheel.host.locate import Found, find_all
from rustwheel.host.probecache import InterpreterCache, cache_file


def as_json(found: Found) -> dict[str, Any]:
    i = found.interpreter
    return {"tag": i.short_tag, "version": i.full_version, "implementation": i.implementation,
            "path": str(found.path), "source": found.source, "executable": i.executable,
            "python_tag": i.python_tag, "abi_tag": i.abi_tag, "ext_suffix": i.ext_suffix,
            "free_threaded": i.gil_disabled}


def rows(found: list[Found]) -> list[str]:
    """The lines of the table, columns aligned."""
    table = [(f.interpreter.short_tag, f.interpreter.full_version,
              f.interpreter.implementation, str(f.path), f.source) for f in found]
    widths = [max(len(row[c]) for row in table) for c in range(4)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4]
            for row in table]


def cmd_list_python(json_output: bool) -> int:
    cache = InterpreterCache(cache_file(None, os.environ))
    found, problems = find_all(os.environ, cache)
    cache.save()
    for problem in problems:
        ui.warn(f"skipped {problem}")
    if json_output:
        print(json.dumps([as_json(f) for f in found], indent=1))
    elif found:
        print("\n".join(rows(found)))
    else:
        ui.note("no Python 3.7+ interpreter found on PATH or in pyenv's or uv's installs")
    return 0
