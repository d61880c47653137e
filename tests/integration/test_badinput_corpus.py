"""Every case of the bad-input corpus (badinput_corpus.py) fails cleanly: non-zero exit, one
``error:`` line naming the file, key or flag, no traceback, and nothing written to the output
directory, the target dir's wheel area or the store.

The store is ``<cache dir>/v1`` (the content-addressed entries). Beside it in the cache dir,
a failed build may leave what stays true whatever failed: the interpreter facts
(``interpreters-v2.state``) and a plan stamp (``stamps-v3/*/*.plan.state``, the resolved plan of a
build that got past resolution); never a build stamp, which only a successful build writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from badinput_corpus import CASES, Case, error_lines, expected, files_under, prepared
from conftest import settle_store


def test_the_corpus_is_large_and_its_ids_unique() -> None:
    assert len(CASES) >= 60
    assert len({case.id for case in CASES}) == len(CASES)
    assert {case.area for case in CASES} == {"pyproject", "tool", "cargo", "cli", "env", "fs"}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case, tmp_path: Path, target_dir: Path) -> None:
    store = Path(os.environ["RUSTWHEEL_CACHE_DIR"])
    with prepared(case, tmp_path, "rustwheel", target_dir) as setup:
        wheel_area = files_under(target_dir / "wheels")
        settle_store(store)  # an earlier test's detached store writer is done
        stored = files_under(store / "v1")
        stamps = files_under(store / "stamps-v3")
        proc = setup.run()
        out_files = files_under(setup.out) if setup.out.is_dir() else set()
    dump = f"{setup.argv}\nexit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n" \
           f"{proc.stderr}"
    assert proc.returncode != 0, dump
    assert "Traceback" not in proc.stderr + proc.stdout, dump
    assert "PythonAction Error" not in proc.stderr, dump
    errors = error_lines(proc.stderr)
    assert len(errors) == 1, f"expected one 'error: ' line, got {errors}\n{dump}"
    for needle in expected(case, setup):
        assert needle in errors[0], f"{needle!r} not in {errors[0]!r}\n{dump}"
    assert not proc.stdout.strip(), dump
    assert out_files == set(), f"written to the output dir: {out_files}\n{dump}"
    assert files_under(target_dir / "wheels") == wheel_area, dump
    settle_store(store)
    changed = files_under(store / "v1") ^ stored
    assert not changed, f"the store changed: {sorted(changed)}\n{dump}"
    new_stamps = files_under(store / "stamps-v3") - stamps
    assert all(s.endswith((".plan.state", ".clock")) for s in new_stamps), new_stamps
