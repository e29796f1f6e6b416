"""`file_cleanup`: delete regular files older than `max_age_hours` under `STARTER__FILES__ROOT`.

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
from typing import Any

from starter.tasks.errors import PermanentError
from starter.tasks.handlers._payload import (
    is_number,
    optional_bool,
    optional_str,
    payload_of,
    required_str,
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

    def run(self, target: Path, shown: str) -> None:
        try:
            st = os.lstat(target)
        except (FileNotFoundError, NotADirectoryError):
            raise PermanentError(f"Path '{shown}' does not exist") from None
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


def _max_age_hours(payload: dict[str, Any]) -> float:
    value = payload.get("max_age_hours", 24)
    if value is None:
        return 24.0
    if not is_number(value) or value < 0:
        raise PermanentError("'max_age_hours' must be a non-negative number")
    return float(value)


async def handle(ctx: TaskContext) -> dict[str, Any]:
    payload = payload_of(ctx)
    file_path = required_str(payload, "file_path")
    max_age_hours = _max_age_hours(payload)
    pattern = optional_str(payload, "pattern", "*") or "*"
    if "/" in pattern or "\0" in pattern:
        raise PermanentError("'pattern' must match file names, without '/'")
    root = ctx.settings.files.root.resolve()
    target = locate(root, file_path)
    job = Cleanup(
        root=root,
        cutoff=time.time() - max_age_hours * 3600,
        pattern=pattern,
        recursive=optional_bool(payload, "recursive", True),
        dry_run=optional_bool(payload, "dry_run", False),
        stopped=ctx.cancelled.is_set,
    )
    await asyncio.to_thread(job.run, target, file_path)
    result: dict[str, Any] = {
        "files_deleted": job.files_deleted,
        "bytes_freed": job.bytes_freed,
        "cleanup_path": file_path,
        "dry_run": job.dry_run,
        "files": job.files,
    }
    if job.failed:
        result["files_failed"] = job.failed
    return result


SPEC = HandlerSpec(
    task_type="file_cleanup",
    description="File system cleanup tasks",
    handle=handle,
)
