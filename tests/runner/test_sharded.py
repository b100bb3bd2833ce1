"""Offline generation is the same whatever the engine, workers and shard size; a killed run resumes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest

from simulator.dataset import read_dataset, validate_dataset
from simulator.runner import RunConfig, run
from tests.helpers import data_files

SCENARIO = "checkout_form"


def gen(out: Path, **kw) -> Path:
    cfg = RunConfig(scenario=SCENARIO, driver="offline", sessions=kw.pop("sessions", 6), seed=11, out=out,
                    shard_size=kw.pop("shard_size", 2), **kw)
    run(cfg)
    assert validate_dataset(out) == []
    return out



def sessions_table(root: Path, name: str) -> pa.Table:
    t = read_dataset(root).table(name)
    return t.sort_by([("session_id", "ascending"), ("seq" if name == "events" else "action_id", "ascending")])


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """`gen`'s dataset made by one worker, which the other engines, worker counts and shard sizes must give
    again (read only: made once for the module)."""
    return gen(tmp_path_factory.mktemp("reference") / "one-worker", workers=1)


def test_same_bytes_across_runs_and_workers(tmp_path, reference):
    b = gen(tmp_path / "b", workers=2)
    c = gen(tmp_path / "c", workers=1)  # a second run, in the same process
    assert data_files(reference) == data_files(b) == data_files(c)
    assert len([p for p in data_files(reference) if p.startswith("events/shard=")]) == 3


def test_same_sessions_whatever_the_shard_size(tmp_path, reference):
    b = gen(tmp_path / "b", shard_size=5)
    for name in ("events", "actions"):
        assert sessions_table(reference, name).equals(sessions_table(b, name))


def test_partitioned_layout_reads_with_pyarrow_dataset(reference):
    import pyarrow.dataset as pads

    d = pads.dataset(reference / "events", format="parquet", partitioning="hive")
    assert d.to_table().num_rows == read_dataset(reference).events.num_rows
    assert "shard" in d.schema.names


@pytest.mark.slow
def test_a_ray_run_of_two_workers_gives_the_same_sessions_and_says_nothing_of_token_authentication(tmp_path,
                                                                                                  reference):
    """The same dataset as one local worker's. And every --engine ray run printed Ray's "Token authentication
    is enabled for this Ray cluster. Set RAY_AUTH_MODE=disabled to opt out ..." -- a notice about a default the
    user did not ask about; the mode is now set to that default (token), which Ray takes without a word. One
    `hcisim run` shows both: each start of Ray costs seconds."""
    pytest.importorskip("ray")
    env = {k: v for k, v in os.environ.items() if k != "RAY_AUTH_MODE"}
    out = tmp_path / "ray"
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "run", SCENARIO, "--driver", "offline", "--engine",
                        "ray", "--workers", "2", "--sessions", "6", "--seed", "11", "--shard-size", "2", "--out",
                        str(out)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "authentication" not in r.stderr.lower(), r.stderr
    assert validate_dataset(out) == []
    assert data_files(out) == data_files(reference)


@pytest.mark.slow
def test_killed_run_resumes_to_the_identical_dataset(tmp_path):
    whole = gen(tmp_path / "whole", sessions=12, shard_size=2)
    out = tmp_path / "resumed"
    cmd = [sys.executable, "-m", "simulator.cli", "run", SCENARIO, "--driver", "offline", "--sessions", "12",
           "--seed", "11", "--shard-size", "2", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    stage = tmp_path / ".resumed.shards"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(stage.glob("shard=*/receipt.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = {p.parent.name: p.stat().st_mtime_ns for p in stage.glob("shard=*/receipt.json")}
    assert 2 <= len(kept) < 6 and not out.exists()
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert data_files(out) == data_files(whole)
    assert read_dataset(out).manifest.stats["shards_reused"] == len(kept)
    assert not stage.exists()


def test_a_resume_does_not_reuse_shards_of_an_edited_script(tmp_path):
    """The resume key holds the script's content, not its name: shards made before an edit are made again."""
    from simulator.engines.sharded import run_shard, staging_dir

    script = tmp_path / "sign_in.py"
    original = (Path(__file__).parents[2] / "scenarios" / "login.py").read_text()
    script.write_text(original.replace("f.user_name()", '"old-name"'))
    layout = Path(__file__).parents[2] / "scenarios" / "layouts" / "login.json"
    out = tmp_path / "out"
    cfg = RunConfig(scenario=str(script), driver="offline", sessions=4, seed=3, out=out, shard_size=2,
                    layout=layout)
    run_shard(cfg, 0, [0, 1], str(staging_dir(out)))  # a run that stopped after its first shard
    script.write_text(original.replace("f.user_name()", '"new-name"'))
    run(cfg)
    typed = {a["text_intended"] for a in read_dataset(out).actions.to_pylist()
             if a["kind"] == "type" and a["target_name"] == "Username"}
    assert typed == {"new-name"}
    assert read_dataset(out).manifest.stats["shards_reused"] == 0


