"""The datasets in fixtures/ are what the generator makes today (regenerate with `make fixtures`)."""

import pytest

from fixtures.regenerate import FIXTURES, HERE, config
from simulator.dataset import validate_dataset
from simulator.runner import run
from tests.helpers import data_files


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_matches_the_generator(name, tmp_path):
    committed = HERE / name
    assert validate_dataset(committed) == [], "fixture is damaged"
    fresh = run(config(name, tmp_path / name)).out
    assert data_files(fresh) == data_files(committed), (
        f"the generator no longer makes fixtures/{name}: if that is intended, run `make fixtures` and commit")


def test_fixtures_are_read_by_the_plugin(hcisim_dataset):
    ds = hcisim_dataset("checkout_form", sessions=1, seed=5)
    again = hcisim_dataset("checkout_form", sessions=1, seed=5)
    assert ds.root == again.root and ds.events.num_rows > 100
    kinds = set(ds.actions.column("kind").to_pylist())
    assert {"type", "click", "select"} <= kinds


def test_plugin_works_without_pytests_cache(tmp_path):
    """Read-only checkouts run pytest with ``-p no:cacheprovider``; the fixture must not need the cache."""
    import subprocess
    import sys

    (tmp_path / "test_uses_plugin.py").write_text(
        "def test_it(hcisim_dataset):\n"
        "    ds = hcisim_dataset('login', sessions=1, seed=2)\n"
        "    assert ds.root == hcisim_dataset('login', sessions=1, seed=2).root\n"
        "    assert ds.events.num_rows > 10\n")
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert not (tmp_path / ".pytest_cache").exists()


def test_a_script_and_layout_beside_the_test_file_are_found_from_any_working_folder(tmp_path):
    """`pytest proj/test_it.py` run from proj's parent said "my_login.py: no such scenario file"."""
    import shutil
    import subprocess
    import sys

    from simulator.sessions import LAYOUT_DIR

    proj = tmp_path / "proj"
    proj.mkdir()
    shutil.copy(LAYOUT_DIR.parent / "login.py", proj / "my_login.py")
    shutil.copy(LAYOUT_DIR / "login.json", proj / "my_login.layout.json")
    (proj / "test_it.py").write_text(
        "def test_it(hcisim_dataset):\n"
        "    ds = hcisim_dataset('my_login.py', seed=3, layout='my_login.layout.json')\n"
        "    assert ds.manifest.scenario == 'my_login' and ds.events.num_rows > 10\n")
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "proj/test_it.py"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]


def test_an_edited_scenario_is_new_data_and_your_own_runs_from_its_layout(hcisim_dataset, tmp_path):
    """The key held the scenario's name: a CI job kept testing against data of the script before its edit.
    Your own scenario had no way to name its layout snapshot."""
    from simulator.sessions import LAYOUT_DIR

    script = tmp_path / "my_login.py"
    body = (LAYOUT_DIR.parent / "login.py").read_text()
    script.write_text(body.replace("f.user_name()", '"before"'))
    first = hcisim_dataset(str(script), seed=1, layout=LAYOUT_DIR / "login.json")
    script.write_text(body.replace("f.user_name()", '"after"'))
    second = hcisim_dataset(str(script), seed=1, layout=LAYOUT_DIR / "login.json")
    assert first.root != second.root
    typed = {a["text_intended"] for a in second.actions.to_pylist() if a["kind"] == "type"}
    assert "after" in typed and "before" not in typed
    german = hcisim_dataset(str(script), seed=1, layout=LAYOUT_DIR / "login.json", locale="de_DE")
    assert german.root != second.root and german.manifest.source["content_locale"] == "de_DE"


def test_two_test_processes_share_one_dataset_and_a_damaged_one_is_made_again(tmp_path):
    """The second of two pytest processes on one cache failed ("another hcisim run is writing ..."); a cached
    file cut short failed every later run until the cache was cleared by hand."""
    import subprocess
    import sys

    tests = tmp_path / "t"
    tests.mkdir()
    (tests / "test_uses_plugin.py").write_text(
        "def test_it(hcisim_dataset):\n"
        "    ds = hcisim_dataset('login', sessions=2, seed=4)\n"
        "    print('ROOT', ds.root)\n"
        "    assert len(ds.sessions) == 2\n")
    cmd = [sys.executable, "-m", "pytest", "-q", "-s", "-o", f"cache_dir={tmp_path / 'cache'}", str(tests)]
    procs = [subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=180)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    root = next(line.split("ROOT ", 1)[1] for line in outs[0].splitlines() if "ROOT " in line)
    part = next(p for p in sorted(__import__("pathlib").Path(root).rglob("*.parquet")))
    part.write_bytes(part.read_bytes()[:-40])
    again = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stdout[-2000:]
    assert validate_dataset(root) == []


