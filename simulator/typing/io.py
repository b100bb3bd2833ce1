"""The edges: ``hcisim synth-typing`` (CSV in, Parquet out) and ``hcisim fit typing`` (data in, profile out).

Both validate everything before writing anything and write through a temp file + rename, so a bad
row or an interrupted run never leaves a partial file.
"""

from __future__ import annotations

import csv
import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.atomic import PARQUET, atomic_path, check_file_out, json_with, profile_read
from simulator.chunks import chunks_in_order
from simulator.errors import HcisimError
from simulator.progress import Steps
from simulator.provenance import with_provenance
from simulator.readers.common import PATTERNS, find_files, refuse_non_text, say_unread, typed_ids
from simulator.rng import rng_for
from simulator.terms import dataset_terms
from simulator.typing.fit import fit_records, recorded_layout
from simulator.typing.layout import get_layout
from simulator.typing.profile import FORMAT, SHIPPED, Population, TypingProfile, load_profile, save_profile
from simulator.typing.records import MODIFIERS, Keystrokes
from simulator.typing.synth import CHOOSE_TEXTS, synth_typing
from simulator.typing.text import intended_text, normalise_newlines

FORMATS = ("aalto", "pynput", "hcisim")


def out_schema(id_type: pa.DataType) -> pa.Schema:
    """OUT.parquet's columns; ``text_id`` keeps the type the texts file's ids are read as (`typed_ids`)."""
    return pa.schema([
        pa.field("text_id", id_type, nullable=False),
        pa.field("t_ms", pa.float64(), nullable=False),
        pa.field("type", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
        pa.field("code", pa.string()),
    ])


CHUNK_TEXTS = CHOOSE_TEXTS
"""synth-typing types this many texts at a time (see `synth_typing_file`): no more than `synth_typing` holds the
critic's draws of at once, so its output does not depend on the latter."""
USERS_KEPT_UP_TO = 60
"""Profiles keep per-typist parameters when fitted on at most this many typists (else population only)."""

AALTO_LICENCE = ("Aalto 136M Keystrokes data set (Dhakal, Feit, Kristensson, Oulasvirta, 'Observations on Typing "
                 "from 136 Million Keystrokes', CHI 2018, doi:10.1145/3173574.3174220): free for non-commercial "
                 "use in research or projects, with attribution to the authors. Parameters fitted from it inherit "
                 "that condition.")
FREETEXT_CREDIT = ("Free-text keystroke logs from github.com/AlvinKuruvilla/keystroke-data (commit 0aacea6, no "
                   "licence published): only fitted parameters are shipped, no recorded keystrokes.")


def read_texts_csv(path: Path) -> tuple[list[str], pa.Array, list[str], list[str | None]]:
    """Ids as written (for messages), the same ids typed as the output holds them (`typed_ids`), texts, users."""
    path = Path(path)
    if not path.is_file():
        raise HcisimError(f"{path}: no such texts file" + (" (it is a folder)" if path.is_dir() else ""))
    if path.stat().st_size == 0:
        raise HcisimError(f"{path}: empty file (need a header text_id,text[,user] and one text per line)")
    refuse_non_text(path, "a texts CSV")
    limit = csv.field_size_limit()
    # csv's default limit (131,072 characters a field) refused a long text as "not a readable CSV"; no field is
    # longer than the file
    csv.field_size_limit(max(limit, path.stat().st_size + 1))
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f, strict=True)  # a quote never closed took the rest of the file as one text
            reader.fieldnames = [c.strip() for c in reader.fieldnames or []]  # "text_id, text" typed by hand
            fields = reader.fieldnames
            rows = list(reader)
    except UnicodeDecodeError:
        raise HcisimError(f"{path}: not UTF-8 text") from None
    except csv.Error as e:
        hint = ": a quote opened and never closed" if "end of data" in str(e) else ""
        raise HcisimError(f"{path}: not a readable CSV ({e}{hint})") from None
    finally:
        csv.field_size_limit(limit)
    # only columns read (an unnamed two-level pandas index, ",,text_id,text", was refused with no name)
    twice = sorted({c for c in fields if fields.count(c) > 1 and c in ("text_id", "text", "user")})
    if twice:  # the last of two text columns was typed, without a word
        raise HcisimError(f"{path}: column(s) {', '.join(twice)} appear more than once in the header")
    missing = {"text_id", "text"} - set(fields or [])
    if missing:
        raise HcisimError(f"{path}: missing column(s) {', '.join(sorted(missing))} (need text_id,text[,user])")
    if not rows:
        raise HcisimError(f"{path}: no texts")
    ids, texts, users = [], [], []
    for n, r in enumerate(rows, start=2):
        tid, text = r.get("text_id"), r.get("text")
        if tid is None or text is None:
            raise HcisimError(f"{path}: line {n} has too few columns")
        if r.get(None):  # csv puts fields beyond the header under None: an unquoted comma cut the text
            raise HcisimError(f"{path}: line {n} has more fields than the header (quote a text that holds "
                              f'commas: "Hello, world")')
        if tid.strip() == "":  # a reader of the output could not tell which text its events type
            raise HcisimError(f"{path}: line {n} has no text_id")
        if text == "":
            raise HcisimError(f"{path}: text {tid!r} (line {n}) is empty")
        u = r.get("user")
        ids.append(tid)
        texts.append(normalise_newlines(text))
        users.append(u if u is not None and u.strip() else None)  # a blank cell is empty, as synth-moves reads it
    typed = typed_ids(ids)
    return ids, typed, texts, users


