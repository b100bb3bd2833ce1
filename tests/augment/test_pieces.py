"""Pure pieces of augment: the movement cutting rule, matched texts, the manifest's new optional fields."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simulator.augment.convert import iter_sessions
from simulator.augment.tasks import TextMix, pointing_spans, segment_numbers
from simulator.readers.hcisim import pointer_logs
from simulator.augment.texts import matched_text, new_faker
from simulator.dataset import DatasetWriter, Manifest, read_dataset, validate_dataset
from simulator.readers.common import cut_movements


def test_pointing_spans_cut_as_the_fits_do(mouse_ds):
    for log in pointer_logs(read_dataset(mouse_ds).events, {}).values():
        spans = pointing_spans(log)
        mv = cut_movements([log])
        assert len(spans) == len(mv) > 20
        assert np.array_equal([log.x[p] for _, p in spans], mv.press_x)
        assert np.array_equal([p - a for a, p in spans], np.diff(mv.offsets))


@pytest.mark.parametrize("text", ["Hello there, how are you doing today? I'm fine.",
                                  "all lower case words without any punctuation at all here",
                                  "call 555 0199 at 10 or 11 then 42 and 7"])
def test_matched_text_follows_length_and_mix(text):
    mix = TextMix.of(text)
    fake, rng = new_faker(), np.random.default_rng(0)
    outs = [matched_text(len(text), mix, fake, rng) for _ in range(20)]
    for o in outs:
        assert 0 < len(o) <= len(text) and o != text
        assert mix.upper > 0 or o == o.lower()
        assert mix.punct > 0 or not any(c in ",.?!'" for c in o)
    assert np.median([len(o) for o in outs]) >= 0.75 * len(text)
    assert (np.mean([TextMix.of(o).digits for o in outs]) > 0) == (mix.digits > 0)
    again = [matched_text(len(text), mix, new_faker(), np.random.default_rng(0))]
    assert again[0] == outs[0]  # seeded


def test_old_manifest_without_people_loads_and_stays_byte_identical(tmp_path):
    with DatasetWriter(tmp_path / "d", Manifest(driver="offline")) as w:
        w.add_session("s1", events=[{"session_id": "s1", "seq": 0, "t_ms": 0.0, "device": "mouse", "type": "move",
                                     "x": 1.0, "y": 2.0}])
    raw = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert "people" not in raw and "source" not in raw  # empty optional fields are not written
    m = read_dataset(tmp_path / "d").manifest
    assert m.people == {} and m.source == {}


def test_people_naming_an_unknown_session_is_invalid(tmp_path):
    man = Manifest(driver="import", people={"s1": "p", "ghost": "q"}, source={"format": "pynput"})
    with DatasetWriter(tmp_path / "d", man) as w:
        w.add_session("s1", events=[{"session_id": "s1", "seq": 0, "t_ms": 0.0, "device": "keyboard",
                                     "type": "key_down", "key": "a", "code": "KeyA"}])
    assert read_dataset(tmp_path / "d").manifest.source == {"format": "pynput"}
    problems = validate_dataset(tmp_path / "d")
    assert len(problems) == 1 and "ghost" in problems[0]


def test_segment_numbers_name_the_readers_segments(shared_data):
    """The held-out split of the free-text data is by the reader's segment ids: numbering must agree."""
    from simulator.readers.pynput_log import read_pynput

    f = shared_data / "typing-free-text" / "Twitter" / "t_05.csv"
    reader = {r.text_id: len(r) for r in read_pynput(f)}
    ours = {}
    for s in iter_sessions("pynput", f):
        seg = segment_numbers(s.events)
        ty = np.asarray(s.events.column("type").to_pylist())
        key = np.asarray(s.events.column("key").to_pylist(), dtype=object)
        for n in np.unique(seg):
            presses = int(((seg == n) & (ty == "key_down") & (key != "Enter")).sum())
            if presses:
                ours[f"{s.session_id}#{int(n)}"] = presses
    assert len(reader) > 5 and ours == reader


def test_each_transcribed_sentence_is_a_typing_task_of_its_own(shared_data, tmp_path):
    """An Aalto participant's sentences ran together (no Enter, no 5 s pause between some): augmenting
    wrote segments of ~168 characters for sentences of ~38. Each `type` action now starts a segment."""
    from simulator.augment import import_dataset
    from simulator.augment.tasks import extract
    from simulator.dataset import read_dataset

    import_dataset("aalto", shared_data / "aalto-typing" / "files" / "1002_keystrokes.txt", tmp_path / "a")
    ds = read_dataset(tmp_path / "a")
    sentences = [a["text_typed"] for a in ds.actions.to_pylist() if a["kind"] == "type"]
    segs = extract(ds).sessions[0].segments
    assert len(sentences) >= 10 and len(segs) == len(sentences)
    # (what the keys typed, against what was submitted: within a character or two)
    assert np.abs(np.array([s.length for s in segs]) - [len(t) for t in sentences]).max() <= 2


def test_resampled_pointing_tasks_keep_the_recorded_distances():
    """Targets anywhere on a 1920 x 1080 screen, each task starting anywhere: a chain of resampled tasks that
    redrew whatever did not fit from where the pointer was came out ~9 % short on average (long tasks fit
    only from near an edge); waiting until they fit keeps the recorded distances."""
    from simulator.augment.generate import _pointing_plan
    from simulator.augment.tasks import Pointing, SessionTasks

    rng = np.random.default_rng(3)
    a, b = rng.uniform((0, 0), (1920, 1080), (2, 400, 2))
    tasks = [Pointing(tuple(s), tuple(p), (40.0, 30.0), 0.0, 0.0, 0.0, float("nan")) for s, p in zip(a, b)]
    st = SessionTasks("s", "p", pointing=tasks, bounds=(0.0, 0.0, 1920.0, 1080.0))
    recorded = np.hypot(*(b - a).T)
    sx, sy, ex, ey, w, h = _pointing_plan(st, 4000, np.random.default_rng(0))
    planned = np.hypot(ex - sx, ey - sy)
    assert np.array_equal(sx[1:], ex[:-1]) and np.array_equal(sy[1:], ey[:-1])   # chained
    assert ((0 <= ex) & (ex <= 1920) & (0 <= ey) & (ey <= 1080)).all()
    assert abs(planned.mean() / recorded.mean() - 1) < 0.03
    assert abs(np.percentile(planned, 90) / np.percentile(recorded, 90) - 1) < 0.04
    assert np.allclose(w / 40.0, h / 30.0) and 0.6 < np.median(w / 40.0) < 1.4
