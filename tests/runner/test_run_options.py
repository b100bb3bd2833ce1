"""`hcisim run` says which options its driver does not use, starts no more workers than there are shards, and
writes into the --out a CI job gives it (a link, a mount point) instead of failing after the work."""

import errno
import os

import pytest

import simulator.dataset.writer as writer
import simulator.engines.sharded as sharded
from simulator.dataset import read_dataset, validate_dataset
from simulator.errors import HcisimError
from simulator.runner import RunConfig, run


@pytest.mark.parametrize("driver,given,said", [
    ("offline", {"save_layout": "x.json"}, "--save-layout: not used by --driver offline (--save-layout is for browser"),
    ("offline", {"url": "http://x.invalid", "headed": True}, "--url, --headed: not used by --driver offline"),
    ("offline", {"screenshots": "periodic"}, "--screenshots is for browser and desktop runs"),
    ("browser", {"layout": "l.json"}, "--layout: not used by --driver browser (--layout is for offline runs)"),
    ("browser", {"shard_size": 10}, "--shard-size: not used by --driver browser"),
    ("offline", {"address": "head:6379"}, "--address names a Ray cluster: add --engine ray"),
])
def test_an_option_the_driver_does_not_use_is_refused_not_ignored(tmp_path, driver, given, said):
    """An offline run with --save-layout wrote no file, --app-version v9 or --url were taken and nothing said."""
    with pytest.raises(HcisimError) as e:
        run(RunConfig(scenario="login", driver=driver, out=tmp_path / "o", **given))
    assert said in str(e.value)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("driver,given,said", [
    ("browser", {"screenshots": "periodic"}, "--screenshots periodic: give --periodic-ms N"),
    ("desktop", {"screenshots": "periodic", "periodic_ms": 0.0}, "--screenshots periodic: give --periodic-ms N"),
    ("browser", {"screenshots": "none", "periodic_ms": 400.0}, "--periodic-ms 400 with --screenshots none"),
])
def test_screenshot_options_that_would_take_none_are_refused_before_the_app_starts(tmp_path, monkeypatch, driver,
                                                                                    given, said):
    """`--screenshots periodic` alone ran a whole live session and wrote no screenshot, exit 0: periodic frames
    come every --periodic-ms (default 0: never), and the run said nothing."""
    import simulator.runner as runner

    def no_session(*args, **kwargs):
        raise AssertionError("the run started its driver")

    monkeypatch.setattr(runner, "SessionRunner", no_session)
    with pytest.raises(HcisimError) as e:
        run(RunConfig(scenario="login", driver=driver, out=tmp_path / "o", **given))
    assert said in str(e.value)
    assert not (tmp_path / "o").exists()


def test_a_ray_address_nothing_answers_at_is_one_line(tmp_path):
    """ray.init retried 127.0.0.1:1 for minutes, printing connection warnings, until CI's timeout."""
    pytest.importorskip("ray")
    with pytest.raises(HcisimError, match="no Ray cluster answers at 127.0.0.1:1"):
        run(RunConfig(scenario="login", driver="offline", out=tmp_path / "o", engine="ray", address="127.0.0.1:1"))


def test_workers_beyond_the_shards_are_never_started(tmp_path, monkeypatch):
    """--workers 100000 for one shard forked until the machine ran out of memory."""
    started = []

    class Counting(sharded.LocalEngine):
        def __init__(self, workers: int) -> None:
            started.append(workers)
            super().__init__(workers)

    monkeypatch.setattr(sharded, "LocalEngine", Counting)
    run(RunConfig(scenario="login", driver="offline", sessions=2, shard_size=1, workers=100000, out=tmp_path / "o"))
    assert started == [2]


