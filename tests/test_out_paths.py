"""Every command's --out is taken as the system takes the path, and a failing command leaves no folder it made."""

import os
from pathlib import Path

import pytest

from simulator.atomic import output_path
from simulator.errors import HcisimError
from tests.helpers import hcisim, one_line_error

ROOT = Path(__file__).resolve().parents[1]


def test_a_dot_dot_is_taken_out_of_a_folder_that_exists_and_never_out_of_one_that_does_not(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub" / "x").mkdir(parents=True)
    (tmp_path / "afile").write_text("")
    (tmp_path / "link").symlink_to(tmp_path / "sub" / "x")
    assert output_path("sub/x/../o") == Path("sub/o")
    assert output_path("sub/x/..") == Path("sub")
    assert output_path(tmp_path / "sub" / "x" / ".." / "o") == tmp_path / "sub" / "o"
    assert output_path("link/../o") == Path("sub/o")  # out of where the link leads, as the kernel goes
    assert output_path("sub/o") == Path("sub/o") and output_path("../o") == Path("../o")
    with pytest.raises(HcisimError, match=r"^sub/y/../o: goes up \('..'\) out of sub/y, which does not exist"):
        output_path("sub/y/../o")
    with pytest.raises(HcisimError, match=r"out of afile, which is not a folder"):
        output_path("afile/../o")


@pytest.mark.parametrize("args", [  # one command per way an --out is checked (a dataset, a file, a recording)
    ["run", "login", "--driver", "browser", "--out", "{out}"],  # (said before a browser starts)
    ["synth-moves", "--pairs", "{pairs}", "--candidates", "1", "--out", "{out}.parquet"],
    ["record", "--desktop", "--out", "{out}"],
])
def test_an_out_through_a_folder_not_there_is_refused_and_makes_nothing(tmp_path, args):
    """--out sub/x/../o made sub/x to write sub/o and left it behind, empty (and --out sub/x/.. left a staging
    folder sub/x/....shards)."""
    (tmp_path / "pairs.csv").write_text("pair_id,x0,y0,x1,y1\na,0,0,300,200\n")
    out = tmp_path / "sub" / "x" / ".." / "o"
    args = [a.format(out=out, pairs=tmp_path / "pairs.csv") for a in args]
    one_line_error(hcisim(*args, env={**os.environ, "DISPLAY": ":989"}),
                   f"goes up ('..') out of {tmp_path / 'sub' / 'x'}, which does not exist", code=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.csv"]


def test_an_out_that_resolves_to_a_folder_in_use_is_refused_without_a_staging_folder_in_it(tmp_path):
    (tmp_path / "sub" / "x").mkdir(parents=True)
    one_line_error(hcisim("run", "login", "--out", tmp_path / "sub" / "x" / ".."),
                   f"{tmp_path / 'sub'} already exists and is not a dataset", code=2)
    assert [p.relative_to(tmp_path).as_posix() for p in sorted(tmp_path.rglob("*"))] == ["sub", "sub/x"]


@pytest.mark.parametrize("args, said", [
    (["run", "checkout_form", "--layout", str(ROOT / "scenarios" / "layouts" / "login.json"), "--out", "{out}"],
     "is not in the layout snapshot"),
    (["record", "--desktop", "--out", "{out}"], "no X display to record"),
    pytest.param(["record", "--headless", "--url", "http://127.0.0.1:9/", "--out", "{out}"],
                 "app not reachable at http://127.0.0.1:9/", marks=pytest.mark.browser),
])
def test_a_command_that_fails_takes_away_the_folders_it_made_for_its_out(tmp_path, args, said):
    """A failing offline run (its folders were made for the staging folder), a desktop recording without a
    display or a browser recording of a page that never loaded left new/deep/ behind, empty."""
    args = [a.format(out=tmp_path / "new" / "deep" / "o") for a in args]
    one_line_error(hcisim(*args, env={**os.environ, "DISPLAY": ":989"}), said, code=2)
    assert list(tmp_path.iterdir()) == []
