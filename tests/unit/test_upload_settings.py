"""Where to upload and as whom, the index's listing, answers and retries (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustwheel.errors import ConfigError
from rustwheel.stages.upload import credentials, existing, index, oidc, repository
from rustwheel.stages.upload.index import Response, UploadError
from rustwheel.stages.upload.run import redacted

PYPIRC = """[distutils]
index-servers = local pypi

[local]
repository = http://127.0.0.1:8099/
username = alice
password = from-pypirc

[pypi]
username = __token__
password = pypi-from-pypirc
"""


@pytest.fixture
def pypirc(tmp_path: Path) -> Path:
    path = tmp_path / ".pypirc"
    path.write_text(PYPIRC)
    return path


def test_repositories(pypirc: Path, tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    assert repository.resolve(None, None, env=env).url == "https://upload.pypi.org/legacy/"
    assert repository.resolve(None, None, env=env).password == "pypi-from-pypirc"
    assert repository.resolve("testpypi", None, env=env).url == "https://test.pypi.org/legacy/"
    local = repository.resolve("local", None, env=env)
    assert (local.url, local.username, local.password) == (
        "http://127.0.0.1:8099/", "alice", "from-pypirc")
    assert "from-pypirc" not in repr(local)
    by_url = repository.resolve(None, "http://127.0.0.1:8099", env=env)
    assert by_url.name == "local" and by_url.username == "alice"
    assert repository.resolve(None, "http://x/", env=env).username is None
    with pytest.raises(ConfigError, match="-r/--repository nowhere: no such repository"):
        repository.resolve("nowhere", None, env=env)


def test_credentials_order(pypirc: Path, tmp_path: Path) -> None:
    repo = repository.resolve("local", None, env={"HOME": str(tmp_path)})

    def resolve(env: dict[str, str], user: str | None = None, pw: str | None = None,
                ) -> tuple[str, str, str]:
        c = credentials.resolve(repo, user, pw, env=env)
        return c.username, c.password, c.source

    tokens = {"RUSTWHEEL_PYPI_TOKEN": "t1", "MATURIN_PYPI_TOKEN": "t2"}
    assert resolve(tokens, "bob", "pw") == ("__token__", "t1", "RUSTWHEEL_PYPI_TOKEN")
    assert resolve({"MATURIN_PYPI_TOKEN": "t2"}) == ("__token__", "t2", "MATURIN_PYPI_TOKEN")
    env = {"RUSTWHEEL_USERNAME": "carol", "RUSTWHEEL_PASSWORD": "envpw"}
    assert resolve(env, "bob", "pw") == ("bob", "pw", "-u/-p")
    assert resolve(env)[:2] == ("carol", "envpw")
    assert resolve({}) == ("alice", "from-pypirc", ".pypirc")
    assert "from-pypirc" not in repr(credentials.resolve(repo, env={}))


def test_no_credentials_and_no_prompt_off_a_terminal(tmp_path: Path) -> None:
    repo = repository.Repository("x", "http://127.0.0.1:9/")
    with pytest.raises(ConfigError, match="no credentials for x"):
        credentials.resolve(repo, interactive=True, env={})
    assert credentials.non_interactive(False, {"CI": "true"})
    assert not credentials.non_interactive(False, {})


def test_simple_and_oidc_urls() -> None:
    assert existing.simple_url("https://upload.pypi.org/legacy/") == "https://pypi.org/simple/"
    assert existing.simple_url("https://test.pypi.org/legacy/") == \
        "https://test.pypi.org/simple/"
    assert existing.simple_url("http://127.0.0.1:8099/") == "http://127.0.0.1:8099/simple/"
    assert oidc.index_base("https://upload.pypi.org/legacy/") == "https://pypi.org"
    assert oidc.index_base("http://u:p@127.0.0.1:5/legacy/") == "http://127.0.0.1:5"
    assert index.shown_url("http://user:secret@host:8/x/") == "http://host:8/x/"


def test_listing_json_and_html() -> None:
    page = (b'<a href="/packages/p-1.0.tar.gz#sha256=abc">p-1.0.tar.gz</a>'
            b'<a href="/packages/p-1.0-py3-none-any.whl">p-1.0-py3-none-any.whl</a>')
    assert existing._from_html(page, "p-1.0.tar.gz") == "abc"
    assert existing._from_html(page, "p-1.0-py3-none-any.whl") == existing.NOT_LISTED
    assert existing._from_html(page, "p-2.0.tar.gz") is None
    doc = b'{"files": [{"filename": "p-1.0.tar.gz", "hashes": {"sha256": "def"}}]}'
    assert existing._from_json(doc, "p-1.0.tar.gz") == "def"
    assert existing._from_json(doc, "q.tar.gz") is None


def test_answer_lines() -> None:
    pre = Response(409, "Conflict", {}, b"<html><head><title>Error: 409</title></head><body>"
                   b"<pre>Package &#039;p&#039; already exists!</pre></body></html>")
    assert index.answer_line(pre) == "409 Conflict: Package 'p' already exists!"
    assert index.answer_line(Response(400, "File already exists.", {}, b"")) == \
        "400 File already exists."


def test_backoff_doubles_and_is_bounded() -> None:
    notes: list[str] = []
    calls: list[int] = []

    def attempt() -> str:
        calls.append(1)
        raise index.Retryable("503")

    with pytest.raises(UploadError, match="gave up after 4 retries"):
        index.retrying(attempt, notes.append, {index.DELAY_VARIABLE: "0.001"})
    assert len(calls) == 5
    assert [n.split("retrying in ")[1].split("s ")[0] for n in notes] == [
        "0.001", "0.002", "0.004", "0.008"]


def test_redacted() -> None:
    assert redacted("bad: s3cret was refused", ("s3cret",)) == "bad: *** was refused"
