"""The project's own wheel files: one file reached by two paths is kept once (the first),
two different files for one archive path are an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustwheel.errors import ConfigError
from rustwheel.plan.members import FileItem
from rustwheel.stages.detect.sources import _drop_repeats


def test_one_file_reached_twice_is_kept_once(tmp_path: Path) -> None:
    real = tmp_path / "python"
    real.mkdir()
    (real / "a.py").write_text("a")
    (tmp_path / "b.py").write_text("b")
    (tmp_path / "link").symlink_to(real)
    first = FileItem("a.py", str(real / "a.py"))
    again = FileItem("a.py", str(tmp_path / "link" / "a.py"))
    other = FileItem("b.py", str(tmp_path / "b.py"))
    assert _drop_repeats([[first], [], [again, other]]) == [[first], [], [other]]
    with pytest.raises(ConfigError, match="'a.py'"):
        _drop_repeats([[first], [FileItem("a.py", other.source)]])