def test_a_second_run_to_the_same_out_is_refused_while_the_first_writes(tmp_path):
    import fcntl

    from simulator.engines.sharded import lock_path
    from simulator.errors import HcisimError

    out = tmp_path / "out"
    with open(lock_path(out), "w") as held:  # the first run, mid-way
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(HcisimError, match="another hcisim run is writing .*out"):
            gen(out)
    gen(out)  # once it is gone, the same command runs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder, no lock file


@pytest.mark.slow
def test_a_killed_worker_ends_the_run_in_one_line_and_it_resumes(tmp_path):
    """A worker killed by the OOM killer broke the pool: a 67-line traceback. Now one line, and the same
    command finishes the dataset."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "simulator.cli", "run", SCENARIO, "--driver", "offline", "--sessions", "10",
           "--seed", "11", "--shard-size", "1", "--workers", "2", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(tmp_path.glob(".out.shards/shard=*/receipt.json")):
        time.sleep(0.05)
    workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert workers, "no worker processes"
    os.kill(int(workers[0]), signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "Traceback" not in err
    assert err.strip().startswith("error: a worker process died") and err.strip().endswith("to resume")
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert validate_dataset(out) == [] and read_dataset(out).manifest.stats["shards_reused"] >= 1


def test_session_ids_sort_as_sessions_do_at_any_size():
    from simulator.sessions import session_id

    assert session_id(42, 6) == "s00042"  # the usual width, as every fixture has it
    for total in (10, 100_000, 100_001, 2_000_000):
        ks = sorted({0, 9, total // 2, total - 2, total - 1})
        ids = [session_id(k, total) for k in ks]
        assert ids == sorted(ids) and len({len(i) for i in ids}) == 1, ids


@pytest.mark.slow
def test_a_terminated_sharded_run_says_what_it_kept_in_one_line(tmp_path):
    """It said two lines ("finished shards are kept ..." then "interrupted") and exited 130, Ctrl-C's code, for
    SIGTERM; a shell (and a CI runner) reports a process stopped by SIGTERM as 143."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "simulator.cli", "run", SCENARIO, "--driver", "offline", "--sessions", "24",
           "--seed", "11", "--shard-size", "3", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(tmp_path.glob(".out.shards/shard=*/receipt.json")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert err.strip() == (f"interrupted: finished shards are kept in {tmp_path / '.out.shards'}; "
                           f"run the same command to resume")


def test_every_shard_a_script_cannot_play_is_counted_not_only_the_first(tmp_path):
    """Only the first failing shard's error was said: fix it, run again, meet the next."""
    from simulator.errors import HcisimError

    script = tmp_path / "sign_in.py"
    original = (Path(__file__).parents[2] / "scenarios" / "login.py").read_text()
    script.write_text(original.replace('    f = s.fake\n', '    f = s.fake\n    if s.session_id >= "s00002":\n'
                                       '        s.click(role("button", "No such button"))\n'))
    cfg = RunConfig(scenario=str(script), driver="offline", sessions=6, seed=3, out=tmp_path / "out", shard_size=2,
                    layout=Path(__file__).parents[2] / "scenarios" / "layouts" / "login.json")
    with pytest.raises(HcisimError) as err:
        run(cfg)
    said = str(err.value)
    assert said.startswith("session s00002") and "; 1 more shard(s) failed too, the next: session s00004" in said
    assert said.endswith(f"; 1 completed shard(s) are kept in {tmp_path / '.out.shards'}")


@pytest.mark.slow
def test_a_kill_of_hcisim_alone_stops_its_workers_at_once(tmp_path):
    """`kill PID` reaches hcisim's process only, not its workers: it waited for the shards in flight (two minutes
    of checkout_form at the default shard size; for ever in a script that loops) before it said "interrupted"."""
    script = tmp_path / "stuck.py"
    script.write_text('"""Never ends."""\nimport time\n\nAPP = "web"\nSTART = "/login"\n\n\n'
                      "def run(s):\n    time.sleep(600)\n")
    layout = Path(__file__).parents[2] / "scenarios" / "layouts" / "login.json"
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "simulator.cli", "run", str(script), "--layout", str(layout), "--sessions", "4",
           "--shard-size", "1", "--workers", "2", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    workers: list[str] = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.1)
        workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) == 2, "no worker processes"
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=20)
    finally:
        for pid in workers:  # the test's own processes, whatever happened
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert proc.returncode == 143, err
    assert err.strip() == f"interrupted: no shard had finished: nothing written to {out}"
    assert list(tmp_path.iterdir()) == [script]


