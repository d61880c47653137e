"""The only module that starts subprocesses.

Every external command goes through :func:`run` so that "command not found" and failures become
one clear `ToolError` naming the command, and so that the environment handed to tools is explicit.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Optional, Union

from rustwheel.errors import ToolError

StrPath = Union[str, "os.PathLike[str]"]


def describe(argv: Sequence[StrPath]) -> str:
    """A shell-quoted, human-readable form of ``argv`` for messages."""
    return " ".join(shlex.quote(str(a)) for a in argv)


def run(
    argv: Sequence[StrPath],
    *,
    cwd: Optional[StrPath] = None,
    env: Optional[Mapping[str, str]] = None,
    capture_stdout: bool = True,
    capture_stderr: bool = True,
    stdin: Optional[IO[bytes]] = None,
    check: bool = True,
    hint: str = "",
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` and return its result with text output.

    Output that is not captured goes straight to the user's terminal. With ``check`` a non-zero
    exit raises `ToolError` carrying the command's last stderr line (when captured) and ``hint``.
    """
    args = [str(a) for a in argv]
    try:
        proc = subprocess.run(
            args,
            cwd=None if cwd is None else str(cwd),
            env=None if env is None else dict(env),
            stdout=subprocess.PIPE if capture_stdout else None,
            stderr=subprocess.PIPE if capture_stderr else None,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            text=True,
            errors="replace",
            check=False,
        )
    except FileNotFoundError:
        raise ToolError(f"command '{args[0]}' was not found; install it or put it on PATH"
                        + (f" ({hint})" if hint else "")) from None
    except PermissionError:
        raise ToolError(f"command '{args[0]}' is not executable; check its path and mode") from None
    if check and proc.returncode != 0:
        detail = ""
        if capture_stderr and proc.stderr.strip():
            detail = ": " + proc.stderr.strip().splitlines()[-1]
        raise ToolError(f"`{describe(args)}` failed with exit code {proc.returncode}{detail}"
                        + (f"; {hint}" if hint else ""))
    return proc


def popen_lines(
    argv: Sequence[StrPath],
    *,
    cwd: Optional[StrPath] = None,
    env: Optional[Mapping[str, str]] = None,
) -> subprocess.Popen[str]:
    """Start ``argv`` with stdout as a line iterator; stderr goes to the terminal."""
    args = [str(a) for a in argv]
    try:
        return subprocess.Popen(
            args,
            cwd=None if cwd is None else str(cwd),
            env=None if env is None else dict(env),
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            bufsize=1,
        )
    except FileNotFoundError:
        raise ToolError(f"command '{args[0]}' was not found; install it or put it on PATH"
                        ) from None


def which(name: str, path: Optional[str] = None) -> Optional[Path]:
    """Resolve a program name on ``path`` (default: PATH), or a path, to an existing
    executable, else None."""
    import shutil

    if os.sep in name:
        p = Path(name)
        return p if p.is_file() and os.access(p, os.X_OK) else None
    found = shutil.which(name, path=path)
    return Path(found) if found else None
