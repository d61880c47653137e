"""``rustwheel build``: build, then print the wheels (stdout: only paths, one per line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from rustwheel.errors import RustwheelError
from rustwheel.options import BuildOptions


def write_report(path: str, data: dict[str, Any]) -> None:
    """``--report FILE.json``: what ran, what was restored, what was up to date."""
    from rustwheel.atomic import write_if_changed

    try:
        write_if_changed(Path(path).resolve(), json.dumps(data, indent=2) + "\n")
    except OSError as exc:
        raise RustwheelError(f"--report {path}: cannot be written ({exc.strerror}); "
                             "choose a writable path") from None


def cmd_build(options: BuildOptions, report: Optional[str]) -> int:
    from rustwheel.api import BuildError, build

    try:
        result = build(options)
    except BuildError as exc:
        if report:
            write_report(report, exc.to_json())
        for wheel in exc.wheels:  # the cells that built: listed before the errors
            print(wheel)
        raise
    if report:
        write_report(report, result.to_json())
    if result.sdist is not None:
        print(result.sdist)
    for wheel in result.wheels:
        print(wheel)
    return 0
