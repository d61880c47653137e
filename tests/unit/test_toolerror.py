"""`rustwheel.toolerror` over what the tools really printed (captured from cargo 1.95, rustc
1.95, cbindgen 0.24.3, patchelf and uniffi-bindgen on this project's test crates)."""

from __future__ import annotations

import os
import shlex

import pytest

from rustwheel import _run
from rustwheel.toolerror import MAX_LINES, extract, failure, redact

CARGO_UNKNOWN_VERSION = """\
    Updating crates.io index
error: failed to select a version for the requirement `pyo3 = "=0.99.0"`
candidate versions found which didn't match: 0.30.1, 0.29.3, 0.29.2, ...
location searched: crates.io index
required by package `inner v0.1.0 (/tmp/cerr/n/inner)`
    ... which satisfies path dependency `inner` of package `n v0.1.0 (/tmp/cerr/n)`
if you are looking for the prerelease package it needs to be specified explicitly
    pyo3 = { version = "0.21.0-beta.0" }
"""

CARGO_GIT = """\
    Updating git repository `https://127.0.0.1:9/none.git`
warning: spurious network error (1 try remaining): failed to connect to 127.0.0.1: \
Connection refused; class=Os (2)
error: failed to get `foo` as a dependency of package `pyo3-pure-abi3 v0.3.0-alpha.1 (/tmp/c)`

Caused by:
  failed to load source for dependency `foo`

Caused by:
  unable to update https://127.0.0.1:9/none.git

Caused by:
  failed to fetch into: /root/.cargo/git/db/none-3795bfea11d44e6e

Caused by:
  failed to connect to 127.0.0.1: Connection refused; class=Os (2)
"""

CARGO_LOCKED = """\
error: cannot update the lock file /tmp/cerr/b/Cargo.lock because --locked was passed to \
prevent this
help: to generate the lock file without accessing the network, remove the --locked flag and \
use --offline instead.
"""

CARGO_BUILD_SCRIPT = """\
   Compiling pyo3-build-config v0.30.1
   Compiling pyo3-ffi v0.30.1
error: failed to run custom build command for `pyo3-ffi v0.30.1`
note: To improve backtraces for build dependencies, set the \
CARGO_PROFILE_DEV_BUILD_OVERRIDE_DEBUG=true environment variable to enable debug information \
generation.

Caused by:
  process didn't exit successfully: `/t/debug/build/pyo3-ffi-1c32/build-script-build` (exit \
status: 1)
  --- stdout
  cargo:rustc-check-cfg=cfg(Py_LIMITED_API)
  cargo:rerun-if-env-changed=PYO3_CONFIG_FILE
  cargo:rerun-if-env-changed=PYO3_PYTHON

  --- stderr
  error: failed to run the Python interpreter at /nonexistent/python3: No such file or \
directory (os error 2)
warning: build failed, waiting for other jobs to finish...
"""

RUSTC = """\
   Compiling pyo3 v0.30.1
   Compiling broken-compile v0.1.0 (/tmp/cerr/bc)
error[E0308]: mismatched types
  --> src/lib.rs:10:26
   |
10 |         let value: i64 = "definitely not a number";
   |                    ---   ^^^^^^^^^^^^^^^^^^^^^^^^^ expected `i64`, found `&str`
   |                    |
   |                    expected due to this

For more information about this error, try `rustc --explain E0308`.
error: could not compile `broken-compile` (lib) due to 1 previous error
"""

LINKER = """\
   Compiling bin-only v0.2.0 (/tmp/cerr/lk)
error: linking with `cc` failed: exit status: 1
  |
  = note:  "cc" "-m64" "/t/debug/deps/rustcrzTnug/symbols.o" "<7 object files omitted>" \
"-Wl,--as-needed" "-nodefaultlibs"
  = note: some arguments are omitted. use `--verbose` to show all linker arguments
  = note: rust-lld: error: unable to find library -lnotalib
          collect2: error: ld returned 1 exit status
          \n
error: could not compile `bin-only` (bin "bin-only-hello") due to 1 previous error
"""

