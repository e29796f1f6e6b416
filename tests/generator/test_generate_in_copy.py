"""`starter generate module` and `starter revert module` in a temporary copy of the repository:
generate `books` with each template, lint the tree, run the generated tests, serve the new
endpoints over real HTTP, then revert and find the tree clean and the table gone."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.generator.conftest import CLI, Repo, empty_database, free_port, sql
from tests.support.users import PASSWORD

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT_SECS = 90
CREATED = {
    "src/starter/books/__init__.py",
    "src/starter/books/repository.py",
    "src/starter/books/router.py",
    "src/starter/books/schemas.py",
    "src/starter/books/service.py",
    "tests/books/__init__.py",
    "tests/books/test_books.py",
    "tests/books/test_books_authorization.py",
    "tests/e2e/test_books.py",
    "web/src/modules/books/api.ts",
    "web/src/modules/books/module.ts",
    "web/src/modules/books/ListPage.tsx",
    "web/src/modules/books/DetailPage.tsx",
    "web/src/modules/books/FormPages.tsx",
}
CHANGED = {
    "src/starter/modules.py",
    "web/src/modules/index.ts",
    "docs/openapi.json",
    "web/src/api/schema.d.ts",
}


@contextmanager
def _server(repo: Repo, database_url: str) -> Iterator[httpx.Client]:
    port = free_port()
    env = {
        **repo.env,
        "STARTER__DATABASE__URL": database_url,
        "STARTER__SERVER__ACCESS_LOG": "false",
    }
    log = repo.path.parent / f"server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", CLI, "server", "--port", str(port)],
            cwd=repo.path,
            env=env,
            stdout=sink,
            stderr=sink,
        )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECS
        with httpx.Client(base_url=base, timeout=10) as http:
            while True:
                assert process.poll() is None, log.read_text(errors="replace")
                try:
                    if http.get("/health/live").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.2)
            yield http
    finally:
        process.terminate()
        process.wait(timeout=30)


def _sign_in(http: httpx.Client) -> dict[str, str]:
    name = f"gen_{uuid.uuid4().hex[:8]}"
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    assert http.post("/auth/register", json=body).status_code == 200
    login = http.post("/auth/login", json={"username": name, "password": PASSWORD})
    http.cookies.clear()
    return {"Authorization": f"Bearer {login.json()['data']['session_token']}"}


def _exercise_production(http: httpx.Client, headers: dict[str, str]) -> None:
    for number in range(6):
        body = {
            "name": f"book {number}",
            "priority": number,
            "status": "active" if number % 2 else "pending",
        }
        assert http.post("/books", json=body, headers=headers).status_code == 200
    query = {
        "status": "active",
        "min_priority": 1,
        "sort_by": "priority",
        "sort_order": "asc",
        "limit": 2,
    }
    first = http.get("/books", params=query, headers=headers).json()["data"]
    assert [item["name"] for item in first["items"]] == ["book 1", "book 3"]
    assert first["pagination"]["total_count"] == 3
    cursor = first["pagination"]["next_cursor"]
    second = http.get("/books", params={**query, "cursor": cursor}, headers=headers).json()["data"]
    assert [item["name"] for item in second["items"]] == ["book 5"]
    assert second["pagination"]["has_next"] is False
    found = http.get("/books", params={"search": "book 4"}, headers=headers).json()["data"]
    assert found["items"][0]["name"] == "book 4"


def _exercise_basic(http: httpx.Client, headers: dict[str, str]) -> None:
    for name in ("Emma", "Dracula", "Beloved"):
        assert http.post("/books", json={"name": name}, headers=headers).status_code == 200
    listed = http.get("/books", params={"sort_by": "name", "sort_order": "asc"}, headers=headers)
    assert [item["name"] for item in listed.json()["data"]] == ["Beloved", "Dracula", "Emma"]
    found = http.get("/books", params={"search": "drac"}, headers=headers).json()["data"]
    assert [item["name"] for item in found] == ["Dracula"]


@pytest.mark.parametrize("template", ["production", "basic"])
def test_generate_lint_test_serve_revert(
    repo: Repo, pg_server: tuple[str, str], template: str
) -> None:
    started = time.monotonic()
    assert repo.status() == ""
    generated = repo.starter("generate", "module", "books", "--template", template)
    changed = {line[3:] for line in repo.status().splitlines()}
    assert changed >= CHANGED, generated.text
    for path in CREATED:
        assert (repo.path / path).is_file(), f"{path} not written:\n{generated.text}"
        assert path in generated.out
    migration = next((repo.path / "src/starter/migrations").glob("*_books.up.sql"))
    assert ("status" in migration.read_text()) is (template == "production")
    assert '    "books",' in (repo.path / "src/starter/modules.py").read_text()

    repo.lint()
    tests = repo.run(
        sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "tests/books"
    )
    assert " passed" in tests.out and "failed" not in tests.out, tests.out

    admin_url, _template = pg_server
    with empty_database(admin_url) as database_url:
        with _server(repo, database_url) as http:
            headers = _sign_in(http)
            (_exercise_production if template == "production" else _exercise_basic)(http, headers)
        assert sql(database_url, "SELECT to_regclass('books') IS NOT NULL")

        version = int(migration.name.split("_")[0])
        sql(
            database_url,
            "INSERT INTO schema_migrations VALUES ($1, 'later', 'x', NOW(), 0)",
            version + 1,
        )
        refused = repo.starter(
            "revert", "module", "books", "--yes", check=False, database_url=database_url
        )
        assert refused.code == 1
        assert f"migration {version:03d} is not the latest one applied" in refused.err
        assert (repo.path / "src/starter/books").is_dir()  # nothing was touched
        sql(database_url, "DELETE FROM schema_migrations WHERE version = $1", version + 1)

        reverted = repo.starter("revert", "module", "books", "--yes", database_url=database_url)
        assert "reverted" in reverted.out, reverted.text
        assert sql(database_url, "SELECT to_regclass('books') IS NULL")
    assert repo.status() == "", repo.status()
    print(
        f"{template}: generate + lint + tests + serve + revert took {time.monotonic() - started:.0f} s"
    )