def test_a_cached_dataset_whose_manifest_is_damaged_is_made_again(tmp_path):
    """An entry whose manifest was lost or cut short is no dataset to --overwrite: every later run failed
    ("... is not a dataset (no manifest.json)") until the cache was cleared by hand. Each damage in turn, to the
    entry the run before made again."""
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "test_uses_plugin.py").write_text(
        "def test_it(hcisim_dataset):\n"
        "    ds = hcisim_dataset('login', sessions=1, seed=4)\n"
        "    print('ROOT', ds.root)\n")
    cmd = [sys.executable, "-m", "pytest", "-q", "-s", "-o", f"cache_dir={tmp_path / 'cache'}", str(tmp_path)]
    first = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert first.returncode == 0, first.stdout[-2000:]
    manifest = Path(next(line.split("ROOT ", 1)[1] for line in first.stdout.splitlines() if "ROOT " in line),
                    "manifest.json")
    for damage in ("lost", "cut short", "emptied"):
        if damage == "lost":
            manifest.unlink()
        else:
            manifest.write_bytes(manifest.read_bytes()[:40] if damage == "cut short" else b"{}")
        again = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=180)
        assert again.returncode == 0, (damage, again.stdout[-2000:])
        assert validate_dataset(manifest.parent) == [], damage


def test_a_read_only_cache_serves_what_it_holds_and_the_rest_is_made_for_the_session(tmp_path):
    """A CI cache restored read-only failed every test ("Read-only file system: .../.NAME.lock"), whole entries
    and all; one without the plugin's folder failed in pytest's cache.mkdir."""
    import os
    import stat
    import subprocess
    import sys

    cache = tmp_path / "cache"
    (tmp_path / "test_uses_plugin.py").write_text(
        "import os\n"
        "def test_it(hcisim_dataset):\n"
        "    ds = hcisim_dataset('login', sessions=1, seed=int(os.environ['SEED']))\n"
        "    print('ROOT', ds.root)\n")
    cmd = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:xdist", "-o", f"cache_dir={cache}", str(tmp_path)]
    root = lambda res: next(ln.split("ROOT ", 1)[1] for ln in res.stdout.splitlines() if "ROOT " in ln)  # noqa: E731
    made = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=180,
                          env=os.environ | {"SEED": "4"})
    assert made.returncode == 0, made.stdout[-2000:]
    bare = tmp_path / "bare"  # a cache with nothing of the plugin's yet
    bare.mkdir()
    try:
        for folder in (cache, bare):
            if os.geteuid() != 0:
                for p in [folder, *folder.rglob("*")]:
                    p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
            elif subprocess.run(["mount", "--bind", folder, folder], capture_output=True).returncode or \
                    subprocess.run(["mount", "-o", "remount,ro,bind", folder], capture_output=True).returncode:
                pytest.skip("permissions do not stop root, and no read-only mount is permitted here")
        served = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=180,
                                env=os.environ | {"SEED": "4"})
        assert served.returncode == 0, served.stdout[-2000:]
        assert root(served) == root(made)
        lacking = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=180,
                                 env=os.environ | {"SEED": "5"})
        assert lacking.returncode == 0, lacking.stdout[-2000:]
        assert not root(lacking).startswith(str(cache)) and validate_dataset(root(lacking)) == []
        bare_cmd = [*cmd[:-2], f"cache_dir={bare}", str(tmp_path)]
        fresh = subprocess.run(bare_cmd, cwd=tmp_path, capture_output=True, text=True, timeout=180,
                               env=os.environ | {"SEED": "4"})
        assert fresh.returncode == 0, fresh.stdout[-2000:]
    finally:
        for folder in (cache, bare):
            if os.geteuid() == 0:
                subprocess.run(["umount", folder], capture_output=True)
            else:
                for p in [folder, *folder.rglob("*")]:
                    p.chmod(p.stat().st_mode | stat.S_IWUSR)


def test_a_profile_file_beside_the_test_file_is_found_as_its_script_is(tmp_path):
    """A fitted profile beside the test ("unknown mouse profile 'my-mouse.json'") had to be given from the working
    folder, where a script and a layout beside it are found from anywhere; a shipped name stays a name."""
    import shutil
    import subprocess
    import sys

    from simulator.mouse.profile import SHIPPED, shipped_path

    proj = tmp_path / "proj"
    proj.mkdir()
    shutil.copy(shipped_path("balabit"), proj / "my-mouse.json")
    (proj / "sapimouse").mkdir()  # a data folder named as a shipped profile
    (proj / "test_it.py").write_text(
        "def test_it(hcisim_dataset):\n"
        "    ds = hcisim_dataset('login', seed=3, profile='my-mouse.json')\n"
        "    assert ds.manifest.profiles['mouse']['id'] == 'balabit'\n"
        "    assert hcisim_dataset('login', seed=3).manifest.profiles['mouse']['id'] == 'sapimouse'\n")
    assert "sapimouse" in SHIPPED
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "proj/test_it.py"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