CBINDGEN_PANIC = """\
thread 'main' panicked at 'called `Result::unwrap()` on an `Err` value: "Couldn't parse config \
file: Unrecognized Style: 'sideways'. for key `style` at line 6 column 9."', \
src/bindgen/config.rs:1099:34
stack backtrace:
note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.
"""

CBINDGEN_PARSE = """\
ERROR: Parsing crate `cffi-pure`:`/tmp/cerr/e/src/lib.rs`:
Error("lex error")
Try running `rustc -Z parse-only /tmp/cerr/e/src/lib.rs` to see a nicer error message
ERROR: Couldn't generate bindings for ..
"""

PATCHELF = "patchelf: missing ELF header\n"

UNIFFI = """\
error running cargo metadata

Caused by:
    `cargo metadata` exited with an error: error: could not find `Cargo.toml` in `/tmp/cerr` \
or any parent directory
    \n
Stack backtrace:
   0: <E as anyhow::context::ext::StdError>::ext_context
   1: uniffi_bindgen::cargo_metadata::CrateConfigSupplier::from_cargo_metadata_command
  10: main
"""


def test_cargo_resolution_keeps_first_line_and_chain_in_order() -> None:
    assert extract(CARGO_UNKNOWN_VERSION) == [
        'failed to select a version for the requirement `pyo3 = "=0.99.0"`',
        "candidate versions found which didn't match: 0.30.1, 0.29.3, 0.29.2, ...",
        "location searched: crates.io index",
        "required by package `inner v0.1.0 (/tmp/cerr/n/inner)`",
        "    ... which satisfies path dependency `inner` of package `n v0.1.0 (/tmp/cerr/n)`",
        "if you are looking for the prerelease package it needs to be specified explicitly",
        '    pyo3 = { version = "0.21.0-beta.0" }']


def test_cargo_caused_by_chain() -> None:
    said = extract(CARGO_GIT)
    assert said[0].startswith("failed to get `foo` as a dependency of package")
    assert said[1:] == ["Caused by:", "  failed to load source for dependency `foo`",
                        "Caused by:", "  unable to update https://127.0.0.1:9/none.git",
                        "Caused by:",
                        "  failed to fetch into: /root/.cargo/git/db/none-3795bfea11d44e6e",
                        "Caused by:",
                        "  failed to connect to 127.0.0.1: Connection refused; class=Os (2)"]


def test_cargo_help_line() -> None:
    said = extract(CARGO_LOCKED)
    assert said[0].startswith("cannot update the lock file /tmp/cerr/b/Cargo.lock")
    assert said[1].startswith("help: to generate the lock file")


def test_build_script_failure_keeps_its_stderr_not_its_directives() -> None:
    said = extract(CARGO_BUILD_SCRIPT)
    assert said[0] == "failed to run custom build command for `pyo3-ffi v0.30.1`"
    assert said[1] == "Caused by:"
    assert said[2].startswith("  process didn't exit successfully")
    assert said[3:] == ["  --- stderr", "  error: failed to run the Python interpreter at "
                        "/nonexistent/python3: No such file or directory (os error 2)"]


def test_rustc_error_and_location() -> None:
    assert extract(RUSTC) == ["error[E0308]: mismatched types", "  --> src/lib.rs:10:26"]


def test_linker_error_without_its_command_line() -> None:
    """rustc's linker failure (cc, or zig through rustwheel's wrapper): the linker's errors."""
    assert extract(LINKER) == ["linking with `cc` failed: exit status: 1",
                               "  = note: rust-lld: error: unable to find library -lnotalib",
                               "          collect2: error: ld returned 1 exit status"]


def test_further_errors_are_counted() -> None:
    second = RUSTC.replace("error: could not compile",
                           "error[E0425]: cannot find value `x` in this scope\n"
                           "error: could not compile")
    assert extract(second)[-1] == "(and 1 more error)"
    assert extract(CBINDGEN_PARSE) == [
        "Parsing crate `cffi-pure`:`/tmp/cerr/e/src/lib.rs`:", 'Error("lex error")',
        "Try running `rustc -Z parse-only /tmp/cerr/e/src/lib.rs` to see a nicer error message",
        "(and 1 more error)"]


