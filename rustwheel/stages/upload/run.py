"""One file's upload: check it (no request for a bad file), skip it when it is recorded as
uploaded, ask the index whether it is there (``--skip-existing``), send it, interpret the
answer, record it. Every message goes through `redacted`, so no secret is ever printed."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from rustwheel import ui
from rustwheel.errors import RustwheelError
from rustwheel.stages.upload import existing, index, multipart, state
from rustwheel.stages.upload.credentials import Credentials
from rustwheel.stages.upload.distfile import DistFile, read_distribution
from rustwheel.stages.upload.index import (
    REDIRECTS,
    Response,
    UploadError,
    answer_line,
    shown_url,
)
from rustwheel.stages.upload.plan import UploadPlan, plan


@dataclass(frozen=True)
class Settings:
    """Where and how to upload (plain values: the upload tasks pickle for ``doit -n``)."""

    repository_url: str
    repository_name: str
    state_dir: str
    check_url: str = ""
    """The simple index to ask whether a file is there (default: beside the upload URL)."""
    skip_existing: bool = False
    verbose: int = 0
    progress: bool = True
    """A progress bar on a terminal (not under the live display of ``publish``)."""


@dataclass(frozen=True)
class Upload:
    settings: Settings
    credentials: Credentials = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": index.basic_auth(self.credentials.username,
                                                  self.credentials.password)}


def redacted(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


def _on_index(dist: DistFile, upload: Upload) -> bool:
    """Whether the index holds this file (same sha256); an `UploadError` when it holds other
    bytes under its name."""
    s = upload.settings
    found = existing.listed_sha256(s.check_url or existing.simple_url(s.repository_url),
                                   _project(dist), dist.filename, upload.headers,
                                   lambda attempt: index.retrying(attempt, ui.note),
                                   bool(s.verbose))
    if found is None:
        return False
    if found == dist.sha256:
        return True
    raise UploadError(f"{dist.filename}: the file name is taken on {s.repository_name} by "
                      f"other bytes (sha256 {found or 'not given'}, this file's "
                      f"{dist.sha256}); an index never replaces a file: bump the version")


def _project(dist: DistFile) -> str:
    from packaging.metadata import parse_email

    raw, _ = parse_email(dist.metadata)
    return str(raw.get("name", dist.filename.split("-")[0]))


def _post(p: UploadPlan, upload: Upload) -> tuple[Response, int]:
    """The index's answer to the upload, and how many times it was sent."""
    body = multipart.body(p.fields, p.path, p.size)
    headers = {**upload.headers, "Content-Type": body.content_type,
               "Content-Length": str(body.length)}
    attempts = 0

    def progress(sent: int) -> None:
        if upload.settings.progress:
            ui.progress_bar(p.filename, sent, p.size)

    def attempt() -> Response:
        nonlocal attempts
        attempts += 1
        return index.send("POST", upload.settings.repository_url, headers,
                          multipart.chunks(body, progress), bool(upload.settings.verbose))

    return index.retrying(attempt, ui.note), attempts


def _refused(dist: DistFile, response: Response, upload: Upload, attempts: int) -> str:
    """After a refusal: ``skipped`` when the index has these bytes and skipping was asked
    (``uploaded`` when an earlier attempt of this upload put them there), else an
    `UploadError`."""
    s, line = upload.settings, answer_line(response)
    where = shown_url(s.repository_url)
    if response.status in REDIRECTS:
        location = response.headers.get("Location") or response.headers.get("location") or "?"
        raise UploadError(f"{where} redirects the upload to {shown_url(location)}; use the "
                          "correct upload URL (e.g. with its trailing /legacy/)")
    if response.status in (401, 403):
        raise UploadError(f"uploading {dist.filename} to {where}: {line}; the credentials "
                          "were refused: check the user name and password (or token)")
    exists = response.status in (400, 409) and "exist" in line.lower()
    if exists and _on_index(dist, upload):
        if attempts > 1:  # the answer to an earlier attempt was lost, not the file
            return _done(dist, upload, "uploaded")
        if s.skip_existing:
            return _skip(dist, upload)
        raise UploadError(f"{dist.filename} already exists on {s.repository_name} (the "
                          "same bytes); pass --skip-existing to skip it")
    raise UploadError(f"uploading {dist.filename} to {where}: {line}")


def _skip(dist: DistFile, upload: Upload) -> str:
    ui.note(f"note: skipping {dist.filename}: {upload.settings.repository_name} already has "
            "it (same sha256)")
    state.record(Path(upload.settings.state_dir), upload.settings.repository_url, dist.sha256,
                 dist.filename, "already there")
    return "skipped"


def _done(dist: DistFile, upload: Upload, how: str) -> str:
    s = upload.settings
    state.record(Path(s.state_dir), s.repository_url, dist.sha256, dist.filename, how)
    ui.note(f"uploaded {dist.filename} to {s.repository_name}")
    return how


def _send(dist: DistFile, upload: Upload) -> str:
    s = upload.settings
    if state.uploaded(Path(s.state_dir), s.repository_url, dist.sha256):
        ui.note(f"{dist.filename}: already uploaded to {s.repository_name}; not sent again")
        return "recorded"
    if s.skip_existing and _on_index(dist, upload):
        return _skip(dist, upload)
    if not sys.stderr.isatty():  # a terminal shows the progress bar instead
        ui.note(f"uploading {dist.filename} ({dist.size} bytes) to {s.repository_name}")
    response, attempts = _post(plan(dist), upload)
    if not 200 <= response.status < 300:
        return _refused(dist, response, upload, attempts)
    return _done(dist, upload, "uploaded")


def upload_file(path: str, upload: Upload) -> str:
    """Upload one file: ``uploaded``, ``skipped`` or ``recorded`` (sent before); a
    `RustwheelError` (secrets redacted) when it cannot be."""
    secrets = (upload.credentials.password,)
    try:
        return _send(read_distribution(Path(path)), upload)
    except RustwheelError as exc:
        raise type(exc)(redacted(str(exc), secrets)) from None
    except OSError as exc:
        raise UploadError(redacted(f"reading {path}: {exc.strerror or exc}", secrets)) from None


def check_files(paths: list[str]) -> list[DistFile]:
    """Every file read and checked, before any credential is asked or request made (the same
    path twice counts once; two files of the same name are an error)."""
    from rustwheel.stages.upload.distfile import InvalidDistribution

    unique = list(dict.fromkeys(str(Path(p).resolve()) for p in paths))
    names: dict[str, str] = {}
    for path in unique:
        other = names.setdefault(Path(path).name, path)
        if other != path:
            raise InvalidDistribution(f"{other} and {path} have the same name; an index "
                                      "holds one file of a name: upload one of them")
    return [read_distribution(Path(p)) for p in unique]