def synth_typing_file(texts_csv: Path, out: Path, profile: str | Path = "aalto", seed: int = 0,
                      progress=None, candidates: int | None = None, layout: str | None = None,
                      skill: float | None = None, uncorrected_errors: bool = True, workers: int = 1) -> int:
    """``hcisim synth-typing``: one row per key event, grouped by text in input order; returns rows written.

    Texts are typed CHUNK_TEXTS at a time, each chunk from its own branch of the seed's RNG tree, and
    written as one row group: memory stays bounded (16 candidate typings of every text are held while
    the critic chooses: ~1.5 GB per 1,000 texts unchunked). ``progress(done, total)`` after each chunk.
    ``candidates``: typings per text the realism critic chooses among (`synth_typing`); ``layout``: the
    keyboard typed on (default: the profile's); ``skill``: new typists' speed as a population z-score;
    ``uncorrected_errors=False``: every typo corrected, each text typed exactly. ``workers``: processes making
    chunks side by side (`simulator.chunks`); the bytes are the same.
    """
    if not Path(texts_csv).is_file():  # before the output check, which would call a folder "the texts file"
        read_texts_csv(texts_csv)
    reads = {"texts file being read": texts_csv, **profile_read(profile, SHIPPED)}
    check_file_out(out, reads, replaces=PARQUET)
    prof = load_profile(profile)
    ids, tids, texts, users = read_texts_csv(texts_csv)
    for i, (tid, u) in enumerate(zip(ids, users)):
        if u is not None:
            try:
                users[i] = prof.resolve_user(u)
            except HcisimError as e:
                raise HcisimError(f"text {tid!r}: {e}") from None
    lay = get_layout(layout or prof.layout)
    for tid, s in zip(ids, texts):
        try:
            lay.check(s)
        except HcisimError as e:
            raise HcisimError(f"text {tid!r}: {e}") from None
    rows, n = 0, len(texts)
    schema = with_provenance(out_schema(tids.type), "synth-typing", prof.id, prof.sha256, prof.metadata, seed=seed,
                             keyboard=lay.name, candidates=candidates, skill=skill,
                             uncorrected_errors=uncorrected_errors)
    job = _TextChunks(prof, texts, users, seed, lay.name, candidates, skill, uncorrected_errors)
    with atomic_path(out) as tmp, pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for part, (lens, cols) in chunks_in_order(job, n, CHUNK_TEXTS, workers):
            table = pa.table({"text_id": tids.take(np.repeat(np.arange(part.start, part.stop), lens)), **cols},
                             schema=schema)
            writer.write_table(table)
            rows += table.num_rows
            if progress:
                progress(part.stop, n)
    return rows


@dataclass
class _TextChunks:
    """Chunk ``k`` of a synth-typing file: key events per text and the event columns, in text order."""

    profile: TypingProfile
    texts: list[str]
    users: list
    seed: int
    layout: str
    candidates: int | None
    skill: float | None
    uncorrected_errors: bool

    def __call__(self, k: int, part: slice) -> tuple[list[int], dict[str, pa.Array]]:
        events = synth_typing(self.texts[part], profile=self.profile, rng=rng_for(self.seed, "synth-typing", k),
                              users=self.users[part], layout=self.layout, candidates=self.candidates, skill=self.skill,
                              uncorrected_errors=self.uncorrected_errors)
        return [len(e) for e in events], {
            "t_ms": pa.array(np.concatenate([e.t_ms for e in events]), pa.float64()),
            "type": pa.array(np.concatenate([e.type for e in events]), pa.string()),
            "key": pa.array(np.concatenate([e.key for e in events]), pa.string()),
            "code": pa.array(np.concatenate([e.code for e in events]), pa.string()),
        }


