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

