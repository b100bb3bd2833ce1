"""`inspect`'s session duration covers the session's actions as well as its input events."""

from simulator.dataset import read_dataset
from simulator.dataset.summary import summarize
from tests.replay.sessions import REFERENCE, write_session


def test_a_session_lasts_to_the_end_of_its_last_action(tmp_path):
    """The span of the events alone ended with the last press: a session whose person then read the page for a
    while was reported seconds short (18.3 s for actions running to 23.1 s)."""
    ds = read_dataset(write_session(tmp_path / "s", REFERENCE[:3]))
    assert max(ds.events.column("t_ms").to_pylist()) < 1400.0
    assert summarize(ds).duration_ms["max"] == 1400.0  # the last action (Log in) ends at 1,400 ms