def test_panic_message() -> None:
    assert extract(CBINDGEN_PANIC) == [
        "Couldn't parse config file: Unrecognized Style: 'sideways'. for key `style` at line 6 "
        "column 9."]
    new_style = ("thread 'main' panicked at src/main.rs:4:5:\nno header for you\n"
                 "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n")
    assert extract(new_style) == ["no header for you"]


def test_generic_tools_first_line_and_anyhow_chain() -> None:
    assert extract(PATCHELF) == ["patchelf: missing ELF header"]
    assert extract(UNIFFI) == [
        "error running cargo metadata", "Caused by:",
        "    `cargo metadata` exited with an error: error: could not find `Cargo.toml` in "
        "`/tmp/cerr` or any parent directory"]
    traceback = ('Traceback (most recent call last):\n  File "<string>", line 1, in <module>\n'
                 "ModuleNotFoundError: No module named 'cffi'\n")
    assert extract(traceback) == ["ModuleNotFoundError: No module named 'cffi'"]
    assert extract("") == [] and extract("\n   \n") == []


def test_colours_stripped_and_length_capped() -> None:
    coloured = "\x1b[1m\x1b[91merror\x1b[0m\x1b[1m: oops\x1b[0m\n" + "".join(
        f"  line {n}\n" for n in range(MAX_LINES + 5))
    said = extract(coloured)
    assert said[0] == "oops" and len(said) == MAX_LINES + 2
    assert said[-1] == "... (5 more lines)"


def test_failure_message() -> None:
    exc = failure("cargo metadata", 101, extract(CARGO_GIT), what=" for /c/Cargo.toml",
                  hint="check the dependencies")
    first, *rest = str(exc).splitlines()
    assert first == ("`cargo metadata` failed for /c/Cargo.toml with exit code 101: failed to "
                     "get `foo` as a dependency of package `pyo3-pure-abi3 v0.3.0-alpha.1 "
                     "(/tmp/c)`; check the dependencies")
    assert rest[:2] == ["  Caused by:", "    failed to load source for dependency `foo`"]
    assert all(line.startswith("  ") for line in rest)
    assert str(failure("patchelf --x", 1, [])) == ("`patchelf --x` failed with exit code 1 "
                                                   "and printed no error message")


def test_secrets_are_redacted() -> None:
    text = ("unable to update https://user:s3cr3t-t0ken@example.com/r.git and "
            "https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/o/r.git and "
            "https://git@github.com/o/r.git, "
            "GET https://index.example/api?name=x&token=abc123def&x=1, "
            "Authorization: Bearer abcdefgh12345678, CARGO_REGISTRY_TOKEN=cio_Zy9Xw8 here, "
            "--config registries.corp.token=corp-tok-77")
    clean = redact(text, {"CARGO_REGISTRY_TOKEN": "cio_Zy9Xw8", "HOME": "/root"})
    for secret in ("s3cr3t-t0ken", "ghp_abcdefghijklmnopqrstuvwxyz0123", "abc123def",
                   "abcdefgh12345678", "cio_Zy9Xw8", "corp-tok-77"):
        assert secret not in clean, clean
    assert "https://user:***@example.com/r.git" in clean
    assert "https://git@github.com/o/r.git" in clean and "&x=1" in clean
    assert redact("home is /root", {"HOME": "/root"}) == "home is /root"
    assert extract("error: https://u:pw123456@h/x failed", {})[0] == "https://u:***@h/x failed"


def test_streamed_stderr_is_copied_redacted_and_explains_the_failure(
        capsys: pytest.CaptureFixture[str]) -> None:
    script = ("echo '    Updating git repository `https://u:s3cr3t@h/r.git`' >&2; echo out; "
              "printf 'error: no luck\\n\\nCaused by:\\n  really none\\n' >&2; exit 3")
    proc = _run.popen_lines(["sh", "-c", script], env={"PATH": os.environ["PATH"]})
    assert [line.strip() for line in proc.lines] == ["out"]
    assert proc.wait() == 3
    exc = proc.error(hint="try again")
    assert str(exc).splitlines() == [
        "`sh -c " + shlex.quote(script.replace("s3cr3t", "***"))
        + "` failed with exit code 3: no luck; try again",
        "  Caused by:", "    really none"]
    copied = capsys.readouterr().err
    assert "https://u:***@h/r.git" in copied and "s3cr3t" not in copied
