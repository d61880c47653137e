"""OS errors become one line naming the path, the problem and the fix."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from rustwheel.errors import FileSystemError, check_writable_dir, os_error_message


def test_no_space_names_the_destination_not_the_temporary_file(tmp_path: Path) -> None:
    exc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC),
                  str(tmp_path / ".x-1.0-py3-none-any.whl.rw123.abcd.tmp"))
    assert os_error_message(exc, hint="-o/--out") == (
        f"no space left on device writing {tmp_path}/x-1.0-py3-none-any.whl; free space in "
        f"{tmp_path} or choose another directory (-o/--out)")


def test_a_write_without_file_name_names_the_given_directory(tmp_path: Path) -> None:
    exc = OSError(errno.EROFS, os.strerror(errno.EROFS))
    assert os_error_message(exc, tmp_path, hint="-o/--out") == (
        f"read-only file system writing into {tmp_path}; choose another directory, on a "
        "writable file system (-o/--out)")


def test_reading_has_no_directory_to_choose(tmp_path: Path) -> None:
    exc = PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(tmp_path / "a.py"))
    assert os_error_message(exc, doing="reading") == (
        f"permission denied reading {tmp_path}/a.py; give this user access to it")


def test_check_writable_dir(tmp_path: Path) -> None:
    check_writable_dir(tmp_path / "new" / "dir", "-o/--out")  # creatable: fine
    assert not (tmp_path / "new").exists()
    (tmp_path / "file").write_text("x")
    for path in (tmp_path / "file", tmp_path / "file" / "sub"):
        with pytest.raises(FileSystemError, match=r"file is not a directory; remove it or "
                                                  r"choose another directory \(-o/--out\)"):
            check_writable_dir(path, "-o/--out")
