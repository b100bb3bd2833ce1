"""Every `hcisim` command line the README and docs/ show parses: its command exists, and so does each of its
options and choices. A renamed flag or a dropped command leaves the page that shows it wrong; this says which."""

import shlex
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup
from typer.exceptions import Exit, TyperException

from simulator.cli import app

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def shown_commands(page: Path) -> list[tuple[int, list[str]]]:
    """(line number, arguments after `hcisim`) of each hcisim command in the page's code blocks; a synopsis
    with optional parts in brackets (`[--seed S]`) is not a command line."""
    found, block, pending, start = [], False, "", 0
    for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            block = not block
            continue
        if not block or not (pending or "bin/hcisim " in line):
            continue
        if not pending:
            start = n
        pending += line.rstrip().removesuffix("\\") + " "
        if line.rstrip().endswith("\\"):
            continue
        lexer = shlex.shlex(pending, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words, command = list(lexer), []
        synopsis = any(w.startswith("[") for w in words)  # (a quoted glob, 'user*[13579]-3min', is one word)
        for word in [*words, ";"]:
            if word in (";", "&&", "&", "||", "|"):
                if command and command[0].endswith("bin/hcisim") and not synopsis:
                    found.append((start, command[1:]))
                command = []
            else:
                command.append(word)
        pending = ""
    return found


CASES = [(page.relative_to(ROOT).as_posix(), n, args) for page in PAGES for n, args in shown_commands(page)]


def test_the_pages_show_commands():
    """The README's tour alone shows two dozen: none found would mean the reader above no longer finds them."""
    assert sum(page == "README.md" for page, _, _ in CASES) >= 20


@pytest.mark.parametrize("page,line,args", CASES, ids=[f"{p}:{n}" for p, n, _ in CASES])
def test_a_command_shown_in_the_docs_parses(page, line, args):
    command = typer.main.get_command(app)
    try:
        ctx = command.make_context("hcisim", list(args))
        while isinstance(command, TyperGroup) and ctx._protected_args + ctx.args:  # (as Group.invoke reads them)
            name, command, rest = command.resolve_command(ctx, ctx._protected_args + ctx.args)
            ctx = command.make_context(name, rest, parent=ctx)
    except Exit as done:  # --help, --version: parsed, and they end there
        assert done.exit_code == 0
    except TyperException as exc:  # typer's click: no such command or option, a bad choice, a missing value
        pytest.fail(f"{page}:{line}: hcisim {shlex.join(args)}: {exc.format_message()}")