def test_a_link_and_an_empty_mount_point_as_out_receive_the_dataset(tmp_path, monkeypatch):
    """A symlinked --out became a folder of its own (the artifacts folder it named stayed empty); an empty
    mount point, which cannot be renamed, ended in a traceback after all the work."""
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "artifacts")
    run(RunConfig(scenario="login", driver="offline", out=tmp_path / "link", screenshots="none"))  # none: asks nothing
    assert (tmp_path / "link").is_symlink() and validate_dataset(tmp_path / "artifacts") == []
    (tmp_path / "later").symlink_to(tmp_path / "made-by-the-run")  # a link to a folder still to be made
    run(RunConfig(scenario="login", driver="offline", out=tmp_path / "later"))
    assert validate_dataset(tmp_path / "made-by-the-run") == []

    mount = tmp_path / "mnt"
    mount.mkdir()
    real_replace = os.replace

    def busy(src, dst):
        if os.fspath(src) == os.fspath(mount):
            raise OSError(errno.EBUSY, "Device or resource busy")
        return real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", busy)
    run(RunConfig(scenario="login", driver="offline", sessions=2, out=mount))
    assert validate_dataset(mount) == [] and len(read_dataset(mount).sessions) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_the_manifest_names_the_script_and_layout_by_content(tmp_path):
    """Two copies of a script differing in one line gave manifests differing only in files and dates."""
    from simulator.sessions import LAYOUT_DIR

    body = (LAYOUT_DIR.parent / "login.py").read_text()
    sources = []
    for i, name in enumerate(("a", "b")):
        (tmp_path / name).mkdir()
        script = tmp_path / name / "mylogin.py"
        script.write_text(body + f"\n# edit {i}\n")
        run(RunConfig(scenario=str(script), driver="offline", layout=LAYOUT_DIR / "login.json", out=tmp_path / f"o{i}"))
        sources.append(read_dataset(tmp_path / f"o{i}").manifest.source)
    assert sources[0]["script"] == sources[1]["script"] == "mylogin.py"
    assert sources[0]["script_sha256"] != sources[1]["script_sha256"]
    assert sources[0]["layout_sha256"] == sources[1]["layout_sha256"] and sources[0]["layout"] == "login.json"


def test_the_same_offline_command_again_is_up_to_date_and_other_settings_are_refused(tmp_path):
    """A CI job running its generation command a second time got "already exists" and had to script the check."""
    cfg = RunConfig(scenario="login", driver="offline", sessions=2, seed=3, out=tmp_path / "o")
    first = run(cfg)
    made = (tmp_path / "o" / "manifest.json").stat().st_mtime_ns
    again = run(cfg)
    assert again.stats["up_to_date"] and (again.sessions, again.events) == (first.sessions, first.events)
    assert (tmp_path / "o" / "manifest.json").stat().st_mtime_ns == made  # nothing made again
    with pytest.raises(HcisimError, match="already exists; choose another --out or pass --overwrite"):
        run(RunConfig(scenario="login", driver="offline", sessions=2, seed=4, out=tmp_path / "o"))
    # only the shard size differs: the same sessions, said as such (it was "already exists")
    with pytest.raises(HcisimError, match=r"holds the same sessions in shards of 100 \(--shard-size 100 finds it up "
                                          r"to date\); --overwrite rewrites them in shards of 1$"):
        run(RunConfig(scenario="login", driver="offline", sessions=2, seed=3, shard_size=1, out=tmp_path / "o"))
    # a file lost since is not up to date: a CI cache re-running the command got success on broken data
    part = next((tmp_path / "o" / "events").rglob("part.*"))
    part.unlink()
    with pytest.raises(HcisimError, match="made by the same settings but events/.* is missing since; --overwrite"):
        run(cfg)
    assert run(RunConfig(**{**vars(cfg), "overwrite": True})).sessions == 2


def test_a_script_imports_a_helper_module_beside_it(tmp_path, monkeypatch):
    """`from helpers import USERS` in one's own scenario was "No module named 'helpers'" (a script elsewhere
    than the working folder); the import path is as it was after loading."""
    import sys

    from simulator.sessions import LAYOUT_DIR

    monkeypatch.chdir(tmp_path)
    (tmp_path / "scen").mkdir()
    (tmp_path / "scen" / "helpers.py").write_text('NAME = "from-the-helper"\n')
    body = (LAYOUT_DIR.parent / "login.py").read_text().replace("f.user_name()", "NAME")
    (tmp_path / "scen" / "my_login.py").write_text("from helpers import NAME\n" + body)
    before = list(sys.path)
    res = run(RunConfig(scenario="scen/my_login.py", driver="offline", out=tmp_path / "o",
                        layout=LAYOUT_DIR / "login.json"))
    assert sys.path == before
    typed = {a["text_intended"] for a in read_dataset(res.out).actions.to_pylist() if a["kind"] == "type"}
    assert "from-the-helper" in typed
