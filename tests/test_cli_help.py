"""`hcisim --help` lists every command exactly once, grouped by workflow."""

import os
import re
import subprocess
import sys

import typer

from simulator.cli import SECTIONS, app


def test_every_command_is_listed_once_under_a_section():
    names = set(typer.main.get_command(app).commands)
    assert {n for group in SECTIONS.values() for n in group} <= names, "a section names a command that is gone"
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "--help"], capture_output=True, text=True,
                       env={**os.environ, "COLUMNS": "100"})
    assert r.returncode == 0, r.stderr
    listed = re.findall(r"^  ([a-z][a-z-]*)  ", r.stdout, flags=re.M)
    assert sorted(listed) == sorted(names)
    headings = re.findall(r"^(\S[^:\n]*):$", r.stdout, flags=re.M)
    assert headings[1:] == [*SECTIONS, "Other"]  # after "Options"
    assert r.stdout.index("synth-moves") > r.stdout.index("Models fitted on recorded people:")


def test_version_is_an_option_as_well_as_a_command():
    """`hcisim --version` (what people type first, and what a CI log records) was "No such option"."""
    from simulator import __version__

    runs = [subprocess.run([sys.executable, "-m", "simulator.cli", *args], capture_output=True, text=True)
            for args in (["--version"], ["version"])]
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.startswith(f"hcisim {__version__} (dataset format ")


def test_building_the_command_line_loads_no_model():
    """Every command's help names the keyboard layouts, and reading that table imported the whole typing package
    (scipy with it): a third of each command's start-up, `hcisim version` included."""
    code = ("import sys, typer; from simulator.cli import app; typer.main.get_command(app); "
            "print(sorted(m for m in ('scipy', 'simulator.typing.io', 'simulator.typing.model') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "[]", (r.stdout, r.stderr)


def test_a_command_group_gives_each_command_s_first_sentence_whole():
    """`hcisim fit --help` listed "Fit a mouse-motion profile (motor + device layer) and write a..." (click cuts a
    group's command descriptions at 45 characters; the top-level help did not)."""
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "fit", "--help"], capture_output=True, text=True,
                       env={**os.environ, "COLUMNS": "100"})
    assert r.returncode == 0, r.stderr
    listing = " ".join(r.stdout.split("Commands:")[1].split())
    assert "..." not in listing
    assert "mouse Fit a mouse-motion profile (motor + device layer) and write a fit report beside it." in listing
    assert "typing Fit a typing profile (timing, errors, per-typist) and write a fit report beside it." in listing
