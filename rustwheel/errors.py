"""One root exception for user-facing errors.

Every message is one sentence that names the file, key or command at fault and says how to fix
it. `rustwheel.cli` prints it as ``error: <message>`` and exits non-zero; anything that is not a
`RustwheelError` is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import os
import re


class RustwheelError(Exception):
    """A problem with the user's input or environment, reported without a traceback."""

    exit_code = 1


class ConfigError(RustwheelError):
    """Invalid pyproject.toml / Cargo.toml / command-line configuration."""


class UsageError(RustwheelError):
    """A bad command line (unknown flag, bad value): exit code 2, as argparse's."""

    exit_code = 2


class ToolError(RustwheelError):
    """An external tool (cargo, the interpreter, ...) failed or is missing."""


class CacheError(RustwheelError):
    """The content-addressed build cache could not be used (unwritable directory, bad size, ...)."""


class FileSystemError(RustwheelError):
    """A file could not be read or written: no space, no permission, a read-only file system."""

    def __init__(self, exc: OSError, path: object, doing: str = "writing",
                 hint: str = "") -> None:
        super().__init__(os_error_message(exc, path, doing, hint))
        self.os_error, self.path, self.doing = exc, path, doing


# errno -> (the problem, how to fix it); the fix names the directory the file is in.
_OS_PROBLEMS = {
    28: ("no space left on device", "free space there or choose another directory"),
    122: ("disk quota exceeded", "free space there or choose another directory"),
    13: ("permission denied", "give this user access to it or choose another directory"),
    1: ("operation not permitted", "give this user access to it or choose another directory"),
    30: ("read-only file system", "choose another directory, on a writable file system"),
    21: ("is a directory", "remove the directory or choose another path"),
    2: ("no such file or directory", "create the directory or fix the path"),
}


def check_writable_dir(path: os.PathLike[str], option: str) -> None:
    """An error now, before anything runs, unless *path* is (or can be created as) a directory
    this process can write into; *option* is the flag that chose it."""
    import tempfile

    target = os.fspath(path)
    existing = target
    while not os.path.lexists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise FileSystemError(NotADirectoryError(errno.ENOTDIR, "not a directory"), existing,
                              "writing into", option)
    try:
        if existing == target:  # a nameless file (O_TMPFILE where it can): nothing left behind
            with tempfile.TemporaryFile(dir=existing):
                pass
        elif os.statvfs(existing).f_flag & os.ST_RDONLY:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        elif not os.access(existing, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as exc:
        exc.filename = None
        if existing == target:
            raise FileSystemError(exc, existing, "writing into", option) from None
        raise FileSystemError(exc, target, "creating", option) from None


def os_error_message(exc: OSError, path: object = None, doing: str = "writing",
                     hint: str = "") -> str:
    """One line for an OS error: the problem, what was being done to which path, the fix.
    *path* is used when the exception names no file (a failed ``write`` names none); *hint*
    adds the option that chooses the directory (``-o/--out``, ``--target-dir``)."""
    where = exc.filename if exc.filename is not None else path
    if where is None:
        return f"{exc.strerror or exc} {doing}; fix the file system's problem and run again"
    where = str(where)
    head, tail = os.path.split(where)
    match = re.match(r"^\.(.+)\.rw\d+\..*\.tmp$", tail)  # a temporary file of rustwheel.atomic
    where = os.path.join(head, match.group(1)) if match else where
    option = f" ({hint})" if hint else ""
    if exc.errno == errno.ENOTDIR:
        return f"{where} is not a directory; remove it or choose another directory{option}"
    problem, fix = _OS_PROBLEMS.get(exc.errno or 0, (exc.strerror or str(exc), "fix it"))
    directory = where if os.path.isdir(where) else os.path.dirname(where)
    fix = fix.replace("there", f"in {directory}")
    if doing == "reading":
        fix = fix.split(" or choose")[0]
    if doing == "writing" and where == directory:
        doing = "writing into"
    return f"{problem} {doing} {where}; {fix}{option if 'choose another' in fix else ''}"
