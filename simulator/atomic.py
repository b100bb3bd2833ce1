"""Write a file so that a reader sees the old one or the whole new one, never half of it.

The content goes to a temporary file beside the target (same file system, so the
rename is atomic), gets the permissions a plain new file would have, and is renamed
over the target; on any error the temporary file is removed and the target is untouched.
Whole datasets (many files) are written the same way one level up, by
`simulator.dataset.writer.DatasetWriter`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from pathlib import Path

from simulator.errors import HcisimError


def file_mode() -> int:
    """Permissions of a new file under the current umask (temporary files start private)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def refuse_overlap(out: Path | str, others: dict[str, Path | str]) -> None:
    """Refuse an output that is, holds or sits inside a path the command also uses (``others``: how the
    message names it -> its path, e.g. "dataset being read"): writing it would replace what it is made from."""
    where = Path(out).resolve()
    for what, path in others.items():
        src = Path(path).resolve()
        relation = "is" if where == src else "is inside" if src in where.parents else "holds" if where in src.parents \
            else None
        if relation:
            raise HcisimError(f"{out} {relation} the {what} ({path}); choose another output")


def output_path(out: Path | str) -> Path:
    """``out`` as the system finds it, spelt without '..': every command's --out goes through it first.

    A '..' is taken as the kernel takes it, out of the folder named before it, so that folder must exist (the
    shell's `touch sub/x/../o` fails when there is no sub/x). Why: --out sub/x/../o made sub/x (the output's
    folders are created) only to write sub/o, and left sub/x behind, empty; --out sub/x/.. named a dataset '..',
    whose staging folder became sub/x/....shards. The part up to the last '..' is resolved (links too, as the
    kernel does); a relative path stays relative to the working folder."""
    path = Path(out)
    parts = path.parts
    if ".." not in parts:
        return path
    for k, part in enumerate(parts):
        if part == ".." and k and not (before := Path(*parts[:k])).is_dir():
            raise HcisimError(f"{out}: goes up ('..') out of {before}, which "
                              f"{'is not a folder' if before.exists() else 'does not exist'}; name the output "
                              f"without going through it")
    last = len(parts) - parts[::-1].index("..")
    head = os.path.realpath(Path(*parts[:last]))
    return Path(head if path.is_absolute() else os.path.relpath(head), *parts[last:])


def check_file_out(out: Path | str, reads: dict[str, Path | str] | None = None,
                   replaces: tuple[str, Callable[[Path], bool]] | None = None) -> Path:
    """Before any work: ``out`` must name a file, and not one the command reads (``reads`` as in
    `refuse_overlap`). An existing ``out`` is replaced only when it is a regular file and, with ``replaces``
    (what the command writes, a test of an existing file), an earlier output of that kind or empty: a
    mistyped ``--out`` must not replace a user's notes, a profile or a device node. Returns ``out`` as
    `output_path` spells it."""
    path = output_path(out)
    if path.is_dir():
        raise HcisimError(f"{out}: is a folder; name a file to write")
    if path.exists() and not path.is_file():
        raise HcisimError(f"{out}: not a regular file (a device, pipe or socket); name a file to write")
    refuse_overlap(out, reads or {})
    if path.is_file():
        from simulator.dataset.manifest import owning_dataset  # (the dataset package writes through this module)

        owner = owning_dataset(path)
        if owner is not None:  # synth-moves --out DATASET/events.parquet broke the dataset's checksums, exit 0
            raise HcisimError(f"{out} is a file of the dataset {owner}; choose another output")
    if replaces is not None and path.is_file() and path.stat().st_size > 0:
        what, earlier = replaces
        try:
            ok = earlier(path)
        except (OSError, ValueError):
            ok = False
        if not ok:
            raise HcisimError(f"{out} exists and is not {what}; choose another output (or remove it)")
    return path


def starts_with(magic: bytes) -> Callable[[Path], bool]:
    """A test for ``check_file_out(replaces=...)``: does the file begin with ``magic``?"""
    def test(path: Path) -> bool:
        with open(path, "rb") as fh:
            return fh.read(len(magic)) == magic
    return test


def json_with(key: str, value: str) -> Callable[[Path], bool]:
    """A test for ``check_file_out(replaces=...)``: is the file a JSON object whose ``key`` is ``value``?"""
    def test(path: Path) -> bool:
        d = json.loads(path.read_bytes())
        return isinstance(d, dict) and d.get(key) == value
    return test


def profile_read(profile: object, shipped: Container[str]) -> dict[str, Path]:
    """For ``check_file_out(reads=...)``: a profile named by a file path (not a shipped name) is read too."""
    if isinstance(profile, (str, Path)) and str(profile) not in shipped and Path(profile).is_file():
        return {"profile being read": Path(profile)}
    return {}


PARQUET = ("a Parquet file", starts_with(b"PAR1"))
"""What synth-moves and synth-typing write, for ``check_file_out(replaces=...)``."""


def make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those it created, outermost first, so that a run that
    fails or is interrupted before writing anything can take them away again (`remove_if_empty`)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a folder should be, no permission
        raise HcisimError(f"{folder}: cannot create the output folder ({exc.strerror})") from None
    return missing


def remove_if_empty(created: list[Path]) -> None:
    """Remove the folders `make_folder` created, innermost first, as long as they are empty."""
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:  # something was written there meanwhile (or it is gone): keep it and its parents
            return


@contextmanager
def atomic_path(out: Path | str) -> Iterator[Path]:
    """A temporary path to write to; renamed onto ``out`` (its folder created) when the block ends cleanly."""
    out = check_file_out(out)
    created = make_folder(out.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:  # /proc, a read-only mount, no permission
        remove_if_empty(created)
        raise HcisimError(f"{out}: cannot write there ({exc.strerror})") from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, file_mode())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        remove_if_empty(created)
        raise


def write_atomic(out: Path | str, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``out`` atomically and return the path."""
    with atomic_path(out) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(out)
