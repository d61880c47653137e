"""rustwheel loads doit's task engine without its command line, and a user's code in the same
process still sees the whole doit package."""

from __future__ import annotations

import subprocess
import sys


def _python(code: str) -> str:
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return res.stdout.strip()


def test_the_engine_loads_without_doits_command_line() -> None:
    out = _python(
        "import sys, rustwheel.tasks.runner, doit.runner, doit.control, doit.dependency\n"
        "print(sorted(m for m in ('doit.doit_cmd', 'doit.cmd_base', 'doit.plugin', "
        "'importlib.metadata') if m in sys.modules))")
    assert out == "[]"


def test_the_package_completes_itself_on_first_use() -> None:
    out = _python(
        "import rustwheel.tasks, doit.task\n"
        "import doit\n"
        "from doit import create_after, get_var\n"
        "print(callable(doit.run), callable(create_after), callable(get_var), "
        "doit.__version__ == doit.version.VERSION)")
    assert out == "True True True True"


def test_a_doit_imported_first_is_left_alone() -> None:
    out = _python("import doit, doit.doit_cmd\nimport rustwheel.tasks\n"
                  "import sys; print(sys.modules['doit'] is doit, '__getattr__' in vars(doit))")
    assert out == "True False"