def _disk_full(*args, **kwargs):
    import errno

    raise OSError(errno.ENOSPC, "No space left on device", str(args[0]))


def test_assembling_the_dataset_does_not_copy_its_shards(tmp_path, monkeypatch):
    """The shards were copied into the dataset: a disk that held every shard filled up at the very end."""
    import shutil

    monkeypatch.setattr(shutil, "copyfile", _disk_full)
    out = gen(tmp_path / "out", sessions=4)
    assert not (tmp_path / ".out.shards").exists() and not (tmp_path / ".out.tmp-assemble").exists()
    assert read_dataset(out).manifest.stats["shards"] == 2


def test_a_full_disk_while_assembling_is_one_line_leaves_no_half_dataset_and_resumes(tmp_path, monkeypatch):
    """It left `.out.tmp-assemble` half-written, and its message named the shard file it was reading."""
    import shutil

    from simulator.errors import HcisimError

    monkeypatch.setattr(shutil, "copyfile", _disk_full)
    monkeypatch.setattr(os, "link", _disk_full)
    with pytest.raises(HcisimError) as err:
        gen(tmp_path / "out", sessions=4)
    assert str(err.value) == (f"{tmp_path / 'out'}: cannot write there (No space left on device); the 2 completed "
                              f"shard(s) are kept in {tmp_path / '.out.shards'}; run the same command to resume")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.shards"]
    monkeypatch.undo()
    assert read_dataset(gen(tmp_path / "out", sessions=4)).manifest.stats["shards_reused"] == 2


def test_a_run_that_ends_before_any_shard_finished_leaves_no_staging_folder(tmp_path, monkeypatch):
    """An unreachable Ray cluster, or a stop before the first shard, left an empty `.out.shards` behind, and a
    stop said "finished shards are kept in .out.shards" when there were none."""
    from simulator import stop
    from simulator.engines import sharded
    from simulator.errors import HcisimError

    class Unreachable(sharded.LocalEngine):
        def __init__(self, workers):
            raise HcisimError("no Ray cluster answers")

    class Stopped(sharded.LocalEngine):
        def wait_any(self, futures):
            raise KeyboardInterrupt

    monkeypatch.setattr(stop, "_note", None)
    for engine, raised in ((Unreachable, HcisimError), (Stopped, KeyboardInterrupt)):
        monkeypatch.setattr(sharded, "LocalEngine", engine)
        with pytest.raises(raised):
            run(RunConfig(scenario=SCENARIO, driver="offline", sessions=2, seed=11, out=tmp_path / "out"))
        assert list(tmp_path.iterdir()) == []
    assert stop.message() == f"interrupted: no shard had finished: nothing written to {tmp_path / 'out'}"


def test_a_shard_that_fails_while_writing_leaves_no_half_written_files(tmp_path, monkeypatch):
    """A full disk left each failed try's `.shard=N.tmp-PID` with its half-written tables in the staging folder,
    named by a worker's pid that no later run removes: they kept the disk full through the retries and resumes."""
    from simulator.engines import sharded

    written = []

    def full_after_one(path, table, storage):
        if written:
            path.write_bytes(b"PAR1 half")
            _disk_full(path)
        written.append(path)
        return real_write(path, table, storage)

    real_write = sharded.write_table
    monkeypatch.setattr(sharded, "write_table", full_after_one)
    out = tmp_path / "out"
    cfg = RunConfig(scenario="login", driver="offline", sessions=2, seed=3, out=out, shard_size=2)
    with pytest.raises(OSError):
        sharded.run_shard(cfg, 0, [0, 1], str(sharded.staging_dir(out)))
    assert list(sharded.staging_dir(out).iterdir()) == []


