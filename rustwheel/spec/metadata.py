"""Core metadata (METADATA / PKG-INFO, entry_points.txt) from Cargo.toml and PEP 621 ``[project]``.

maturin's rules: without a ``[project]`` table everything comes from the Cargo package; with
one, pyproject wins and Cargo's description, readme, authors, keywords, urls and license are used
only for keys listed in ``project.dynamic``. The version comes from Cargo when ``[project]`` has
none; Cargo's ``homepage`` (Home-Page) and ``license-file`` (License-File) are always used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression
from packaging.metadata import ExceptionGroup, InvalidMetadata, Metadata
from packaging.utils import InvalidName, canonicalize_name

from rustwheel.errors import ConfigError
from rustwheel.spec.cargo_fields import CargoFields
from rustwheel.spec.dependencies import format_requirement
from rustwheel.spec.licenses import (
    DEFAULT_LICENSE_GLOBS,
    LicenseFile,
    check_license_glob,
    fold_license_text,
    glob_license_files,
    license_file_entry,
    merge_license_files,
)
from rustwheel.spec.metadata_files import is_within, normalised_abspath, referenced_file
from rustwheel.spec.people import format_people
from rustwheel.spec.project_table import ProjectTable, checked_str_table
from rustwheel.spec.readme import Readme, cargo_readme, pyproject_readme
from rustwheel.spec.version import cargo_version_to_pep440, pep440_version

__all__ = ["LicenseFile", "ProjectMetadata", "cargo_version_to_pep440", "resolve_metadata"]

METADATA_VERSION = "2.4"

# maturin's header order; the description follows as the message body.
FIELD_ORDER = (
    "Metadata-Version", "Name", "Version", "Platform", "Supported-Platform", "Classifier",
    "Requires-Dist", "Provides-Dist", "Obsoletes-Dist", "Requires-External", "Provides-Extra",
    "License-File", "Summary", "Keywords", "Home-Page", "Download-URL", "Author", "Author-email",
    "Maintainer", "Maintainer-email", "License-Expression", "License", "Requires-Python",
    "Description-Content-Type", "Project-URL",
)  # fmt: skip

EntryPoints = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


@dataclass(frozen=True)
class ProjectMetadata:
    """Resolved core metadata of one distribution."""

    name: str
    """The distribution name as written (``[project] name``, else the Cargo package name)."""
    version: str
    """The normalised PEP 440 version."""
    fields: tuple[tuple[str, str], ...]
    """METADATA header fields in maturin's order, Metadata-Version/Name/Version first."""
    description: str | None
    """The long description (readme text), written as the METADATA body."""
    license_files: tuple[LicenseFile, ...]
    """Files for ``.dist-info/licenses/``, sorted by archive path."""
    entry_points: EntryPoints
    """``console_scripts``, then ``gui_scripts``, then other groups in pyproject order."""
    input_files: tuple[str, ...]
    """Absolute paths of every file read (readme, license files), for task ``file_dep``."""
    requires_python: str | None
    """``[project] requires-python``, which also limits the interpreters built for."""

    def metadata_text(self) -> str:
        """The exact METADATA (wheel) / PKG-INFO (sdist) file content."""
        text = "".join(f"{key}: {value}\n" for key, value in self.fields)
        if self.description is not None:
            text += f"\n{self.description}\n"
        return text

    def entry_points_text(self) -> str | None:
        """The ``entry_points.txt`` content, or None when there are no entry points."""
        if not self.entry_points:
            return None
        return "".join(
            f"[{group}]\n" + "".join(f"{name}={value}\n" for name, value in entries)
            for group, entries in self.entry_points
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable form (plain dicts, lists and strings); see `from_json`."""
        return {
            "name": self.name,
            "version": self.version,
            "fields": [list(field) for field in self.fields],
            "description": self.description,
            "license_files": [
                {"source": f.source, "archive_path": f.archive_path} for f in self.license_files
            ],
            "entry_points": [
                [group, [list(entry) for entry in entries]] for group, entries in self.entry_points
            ],
            "input_files": list(self.input_files),
            "requires_python": self.requires_python,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProjectMetadata:
        """Rebuild the value `to_json` produced."""
        return cls(
            name=data["name"],
            version=data["version"],
            fields=tuple((key, value) for key, value in data["fields"]),
            description=data["description"],
            license_files=tuple(
                LicenseFile(f["source"], f["archive_path"]) for f in data["license_files"]
            ),
            entry_points=tuple(
                (group, tuple((name, value) for name, value in entries))
                for group, entries in data["entry_points"]
            ),
            input_files=tuple(data["input_files"]),
            requires_python=data["requires_python"],
        )


class _Fields:
    """Header fields being collected, each remembering which key it came from (for errors)."""

    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}
        self.origins: dict[str, str] = {}

    def add(self, header: str, value: str | None, origin: str) -> None:
        if value is None:
            return
        self.values.setdefault(header, []).append(value)
        self.origins.setdefault(header, origin)

    def ordered(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (header, value) for header in FIELD_ORDER for value in self.values.get(header, [])
        )


def resolve_metadata(
    project: Mapping[str, Any] | None,
    cargo_package: Mapping[str, Any],
    pyproject_dir: Path | None,
    pyproject_path_for_errors: str = "pyproject.toml",
    *,
    workspace_root: Path | None = None,
    warn: Callable[[str], None] | None = None,
) -> ProjectMetadata:
    """Resolve the metadata of the crate *cargo_package* merged with the ``[project]`` table.

    *cargo_package* is the root package object of ``cargo metadata --format-version 1``.
    Paths in ``[project]`` are relative to *pyproject_dir*; ``..`` may leave it but not
    *workspace_root* (default: the deepest directory holding both pyproject and Cargo.toml).
    Reads the readme and license files; raises `ConfigError` on any invalid input; *warn*
    is told what is accepted against the spec the way maturin accepts it.
    """
    manifest_dir = Path(normalised_abspath(Path(str(cargo_package["manifest_path"])).parent))
    base_dir = Path(normalised_abspath(pyproject_dir)) if pyproject_dir else manifest_dir
    allowed_root = _allowed_root(base_dir, manifest_dir, workspace_root)
    cargo = CargoFields(cargo_package, manifest_dir)
    table = None
    if project is not None:
        table = ProjectTable(project, pyproject_path_for_errors, cargo.dynamic_values(),
                             warn or (lambda _: None))

    fields = _Fields()
    name, version = _add_name_and_version(table, cargo_package, fields)
    readme = _readme(table, cargo_package, manifest_dir, base_dir, allowed_root)
    if readme is not None:
        fields.add("Description-Content-Type", readme.content_type, "the readme")
    _add_cargo_fields(table, cargo, fields)

    license_files = [cargo.license_file(base_dir, allowed_root)]
    if table is not None:
        license_files.append(_add_license(table, fields, base_dir, allowed_root))
        _add_project_fields(table, fields)
    license_files.extend(_matched_license_files(table, base_dir))
    licenses = merge_license_files(entry for entry in license_files if entry is not None)
    for entry in licenses:
        fields.add("License-File", entry.archive_path, "license files")

    metadata = ProjectMetadata(
        name=name,
        version=version,
        fields=fields.ordered(),
        description=readme.text if readme is not None else None,
        license_files=licenses,
        entry_points=_entry_points(table) if table is not None else (),
        input_files=_input_files(readme, licenses),
        requires_python=table.optional_string("requires-python") if table else None,
    )
    if table is not None:
        table.check_schema()
    _validate(metadata, fields.origins)
    return metadata


def _add_name_and_version(
    table: ProjectTable | None, cargo_package: Mapping[str, Any], fields: _Fields
) -> tuple[str, str]:
    """Metadata-Version, Name and Version: ``[project]``'s name, its version or Cargo's."""
    if table is not None and table.has("version"):
        version = pep440_version(table.string("version"), table.where("version"))
    else:
        version = cargo_version_to_pep440(str(cargo_package["version"]))
    name = table.string("name") if table is not None else str(cargo_package["name"])
    origin = table.where("name") if table is not None else "Cargo.toml: [package] 'name'"
    fields.add("Metadata-Version", METADATA_VERSION, origin)
    fields.add("Name", name, origin)
    fields.add("Version", version, "the version")
    return name, version


def _readme(
    table: ProjectTable | None,
    cargo_package: Mapping[str, Any],
    manifest_dir: Path,
    base_dir: Path,
    allowed_root: Path,
) -> Readme | None:
    """Cargo's readme without ``[project]`` or when it is dynamic, else ``[project] readme``."""
    if table is None or table.from_cargo("readme"):
        return cargo_readme(cargo_package.get("readme"), manifest_dir)
    if table.has("readme"):
        return pyproject_readme(table.table["readme"], base_dir, allowed_root, table.pyproject)
    return None


def _add_cargo_fields(table: ProjectTable | None, cargo: CargoFields, fields: _Fields) -> None:
    """The Cargo keys used without ``[project]`` or when ``project.dynamic`` lists them, and
    Cargo's homepage, which is always used."""

    def from_cargo(key: str) -> bool:
        return table is None or table.from_cargo(key)

    if from_cargo("description"):
        fields.add("Summary", cargo.summary(), cargo.where("description"))
    if from_cargo("authors"):
        authors = cargo.authors()
        fields.add("Author", authors, cargo.where("authors"))
        if authors is not None and "@" in authors:
            fields.add("Author-email", authors, cargo.where("authors"))
    if from_cargo("keywords"):
        fields.add("Keywords", cargo.keywords(), cargo.where("keywords"))
    if from_cargo("urls"):
        for label, url in cargo.project_urls():
            fields.add("Project-URL", f"{label}, {url}", cargo.where("homepage/repository"))
    if from_cargo("license"):
        license_text = cargo.optional_string("license")
        if license_text is not None:
            fields.add("License", fold_license_text(license_text), cargo.where("license"))
    fields.add("Home-Page", cargo.optional_string("homepage"), cargo.where("homepage"))


def _matched_license_files(table: ProjectTable | None, base_dir: Path) -> list[LicenseFile]:
    """The files ``[project] license-files`` matches (each glob checked first), else the files
    the default globs match."""
    globs: Sequence[str] = DEFAULT_LICENSE_GLOBS
    if table is not None and table.has("license-files"):
        globs = table.str_list("license-files")
        for glob in globs:
            check_license_glob(glob, table.where("license-files"))
    return [license_file_entry(path, base_dir) for path in glob_license_files(base_dir, globs)]


def _allowed_root(base_dir: Path, manifest_dir: Path, workspace_root: Path | None) -> Path:
    """The directory that ``..`` in metadata paths may not leave."""
    if workspace_root is None:
        return Path(os.path.commonpath([str(base_dir), str(manifest_dir)]))
    root = Path(normalised_abspath(workspace_root))
    return root if is_within(base_dir, root) else base_dir


def _add_license(
    table: ProjectTable, fields: _Fields, base_dir: Path, allowed_root: Path
) -> LicenseFile | None:
    """``[project] license``: an SPDX expression, or the older ``{file=...}`` / ``{text=...}``."""
    if not table.has("license"):
        return None
    value = table.table["license"]
    where = table.where("license")
    if isinstance(value, str):
        try:
            expression = canonicalize_license_expression(value)
        except InvalidLicenseExpression as exc:
            raise ConfigError(
                f"{where} {value!r} is not a valid SPDX license expression ({exc}); write it "
                "like 'MIT OR Apache-2.0'"
            ) from None
        fields.add("License-Expression", expression, where)
        return None
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be an SPDX expression string; got {value!r}")
    file, text = value.get("file"), value.get("text")
    if (file is None) == (text is None):
        raise ConfigError(
            f"{where} table needs exactly one of 'file' or 'text'; better, use an SPDX string "
            'like license = "MIT" and license-files'
        )
    if isinstance(text, str):
        fields.add("License", fold_license_text(text), where)
        return None
    if not isinstance(file, str):
        raise ConfigError(f"{where} 'file' must be a path string; got {file!r}")
    return license_file_entry(referenced_file(base_dir, file, allowed_root, where), base_dir)


def _add_project_fields(table: ProjectTable, fields: _Fields) -> None:
    """The ``[project]`` keys that map straight onto header fields."""
    fields.add("Summary", table.optional_string("description"), table.where("description"))
    for key, name_header, email_header in (
        ("authors", "Author", "Author-email"),
        ("maintainers", "Maintainer", "Maintainer-email"),
    ):
        names, emails = format_people(table.table_list(key), table.where(key))
        fields.add(name_header, names, table.where(key))
        fields.add(email_header, emails, table.where(key))
    keywords = table.str_list("keywords")
    fields.add("Keywords", ",".join(keywords) if keywords else None, table.where("keywords"))
    for classifier in table.str_list("classifiers"):
        fields.add("Classifier", classifier, table.where("classifiers"))
    for label, url in sorted(table.str_table("urls").items()):  # by label, as maturin
        fields.add("Project-URL", f"{label}, {url}", table.where("urls"))
    where = table.where("requires-python")
    fields.add("Requires-Python", table.optional_string("requires-python"), where)
    for requirement in table.str_list("dependencies"):
        where = table.where("dependencies")
        fields.add("Requires-Dist", format_requirement(requirement, where), where)
    # by extra name, as maturin writes them (it reads TOML tables as sorted maps)
    for extra, requirements in sorted(table.list_table("optional-dependencies").items()):
        where = f"{table.pyproject}: [project.optional-dependencies] {extra!r}"
        try:
            canonicalize_name(extra, validate=True)
        except InvalidName:
            raise ConfigError(
                f"{where} is not a valid extra name; use letters, digits, '-', '_' and '.'"
            ) from None
        fields.add("Provides-Extra", extra, where)
        for requirement in requirements:
            fields.add("Requires-Dist", format_requirement(requirement, where, extra), where)


def _entry_points(table: ProjectTable) -> EntryPoints:
    """``scripts`` and ``gui-scripts``, then each ``entry-points`` group, empty groups dropped;
    groups and entries by name, as maturin writes them (its TOML tables are sorted maps)."""
    groups: list[tuple[str, dict[str, str]]] = [
        ("console_scripts", table.str_table("scripts")),
        ("gui_scripts", table.str_table("gui-scripts")),
    ]
    for group, entries in sorted(table.nested_table("entry-points").items()):
        if group in ("console_scripts", "gui_scripts"):
            key = "scripts" if group == "console_scripts" else "gui-scripts"
            raise ConfigError(
                f"{table.pyproject}: [project.entry-points] must not contain {group!r}; "
                f"use [project.{key}] instead"
            )
        where = f"{table.pyproject}: [project.entry-points.{group}]"
        groups.append((group, checked_str_table(entries, where)))
    return tuple((group, tuple(sorted(entries.items()))) for group, entries in groups if entries)


def _input_files(readme: Readme | None, licenses: Sequence[LicenseFile]) -> tuple[str, ...]:
    files = [normalised_abspath(readme.path)] if readme and readme.path else []
    files.extend(entry.source for entry in licenses)
    return tuple(dict.fromkeys(files))


def _raw_name(header: str) -> str:
    """packaging's raw field name for *header* (as in `InvalidMetadata.field`)."""
    raw = header.lower().replace("-", "_")
    plural = {"classifier", "platform", "supported_platform", "project_url", "license_file"}
    return raw + "s" if raw in plural else raw


def _validate(metadata: ProjectMetadata, origins: Mapping[str, str]) -> None:
    """Parse the METADATA text back with packaging; a problem becomes a `ConfigError`."""
    for header, value in metadata.fields:
        # A line break would end the header early; License is folded on purpose (CRLF + TAB).
        if header != "License" and ("\n" in value or "\r" in value):
            raise ConfigError(
                f"{origins.get(header, 'the project metadata')} must be a single line for "
                f"{header}; remove the line breaks"
            )
    try:
        Metadata.from_email(metadata.metadata_text(), validate=True)
    except ExceptionGroup as group:
        problems = [exc for exc in group.exceptions if isinstance(exc, InvalidMetadata)]
        first = problems[0] if problems else group.exceptions[0]
        field = getattr(first, "field", "")
        origin = next(
            (where for header, where in origins.items() if _raw_name(header) == field),
            "the project metadata",
        )
        raise ConfigError(
            f"{origin} gives invalid core metadata ({first}); fix the value"
        ) from None