# -- fitting ---------------------------------------------------------------------------------------

def read_records(data: Path, fmt: str, progress=None) -> list[Keystrokes]:
    if fmt not in FORMATS:
        raise HcisimError(f"unknown typing data format {fmt!r} (use one of: {', '.join(FORMATS)})")
    if fmt == "aalto":
        from simulator.readers.aalto import read_aalto
        return read_aalto(Path(data), progress=progress)
    if fmt == "pynput":
        from simulator.readers.pynput_log import read_pynput
        return read_pynput(Path(data), progress=progress)
    from simulator.readers.hcisim import read_typing
    records = read_typing(Path(data), progress=progress)
    if not records:  # (key_up events alone were said to be "no keyboard events")
        raise HcisimError(f"{data}: the dataset has no key presses to fit (key_down events)")
    return records


def _named_like(files: list[Path], pattern: str) -> bool:
    """Whether any file read is named as the shared data set's are: its licence or credit goes with a profile
    fitted on it (any of it: a few of the study's files mixed with one's own keep its terms), not with a
    recording of your own in its format."""
    return any(re.fullmatch(pattern, f.name) for f in files if not f.name.startswith("."))


def data_terms(data: Path, fmt: str, read: list[Path] | None = None) -> dict[str, str]:
    """The licence or credit (`simulator.terms`) of the recorded data at ``data`` read as ``fmt``: the shared data
    sets' by their file names, an hcisim dataset's (an import of them, an augmentation of that) from its manifest.
    ``read``: the files actually read (an import's --sessions picks some); default every file the format's reader
    reads (`PATTERNS`) -- so a file it skips, the Aalto data set's own ``aalto_readme.txt`` beside ``files/``, is
    not judged."""
    if fmt in ("aalto", "pynput"):
        data = Path(data)
        files = read if read is not None else [data] if data.is_file() else find_files(data, PATTERNS[fmt])
        if fmt == "aalto" and _named_like(files, r"\d+_keystrokes\.txt"):
            return {"licence": AALTO_LICENCE}
        if fmt == "pynput" and _named_like(files, r"[fit]_\d+\.csv"):
            return {"credit": FREETEXT_CREDIT}
    if fmt == "hcisim":
        from simulator.dataset import Manifest

        m = Manifest.load(Path(data))
        return dataset_terms(m.source, m.profiles)
    return {}


TIME_UNIT = {"aalto": "milliseconds (PRESS_TIME, RELEASE_TIME)", "pynput": "nanoseconds",
             "hcisim": "milliseconds (t_ms)"}
"""What each format's times count."""
KEY_GAP_MS = (5.0, 60_000.0)
"""The median gap between successive presses of a text lies in this range (recorded: about 150-250 ms); outside it
the times are in another unit than the format's."""


def check_clock(records: list[Keystrokes], data: Path, fmt: str) -> None:
    """Stop with one line when the recorded times cannot be the format's unit. Why: an Aalto-format file in seconds
    ended the fit in a numpy IndexError, and a pynput log in milliseconds wrote, exit 0, a profile that then would
    not load ("incomplete or damaged")."""
    gaps = np.concatenate([np.diff(r.press_ms) for r in records])
    step = gaps[gaps > 0]
    if not len(step):
        raise HcisimError(f"{data}: the key presses' times never advance; nothing to fit typing's timing on")
    med = float(np.median(step))
    if not KEY_GAP_MS[0] <= med <= KEY_GAP_MS[1]:
        raise HcisimError(f"{data}: successive key presses are {med:.3g} ms apart at the median (people type about "
                          f"every 150-250 ms): are the times in another unit? {fmt} times are {TIME_UNIT[fmt]}")


