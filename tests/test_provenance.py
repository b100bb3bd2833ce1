"""synth-moves / synth-typing files say what made them: the profile, its data's licence, the seed and options."""

from __future__ import annotations

import pyarrow.parquet as pq

from simulator.mouse import synth_moves_file
from simulator.provenance import provenance_of
from simulator.typing import synth_typing_file
from simulator.typing.io import AALTO_LICENCE


def test_a_typing_file_carries_the_aalto_licence_and_its_options(tmp_path):
    """Data typed with the `aalto` profile is under Aalto's non-commercial licence; the Parquet file said nothing."""
    (tmp_path / "t.csv").write_text("text_id,text\n1,Hello there\n")
    synth_typing_file(tmp_path / "t.csv", tmp_path / "k.parquet", profile="aalto", seed=4, candidates=2,
                      uncorrected_errors=False)
    doc = provenance_of(pq.read_schema(tmp_path / "k.parquet"))
    assert doc["command"] == "synth-typing" and doc["seed"] == 4 and doc["candidates"] == 2
    assert doc["keyboard"] == "qwerty-us" and doc["uncorrected_errors"] is False and "skill" not in doc
    assert doc["profile"]["id"] == "aalto" and doc["profile"]["licence"] == AALTO_LICENCE
    assert len(doc["profile"]["sha256"]) == 64


def test_a_moves_file_names_its_profile_and_the_data_it_was_fitted_on(tmp_path):
    (tmp_path / "p.csv").write_text("pair_id,x0,y0,x1,y1\n1,10,10,300,200\n")
    synth_moves_file(tmp_path / "p.csv", tmp_path / "m.parquet", profile="balabit", seed=9, device="usb125")
    doc = provenance_of(pq.read_schema(tmp_path / "m.parquet"))
    assert doc["command"] == "synth-moves" and doc["seed"] == 9 and doc["device"] == "usb125"
    assert doc["profile"]["id"] == "balabit" and "Balabit" in doc["profile"]["fitted_on"]
    assert "candidates" not in doc  # the profile's own number: not an option given


def test_a_file_written_elsewhere_has_none(tmp_path):
    import pyarrow as pa

    pq.write_table(pa.table({"a": [1]}), tmp_path / "x.parquet")
    assert provenance_of(pq.read_schema(tmp_path / "x.parquet")) == {}


def test_dataset_terms_gather_the_source_and_every_profile_once():
    from simulator.terms import dataset_terms

    assert dataset_terms({"format": "x"}, {"typing": {"id": "aalto", "licence": "L"}, "mouse": {"id": "m"}}) == \
        {"licence": "L"}
    assert dataset_terms({"licence": "L"}, {"typing": {"licence": "L", "credit": "C"}}) == {"licence": "L", "credit": "C"}
    assert dataset_terms({"licence": "A"}, {"typing": {"licence": "B"}}) == {"licence": "A | B"}
    assert dataset_terms(None, None) == {}