@pytest.mark.parametrize("when", ["mkdir", "flock"])
def test_an_identical_run_that_finished_while_this_one_started_makes_it_up_to_date(tmp_path, monkeypatch, when):
    """Two identical commands at once. When the first published between the second's up-to-date check and its
    lock, the second made every shard again, then failed ("already exists") and left them in `.out.shards`; when
    the first removed its staging folder just as the second was opening its lock file there, the second ended in a
    raw "No such file or directory: .../.out.shards/.lock"; when the first finished between the second's opening
    of the lock file and its locking, the second held a lock on a removed file. Each way, the second now finds
    the dataset up to date."""
    import fcntl
    import pathlib

    from simulator.engines import sharded

    out = tmp_path / "out"
    cfg = RunConfig(scenario="login", driver="offline", sessions=2, seed=3, out=out)
    real = {"mkdir": pathlib.Path.mkdir, "flock": fcntl.flock}[when]

    def the_other_finishes_first(*args, **kwargs):
        if when == "mkdir" and tmp_path not in (args[0], *args[0].parents):
            return real(*args, **kwargs)
        monkeypatch.undo()
        result = real(*args, **kwargs)  # (this run's folder or lock file is made, or its lock taken, just after)
        if when == "flock":
            fcntl.flock(args[0], fcntl.LOCK_UN)
        run(cfg)  # the other command: its dataset published, its staging folder and lock removed
        if when == "flock":
            result = real(*args, **kwargs)
        return result

    if when == "mkdir":
        monkeypatch.setattr(pathlib.Path, "mkdir", the_other_finishes_first)
    else:
        monkeypatch.setattr(sharded.fcntl, "flock", the_other_finishes_first)
    assert run(cfg).stats.get("up_to_date") is True
    assert [p.name for p in tmp_path.iterdir()] == ["out"] and validate_dataset(out) == []


def test_a_full_disk_stops_the_run_at_once_in_one_line_and_it_resumes(tmp_path, monkeypatch):
    """A full disk failed every shard in turn, each tried three times (its sessions made again each time, minutes
    of work) and said once per shard in one long line; now the first shard that cannot be written stops the run,
    the finished shards stay as they were, and the same command resumes once there is space."""
    import errno

    from simulator.engines import sharded
    from simulator.errors import HcisimError

    attempts = tmp_path / "attempts.txt"
    real_write = sharded.write_table

    def full_but_for_shard_0(path, table, storage):
        shard = path.parent.name.split(".tmp-")[0].lstrip(".")
        if path.name.startswith("events"):  # (a shard's first table: one line per try)
            with open(attempts, "a") as f:
                f.write(f"{shard}\n")
        if shard != "shard=00000":
            path.write_bytes(b"PAR1 half")
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_write(path, table, storage)

    monkeypatch.setattr(sharded, "write_table", full_but_for_shard_0)  # (forked workers inherit it)
    out = tmp_path / "data" / "out"
    (tmp_path / "data" / "sub").mkdir(parents=True)
    typed = tmp_path / "data" / "sub" / ".." / "out"  # (the line names the folder written, not the path as typed)
    cfg = RunConfig(scenario="login", driver="offline", sessions=6, seed=3, out=typed, shard_size=2)
    with pytest.raises(HcisimError) as err:
        run(cfg)
    stage = tmp_path / "data" / ".out.shards"
    assert str(err.value) == (f"no space left on device writing the shards of {out} (in {stage}): 1 completed "
                              f"shard(s) are kept there; free some space and run the same command to resume")
    tried = attempts.read_text().split()
    assert tried.count("shard=00000") == 1 and tried.count("shard=00001") <= 1 and tried.count("shard=00002") <= 1
    assert sorted(p.name for p in stage.iterdir()) == ["shard=00000"]  # no half-written shard holds the space
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [".out.shards", "sub"]  # and no lock file
    monkeypatch.undo()
    assert run(cfg).stats["shards_reused"] == 1
    whole = run(RunConfig(scenario="login", driver="offline", sessions=6, seed=3, out=tmp_path / "whole",
                          shard_size=2)).out
    assert data_files(out) == data_files(whole)


