from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from starter.core.config import FilesSettings, Settings
from starter.tasks.errors import PermanentError
from starter.tasks.handlers import file_cleanup
from tests.support.settings import make_settings
from tests.tasks.handlers.conftest import MakeContext

HOUR = 3600


def put(path: Path, size: int, age_hours: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    moment = time.time() - age_hours * HOUR
    os.utime(path, (moment, moment))
    return path


def tree(root: Path) -> list[str]:
    return sorted(entry.relative_to(root).as_posix() for entry in root.rglob("*"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    directory = tmp_path / "files"
    directory.mkdir()
    return directory


@pytest.fixture
def files_settings(database_url: str, root: Path) -> Settings:
    return make_settings(database_url, files=FilesSettings(root=root))


async def run(make_ctx: MakeContext, payload: Any, settings: Settings) -> dict[str, Any]:
    return await file_cleanup.handle(await make_ctx("file_cleanup", payload, app_settings=settings))


async def fails(make_ctx: MakeContext, payload: Any, settings: Settings, message: str) -> None:
    with pytest.raises(PermanentError) as caught:
        await run(make_ctx, payload, settings)
    assert str(caught.value) == message


async def test_deletes_only_old_regular_files(
    make_ctx: MakeContext, root: Path, files_settings: Settings
) -> None:
    put(root / "logs" / "old.log", 100, 48)
    put(root / "logs" / "deep" / "older.log", 50, 100)
    fresh = put(root / "logs" / "fresh.log", 10, 1)
    (root / "logs" / "empty-old-dir").mkdir()
    os.utime(root / "logs" / "empty-old-dir", (0, 0))
    result = await run(make_ctx, {"file_path": "logs"}, files_settings)
    assert result == {
        "files_deleted": 2,
        "bytes_freed": 150,
        "cleanup_path": "logs",
        "dry_run": False,
        "files": result["files"],
        "path_exists": True,
    }
    assert sorted(result["files"]) == ["logs/deep/older.log", "logs/old.log"]
    assert tree(root) == [
        "logs",
        "logs/deep",
        "logs/empty-old-dir",
        "logs/fresh.log",
    ]
    assert fresh.exists()


async def test_max_age_pattern_and_recursive(
    make_ctx: MakeContext, root: Path, files_settings: Settings
) -> None:
    put(root / "a.tmp", 1, 3)
    put(root / "a.txt", 1, 3)
    put(root / "sub" / "b.tmp", 1, 3)
    payload = {"file_path": ".", "max_age_hours": 2, "pattern": "*.tmp", "recursive": False}
    result = await run(make_ctx, payload, files_settings)
    assert (result["files_deleted"], result["files"]) == (1, ["a.tmp"])
    assert (root / "a.txt").exists() and (root / "sub" / "b.tmp").exists()
    result = await run(make_ctx, {"file_path": str(root), "max_age_hours": 2.5}, files_settings)
    assert sorted(result["files"]) == ["a.txt", "sub/b.tmp"]


async def test_dry_run_deletes_nothing(
    make_ctx: MakeContext, root: Path, files_settings: Settings
) -> None:
    old = put(root / "old.bin", 1000, 30)
    result = await run(make_ctx, {"file_path": "", "dry_run": True}, files_settings)
    assert result == {
        "files_deleted": 1,
        "bytes_freed": 1000,
        "cleanup_path": "",
        "dry_run": True,
        "files": ["old.bin"],
        "path_exists": True,
    }
    assert old.exists()


async def test_single_file_target(
    make_ctx: MakeContext, root: Path, files_settings: Settings
) -> None:
    put(root / "one.dat", 7, 25)
    result = await run(make_ctx, {"file_path": "one.dat"}, files_settings)
    assert (result["files_deleted"], result["bytes_freed"], result["files"]) == (1, 7, ["one.dat"])
    assert not (root / "one.dat").exists()


async def test_symlinks_are_never_followed_or_deleted(
    make_ctx: MakeContext, root: Path, tmp_path: Path, files_settings: Settings
) -> None:
    outside = tmp_path / "outside"
    secret = put(outside / "secret.txt", 10, 100)
    (root / "link-dir").symlink_to(outside, target_is_directory=True)
    (root / "link-file").symlink_to(secret)
    os.utime(root / "link-file", (0, 0), follow_symlinks=False)
    result = await run(make_ctx, {"file_path": ".", "max_age_hours": 0}, files_settings)
    assert result["files_deleted"] == 0
    assert secret.exists()
    assert (root / "link-dir").is_symlink() and (root / "link-file").is_symlink()
    # Naming the symlink itself resolves it, and its target is outside the root.
    await fails(
        make_ctx,
        {"file_path": "link-dir"},
        files_settings,
        "Path 'link-dir' is outside the files root",
    )
    await fails(
        make_ctx,
        {"file_path": "link-dir/secret.txt"},
        files_settings,
        "Path 'link-dir/secret.txt' is outside the files root",
    )
    assert secret.exists()


async def test_symlink_inside_the_root_is_resolved(
    make_ctx: MakeContext, root: Path, files_settings: Settings
) -> None:
    put(root / "real" / "old.txt", 3, 50)
    (root / "alias").symlink_to(root / "real", target_is_directory=True)
    result = await run(make_ctx, {"file_path": "alias"}, files_settings)
    assert result["files"] == ["real/old.txt"]


@pytest.mark.parametrize("file_path", ["..", "../outside", "logs/../../outside", "/etc", "/tmp"])
async def test_paths_outside_the_root_are_refused(
    make_ctx: MakeContext, root: Path, tmp_path: Path, files_settings: Settings, file_path: str
) -> None:
    put(tmp_path / "outside" / "keep.txt", 1, 100)
    await fails(
        make_ctx,
        {"file_path": file_path},
        files_settings,
        f"Path '{file_path}' is outside the files root",
    )
    assert (tmp_path / "outside" / "keep.txt").exists()


async def test_sibling_with_common_prefix_is_outside(
    make_ctx: MakeContext, root: Path, files_settings: Settings
) -> None:
    sibling = root.parent / (root.name + "-other")
    put(sibling / "x.txt", 1, 100)
    await fails(
        make_ctx,
        {"file_path": str(sibling)},
        files_settings,
        f"Path '{sibling}' is outside the files root",
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "Missing 'file_path' field in payload"),
        ({"file_path": 3}, "Missing 'file_path' field in payload"),
        ({"file_path": "x", "max_age_hours": -1}, "'max_age_hours' must be a non-negative number"),
        (
            {"file_path": "x", "max_age_hours": "24"},
            "'max_age_hours' must be a non-negative number",
        ),
        (
            {"file_path": "x", "max_age_hours": True},
            "'max_age_hours' must be a non-negative number",
        ),
        ({"file_path": "x", "pattern": "a/*"}, "'pattern' must match file names, without '/'"),
        ({"file_path": "x", "dry_run": "yes"}, "'dry_run' must be a boolean"),
        ({"file_path": "x", "recursive": 1}, "'recursive' must be a boolean"),
    ],
)
async def test_payload_errors(
    make_ctx: MakeContext, files_settings: Settings, payload: Any, message: str
) -> None:
    await fails(make_ctx, payload, files_settings, message)


async def test_nul_in_path_is_refused(make_ctx: MakeContext, files_settings: Settings) -> None:
    # JSONB cannot hold NUL, so this only guards callers that build contexts themselves.
    ctx = await make_ctx("file_cleanup", {}, app_settings=files_settings)
    ctx.payload = {"file_path": "a\x00b"}
    with pytest.raises(PermanentError) as caught:
        await file_cleanup.handle(ctx)
    assert str(caught.value) == "Path 'a\x00b' is invalid"


async def test_fresh_install_cleans_the_web_apps_default_path(
    make_ctx: MakeContext, database_url: str, tmp_path: Path
) -> None:
    """The web app's template (`tmp`, dry run) works before anything made the root: the root
    is created and a path under it that does not exist has nothing to clean."""
    root = tmp_path / "not-yet" / "files"
    settings = make_settings(database_url, files=FilesSettings(root=root))
    template = {"file_path": "tmp", "max_age_hours": 24, "pattern": "*", "recursive": True}
    result = await run(make_ctx, {**template, "dry_run": True}, settings)
    assert result["files_deleted"] == 0 and result["path_exists"] is False
    assert root.is_dir()
    put(root / "tmp" / "old.log", 10, 48)
    result = await run(make_ctx, {**template, "dry_run": True}, settings)
    assert (result["files"], result["path_exists"]) == (["tmp/old.log"], True)
    assert (root / "tmp" / "old.log").exists()
