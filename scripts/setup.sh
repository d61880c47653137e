#!/usr/bin/env bash
# Set up everything rustwheel's demo and tests need on a fresh machine: a virtual env in .venv
# with rustwheel (editable) and the test tools. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
command -v cargo >/dev/null || { echo "error: cargo not found; install Rust with rustup" >&2; exit 1; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
UPDATED=""
# apt_install PACKAGE: Debian's package (apt-get update once per run); false when it fails.
apt_install() {
    command -v apt-get >/dev/null || return 1
    if [ -z "$UPDATED" ]; then $SUDO apt-get update -q >/dev/null 2>&1 || return 1; UPDATED=1; fi
    $SUDO apt-get install -y -q "$1" >/dev/null 2>&1
}

# libsqlite3-dev: a system library outside the manylinux whitelist, for the audit tests.
[ -e /usr/lib/x86_64-linux-gnu/libsqlite3.so ] || apt_install libsqlite3-dev \
    || echo "warning: could not install libsqlite3-dev (the audit tests need it)" >&2
# pypy3: Debian's PyPy, for the interpreter discovery and matrix tests (list-python, -f, -i pypy3).
command -v pypy3 >/dev/null || apt_install pypy3 \
    || echo "warning: could not install pypy3 (the interpreter tests need it)" >&2
# chromium (headless): the --timings test opens the page, takes a screenshot and reads the DOM.
command -v chromium >/dev/null || apt_install chromium \
    || echo "warning: could not install chromium (the --timings page test needs it)" >&2
# nginx-core: the remote store tests serve a Bazel-style HTTP cache with it (WebDAV PUT, basic
# auth; the password file is written with openssl).
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx-core \
    || echo "warning: could not install nginx-core (the remote store tests need it)" >&2
command -v openssl >/dev/null || apt_install openssl \
    || echo "warning: could not install openssl (the remote store tests need it)" >&2
# cbindgen writes the C header of cffi crates: Debian's package, else `cargo install`.
command -v cbindgen >/dev/null || apt_install cbindgen || cargo install cbindgen --locked
cbindgen --version >/dev/null || { echo "error: cbindgen --version failed; install cbindgen (apt-get install cbindgen or cargo install cbindgen)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,lint]"
