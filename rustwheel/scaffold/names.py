"""The name of a new project: a PEP 508 distribution name that is also a crate name and, with
``-`` written ``_``, a Python module name and a Rust identifier."""

from __future__ import annotations

import keyword
import re

from rustwheel.errors import ConfigError

# Letters, digits, `-` and `_`, starting with a letter and ending with a letter or digit: a
# valid PEP 508 name without `.` (which a crate name cannot hold).
_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$")

# Rust's keywords (strict and reserved, all editions) and the crates a package name may not
# shadow (cargo refuses them).
_RUST_RESERVED = frozenset([
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "test", "core", "std",
    "alloc", "proc_macro",
])


def module_name(name: str) -> str:
    """The Python module and Rust library name of the project ``name``."""
    return name.replace("-", "_")


def check_name(name: str, origin: str) -> str:
    """``name`` when it can name the project; else a `ConfigError` naming ``origin``
    (``--name`` or the directory)."""
    if not _NAME.match(name):
        raise ConfigError(
            f"{origin} '{name}' is not a valid project name: use letters, digits, '-' and '_', "
            "starting with a letter and ending with a letter or digit (it names the Python "
            "package and the crate); pass another with --name")
    module = module_name(name)
    if keyword.iskeyword(module) or module in _RUST_RESERVED:
        raise ConfigError(f"{origin} '{name}' is not a valid project name: '{module}' is a "
                          "Python or Rust keyword or a reserved crate name; pass another "
                          "with --name")
    return name
