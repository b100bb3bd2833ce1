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
