"""The generator's refusals and its dry runs, in a temporary copy of the repository: one line
and nothing changed."""

from __future__ import annotations

import re

import pytest

from tests.generator.conftest import Repo, empty_database

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Book", "is not a valid module name"),
        ("blog-post", "is not a valid module name"),
        ("2books", "is not a valid module name"),
        ("class", "is a Python keyword"),
        ("select", "is an SQL reserved word"),
        ("user", "is an SQL reserved word"),
        ("worker", "is already a part of the project"),
        ("tasks", "is already a part of the project"),
        ("x" * 41, "is too long"),
    ],
)
def test_bad_names_are_refused_in_one_line(repo: Repo, name: str, reason: str) -> None:
    done = repo.starter("generate", "module", name, check=False)
    assert done.code == 1
    assert len(done.err.strip().splitlines()) == 1, done.err
    assert reason in done.err
    assert repo.status() == ""


def test_a_hand_written_domain_is_not_taken_over(repo: Repo) -> None:
    package = repo.path / "src" / "starter" / "widgets"
    package.mkdir()
    try:
        done = repo.starter("generate", "module", "widget", check=False)
        assert done.code == 1
        assert "'widgets' is an existing domain of the project: choose another name" in done.err
    finally:
        package.rmdir()


def test_revert_never_deletes_a_hand_written_domain(repo: Repo) -> None:
    package = repo.path / "src" / "starter" / "widgets"
    package.mkdir()
    (package / "router.py").write_text("# hand-written\n")
    try:
        done = repo.starter("revert", "module", "widget", "--yes", check=False)
        assert done.code == 1
        assert "'widgets' is not a generated module" in done.err
        assert (package / "router.py").read_text() == "# hand-written\n"
    finally:
        (package / "router.py").unlink()
        package.rmdir()


def test_unknown_template_is_refused(repo: Repo) -> None:
    done = repo.starter("generate", "module", "book", "--template", "fancy", check=False)
    assert done.code == 1
    assert "unknown template 'fancy': use basic or production" in done.err


def test_dry_run_lists_everything_and_changes_nothing(repo: Repo) -> None:
    done = repo.starter("generate", "module", "blog_post", "--template", "production", "--dry-run")
    for path in (
        "src/starter/blog_posts/router.py",
        "tests/blog_posts/test_blog_posts.py",
        "tests/e2e/test_blog_posts.py",
        "web/src/modules/blog_posts/ListPage.tsx",
        'src/starter/modules.py: "blog_posts",',
        "docs/openapi.json",
    ):
        assert path in done.out
    assert re.search(r"src/starter/migrations/\d{3}_blog_posts\.up\.sql", done.out)
    assert "Dry run: nothing was changed." in done.out
    assert repo.status() == ""


def test_existing_files_are_kept_without_force(repo: Repo) -> None:
    mine = repo.path / "tests" / "e2e" / "test_memos.py"
    mine.write_text("# hand-written\n")
    try:
        done = repo.starter("generate", "module", "memo", check=False)
        assert done.code == 1
        assert "exist already (--force overwrites them): tests/e2e/test_memos.py" in done.err
        assert mine.read_text() == "# hand-written\n"
        assert not (repo.path / "src" / "starter" / "memos").exists()
    finally:
        mine.unlink()
    assert repo.status() == ""


def test_revert_of_nothing_says_so(repo: Repo) -> None:
    done = repo.starter("revert", "module", "ghost", "--yes")
    assert "Nothing to revert: no files of module 'ghosts' were found." in done.out


def test_both_commands_refuse_outside_the_project_root(repo: Repo) -> None:
    for args in (("generate", "module", "book"), ("revert", "module", "book", "--yes")):
        done = repo.run(*repo.starter_command(*args), cwd=repo.path / "src", check=False)
        assert done.code == 1
        assert "run this from the project root" in done.err


def test_revert_asks_first_and_no_keeps_everything(repo: Repo, pg_server: tuple[str, str]) -> None:
    repo.starter("generate", "module", "draft")
    with empty_database(pg_server[0]) as database_url:
        done = repo.run(
            *repo.starter_command("revert", "module", "draft"),
            stdin="n\n",
            check=False,
            database_url=database_url,
        )
        assert done.code == 1
        assert "Cancelled: nothing was changed." in done.out
        assert "delete     src/starter/drafts/" in done.out
        assert '"drafts",' in (repo.path / "src/starter/modules.py").read_text()
        done = repo.starter("revert", "module", "draft", "--yes", database_url=database_url)
        assert "migration" in done.out and "was not applied: nothing to revert" in done.out
    assert repo.status() == ""
