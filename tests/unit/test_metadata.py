"""Tests for rustwheel.spec.metadata (and its helpers: version, readme, licenses, people)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from packaging.metadata import Metadata

from rustwheel.errors import ConfigError
from rustwheel.spec.licenses import fold_license_text
from rustwheel.spec.metadata import ProjectMetadata, cargo_version_to_pep440, resolve_metadata
from rustwheel.spec.readme import MARKDOWN, PLAIN, RST


def cargo_package(crate_dir: Path, **overrides: Any) -> dict[str, Any]:
    package: dict[str, Any] = {
        "name": "my-crate",
        "version": "0.1.0",
        "description": "A test crate",
        "authors": ["Jane Doe <jane@example.org>", "Bob"],
        "license": "MIT OR Apache-2.0",
        "license_file": None,
        "readme": None,
        "homepage": "https://example.org",
        "documentation": "https://docs.rs/my-crate",
        "repository": "https://github.com/x/my-crate",
        "keywords": ["ffi", "python"],
        "manifest_path": str(crate_dir / "Cargo.toml"),
    }
    package.update(overrides)
    return package


def headers(metadata: ProjectMetadata, key: str) -> list[str]:
    return [value for name, value in metadata.fields if name == key]


@pytest.fixture
def crate(tmp_path: Path) -> Path:
    (tmp_path / "Cargo.toml").write_text("[package]\n")
    return tmp_path


# --- versions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cargo", "python"),
    [
        ("1.0.0", "1.0.0"),
        ("1.0.0-alpha.1", "1.0.0a1"),
        ("1.0.0-alpha", "1.0.0a0"),
        ("1.0.0-beta.2", "1.0.0b2"),
        ("1.0.0-rc.1", "1.0.0rc1"),
        ("1.0.0-pre.1", "1.0.0rc1"),
        ("1.0.0-dev.1", "1.0.0.dev1"),
        ("1.0.0-1", "1.0.0.post1"),
        ("1.0.0-post.1", "1.0.0.post1"),
        ("1.0.0+build.5", "1.0.0+build.5"),
        ("1.0.0-alpha.1+build.5", "1.0.0a1+build.5"),
    ],
)
def test_cargo_version_to_pep440(cargo: str, python: str) -> None:
    assert cargo_version_to_pep440(cargo) == python


def test_invalid_cargo_version() -> None:
    with pytest.raises(
        ConfigError, match=r"^Cargo.toml: version '1.0.0-foo' is not a valid Python"
    ):
        cargo_version_to_pep440("1.0.0-foo")


def test_version_from_cargo_and_from_project(crate: Path) -> None:
    package = cargo_package(crate, version="2.0.0-rc.3")
    assert resolve_metadata(None, package, None).version == "2.0.0rc3"
    assert resolve_metadata({"name": "p"}, package, crate).version == "2.0.0rc3"
    assert resolve_metadata({"name": "p", "version": "3.0-beta1"}, package, crate).version == (
        "3.0b1"
    )
    with pytest.raises(ConfigError, match=r"\[project\] 'version' 'nope' is not a valid PEP 440"):
        resolve_metadata({"name": "p", "version": "nope"}, package, crate)


# --- readme -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("README.md", MARKDOWN),
        ("README.txt", PLAIN),
        ("README.rst", RST),
        ("README", PLAIN),
    ],
)
def test_cargo_readme_guess(crate: Path, filename: str, content_type: str) -> None:
    (crate / filename).write_text("hello readme\n")
    metadata = resolve_metadata(None, cargo_package(crate), None)
    assert metadata.description == "hello readme\n"
    assert headers(metadata, "Description-Content-Type") == [content_type]
    assert str(crate / filename) in metadata.input_files


def test_cargo_readme_guess_order(crate: Path) -> None:
    (crate / "README").write_text("plain")
    (crate / "README.rst").write_text("rst")
    (crate / "README.md").write_text("md")
    assert resolve_metadata(None, cargo_package(crate), None).description == "md"


def test_cargo_readme_explicit_false_and_missing(crate: Path) -> None:
    (crate / "docs").mkdir()
    (crate / "docs" / "intro.markdown").write_text("# Intro")
    (crate / "README.md").write_text("ignored")
    metadata = resolve_metadata(None, cargo_package(crate, readme="docs/intro.markdown"), None)
    assert metadata.description == "# Intro"
    assert headers(metadata, "Description-Content-Type") == [MARKDOWN]

    for disabled in (False, "false"):
        metadata = resolve_metadata(None, cargo_package(crate, readme=disabled), None)
        assert metadata.description is None
        assert headers(metadata, "Description-Content-Type") == []

    with pytest.raises(ConfigError, match=r"Cargo.toml: \[package\] 'readme' file .*NOPE.md"):
        resolve_metadata(None, cargo_package(crate, readme="NOPE.md"), None)


def test_pyproject_readme_forms(crate: Path) -> None:
    (crate / "README.rst").write_text("Title\n=====\n")
    (crate / "README.md").write_text("# Cargo readme")
    package = cargo_package(crate)

    metadata = resolve_metadata({"name": "p", "readme": "README.rst"}, package, crate)
    assert metadata.description == "Title\n=====\n"
    assert headers(metadata, "Description-Content-Type") == [RST]

    project = {"name": "p", "readme": {"file": "README.rst", "content-type": "text/plain"}}
    metadata = resolve_metadata(project, package, crate)
    assert headers(metadata, "Description-Content-Type") == ["text/plain"]

    project = {"name": "p", "readme": {"text": "inline", "content-type": "text/markdown"}}
    metadata = resolve_metadata(project, package, crate)
    assert metadata.description == "inline"
    assert headers(metadata, "Description-Content-Type") == ["text/markdown"]
    assert metadata.input_files == ()

    # Static [project] without readme: Cargo's readme is not used.
    assert resolve_metadata({"name": "p"}, package, crate).description is None
    # Listed in dynamic: Cargo's readme is used.
    metadata = resolve_metadata({"name": "p", "dynamic": ["readme"]}, package, crate)
    assert metadata.description == "# Cargo readme"


def test_pyproject_readme_errors(crate: Path) -> None:
    package = cargo_package(crate)
    with pytest.raises(ConfigError, match=r"^pyproject.toml: \[project\] 'readme' file .*MISSING"):
        resolve_metadata({"name": "p", "readme": "MISSING.md"}, package, crate)
    (crate / "README.md").write_text("x")
    both = {"file": "README.md", "text": "x"}
    with pytest.raises(ConfigError, match="both 'file' and 'text'"):
        resolve_metadata({"name": "p", "readme": both}, package, crate)
    with pytest.raises(ConfigError, match="is absolute"):
        resolve_metadata({"name": "p", "readme": str(crate / "README.md")}, package, crate)


def test_pyproject_readme_parent_dir_within_root(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text("")
    (tmp_path / "README.md").write_text("top")
    python_dir = tmp_path / "python"
    python_dir.mkdir()
    package = cargo_package(tmp_path)
    metadata = resolve_metadata({"name": "p", "readme": "../README.md"}, package, python_dir)
    assert metadata.description == "top"
    with pytest.raises(ConfigError, match="outside"):
        resolve_metadata({"name": "p", "readme": "../../README.md"}, package, python_dir)


# --- dynamic / static -------------------------------------------------------------------------


def test_everything_from_cargo_without_project(crate: Path) -> None:
    metadata = resolve_metadata(None, cargo_package(crate), None)
    assert metadata.name == "my-crate"
    assert metadata.fields[:3] == (
        ("Metadata-Version", "2.4"),
        ("Name", "my-crate"),
        ("Version", "0.1.0"),
    )
    assert headers(metadata, "Summary") == ["A test crate"]
    assert headers(metadata, "Author") == ["Jane Doe <jane@example.org>, Bob"]
    assert headers(metadata, "Author-email") == ["Jane Doe <jane@example.org>, Bob"]
    assert headers(metadata, "Keywords") == ["ffi,python"]
    assert headers(metadata, "Home-Page") == ["https://example.org"]
    assert headers(metadata, "License") == ["MIT OR Apache-2.0"]
    assert headers(metadata, "License-Expression") == []
    assert headers(metadata, "Project-URL") == [
        "Homepage, https://example.org",
        "Documentation, https://docs.rs/my-crate",
        "Source Code, https://github.com/x/my-crate",
    ]
    assert metadata.entry_points == ()
    assert metadata.requires_python is None


def test_cargo_author_without_at_has_no_email(crate: Path) -> None:
    metadata = resolve_metadata(None, cargo_package(crate, authors=["Bob"]), None)
    assert headers(metadata, "Author") == ["Bob"]
    assert headers(metadata, "Author-email") == []


def test_static_project_clears_cargo_fields(crate: Path) -> None:
    metadata = resolve_metadata({"name": "py-name"}, cargo_package(crate), crate)
    assert metadata.name == "py-name"
    for header in ("Summary", "Author", "Author-email", "Keywords", "License", "Project-URL"):
        assert headers(metadata, header) == [], header
    # Home-Page is not cleared (maturin keeps Cargo's homepage).
    assert headers(metadata, "Home-Page") == ["https://example.org"]


def test_dynamic_fields_come_from_cargo(crate: Path) -> None:
    dynamic = ["description", "authors", "keywords", "urls", "license"]
    metadata = resolve_metadata({"name": "p", "dynamic": dynamic}, cargo_package(crate), crate)
    assert headers(metadata, "Summary") == ["A test crate"]
    assert headers(metadata, "Author") == ["Jane Doe <jane@example.org>, Bob"]
    assert headers(metadata, "Keywords") == ["ffi,python"]
    assert len(headers(metadata, "Project-URL")) == 3
    assert headers(metadata, "License") == ["MIT OR Apache-2.0"]


def test_static_values_win(crate: Path) -> None:
    project = {
        "name": "p",
        "description": "From pyproject",
        "keywords": ["a", "b", "c"],
        "urls": {"Changelog": "https://c", "Bug Tracker": "https://b"},
        "classifiers": ["Programming Language :: Rust", "Typing :: Typed"],
        "requires-python": ">=3.9",
    }
    metadata = resolve_metadata(project, cargo_package(crate), crate)
    assert headers(metadata, "Summary") == ["From pyproject"]
    assert headers(metadata, "Keywords") == ["a,b,c"]
    # by label, as maturin writes them
    assert headers(metadata, "Project-URL") == ["Bug Tracker, https://b", "Changelog, https://c"]
    assert headers(metadata, "Classifier") == ["Programming Language :: Rust", "Typing :: Typed"]
    assert headers(metadata, "Requires-Python") == [">=3.9"]
    assert metadata.requires_python == ">=3.9"


def test_static_and_dynamic_with_another_cargo_value_is_an_error(crate: Path) -> None:
    project = {"name": "p", "version": "1.0", "dynamic": ["version"]}
    with pytest.raises(ConfigError) as info:
        resolve_metadata(project, cargo_package(crate), crate)
    assert str(info.value) == (
        "pyproject.toml: [project] 'version' = '1.0' is set and also listed in 'dynamic', and "
        "Cargo.toml gives '0.1.0': which one applies is ambiguous; remove 'version' from "
        "'dynamic' to use the [project] value, or remove the [project] key to use Cargo.toml's"
    )


def test_license_file_and_dynamic_license_as_maturin(crate: Path) -> None:
    """maturin's pyo3-pure: license = { file } and dynamic = ["license"]: Cargo's license text
    and the file, with a warning naming the rule and the fix."""
    (crate / "LICENSE").write_text("MIT License\n")
    project = {"name": "p", "version": "1.0", "license": {"file": "LICENSE"},
               "dynamic": ["license"]}
    warnings: list[str] = []
    metadata = resolve_metadata(project, cargo_package(crate, license="MIT"), crate,
                                warn=warnings.append)
    assert headers(metadata, "License") == ["MIT"]
    assert headers(metadata, "License-File") == ["LICENSE"]
    assert len(warnings) == 1 and "'license' is set and also listed in 'dynamic'" in warnings[0]
    assert "spec forbids" in warnings[0] and "remove 'license' from 'dynamic'" in warnings[0]


@pytest.mark.parametrize("license", ["Apache-2.0", {"text": "Apache License"}])
def test_other_license_and_dynamic_license_is_ambiguous(crate: Path, license: object) -> None:
    project = {"name": "p", "version": "1.0", "license": license, "dynamic": ["license"]}
    with pytest.raises(ConfigError, match="Cargo.toml gives 'MIT': which one applies is ambig"):
        resolve_metadata(project, cargo_package(crate, license="MIT"), crate)


def test_license_table_with_license_files_warns(crate: Path) -> None:
    (crate / "LICENSE").write_text("MIT License\n")
    (crate / "NOTICE").write_text("notice\n")
    project = {"name": "p", "version": "1.0", "license": {"file": "NOTICE"},
               "license-files": ["LICENSE"]}
    warnings: list[str] = []
    metadata = resolve_metadata(project, cargo_package(crate), crate, warn=warnings.append)
    assert headers(metadata, "License-File") == ["LICENSE", "NOTICE"]
    assert len(warnings) == 1 and "PEP 639 forbids" in warnings[0], warnings


def test_license_text_same_as_cargo_and_dynamic_is_one_license(crate: Path) -> None:
    project = {"name": "p", "version": "1.0", "license": {"text": "MIT"}, "dynamic": ["license"]}
    warnings: list[str] = []
    metadata = resolve_metadata(project, cargo_package(crate, license="MIT"), crate,
                                warn=warnings.append)
    assert headers(metadata, "License") == ["MIT"] and len(warnings) == 1


def test_static_and_dynamic_without_cargo_value_warns(crate: Path) -> None:
    project = {"name": "p", "version": "1.0", "classifiers": ["Typing :: Typed"],
               "dynamic": ["classifiers"]}
    warnings: list[str] = []
    metadata = resolve_metadata(project, cargo_package(crate), crate, warn=warnings.append)
    assert headers(metadata, "Classifier") == ["Typing :: Typed"]
    assert len(warnings) == 1 and "'classifiers' is set and also listed" in warnings[0]


@pytest.mark.parametrize(("key", "value", "needles"), [
    ("requires-python", ">=3.9,,", ["'requires-python'", "not a valid version specifier"]),
    ("scripts", {"x": "pkg:"}, ["'scripts.x'", "not a valid object reference", "module:object"]),
    ("entry-points", {"g": {"x": ""}}, ["'entry-points.g.x'", "object reference"]),
    ("dependencies", ["foo >= "], ["'dependencies' entry 'foo >= '", "PEP 508", "Expected"]),
    ("keywords", "a,b", ["'keywords'", "must be a list of strings"]),
    ("licence", "MIT", ["unknown key 'licence'", "spelling"]),
    ("dynamic", ["colour"], ["'dynamic[0]'", "use one of"]),
    ("authors", [{"name": "x", "email": "nope"}], ["'authors[0].email'", "email address"]),
    ("license", "MIT OR", ["'license'", "SPDX"]),
    ("urls", {"a": 3}, ["'urls'", "must be a table of strings"]),
    ("gui-scripts", {"x": "a b:c"}, ["'gui-scripts.x'", "object reference"]),
    ("version", "1.0-foo-bar", ["'version'", "PEP 440"]),
    ("readme", {"file": "R.md", "text": "x"}, ["'readme'", "keep only one"]),
    ("optional-dependencies", {"t": "pytest"}, ["'t'", "list of strings"]),
])
def test_project_schema_errors(crate: Path, key: str, value: object,
                               needles: list[str]) -> None:
    project = {"name": "p", "version": "1.0", key: value}
    with pytest.raises(ConfigError) as info:
        resolve_metadata(project, cargo_package(crate), crate)
    message = str(info.value)
    assert message.startswith("pyproject.toml: [project]") and "\n" not in message
    for needle in needles:
        assert needle in message, message


def test_missing_name_and_dynamic_name(crate: Path) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_metadata({"version": "1.0"}, cargo_package(crate), crate)
    assert str(info.value) == "pyproject.toml: [project] has no 'name'; add name = \"...\""
    with pytest.raises(ConfigError, match="'dynamic' lists 'name'"):
        resolve_metadata({"name": "p", "dynamic": ["name"]}, cargo_package(crate), crate)


def test_error_uses_given_pyproject_path(crate: Path) -> None:
    with pytest.raises(ConfigError, match=r"^sub/pyproject.toml: \[project\] has no 'name'"):
        resolve_metadata({}, cargo_package(crate), crate, "sub/pyproject.toml")


def test_invalid_metadata_becomes_config_error(crate: Path) -> None:
    project = {"name": "p", "description": "two\nlines"}
    with pytest.raises(ConfigError, match=r"\[project\] 'description' must be a single line"):
        resolve_metadata(project, cargo_package(crate), crate)
    with pytest.raises(ConfigError, match=r"\[project\] 'name' = 'not a name!' is not a valid"):
        resolve_metadata({"name": "not a name!"}, cargo_package(crate), crate)


# --- authors ----------------------------------------------------------------------------------


def test_authors_and_maintainers_formatting(crate: Path) -> None:
    project = {
        "name": "p",
        "authors": [
            {"name": "Jane Doe", "email": "jane@example.org"},
            {"name": "Doe, John", "email": "john@example.org"},
            {"name": 'Al "Bo" C.', "email": "al@example.org"},
            {"name": "Only Name"},
            {"email": "only@example.org"},
        ],
        "maintainers": [{"name": "Main Tainer", "email": "m@example.org"}, {"name": "Solo"}],
    }
    metadata = resolve_metadata(project, cargo_package(crate), crate)
    assert headers(metadata, "Author") == ["Only Name"]
    assert headers(metadata, "Author-email") == [
        (
            'Jane Doe <jane@example.org>, "Doe, John" <john@example.org>, '
            '"Al \\"Bo\\" C." <al@example.org>, only@example.org'
        )
    ]
    assert headers(metadata, "Maintainer") == ["Solo"]
    assert headers(metadata, "Maintainer-email") == ["Main Tainer <m@example.org>"]


# --- dependencies -----------------------------------------------------------------------------


def test_dependencies_and_extras(crate: Path) -> None:
    project = {
        "name": "p",
        "dependencies": ["numpy >= 1.20", "tomli; python_version < '3.11'"],
        "optional-dependencies": {
            "test": [
                "pytest",
                "boltons; sys_platform == 'win32'",
                "colorama; sys_platform == 'win32' or os_name == 'nt'",
            ],
            "docs": ["sphinx[a,b] @ https://example.org/sphinx.whl ; os_name == 'posix'"],
        },
    }
    metadata = resolve_metadata(project, cargo_package(crate), crate)
    assert headers(metadata, "Requires-Dist") == [
        "numpy>=1.20",
        "tomli; python_version < '3.11'",
        # the extras by name, as maturin writes them
        "sphinx[a,b] @ https://example.org/sphinx.whl ; os_name == 'posix' and extra == 'docs'",
        "pytest; extra == 'test'",
        "boltons; sys_platform == 'win32' and extra == 'test'",
        "colorama; (sys_platform == 'win32' or os_name == 'nt') and extra == 'test'",
    ]
    assert headers(metadata, "Provides-Extra") == ["docs", "test"]
    parsed = Metadata.from_email(metadata.metadata_text())
    assert parsed.requires_dist is not None
    by_name = {str(req.name): req for req in parsed.requires_dist}
    assert by_name["boltons"].marker is not None
    assert by_name["boltons"].marker.evaluate({"sys_platform": "win32", "extra": "test"})
    assert not by_name["boltons"].marker.evaluate({"sys_platform": "win32", "extra": ""})
    assert by_name["colorama"].marker is not None
    assert not by_name["colorama"].marker.evaluate(
        {"sys_platform": "win32", "os_name": "nt", "extra": "other"}
    )


def test_invalid_dependency(crate: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[project\] 'dependencies' entry 'numpy >>= 1'"):
        resolve_metadata(
            {"name": "p", "dependencies": ["numpy >>= 1"]}, cargo_package(crate), crate
        )


# --- licenses ---------------------------------------------------------------------------------


def test_license_expression(crate: Path) -> None:
    metadata = resolve_metadata(
        {"name": "p", "license": "mit or apache-2.0"}, cargo_package(crate), crate
    )
    assert headers(metadata, "License-Expression") == ["MIT OR Apache-2.0"]
    assert headers(metadata, "License") == []
    with pytest.raises(ConfigError, match=r"\[project\] 'license' 'Nope-1' is not a valid SPDX"):
        resolve_metadata({"name": "p", "license": "Nope-1"}, cargo_package(crate), crate)


def test_license_text_and_file_tables(crate: Path) -> None:
    metadata = resolve_metadata(
        {"name": "p", "license": {"text": "Custom"}}, cargo_package(crate), crate
    )
    assert headers(metadata, "License") == ["Custom"]
    (crate / "legal").mkdir()
    (crate / "legal" / "TERMS.txt").write_text("terms")
    project = {"name": "p", "license": {"file": "legal/TERMS.txt"}}
    metadata = resolve_metadata(project, cargo_package(crate), crate)
    assert headers(metadata, "License-File") == ["legal/TERMS.txt"]
    assert [f.source for f in metadata.license_files] == [str(crate / "legal" / "TERMS.txt")]
    with pytest.raises(ConfigError, match="exactly one of 'file' or 'text'"):
        resolve_metadata({"name": "p", "license": {}}, cargo_package(crate), crate)


def test_fold_license_text() -> None:
    assert fold_license_text("MIT") == "MIT"
    long_text = " ".join(["word"] * 30)
    folded = fold_license_text(long_text + "\n\nSecond")
    lines = folded.split("\r\n")
    assert all(len(line.lstrip("\t")) <= 78 for line in lines)
    assert all(line.startswith("\t") for line in lines[1:])
    assert lines[-2:] == ["\t", "\tSecond"]


def test_default_license_globs(crate: Path) -> None:
    for name in ("LICENSE", "LICENCE-MIT", "LICENSE-APACHE", "COPYING", "NOTICE.txt", "AUTHORS"):
        (crate / name).write_text(name)
    (crate / "license.txt").write_text("lowercase: not matched")
    (crate / "LICENSES").mkdir()  # a directory: skipped
    metadata = resolve_metadata({"name": "p"}, cargo_package(crate), crate)
    expected = ["AUTHORS", "COPYING", "LICENCE-MIT", "LICENSE", "LICENSE-APACHE", "NOTICE.txt"]
    assert headers(metadata, "License-File") == expected
    assert [f.archive_path for f in metadata.license_files] == expected
    assert [f.source for f in metadata.license_files] == [str(crate / n) for n in expected]
    assert set(metadata.input_files) == {str(crate / n) for n in expected}


def test_default_license_globs_use_pyproject_dir_else_manifest_dir(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text("")
    (tmp_path / "LICENSE-CRATE").write_text("crate")
    python_dir = tmp_path / "python"
    python_dir.mkdir()
    (python_dir / "LICENSE-PY").write_text("py")
    package = cargo_package(tmp_path)
    assert headers(resolve_metadata(None, package, None), "License-File") == ["LICENSE-CRATE"]
    with_pyproject = resolve_metadata({"name": "p"}, package, python_dir)
    assert headers(with_pyproject, "License-File") == ["LICENSE-PY"]


def test_license_files_globs(crate: Path) -> None:
    (crate / "LICENSE").write_text("x")
    (crate / "licenses").mkdir()
    (crate / "licenses" / "b.txt").write_text("b")
    (crate / "licenses" / "a.txt").write_text("a")
    project = {"name": "p", "license-files": ["licenses/*.txt"]}
    metadata = resolve_metadata(project, cargo_package(crate), crate)
    assert headers(metadata, "License-File") == ["licenses/a.txt", "licenses/b.txt"]
    assert (
        resolve_metadata(
            {"name": "p", "license-files": []}, cargo_package(crate), crate
        ).license_files
        == ()
    )


@pytest.mark.parametrize("glob", ["/abs/LICENSE", "../LICENSE", "a/../LICENSE", "LIC\\ENSE", "[a"])
def test_license_files_invalid_globs(crate: Path, glob: str) -> None:
    with pytest.raises(
        ConfigError, match=r"\[project\] 'license-files' pattern .* not a valid PEP 639"
    ):
        resolve_metadata({"name": "p", "license-files": [glob]}, cargo_package(crate), crate)


def test_cargo_license_file(crate: Path) -> None:
    (crate / "MY-TERMS").write_text("terms")
    metadata = resolve_metadata(None, cargo_package(crate, license_file="MY-TERMS"), None)
    assert headers(metadata, "License-File") == ["MY-TERMS"]
    with pytest.raises(ConfigError, match=r"Cargo.toml: \[package\] 'license-file' file"):
        resolve_metadata(None, cargo_package(crate, license_file="MISSING"), None)


# --- entry points -----------------------------------------------------------------------------


def test_entry_points(crate: Path) -> None:
    project = {
        "name": "p",
        "scripts": {"run": "pkg.cli:main", "other": "pkg:other"},
        "gui-scripts": {"gui": "pkg.gui:main"},
        "entry-points": {"pytest11": {"plug": "pkg.plugin"}, "empty": {}, "a.group": {"x": "m"}},
    }
    metadata = resolve_metadata(project, cargo_package(crate), crate)
    assert metadata.entry_points_text() == (  # groups and entries by name, as maturin writes
        "[console_scripts]\nother=pkg:other\nrun=pkg.cli:main\n"
        "[gui_scripts]\ngui=pkg.gui:main\n"
        "[a.group]\nx=m\n"
        "[pytest11]\nplug=pkg.plugin\n"
    )
    assert resolve_metadata({"name": "p"}, cargo_package(crate), crate).entry_points_text() is None


def test_console_scripts_in_entry_points_is_an_error(crate: Path) -> None:
    project = {"name": "p", "entry-points": {"console_scripts": {"a": "b:c"}}}
    with pytest.raises(
        ConfigError, match=r"must not contain 'console_scripts'; use \[project.scripts\]"
    ):
        resolve_metadata(project, cargo_package(crate), crate)


# --- the METADATA file ------------------------------------------------------------------------


def full_project(crate: Path) -> dict[str, Any]:
    (crate / "README.md").write_text("# Title\n\nBody text.\n")
    (crate / "LICENSE").write_text("MIT")
    return {
        "name": "My_Package",
        "version": "1.2.3",
        "description": "Short summary",
        "readme": "README.md",
        "requires-python": ">=3.9",
        "license": "MIT",
        "authors": [{"name": "Jane Doe", "email": "jane@example.org"}, {"name": "Solo"}],
        "maintainers": [{"email": "m@example.org"}],
        "keywords": ["rust", "ffi"],
        "classifiers": ["Programming Language :: Rust"],
        "urls": {"Source": "https://example.org/src"},
        "dependencies": ["numpy>=1.20"],
        "optional-dependencies": {"test": ["pytest; os_name == 'posix'"]},
        "scripts": {"cli": "pkg:main"},
    }


def test_metadata_text_round_trips_through_packaging(crate: Path) -> None:
    metadata = resolve_metadata(full_project(crate), cargo_package(crate), crate)
    text = metadata.metadata_text()
    assert text.startswith("Metadata-Version: 2.4\nName: My_Package\nVersion: 1.2.3\n")
    assert text.endswith("\n\n# Title\n\nBody text.\n\n")
    parsed = Metadata.from_email(text, validate=True)
    assert parsed.metadata_version == "2.4"
    assert parsed.name == "My_Package"
    assert str(parsed.version) == "1.2.3"
    assert parsed.summary == "Short summary"
    assert parsed.description == "# Title\n\nBody text.\n\n"
    assert parsed.description_content_type == MARKDOWN
    assert str(parsed.requires_python) == ">=3.9"
    assert parsed.license_expression == "MIT"
    assert parsed.license_files == ["LICENSE"]
    assert parsed.author == "Solo"
    assert parsed.author_email == "Jane Doe <jane@example.org>"
    assert parsed.maintainer_email == "m@example.org"
    assert parsed.keywords == ["rust", "ffi"]
    assert parsed.classifiers == ["Programming Language :: Rust"]
    assert parsed.project_urls == {"Source": "https://example.org/src"}
    assert parsed.home_page == "https://example.org"
    assert [str(r) for r in parsed.requires_dist or []] == [
        "numpy>=1.20",
        'pytest; os_name == "posix" and extra == "test"',
    ]
    assert parsed.provides_extra == ["test"]


def test_field_order_matches_maturin(crate: Path) -> None:
    metadata = resolve_metadata(full_project(crate), cargo_package(crate), crate)
    order = list(dict.fromkeys(name for name, _ in metadata.fields))
    assert order == [
        "Metadata-Version", "Name", "Version", "Classifier", "Requires-Dist", "Provides-Extra",
        "License-File", "Summary", "Keywords", "Home-Page", "Author", "Author-email",
        "Maintainer-email", "License-Expression", "Requires-Python", "Description-Content-Type",
        "Project-URL",
    ]  # fmt: skip


def test_folded_license_round_trips(crate: Path) -> None:
    text = "Permission is hereby granted, free of charge, to any person obtaining a copy " * 3
    metadata = resolve_metadata(
        {"name": "p", "license": {"text": text}}, cargo_package(crate), crate
    )
    parsed = Metadata.from_email(metadata.metadata_text())
    assert parsed.license is not None
    assert " ".join(parsed.license.split()) == " ".join(text.split())


def test_json_round_trip(crate: Path) -> None:
    metadata = resolve_metadata(full_project(crate), cargo_package(crate), crate)
    data = json.loads(json.dumps(metadata.to_json()))
    again = ProjectMetadata.from_json(data)
    assert again == metadata
    assert again.metadata_text() == metadata.metadata_text()
    assert again.entry_points_text() == "[console_scripts]\ncli=pkg:main\n"
