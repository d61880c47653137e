"""Wheel names and tags (PEP 427 / PEP 491 / PEP 425), pure functions over explicit facts."""

from __future__ import annotations

from rustwheel.errors import ConfigError

# packaging is imported where it is used: the python-edit shortcut renders WHEEL files with
# this module and does not need it (importing it costs ~15 ms of regex compiling).


def dist_name(name: str) -> str:
    """The distribution name as it appears in file names: normalised, ``-`` → ``_``."""
    from packaging.utils import canonicalize_name

    return canonicalize_name(name).replace("-", "_")


def file_version(version: str) -> str:
    """The version as it appears in file names (normalised, ``-`` → ``_``)."""
    from packaging.version import Version

    return str(Version(version)).replace("-", "_")


def dist_info_dir(name: str, version: str) -> str:
    return f"{dist_name(name)}-{file_version(version)}.dist-info"


def data_dir(name: str, version: str) -> str:
    return f"{dist_name(name)}-{file_version(version)}.data"


def wheel_filename(name: str, version: str, tag: str) -> str:
    return f"{dist_name(name)}-{file_version(version)}-{tag}.whl"


def linux_platform(target_triple: str) -> str:
    """The plain ``linux_<arch>`` platform tag for a Rust target triple."""
    arch = target_triple.split("-", 1)[0]
    if "linux" not in target_triple:
        raise ConfigError(f"target '{target_triple}' is not a Linux target; rustwheel builds "
                          "Linux wheels only")
    arch = {"i586": "i686", "armv7": "armv7l", "powerpc64le": "ppc64le",
            "powerpc64": "ppc64"}.get(arch, arch)
    return f"linux_{arch}"


def expand(tag: str) -> list[str]:
    """Every ``Tag:`` line of a (possibly compressed) tag set, in a stable order."""
    pythons, abis, platforms = tag.split("-")
    return [f"{py}-{abi}-{plat}" for py in pythons.split(".") for abi in abis.split(".")
            for plat in platforms.split(".")]


def abi3_tag(min_version: tuple[int, int], platform: str) -> str:
    return f"cp{min_version[0]}{min_version[1]}-abi3-{platform}"


def interpreter_tag(python_tag: str, abi_tag: str, platform: str) -> str:
    return f"{python_tag}-{abi_tag}-{platform}"


def generic_tag(platform: str) -> str:
    return f"py3-none-{platform}"


_PYTHON_TAG_PREFIX = {"cpython": "cp", "pypy": "pp"}


def python_tag(implementation: str, major: int, minor: int) -> str:
    """``cp312``, ``pp310``, ``graalpy311`` (other implementations: their name)."""
    return f"{_PYTHON_TAG_PREFIX.get(implementation, implementation)}{major}{minor}"


def abi_tag(implementation: str, major: int, minor: int, abiflags: str, gil_disabled: bool,
            soabi: str, ext_suffix: str) -> str:
    """An interpreter's ABI tag, the way maturin gives it: CPython ``cp{XY}{abiflags}``
    (``cp312``, ``cp313t``, ``cp37m``); PyPy and others their SOABI (else the extension
    suffix's) with ``-`` and ``.`` as ``_``: ``pypy310_pp73``."""
    if implementation == "cpython":
        flags = abiflags if not gil_disabled or "t" in abiflags else abiflags + "t"
        return f"cp{major}{minor}{flags}"
    if not soabi and ext_suffix.count(".") >= 2:  # .pypy310-pp73-x86_64-linux-gnu.so
        parts = ext_suffix.split(".")[1].split("-")
        soabi = "-".join(parts[:2]) if implementation == "pypy" else parts[0]
    return soabi.replace("-", "_").replace(".", "_")


_MULTIARCH_ARCH = {"i586": "i386", "i686": "i386", "armv7": "arm", "arm": "arm"}


def multiarch(triple: str) -> str:
    """Debian's multiarch tuple of a Linux target triple, as extension suffixes spell it:
    ``aarch64-unknown-linux-gnu`` -> ``aarch64-linux-gnu``, ``armv7-...-gnueabihf`` ->
    ``arm-linux-gnueabihf``."""
    arch, _, rest = triple.partition("-")
    abi = rest.rsplit("-", 1)[-1]
    return f"{_MULTIARCH_ARCH.get(arch, arch)}-linux-{abi}"


def ext_suffix_for(ext_suffix: str, triple: str) -> str:
    """An interpreter's extension suffix for another target:
    ``.cpython-312-x86_64-linux-gnu.so`` for ``aarch64-unknown-linux-gnu`` is
    ``.cpython-312-aarch64-linux-gnu.so`` (one without a multiarch tuple is kept)."""
    import re

    m = re.fullmatch(r"(\.[^.]+?-)([a-z0-9_]+-linux-[a-z0-9]+)(\.so)", ext_suffix)
    return f"{m.group(1)}{multiarch(triple)}{m.group(3)}" if m else ext_suffix
