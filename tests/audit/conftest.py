"""Fixtures for the audit trail: journals with records, and the audit commands as run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

from agentgov import cli
from agentgov.audit.journal import Journal
from agentgov.cli_audit import audit_app, log_command
from agentgov.git_layout import find_repo

REF = "refs/notes/agentgov"


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


Agentgov = Callable[..., Ran]


@pytest.fixture
def agentgov(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Agentgov:
    """Run ``agentgov <args>`` in-process through ``cli.run``, the one place that maps
    errors to exit codes, with the audit commands registered as cli.py will register them
    (the lead wires them into cli.py; until then this app stands in for it)."""
    app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    app.add_typer(audit_app, name="audit")
    app.command("log")(log_command)
    monkeypatch.setattr(cli, "app", app)

    def run(*args: str) -> Ran:
        capsys.readouterr()
        code = cli.run(list(args))
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


def journal_of(repo: Path) -> Journal:
    layout = find_repo(repo)
    assert layout is not None
    return Journal(layout.state_dir)


def decision(**fields: Any) -> dict[str, Any]:
    """The fields of a decision record as the Claude Code hook writes them."""
    base: dict[str, Any] = {
        "source": "claude-code",
        "kind": "decision",
        "tool": "Bash",
        "tool_use_id": "toolu_1",
        "input": "git status",
        "decision": "allow",
        "class": "read",
        "rules": [],
        "would_deny": [],
        "level": 3,
        "task_class": "default",
        "reason": "read-only command",
        "policy": "template:default",
        "branch": "main",
    }
    base.update(fields)
    return base


def turn(event: str, **fields: Any) -> dict[str, Any]:
    return {"source": "claude-code", "kind": "turn", "event": event, **fields}


CLI_SCRIPT = """
import sys
import typer
from agentgov import cli
from agentgov.cli_audit import audit_app, log_command
if not any(group.name == "audit" for group in cli.app.registered_groups):
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.add_typer(audit_app, name="audit")
    app.command("log")(log_command)
    cli.app = app
sys.exit(cli.run(sys.argv[1:]))
"""


def install_hook(repo: Path, name: str, *args: str, shell_args: str = "") -> Path:
    """A git hook that runs ``agentgov <args> <shell_args>`` the way #6's shims will: from
    inside git, with git's GIT_DIR, GIT_INDEX_FILE... in its environment. Its output goes
    to the returned log file."""
    import shlex
    import stat
    import sys

    script = repo.parent / "agentgov_cli.py"
    script.write_text(CLI_SCRIPT)
    hook = repo / ".git" / "hooks" / name
    command = shlex.join([sys.executable, str(script), *args])
    hook.write_text(f'#!/bin/sh\n{command} {shell_args} >>"{repo.parent}/{name}.log" 2>&1\n')
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    return repo.parent / f"{name}.log"