def fit_profile(data: Path, fmt: str, out: Path, progress=None, *, holdout: bool = False,
                profile_id: str | None = None, report: bool = True, layout: str | None = None,
                note: Callable[[str], None] | None = None) -> Path:
    """``hcisim fit typing``: read, fit, write the profile (atomically) and an HTML fit report beside it.
    ``note`` hears what a user should know of the result (a fit too small for the realism critic).

    ``layout``: the keyboard the recorded people typed on, which places each character's key (its
    hand, finger and row); None: read from the key codes the events name, else US. The profile keeps it
    as the layout it types on by default.

    ``holdout=True`` leaves out the standard held-out part (`simulator.typing.splits`) and says so in
    the metadata -- the realism benchmark's profiles are built that way so it judges on unseen people.
    """
    from simulator.critic import MIN_CRITIC_ITEMS
    from simulator.typing import splits
    from simulator.typing.realism import CRITIC_STEPS, MIN_CRITIC_KEYS, fit_typing_critic

    if fmt not in FORMATS:
        raise HcisimError(f"unknown typing data format {fmt!r} (use one of: {', '.join(FORMATS)})")
    if layout:
        get_layout(layout)  # an unknown name fails before any reading
    out = Path(out)
    if out.suffix.lower() != ".json":  # (x.JSON was refused; fit mouse takes it)
        raise HcisimError(f"{out}: typing profiles are .json files")
    # a profile may be written beside the recordings, never over one of them (a dataset's manifest was replaced)
    check_file_out(out, replaces=("a typing profile", json_with("format", FORMAT)))
    if report:
        from simulator.report.page import REPORT
        # before the profile is replaced: a refused report wrote it anyway
        check_file_out(out.with_suffix(".html"), replaces=REPORT)
    step = Steps(4 + CRITIC_STEPS, progress)
    records = read_records(data, fmt)
    say_unread(Path(data), fmt, note)
    step()
    held = "none"
    if holdout and fmt in splits.DESCRIPTION:
        test = splits.aalto_is_test if fmt == "aalto" else None
        records = [r for r in records if not (test(r.user) if test else splits.freetext_is_test(r.text_id))]
        held = splits.DESCRIPTION[fmt]
    records = [r for r in records if len(r) >= 2]
    # the model times keys between modifiers: texts of Shift+A alone passed as 2 keystrokes, then a numpy traceback
    timed = sum(int(np.sum(~np.isin(r.key, list(MODIFIERS)))) >= 2 for r in records)
    if timed < 3:
        raise HcisimError(f"{data}: too little typing to fit ({timed} text(s) with 2+ keystrokes besides modifiers "
                          f"such as Shift; need 3)")
    check_clock(records, data, fmt)
    lay, layout_from = recorded_layout(records, layout, codes_recorded=fmt == "hcisim")
    if not any(intended_text(r, lay) for r in records):  # the calibration retypes texts: none ended in a traceback
        named = sorted({str(k) for r in records for k in r.key})
        raise HcisimError(f"{data}: no text to fit: the {len(records)} text(s) hold only keys that type no character "
                          f"({', '.join(named[:5])}{', ...' if len(named) > 5 else ''})")
    res = fit_records(records, lay)
    step()
    users = res.users if len(res.users) <= USERS_KEPT_UP_TO else {}
    meta = {
        "source_format": fmt, "source": Path(data).name,
        "fitted": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d"),
        "held_out": held, "typists": len(res.users), "texts": len(records),
        "per_typist_params": bool(users), "layout_from": layout_from,
        "task": {"aalto": "transcription of shown sentences", "pynput": "free composition",
                 "hcisim": "hcisim-recorded sessions"}[fmt],
        "capture": {"aalto": "browser (JavaScript keydown/keyup)", "pynput": "OS-level (pynput listener)",
                    "hcisim": "hcisim dataset events"}[fmt],
    }
    meta |= data_terms(data, fmt)
    theta = np.stack(list(res.users.values()))
    prof = TypingProfile(id=profile_id or out.stem, sha256="", layout=lay.name, mean=res.mean, cov=res.cov,
                         shared=res.shared, population=Population.from_typists(theta), user_params=users,
                         metadata=meta, stats=res.stats)
    step()
    fit_typing_critic(prof, records, tick=step)
    if prof.critic is not None:
        meta["critic"] = {"C": prof.critic.C, "candidates": prof.critic.candidates}
    else:
        meta["critic"] = (f"none: fewer than {MIN_CRITIC_ITEMS} texts of {MIN_CRITIC_KEYS}+ keys, so synthesis "
                          f"draws each text once (--candidates has no effect)")
        if note is not None:
            note(f"{out}: realism critic {meta['critic']}")
    save_profile(prof, out)
    if report:
        from simulator.typing.report import write_fit_report
        write_fit_report(prof, records, out.with_suffix(".html"))
    step.finish()
    return out
