"""`file_cleanup`: delete regular files older than `max_age_hours` under `STARTER__FILES__ROOT`
(created when missing). A path under the root that does not exist has nothing to clean: the
task completes with `path_exists: false`.

The walk uses directory file descriptors (`os.fwalk`) and `lstat`, so a symlink, or a directory
swapped for one mid-walk, can never lead outside the root; symlinks and directories are never
deleted.
"""

from __future__ import annotations

import asyncio
import fnmatch
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field

from starter.tasks.errors import PermanentError
from starter.tasks.handlers._payload import (
    TaskPayload,
    invalid,
    non_negative_number,
    parse_payload,
)
from starter.tasks.handlers.base import HandlerSpec, TaskContext

LISTED_FILES = 100


@dataclass
class Cleanup:
    root: Path
    cutoff: float  # files modified before this epoch time are deleted
    pattern: str
    recursive: bool
    dry_run: bool
    stopped: Callable[[], bool]
    files_deleted: int = 0
    bytes_freed: int = 0
    failed: int = 0
    files: list[str] = field(default_factory=list)
    path_exists: bool = True

    def consider(
        self, st: os.stat_result, name: str, relative: str, unlink: Callable[[], None]
    ) -> None:
        if not stat.S_ISREG(st.st_mode) or st.st_mtime >= self.cutoff:
            return
        if not fnmatch.fnmatchcase(name, self.pattern):
            return
        if not self.dry_run:
            try:
                unlink()
            except FileNotFoundError:
                return  # gone already: someone else cleaned it
            except OSError:
                self.failed += 1
                return
        self.files_deleted += 1
        self.bytes_freed += st.st_size
        if len(self.files) < LISTED_FILES:
            self.files.append(relative)

    def walk(self, top: Path) -> None:
        for dirpath, dirnames, filenames, dirfd in os.fwalk(top, follow_symlinks=False):
            for name in filenames:
                if self.stopped():
                    return
                try:
                    st = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                relative = Path(dirpath, name).relative_to(self.root).as_posix()
                self.consider(st, name, relative, partial(os.unlink, name, dir_fd=dirfd))
            if not self.recursive:
                dirnames.clear()

    def run(self, target: Path) -> None:
        try:
            st = os.lstat(target)
        except (FileNotFoundError, NotADirectoryError):
            self.path_exists = False  # nothing there, so nothing to clean
            return
        if stat.S_ISDIR(st.st_mode):
            self.walk(target)
        else:
            relative = target.relative_to(self.root).as_posix()
            self.consider(st, target.name, relative, partial(os.unlink, target))


def locate(root: Path, file_path: str) -> Path:
    """The real path `file_path` names (symlinks followed), which must lie inside `root`."""
    if "\0" in file_path:
        raise PermanentError(f"Path '{file_path}' is invalid")
    candidate = Path(file_path)
    target = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if target != root and root not in target.parents:
        raise PermanentError(f"Path '{file_path}' is outside the files root")
    return target


MAX_AGE_HOURS_LIMIT = 876_000.0  # 100 years


def _file_name_pattern(value: Any) -> Any:
    if isinstance(value, str) and ("/" in value or "\0" in value):
        raise invalid("'pattern' must match file names, without '/'")
    return value


class FileCleanupPayload(TaskPayload):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "file_path": "tmp",
                    "max_age_hours": 24,
                    "pattern": "*",
                    "recursive": True,
                    "dry_run": True,
                }
            ]
        }
    )

    file_path: str = Field(
        max_length=4096,
        description="A directory or file under the configured files root "
        "(STARTER__FILES__ROOT); a relative path starts there.",
        examples=["tmp"],
    )
    max_age_hours: Annotated[
        float, BeforeValidator(non_negative_number("max_age_hours", MAX_AGE_HOURS_LIMIT))
    ] = Field(default=24.0, description="Files modified longer ago than this are deleted.")
    pattern: Annotated[str, BeforeValidator(_file_name_pattern)] = Field(
        default="*", max_length=255, description="Shell-style file name pattern."
    )
    recursive: bool = True
    dry_run: bool = Field(default=False, description="Report what would be deleted only.")


async def handle(ctx: TaskContext) -> dict[str, Any]:
    payload = parse_payload(FileCleanupPayload, ctx.payload)
    root = ctx.settings.files.root.resolve()
    # The configured root is ours: on a fresh install it is made, and is empty.
    await asyncio.to_thread(root.mkdir, parents=True, exist_ok=True)
    target = locate(root, payload.file_path)
    job = Cleanup(
        root=root,
        cutoff=time.time() - payload.max_age_hours * 3600,
        pattern=payload.pattern or "*",
        recursive=payload.recursive,
        dry_run=payload.dry_run,
        stopped=ctx.cancelled.is_set,
    )
    await asyncio.to_thread(job.run, target)
    result: dict[str, Any] = {
        "files_deleted": job.files_deleted,
        "bytes_freed": job.bytes_freed,
        "cleanup_path": payload.file_path,
        "dry_run": job.dry_run,
        "files": job.files,
        "path_exists": job.path_exists,
    }
    if job.failed:
        result["files_failed"] = job.failed
    return result


SPEC = HandlerSpec(
    task_type="file_cleanup",
    description="File system cleanup tasks",
    handle=handle,
    payload_model=FileCleanupPayload,
)
