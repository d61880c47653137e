#!/usr/bin/env bash
# Set up everything rustwheel's demo and tests need on a fresh machine: a virtual env in .venv
# with rustwheel (editable) and the test tools. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
command -v cargo >/dev/null || { echo "error: cargo not found; install Rust with rustup" >&2; exit 1; }

# libsqlite3-dev: a system library outside the manylinux whitelist, for the audit tests.
if [ ! -e /usr/lib/x86_64-linux-gnu/libsqlite3.so ] && command -v apt-get >/dev/null; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    { $SUDO apt-get update -q && $SUDO apt-get install -y -q libsqlite3-dev; } >/dev/null 2>&1 \
        || echo "warning: could not install libsqlite3-dev (the audit tests need it)" >&2
fi

# chromium (headless): the --timings test opens the page, takes a screenshot and reads the DOM.
if ! command -v chromium >/dev/null && command -v apt-get >/dev/null; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    { $SUDO apt-get update -q && $SUDO apt-get install -y -q chromium; } >/dev/null 2>&1 \
        || echo "warning: could not install chromium (the --timings page test needs it)" >&2
fi

# cbindgen writes the C header of cffi crates: Debian's package, else `cargo install`.
if ! command -v cbindgen >/dev/null; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    if ! { $SUDO apt-get update -q && $SUDO apt-get install -y -q cbindgen; } >/dev/null 2>&1; then
        cargo install cbindgen --locked
    fi
fi
cbindgen --version >/dev/null || { echo "error: cbindgen --version failed; install cbindgen (apt-get install cbindgen or cargo install cbindgen)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,lint]"
