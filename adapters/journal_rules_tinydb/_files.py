"""Durable file primitives: atomic replace with fsync, appends with fsync, and a process lock."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from typing import Any

import orjson
from tinydb.storages import Storage as TinyStorage


def fsync_dir(path: str) -> None:
    """Make a directory's entries (a rename, a new file) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: str, text: str, *, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old or the new file.

    The temporary file is fsynced before the rename and the directory after it, so the new
    content is on disk when this returns. ``durable=False`` leaves both syncs to the caller
    (a multi-stream append syncs once for hundreds of new files).
    """
    folder = os.path.dirname(path) or "."
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        # A full disk: leave no half-written temporary file taking the space that is left.
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    if durable:
        fsync_dir(folder)


def write_new(path: str, text: str) -> None:
    """Write a file that did not exist, in place and without a sync: for a writer that syncs
    once for many new files and deletes them all if it fails before that (see ``_commit``)."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def append_durable(path: str, text: str) -> None:
    """Append ``text`` to ``path`` (created if missing) and fsync it."""
    created = not os.path.exists(path)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    if created:
        fsync_dir(os.path.dirname(path) or ".")


def loads(raw: bytes) -> Any:
    """Parse JSON bytes with orjson (several times faster than ``json``), falling back to
    ``json`` for what orjson refuses but JSON allows (integers beyond 64 bits). A ValueError
    (UnicodeDecodeError included) when it is not JSON."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw.decode("utf-8"))


def read_json(path: str) -> Any:
    """The JSON in ``path``, or None when the file does not exist."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return None
    return loads(raw)


def dump(value: Any) -> str:
    """Compact JSON text; Cyrillic and Kazakh stay readable for an administrator. orjson where
    it can (several times faster than ``json``), ``json`` for what orjson refuses (integers
    beyond 64 bits)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class DurableJSONStorage(TinyStorage):
    """A TinyDB storage that survives a crash at any moment: write a temporary file, fsync it,
    rename it over the old one, fsync the directory. TinyDB's own ``JSONStorage`` truncates and
    rewrites in place, so a crash mid-write loses the whole file."""

    def __init__(self, path: str, durable: bool = True) -> None:
        super().__init__()
        self.path = path
        self.durable = durable

    def read(self) -> dict[str, dict[str, Any]] | None:
        data = read_json(self.path)
        if data is None:
            return None
        if not isinstance(data, dict):
            raise ValueError(f"{self.path}: not a TinyDB file")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomic(self.path, dump(data), durable=self.durable)

    def close(self) -> None:
        """Nothing stays open between reads and writes."""


@contextlib.contextmanager
def flocked(path: str, *, exclusive: bool, read_only: bool = False) -> Iterator[None]:
    """Hold an advisory lock on ``path``: exclusive for writers, shared for readers.

    A new file description is opened each time, so two threads of one process exclude each
    other exactly as two processes do (flock locks belong to the open file description).
    ``read_only`` opens the lock file without creating it (a store never written has none,
    and no writer to wait for).
    """
    if read_only:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            yield
            return
    else:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing releases the lock
