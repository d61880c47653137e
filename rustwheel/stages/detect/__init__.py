"""The detect stage: turn the resolved configuration into per-cell compile and wheel plans.

Everything the later stages need is decided here, once: bindings, interpreter, layout, metadata,
cargo's command line and environment, the wheel's file list and tag. The plans are plain data
written as canonical JSON; a later stage re-runs only when its own plan file changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

from rustwheel import ui
from rustwheel.cache import keys
from rustwheel.cargo.metadata import CargoMetadata, cargo_metadata_argv, load_metadata
from rustwheel.config.compat import zig_glibc
from rustwheel.config.layout import ProjectLayout, determine_layout, validate_module_name
from rustwheel.config.options import BuildConfig
from rustwheel.errors import ConfigError
from rustwheel.host.interpreter import Interpreter, default_interpreter, probe
from rustwheel.host.toolchain import Rustc, rustc_info
from rustwheel.plan import codec as plancodec
from rustwheel.plan.cells import BuildPlan, Cell
from rustwheel.spec import tags
from rustwheel.spec.metadata import ProjectMetadata, resolve_metadata
from rustwheel.spec.wheelfile import zip_timestamp
from rustwheel.stages.bindgen import plan as uniffi
from rustwheel.stages.compile import outdir, zig
from rustwheel.stages.compile.plan import CompilePlan, CompileUnit
from rustwheel.stages.detect.bindings import Bindings, bin_targets, compile_lib, detect
from rustwheel.stages.header import cffi
from rustwheel.stages.repair.plan import RepairFile, RepairPlan
from rustwheel.stages.wheel import extras
from rustwheel.stages.wheel.contents import extension_items, python_files
from rustwheel.stages.wheel.plan import (
    FileItem,
    GeneratedItem,
    WheelPlan,
    dist_info_items,
    unique_files,
)

# Environment variables that change what cargo/rustc/pyo3 produce. Only digests of their values
# enter plan files, so secrets never land on disk.
_ENV_PREFIXES = ("CARGO_", "RUST", "PYO3_", "CC", "CXX", "CFLAGS", "CXXFLAGS", "LDFLAGS", "AR",
                 "PKG_CONFIG", "MACOSX_DEPLOYMENT_TARGET")
_ENV_IGNORED_PREFIXES = ("CARGO_TERM_", "CARGO_MAKEFLAGS", "RUST_LOG", "RUST_BACKTRACE",
                         # where outputs go, not what they are (the target dir is a key root)
                         "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR", "CARGO_HOME", "RUSTUP_HOME")


def env_fingerprint(env: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for key in sorted(env):
        if key.startswith(_ENV_PREFIXES) and not key.startswith(_ENV_IGNORED_PREFIXES):
            out[key] = hashlib.sha256(env[key].encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return out


def _where(cfg: BuildConfig) -> str:
    if cfg.pyproject is not None:
        return f"{cfg.pyproject.path}: [{cfg.pyproject.tool_table}]"
    return str(cfg.manifest_path)


def module_name(cfg: BuildConfig, meta: CargoMetadata) -> str:
    if cfg.tool.module_name is not None:
        return validate_module_name(cfg.tool.module_name, f"{_where(cfg)} module-name")
    lib = compile_lib(meta)
    if lib is not None:
        return lib.name.replace("-", "_")
    project = cfg.pyproject.project if cfg.pyproject is not None else None
    # Only bin crates get here (no lib target): like maturin, the name is used as it is, so a
    # python package next to a bin crate needs module-name to make the layout mixed.
    return str((project or {}).get("name") or meta.root.name)


def _cargo_args(cfg: BuildConfig, meta: CargoMetadata, target_dir: Path) -> list[str]:
    args = ["--message-format=json-render-diagnostics", "--manifest-path", str(cfg.manifest_path)]
    if cfg.profile != "dev":
        args += ["--profile", cfg.profile]
    if cfg.features:
        args += ["--features", ",".join(cfg.features)]
    if cfg.all_features:
        args.append("--all-features")
    if cfg.no_default_features:
        args.append("--no-default-features")
    args += ["--target-dir", str(target_dir)]
    for flag, on in (("--locked", cfg.locked), ("--frozen", cfg.frozen), ("--offline", cfg.offline)):
        if on:
            args.append(flag)
    for item in cfg.cargo_config:
        args += ["--config", item]
    for flag in cfg.unstable_flags:
        args += ["-Z", flag]
    if cfg.quiet:
        args.append("-q")
    args += ["-v"] * min(cfg.verbose, 2)
    return args


def _cargo_config_files(start: Path, env: Mapping[str, str]) -> list[str]:
    found = []
    for d in [start, *start.parents]:
        for name in ("config.toml", "config"):
            p = d / ".cargo" / name
            if p.is_file():
                found.append(str(p))
    home = Path(env.get("CARGO_HOME", str(Path.home() / ".cargo")))
    for name in ("config.toml", "config"):
        p = home / name
        if p.is_file() and str(p) not in found:
            found.append(str(p))
    return found


def _extra_inputs(cfg: BuildConfig, meta: CargoMetadata) -> tuple[str, ...]:
    files = {str(cfg.manifest_path), str(meta.workspace_root / "Cargo.toml")}
    lock = meta.workspace_root / "Cargo.lock"
    if lock.is_file():
        files.add(str(lock))
    for pkg in meta.dependency_closure():
        if pkg.raw.get("source") is None:  # path dependency
            files.add(str(pkg.manifest_path))
    for pkg in [meta.root, *meta.dependency_closure()]:
        if pkg.raw.get("source") is None:
            # Build scripts are not listed in dep-info but change the output.
            files.update(t.src_path for t in pkg.targets if "custom-build" in t.kind)
    files.update(_cargo_config_files(cfg.manifest_path.parent, cfg.env))
    return tuple(sorted(f for f in files if os.path.isfile(f)))


def _pyo3_env(bindings: Bindings, interp: Optional[Interpreter]) -> dict[str, str]:
    if interp is None or bindings.pyo3_crate is None:
        return {}
    env = {
        "PYO3_PYTHON": interp.executable,
        "PYTHON_SYS_EXECUTABLE": interp.executable,
        "PYO3_ENVIRONMENT_SIGNATURE":
            f"{interp.implementation}-{interp.version}-{interp.pointer_width}bit",
    }
    if bindings.is_pyo3_extension:
        env["PYO3_BUILD_EXTENSION_MODULE"] = "1"
    return env


def _tag_and_cell(bindings: Bindings, interp: Optional[Interpreter], platform: str,
                  host: str) -> tuple[str, str, Optional[str]]:
    """(wheel tag, cell name, extension suffix) for this build."""
    if bindings.is_pyo3_extension:
        assert interp is not None
        if bindings.abi3 is not None and interp.implementation == "cpython" and not interp.gil_disabled:
            minimum = bindings.abi3 if bindings.abi3 != (0, 0) else (interp.major, interp.minor)
            tag = tags.abi3_tag(minimum, platform)
            return tag, f"cp{minimum[0]}{minimum[1]}-abi3-{host}", ".abi3.so"
        tag = tags.interpreter_tag(interp.python_tag, interp.abi_tag, platform)
        return tag, f"{interp.abi_tag}-{host}", interp.ext_suffix
    if bindings.kind == "bin" and bindings.pyo3_crate is not None and interp is not None:
        return (tags.interpreter_tag(interp.python_tag, interp.abi_tag, platform),
                f"{interp.abi_tag}-{host}", None)
    return tags.generic_tag(platform), f"py3-{host}", None


def make_plan(cfg: BuildConfig) -> BuildPlan:
    env = cfg.env
    rustc: Rustc = rustc_info(env)
    argv = cargo_metadata_argv(
        cfg.manifest_path, features=cfg.features, all_features=cfg.all_features,
        no_default_features=cfg.no_default_features, locked=cfg.locked, frozen=cfg.frozen,
        offline=cfg.offline, config=cfg.cargo_config, filter_platform=rustc.host)
    meta = load_metadata(argv, cfg.manifest_path, env)
    bindings = detect(meta, cfg.bindings, _where(cfg))
    interp: Optional[Interpreter] = None
    if bindings.needs_interpreter or bindings.kind == "cffi" or cfg.interpreter is not None:
        interp = probe(cfg.interpreter or default_interpreter(env), env,
                       given=cfg.interpreter is not None)

    project = cfg.pyproject.project if cfg.pyproject is not None else None
    pyproject_file = str(cfg.pyproject.path) if cfg.pyproject is not None else "pyproject.toml"
    layout = determine_layout(
        project_root=cfg.project_root, manifest_dir=cfg.manifest_path.parent,
        module_name=module_name(cfg, meta), python_source=cfg.tool.python_source,
        python_packages=cfg.tool.python_packages,
        project_name=(project or {}).get("name"), pyproject_file=pyproject_file,
        table=cfg.pyproject.tool_table if cfg.pyproject is not None else "tool.rustwheel")
    metadata = resolve_metadata(project, meta.root.raw,
                                cfg.pyproject.directory if cfg.pyproject else None,
                                pyproject_file, workspace_root=meta.workspace_root)
    if bindings.kind == "bin" and project and project.get("scripts"):
        raise ConfigError(f"{pyproject_file}: [project.scripts] cannot be combined with bin "
                          "bindings (the binaries are the scripts); remove [project.scripts]")

    target_dir = cfg.target_dir or meta.target_directory
    out_dir = cfg.out_dir or (target_dir / "wheels" / ("editable" if cfg.editable else ""))
    key = hashlib.sha256(str(cfg.manifest_path).encode()).hexdigest()[:12]
    state_dir = target_dir / "rustwheel" / f"{meta.root.name}-{key}"
    platform = tags.linux_platform(rustc.host)
    arch = platform[len("linux_"):]
    compat = cfg.compatibility
    glibc = None
    if cfg.zig:
        compat, glibc = zig_glibc(compat, arch)
    if cfg.auditwheel == "skip" and compat.policy is not None:
        from rustwheel.audit.policies import find_policy

        policy = find_policy(compat.policy)
        platform = ".".join([policy.tag(arch), *policy.alias_tags(arch)])
    zip_timestamp(env.get("SOURCE_DATE_EPOCH"))  # reject a bad value before compiling
    tag, cell_name, ext_suffix = _tag_and_cell(bindings, interp, platform, rustc.host)
    cell_dir = state_dir / cell_name

    units, files, generated = _units_and_contents(cfg, meta, bindings, layout, metadata,
                                                  ext_suffix, cell_dir)
    more = extras.wheel_extras(
        cfg, meta, layout, files, data_prefix=tags.data_dir(metadata.name, metadata.version),
        dist_info=tags.dist_info_dir(metadata.name, metadata.version), target_dir=target_dir,
        stage_dir=cell_dir / "artifacts", binary=bindings.kind == "bin")
    files, generated = more.files, generated + more.generated
    editable = None
    if cfg.editable:
        from rustwheel.stages.wheel.editable import editable_contents

        editable = editable_contents(layout, files, generated, dist=metadata.name,
                                     version=metadata.version, compiled_dir=cell_dir,
                                     auto_rebuild=cfg.auto_rebuild)
        files, generated = editable.files, editable.generated
    rustc_args = list(cfg.rustc_args)
    if cfg.strip:
        rustc_args += ["-C", "strip=symbols"]
    cargo_args = _cargo_args(cfg, meta, target_dir)
    compile_env = _pyo3_env(bindings, interp)
    link = None
    if glibc is not None:
        link = zig.zig_link(rustc.host, glibc, cell_dir / "zig-linker")
        cargo_args += ["--target", rustc.host]
        compile_env.update(zig.cargo_env(rustc.host, link))
    source_roots = [(meta.workspace_root, "<ws>"), (cfg.project_root, "<project>"),
                    (target_dir, "<target>"), (state_dir, "<state>")]
    compile_plan = CompilePlan(
        cell=cell_name, package_id=meta.root.id, package_name=meta.root.name,
        manifest_path=str(cfg.manifest_path), cargo_args=tuple(cargo_args),
        rustc_args=tuple(rustc_args), env=compile_env, zig=link,
        env_fingerprint=env_fingerprint(env), rustc_version=rustc.verbose_version,
        units=tuple(units), stage_dir=str(cell_dir / "artifacts"),
        inputs_record=str(cell_dir / "compile-inputs.json"), extra_inputs=_extra_inputs(cfg, meta),
        out_dir_includes=more.out_dir_includes)
    header_plan = None
    if bindings.kind == "cffi":
        assert interp is not None
        header_plan = cffi.header_plan(cell=cell_name, meta=meta, manifest_path=cfg.manifest_path,
                                       target_dir=target_dir, cell_dir=cell_dir,
                                       interpreter=interp.executable)
        if cfg.pyproject is not None:
            warning = cffi.missing_dependency_warning(cfg.pyproject.path, project)
            if warning:
                ui.warn(warning)
    uniffi_plan = None
    if bindings.kind == "uniffi":
        lib_unit = units[0]
        uniffi_plan = uniffi.plan(cell=cell_name, meta=meta, manifest_path=cfg.manifest_path,
                                  staged_library=str(cell_dir / "artifacts" / lib_unit.staged_name),
                                  package_dir=cffi.package_dir(layout), cell_dir=cell_dir)
    dist_info = tags.dist_info_dir(metadata.name, metadata.version)
    info_files, info_generated = dist_info_items(metadata, tag, dist_info)
    repair_plan = None
    if not compat.linux and cfg.auditwheel != "skip" and not cfg.editable:
        staged = {str(cell_dir / "artifacts" / u.staged_name): u for u in units}
        repair_plan = RepairPlan(
            cell=cell_name, inputs_record=str(cell_dir / "repair-inputs.json"), mode=cfg.auditwheel, policy=compat.policy, pypi=compat.pypi,
            arch=arch, files=tuple(RepairFile(f.archive_path, f.source, not staged[f.source].lib)
                                   for f in files if f.source in staged),
            libs_dir=f"{tags.dist_name(metadata.name)}.libs",
            scripts_dir=f"{tags.dist_name(metadata.name)}.scripts",
            work_dir=str(cell_dir / "repaired"), manifest=str(cell_dir / "repair.json"),
            ld_library_path=env.get("LD_LIBRARY_PATH", ""),
            sbom=(f"{dist_info}/sboms/auditwheel.cdx.json", metadata.name, metadata.version)
            if cfg.tool.sbom.auditwheel else None)
    wheel_plan = WheelPlan(
        cell=cell_name, inputs_record=str(cell_dir / "wheel-inputs.json"),
        output=str(out_dir / tags.wheel_filename(metadata.name, metadata.version, tag)),
        record=str(cell_dir / "wheel.json"),
        repair=repair_plan.manifest if repair_plan is not None else None,
        tag=tag, dist_info=dist_info,
        files=tuple(unique_files(files + info_files, generated + info_generated)),
        generated=tuple(generated + info_generated), listed_dirs=more.listed_dirs,
        out_dir_files=str(cell_dir / "artifacts" / outdir.MANIFEST)
        if more.out_dir_includes else None,
        generated_lists=(uniffi_plan.manifest,) if uniffi_plan is not None else (),
        source_date_epoch=env.get("SOURCE_DATE_EPOCH") or None,
        metadata_inputs=metadata.input_files,
        member_cache=str(cell_dir / "deflated"),
        in_tree=tuple(editable.in_tree) if editable else (),
        in_tree_generated=tuple(editable.in_tree_generated) if editable else (),
        in_tree_root=str(layout.python_dir) if editable and editable.in_tree else None)
    if cfg.cache_dir is not None:
        tools = {"rustc": rustc.verbose_version}

        def spec(plan: object, *extra: tuple[Path, str]) -> keys.CacheSpec:
            roots = keys.make_roots([*source_roots, *extra])
            return keys.CacheSpec(str(cfg.cache_dir), keys.fingerprint(plancodec.dumps(plan), roots),
                                   roots, tools)

        # -q / -v change what cargo prints, not what it builds.
        # cargo's package id spells the directory name only when it differs from the crate
        # name, so it is not part of the key (name and version are).
        quiet_free = dataclasses.replace(compile_plan, package_id=meta.root.name, cargo_args=tuple(
            a for a in compile_plan.cargo_args if a not in ("-q", "-v")))
        compile_plan = dataclasses.replace(compile_plan, cache=spec(quiet_free))
        if not cfg.editable:  # an editable wheel's .pth names this checkout: never reuse it
            wheel_plan = dataclasses.replace(wheel_plan,
                                             cache=spec(wheel_plan, (out_dir, "<out>")))
        if header_plan is not None:
            header_plan = dataclasses.replace(header_plan, cache=spec(header_plan))
        if uniffi_plan is not None:
            uniffi_plan = dataclasses.replace(uniffi_plan, cache=spec(uniffi_plan))
        if repair_plan is not None:
            repair_plan = dataclasses.replace(repair_plan, cache=spec(repair_plan))
    detect_inputs = [str(cfg.manifest_path)]
    if cfg.pyproject is not None:
        detect_inputs.append(str(cfg.pyproject.path))
    return BuildPlan(state_dir=state_dir, detect_inputs=tuple(detect_inputs),
                     cells=(Cell(cell_name, compile_plan, wheel_plan, header_plan, uniffi_plan,
                                 repair_plan),))


def _units_and_contents(
    cfg: BuildConfig, meta: CargoMetadata, bindings: Bindings, layout: ProjectLayout,
    metadata: ProjectMetadata, ext_suffix: Optional[str], cell_dir: Path,
) -> tuple[list[CompileUnit], list[FileItem], list[GeneratedItem]]:
    stage = cell_dir / "artifacts"
    files = python_files(layout)
    generated: list[GeneratedItem] = []
    units: list[CompileUnit] = []
    if bindings.kind == "bin":
        enabled = meta.features.get(meta.root.id, ())
        bins = bin_targets(meta, tuple(enabled))
        if not bins:
            raise ConfigError(f"{cfg.manifest_path}: no bin target can be built (check "
                              "required-features); add a [[bin]] target or enable its features")
        data = tags.data_dir(metadata.name, metadata.version)
        for t in bins:
            units.append(CompileUnit(("--bin", t.name), t.name, lib=False, staged_name=t.name))
            files.append(FileItem(f"{data}/scripts/{t.name}", str(stage / t.name), True))
        return units, files, generated
    lib = compile_lib(meta)
    if lib is None:
        raise ConfigError(f"{cfg.manifest_path}: has no library target; add [lib] with "
                          'crate-type = ["cdylib"]')
    if bindings.kind == "uniffi":
        lib_filename = uniffi.library_filename(lib.name, cfg.manifest_path.parent)
        units.append(CompileUnit(("--lib",), lib.name, lib=True, staged_name=lib_filename,
                                 crate_type_cdylib=True))
        pkg = cffi.package_dir(layout)
        return units, files + [FileItem(f"{pkg}/{lib_filename}", str(stage / lib_filename),
                                        True)], generated
    if bindings.kind == "cffi":
        ext_filename = cffi.lib_filename(layout.extension_name)
        units.append(CompileUnit(("--lib",), lib.name, lib=True, staged_name=ext_filename,
                                 crate_type_cdylib=True))
        ext_files, ext_generated = cffi.cffi_items(layout, str(stage / ext_filename),
                                                   str(cell_dir / "header" / "ffi.py"))
        return units, files + ext_files, generated + ext_generated
    assert ext_suffix is not None
    ext_filename = layout.extension_name + ext_suffix
    units.append(CompileUnit(("--lib",), lib.name, lib=True, staged_name=ext_filename,
                             crate_type_cdylib=True))
    ext_files, ext_generated = extension_items(layout, str(stage / ext_filename), ext_filename)
    return units, files + ext_files, generated + ext_generated
