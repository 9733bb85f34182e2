"""The command line: parse arguments, call the core, pick a reporter, return an exit code.

Exit codes (documented in the README and ``errors.py``): 0 ok, 1 a violation or denial,
2 a usage or policy error, 3 an internal error. ``run`` is the one place that maps
exceptions to codes; no command prints a traceback unless AGENTGOV_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from agentgov import __version__
from agentgov.errors import AgentgovError, ExitCode, PolicyError

app = typer.Typer(
    name="agentgov",
    help="Govern AI coding agents from inside the git repository: policy as code, "
    "deterministic guards, evidence in git notes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
policy_app = typer.Typer(help="Inspect the policy in force.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


class Format(str, Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"agentgov {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """agentgov: policy as code, deterministic guards and evidence for AI coding agents."""


@app.command()
def init(
    template: Annotated[
        str, typer.Option(help="Starter policy: default, strict or progressive-team.")
    ] = "default",
    force: Annotated[bool, typer.Option(help="Overwrite an existing policy.")] = False,
) -> None:
    """Write .agentgov/policy.yaml from a template (refuses to overwrite without --force)."""
    from agentgov.resources import resource
    from agentgov.scaffold import init_policy

    done = init_policy(Path.cwd(), template, force=force)
    for path in done.written:
        typer.echo(f"wrote {path.relative_to(done.root)}")
    typer.echo(f"template: {done.template}. Next: agentgov validate, then commit it.")
    codeowners = resource("templates", "CODEOWNERS")
    typer.echo("To require review of policy changes, add to .github/CODEOWNERS:")
    for line in codeowners.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            typer.echo(f"  {line}")


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Policy files (default: .agentgov/policy.yaml of this repo)."),
    ] = None,
) -> None:
    """Validate policy files; every problem is printed as file:line:col: key: message."""
    from agentgov.git_layout import find_repo
    from agentgov.policy.load import load_path

    if not paths:
        layout = find_repo(Path.cwd())
        root = layout.root if layout else Path.cwd()
        paths = [root / ".agentgov" / "policy.yaml"]
    problems: list[str] = []
    for path in paths:
        label = _display(path)
        try:
            policy = load_path(path, label)
        except PolicyError as err:
            problems.extend(err.problems)
            continue
        typer.echo(f"{label}: valid ({len(policy.task_classes)} task classes)")
    if problems:
        raise PolicyError(problems)


@policy_app.command("show")
def policy_show(
    output: Annotated[Format, typer.Option("--format", help="text or json")] = Format.text,
) -> None:
    """Print the effective policy: classes, levels, matrix, and where it came from."""
    from agentgov.policy.in_force import policy_in_force
    from agentgov.reporters.policy_report import policy_json, policy_text

    found = policy_in_force(Path.cwd())
    typer.echo(policy_json(found) if output is Format.json else policy_text(found))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run(args: list[str]) -> int:
    """Run the CLI on ``args`` and map every outcome to the documented exit code."""
    try:
        result = app(args=args, prog_name="agentgov", standalone_mode=False)
    except AgentgovError as err:
        typer.echo(f"agentgov: {err}" if not isinstance(err, PolicyError) else str(err), err=True)
        return int(err.exit_code)
    except typer.Abort:
        typer.echo("agentgov: aborted", err=True)
        return int(ExitCode.USAGE)
    except typer.TyperException as err:  # bad arguments or options: click's usage errors
        show = getattr(err, "show", None)
        if callable(show):
            show(file=sys.stderr)
        else:
            typer.echo(f"agentgov: {err.format_message()}", err=True)
        return int(ExitCode.USAGE)
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # the one place that turns a bug into exit 3, not a traceback
        if os.environ.get("AGENTGOV_DEBUG"):
            raise
        typer.echo(
            f"agentgov: internal error: {type(err).__name__}: {err} "
            "(a bug in agentgov; rerun with AGENTGOV_DEBUG=1 for the traceback)",
            err=True,
        )
        return int(ExitCode.INTERNAL)
    return int(result) if isinstance(result, int) else int(ExitCode.OK)
