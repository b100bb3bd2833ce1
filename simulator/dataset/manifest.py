"""The manifest: what a dataset is, how it was made, and checksums of its files."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from simulator import __version__
from simulator.dataset.schema import COORDINATE_SPACES, FORMAT_VERSION
from simulator.errors import HcisimError

MANIFEST_NAME = "manifest.json"


REQUIRED_FIELDS = ("driver", "format_version", "files", "tables")
"""What makes a JSON file a dataset manifest (and not a browser extension's or a web app's manifest.json)."""


def read_manifest_fields(path: Path) -> dict[str, Any] | None:
    """The JSON object at ``path`` if it reads as a dataset manifest (its required fields; valid or not in other
    ways), else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and set(REQUIRED_FIELDS) <= data.keys() else None


def owning_dataset(path: Path, levels: int = 3) -> Path | None:
    """The dataset folder whose manifest lists the file ``path`` (looking up to ``levels`` folders up), or None:
    such a file is the dataset's (a table, a frame) and no command's output may replace it."""
    path = Path(path).resolve()
    for root in list(path.parents)[:levels]:
        data = read_manifest_fields(root / MANIFEST_NAME)
        if data is not None and isinstance(data["files"], dict) and path.relative_to(root).as_posix() in data["files"]:
            return root
    return None


@dataclass
class FileEntry:
    sha256: str
    bytes: int
    rows: int | None = None

    @staticmethod
    def from_json(entry: Any) -> "FileEntry":
        """An entry as a manifest file holds it, checked: a hand-edited one (a null sha256, rows "many") ended
        validate in a TypeError."""
        if not isinstance(entry, dict):
            raise TypeError(f"an entry must be a JSON object, not {entry!r}")
        f = FileEntry(**entry)
        if not (isinstance(f.sha256, str) and re.fullmatch(r"[0-9a-f]{64}", f.sha256)):
            raise TypeError(f"sha256 must be 64 hex digits, not {f.sha256!r}")
        for name in ("bytes", "rows"):
            v = getattr(f, name)
            if not (v is None and name == "rows" or isinstance(v, int) and not isinstance(v, bool) and v >= 0):
                raise TypeError(f"{name} must be a whole number of 0 or more, not {v!r}")
        return f


@dataclass
class Manifest:
    """Everything needed to know where a dataset came from and to check it.

    Two runs with the same seed and settings write identical data files; their manifests may differ in
    ``created_at``, ``command`` and ``stats`` (how the run was made: shards, a resume, live timing). The
    manifest is therefore not among the checksummed files, and the data files never carry a timestamp.
    """

    driver: str
    coordinate_space: str = "viewport_css_px"
    seed: int | None = None
    scenario: str | None = None
    command: list[str] = field(default_factory=list)
    profiles: dict[str, dict[str, str]] = field(default_factory=dict)
    screen: dict[str, int] | None = None
    viewport: dict[str, int] | None = None
    device: dict[str, Any] = field(default_factory=dict)
    sessions: list[str] = field(default_factory=list)
    storage: str = "parquet"
    tables: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, FileEntry] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    """Optional: session id -> the person who produced it (imported or augmented data); empty when unknown."""
    source: dict[str, Any] = field(default_factory=dict)
    """Optional: where the data came from (``format`` of an import; ``dataset_sha256`` of an augment's input)."""
    format_version: str = FORMAT_VERSION
    hcisim_version: str = __version__
    created_at: str = ""

    def __post_init__(self) -> None:
        if self.coordinate_space not in COORDINATE_SPACES:
            raise HcisimError(
                f"coordinate_space must be one of {', '.join(COORDINATE_SPACES)}, not {self.coordinate_space!r}"
            )

    def rows(self, table: str) -> int:
        """The rows of ``table`` as the manifest lists its files."""
        return sum(self.files[rel].rows or 0 for rel in self.tables.get(table, []) if rel in self.files)

    def content_sha256(self) -> str:
        """The identity of the dataset's content: sha256 over its files' names and sha256s (not the date)."""
        listing = json.dumps({rel: e.sha256 for rel, e in sorted(self.files.items())}, sort_keys=True)
        return hashlib.sha256(listing.encode()).hexdigest()

    def to_json(self) -> str:
        data = asdict(self)
        for optional in ("people", "source"):  # absent when empty: older manifests stay byte-identical
            if not data[optional]:
                del data[optional]
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Manifest":
        known = {f for f in cls.__dataclass_fields__}
        missing = [k for k in REQUIRED_FIELDS if k not in data]
        if missing:
            raise HcisimError(f"manifest.json lacks required field(s): {', '.join(missing)}")
        kwargs = {k: v for k, v in data.items() if k in known}
        for name, f in cls.__dataclass_fields__.items():  # a hand-edited list where a mapping belongs, ...
            kind = f.default_factory if f.default_factory in (dict, list) else None
            if kind is not None and name in kwargs and not isinstance(kwargs[name], kind):
                raise TypeError(f"{name} must be a JSON {'object' if kind is dict else 'array'}")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in kwargs.get("people", {}).items()):
            raise TypeError("people must map session ids to person ids (strings)")
        kwargs["files"] = {}
        for name, entry in data["files"].items():
            try:
                kwargs["files"][name] = FileEntry.from_json(entry)
            except TypeError as exc:
                raise TypeError(f"files[{name!r}]: {exc}") from None
        return cls(**kwargs)

    @classmethod
    def load(cls, root: Path) -> "Manifest":
        path = root / MANIFEST_NAME
        if not path.is_file():
            raise HcisimError(f"{root}: not a dataset (no {MANIFEST_NAME})")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise HcisimError(f"{path}: not valid JSON (not UTF-8 text)") from None
        except json.JSONDecodeError as exc:
            raise HcisimError(f"{path}: not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise HcisimError(f"{path}: expected a JSON object")
        try:
            return cls.from_dict(data)
        except TypeError as exc:
            raise HcisimError(f"{path}: malformed manifest ({exc})") from None
