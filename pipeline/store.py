"""Output writers: JSONL and JSON written atomically, so a killed run leaves no half files.

A file is written to a temporary name in the same folder, flushed to disk and
renamed over the target: readers see the old file or the new one, never a torn
one. The DuckDB store of batch runs lives in `pipeline/database.py`.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_write(path: Path, mode: str = "w") -> Iterator[IO]:
    """Write `path` through a temporary file renamed into place on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs get the usual permissions
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


_DECODER = json.JSONDecoder()
_SPACE = json.decoder.WHITESPACE  # type: ignore[attr-defined]


def json_members(text: str, *, only: str | None = None, arrays: bool = False) -> dict:
    """The members of a JSON object, each as the JSON text it was written as: sliced out of
    `text`, never decoded and encoded again, so the bytes stay exactly as they were. With
    `arrays`, an array member is the list of its items' texts (each item is decoded once);
    with `only`, the scan stops at that member.

    >>> json_members('{"a": {"b": [1, 2.50]}, "c":"د", "d": [{"x": 1}, 2]}', arrays=True)
    {'a': '{"b": [1, 2.50]}', 'c': '"د"', 'd': ['{"x": 1}', '2']}
    >>> json_members('{"a": 1, "b": 2}', only="a")
    {'a': '1'}
    """
    members: dict = {}
    pos = _skip(text, 0)
    if text[pos : pos + 1] != "{":
        raise ValueError("not a JSON object")
    pos = _skip(text, pos + 1)
    while text[pos] != "}":
        key, pos = _DECODER.raw_decode(text, pos)
        start = _skip(text, _skip(text, pos) + 1)  # past the ':'
        if arrays and text[start] == "[":
            members[key], end = _items(text, start)
        else:
            _, end = _DECODER.raw_decode(text, start)  # C speed; what it builds is thrown away
            members[key] = text[start:end]
        if key == only:
            break
        pos = _skip(text, end)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return members


def _items(text: str, pos: int) -> tuple[list[str], int]:
    """The items of the JSON array that opens at `pos`, as written, and where it ends."""
    items: list[str] = []
    pos = _skip(text, pos + 1)
    while text[pos] != "]":
        _, end = _DECODER.raw_decode(text, pos)
        items.append(text[pos:end])
        pos = _skip(text, end)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return items, pos + 1


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()


def dump_line(record: BaseModel) -> str:
    """One record as one JSON line (UTF-8 text, not \\u escapes)."""
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False) + "\n"


def write_jsonl(path: Path, records: Iterable[BaseModel]) -> int:
    """Write records atomically, one per line; returns how many."""
    count = 0
    with atomic_write(path) as handle:
        for record in records:
            handle.write(dump_line(record))
            count += 1
    return count


def write_json(path: Path, record: BaseModel) -> None:
    with atomic_write(path) as handle:
        handle.write(record.model_dump_json(indent=1) + "\n")  # pydantic's encoder: UTF-8 as is, and fast


def manifest_path(output: Path) -> Path:
    """The manifest that goes with an output file: claims.jsonl -> claims.manifest.json."""
    return output.with_name(output.name.removesuffix(".jsonl") + ".manifest.json")


def read_jsonl(path: Path, model: type[M]) -> list[M]:
    """Records of one model from a JSONL file we wrote; a bad line is an `InputError` naming it."""
    from pydantic import ValidationError

    from .errors import InputError

    records: list[M] = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}") from err
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    records.append(model.model_validate_json(line))
                except ValidationError as err:
                    first = err.errors()[0]
                    where = ".".join(str(p) for p in first["loc"]) or "line"
                    raise InputError(f"{path}:{number}: not a {model.__name__.lower()} record ({where}: {first['msg']})") from None
        except UnicodeDecodeError as err:
            raise InputError(f"{path}: not valid UTF-8 (byte {err.object[err.start]:#04x} at offset {err.start})") from None
    return records


def report_path(output: Path) -> Path:
    """The validation report that goes with a claims file: claims.jsonl -> claims.validation.json."""
    return output.with_name(output.name.removesuffix(".jsonl") + ".validation.json")