def test_a_stop_while_the_dataset_is_assembled_keeps_the_shards_and_no_half_made_dataset(tmp_path, monkeypatch):
    """Ctrl-C (or `kill`) while the finished shards were linked into the dataset left `.out.tmp-assemble` half
    made beside the output, and said only "interrupted", not that the shards were kept to resume from."""
    from simulator import stop
    from simulator.engines import sharded

    def stopped(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(stop, "_note", None)
    monkeypatch.setattr(sharded.os, "link", stopped)
    out = tmp_path / "out"
    cfg = RunConfig(scenario="login", driver="offline", sessions=2, seed=3, out=out, shard_size=1)
    with pytest.raises(KeyboardInterrupt):
        run(cfg)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.shards"]
    assert stop.message() == f"interrupted: finished shards are kept in {tmp_path / '.out.shards'}; run the same " \
                             f"command to resume"
    monkeypatch.undo()
    assert run(cfg).stats["shards_reused"] == 2 and validate_dataset(out) == []


def _killed_after_publishing(tmp_path, monkeypatch, cfg):
    """A run killed (SIGKILL) between publishing its dataset and removing its staging folder: the dataset is there,
    beside it `.out.shards` and the lock file."""
    from simulator.engines import sharded

    real = sharded.publish

    def publish_then_killed(tmp, out):
        real(tmp, out)
        raise SystemExit(-9)

    monkeypatch.setattr(sharded, "publish", publish_then_killed)
    with pytest.raises(SystemExit):
        run(cfg)
    monkeypatch.undo()
    sharded.lock_path(cfg.out).touch()  # (a killed run does not remove its lock file as this one did)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.shards", ".out.shards.lock", "out"]


def test_the_same_command_after_a_run_killed_just_after_publishing_removes_what_it_left(tmp_path, monkeypatch):
    """The next run said "up to date" and left `.out.shards` (and its lock) there for good."""
    from simulator.engines.sharded import RECEIPT, staging_dir

    cfg = RunConfig(scenario="login", driver="offline", sessions=2, seed=3, out=tmp_path / "out", shard_size=1)
    _killed_after_publishing(tmp_path, monkeypatch, cfg)
    (staging_dir(cfg.out) / "shard=00001" / RECEIPT).unlink()  # (killed again while removing the folder)
    assert run(cfg).stats["up_to_date"] and [p.name for p in tmp_path.iterdir()] == ["out"]
    assert validate_dataset(tmp_path / "out") == []


def test_validate_removes_what_a_run_killed_just_after_publishing_left_but_not_a_running_one_s(tmp_path, monkeypatch):
    import fcntl

    from simulator.engines.sharded import lock_path

    cfg = RunConfig(scenario="login", driver="offline", sessions=2, seed=3, out=tmp_path / "out", shard_size=1)
    _killed_after_publishing(tmp_path, monkeypatch, cfg)
    validate = [sys.executable, "-m", "simulator.cli", "validate", str(tmp_path / "out")]
    with open(lock_path(cfg.out)) as held:  # a run writing out (an --overwrite): its staging is its own
        fcntl.flock(held, fcntl.LOCK_EX)
        assert run(cfg).stats["up_to_date"]
        r = subprocess.run(validate, capture_output=True, text=True)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == [".out.shards", ".out.shards.lock", "out"]
    r = subprocess.run(validate, capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "" and [p.name for p in tmp_path.iterdir()] == ["out"], r.stderr


def test_a_stopped_run_of_other_settings_keeps_its_shards_beside_an_up_to_date_dataset(tmp_path, monkeypatch):
    """Only shards of the dataset there (published already) go: another run's are kept to resume from."""
    from simulator.engines.sharded import staging_dir

    out = tmp_path / "out"
    cfg = RunConfig(scenario="login", driver="offline", sessions=2, seed=3, out=out, shard_size=1)
    _killed_after_publishing(tmp_path, monkeypatch, cfg)
    other = staging_dir(out) / "shard=00007"
    other.mkdir()
    (other / "receipt.json").write_text('{"config_key": "of an --overwrite run stopped mid-way"}')
    assert run(cfg).stats["up_to_date"] and (other / "receipt.json").is_file()
    assert not (tmp_path / ".out.shards.lock").exists()


def test_a_file_system_without_locks_is_one_line_and_leaves_no_open_file(tmp_path, monkeypatch):
    """flock failing other than for a run holding the lock (ENOLCK on some NFS mounts) left the lock file open
    and ended in a raw OSError traceback."""
    import errno
    import fcntl
    import os

    from simulator.errors import HcisimError

    def no_locks(fd, op):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    before = set(os.listdir("/proc/self/fd"))
    with pytest.raises(HcisimError, match=r"cannot lock .*No locks available.*local disk"):
        gen(tmp_path / "out")
    assert set(os.listdir("/proc/self/fd")) <= before
