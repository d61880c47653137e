"""The only module that starts subprocesses.

Every external command goes through :func:`run` so that "command not found" and failures become
one clear `ToolError` naming the command (with the tool's own error lines, see
`rustwheel.toolerror`), and so that the environment handed to tools is explicit.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Optional, Union

from rustwheel.errors import ToolError

StrPath = Union[str, "os.PathLike[str]"]


def describe(argv: Sequence[StrPath]) -> str:
    """A shell-quoted, human-readable form of ``argv`` for messages, secrets redacted."""
    from rustwheel.toolerror import redact  # here: its patterns are compiled when needed

    return redact(" ".join(shlex.quote(str(a)) for a in argv))


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
    exit raises `ToolError` carrying the tool's error lines (when captured) and ``hint``.
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
        raise failed(args, proc, env=env, hint=hint)
    return proc


def failed(argv: Sequence[StrPath], proc: subprocess.CompletedProcess[str], *, what: str = "",
           env: Optional[Mapping[str, str]] = None, hint: str = "") -> ToolError:
    """The error of ``proc`` (a run of ``argv`` that exited non-zero): the command, what it was
    doing, and the tool's first error line and its chain from its captured stderr."""
    from rustwheel.toolerror import extract, failure

    said = extract(proc.stderr, env) if isinstance(proc.stderr, str) else []
    return failure(describe(argv), proc.returncode, said, what=what, hint=hint)


def popen_lines(
    argv: Sequence[StrPath],
    *,
    cwd: Optional[StrPath] = None,
    env: Optional[Mapping[str, str]] = None,
) -> Streamed:
    """Start ``argv`` with stdout as a line iterator; stderr is copied to ours as it comes and
    kept for `Streamed.error`."""
    args = [str(a) for a in argv]
    try:
        proc = subprocess.Popen(
            args,
            cwd=None if cwd is None else str(cwd),
            env=None if env is None else dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            bufsize=1,
        )
    except FileNotFoundError:
        raise ToolError(f"command '{args[0]}' was not found; install it or put it on PATH"
                        ) from None
    return Streamed(args, proc, env)


class Streamed:
    """A running command whose stdout the caller reads line by line (`lines`) while its stderr
    goes on to ours, whole lines at a time with secrets redacted (cargo prints a git URL's
    token), and is kept to explain a failure."""

    def __init__(self, argv: list[str], proc: subprocess.Popen[str],
                 env: Optional[Mapping[str, str]]) -> None:
        self.argv, self.proc, self.env = argv, proc, env
        self.stderr: list[str] = []
        self._copier = threading.Thread(target=self._copy, daemon=True)
        self._copier.start()

    def _copy(self) -> None:
        from rustwheel.toolerror import redact  # in this thread: not before the command starts

        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)
            sys.stderr.write(redact(line, self.env))
            sys.stderr.flush()

    @property
    def lines(self) -> IO[str]:
        assert self.proc.stdout is not None
        return self.proc.stdout

    def wait(self) -> int:
        """The exit code, once the command ended and its stderr was all copied."""
        code = self.proc.wait()
        self._copier.join()
        return code

    def error(self, *, what: str = "", hint: str = "") -> ToolError:
        """The failure of the ended command, as `failed` says it."""
        done = subprocess.CompletedProcess(self.argv, self.proc.returncode, None,
                                           "".join(self.stderr))
        return failed(self.argv, done, what=what, env=self.env, hint=hint)


def which(name: str, path: Optional[str] = None) -> Optional[Path]:
    """Resolve a program name on ``path`` (default: PATH), or a path, to an existing
    executable, else None."""
    import shutil

    if os.sep in name:
        p = Path(name)
        return p if p.is_file() and os.access(p, os.X_OK) else None
    found = shutil.which(name, path=path)
    return Path(found) if found else None
