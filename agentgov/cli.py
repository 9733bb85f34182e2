"""The command line: parse arguments, call the core, pick a reporter, return an exit code.

Exit codes (documented in docs/cli.md and ``errors.py``): 0 ok, 1 a violation or denial,
2 a usage or policy error, 3 an internal error. ``run`` is the one place that maps
exceptions to codes; no command prints a traceback unless AGENTGOV_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agentgov import __version__
from agentgov.cli_audit import audit_app, log_command
from agentgov.cli_check import check_command, diff_command
from agentgov.cli_evidence import metrics_command, status_command
from agentgov.cli_format import OutputFormat
from agentgov.cli_kill import incident_app, kill_command
from agentgov.cli_records import ci_app
from agentgov.cli_rollback import rollback_command
from agentgov.errors import AgentgovError, ExitCode, PolicyError, UsageError
from agentgov.policy.model import Level, Verdict

if TYPE_CHECKING:
    from agentgov.adapters.claude_code.settings import Target

app = typer.Typer(
    name="agentgov",
    help="Govern AI coding agents from inside the git repository: policy as code, "
    "deterministic guards, evidence in git notes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
policy_app = typer.Typer(
    help="Inspect the policy in force; a person accepts or forgets it.", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")
hook_app = typer.Typer(help="Entry points the installed hooks call (not for people).")
app.add_typer(hook_app, name="hook")
app.add_typer(audit_app, name="audit")
app.command("log")(log_command)
app.command("metrics")(metrics_command)
app.command("status")(status_command)
app.command("check")(check_command)
app.command("diff")(diff_command)
app.command("rollback")(rollback_command)
app.add_typer(ci_app, name="ci")
app.command("kill")(kill_command)
app.add_typer(incident_app, name="incident")


class Integration(str, Enum):
    claude_code = "claude-code"
    git = "git"


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
    force: Annotated[
        bool, typer.Option(help="Overwrite an existing policy (with --ci: the CI files).")
    ] = False,
    ci: Annotated[
        str | None,
        typer.Option(
            "--ci",
            metavar="github|gitlab",
            help="Write the CI gate (workflow and pins) instead of the policy.",
        ),
    ] = None,
    agentgov_pin: Annotated[
        str | None,
        typer.Option(
            "--agentgov-pin",
            metavar="SPEC",
            help="With --ci: the agentgov CI installs, pinned: 'agentgov==X.Y.Z "
            "--hash=sha256:<hex>' or 'agentgov @ git+https://...@<commit>' (default: "
            "how this agentgov was installed).",
        ),
    ] = None,
) -> None:
    """Write .agentgov/policy.yaml from a template, or with --ci the CI gate (refuses to
    overwrite without --force)."""
    from agentgov.resources import resource
    from agentgov.scaffold import init_policy

    if ci is not None:
        from agentgov.scaffold_ci import ci_platform, init_ci, init_ci_text, resolve_pin

        platform = ci_platform(ci)
        pin, source = resolve_pin(agentgov_pin)
        typer.echo(init_ci_text(init_ci(Path.cwd(), platform, pin, force=force), source))
        return
    if agentgov_pin is not None:
        raise UsageError("--agentgov-pin goes with --ci github|gitlab")
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

    default_paths = not paths
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
    if default_paths:
        from agentgov.policy.in_force import policy_in_force

        try:
            refusal = policy_in_force(Path.cwd()).refusal
        except PolicyError:  # the committed policy's problems are `policy show`'s to report
            refusal = ""
        if refusal:
            typer.echo(f"agentgov: policy in force {refusal}", err=True)
            raise typer.Exit(int(ExitCode.VIOLATION))


@policy_app.command("show")
def policy_show(
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """Print the effective policy: classes, levels, matrix, and where it came from."""
    from agentgov.policy.in_force import policy_in_force
    from agentgov.reporters.policy_report import policy_json, policy_text

    found = policy_in_force(Path.cwd())
    typer.echo(policy_json(found) if output is OutputFormat.json else policy_text(found))
    if found.refusal:
        raise typer.Exit(int(ExitCode.VIOLATION))


@policy_app.command("accept")
def policy_accept(
    commit: Annotated[
        str | None, typer.Option(help="Accept the policy at this commit (default: the tip).")
    ] = None,
) -> None:
    """Make the default branch's committed policy the one in force, even when the branch no
    longer descends from the remembered commit. Recorded in the audit journal."""
    from agentgov.adapters.policy_acceptance import accept, accepted_text

    typer.echo(accepted_text(accept(Path.cwd(), commit)))


@policy_app.command("forget")
def policy_forget() -> None:
    """Drop this clone's memory of the policy in force. Recorded in the audit journal."""
    from agentgov.adapters.policy_acceptance import forget, forgotten_text

    typer.echo(forgotten_text(forget(Path.cwd())))


def _command_text(words: list[str] | None) -> str:
    """One argument is the command as written; several are re-quoted as one command line."""
    import shlex

    if not words:
        raise UsageError("give the command after --, e.g. agentgov decide -- 'git push -f'")
    return words[0] if len(words) == 1 else shlex.join(words)


def _level(value: str | None) -> Level | None:
    if value is None:
        return None
    try:
        return Level.parse(value)
    except ValueError as err:
        raise UsageError(f"--level: {err}") from None


@app.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
def decide(
    command: Annotated[list[str] | None, typer.Argument(help="The command, after --.")] = None,
    level: Annotated[str | None, typer.Option(help="Judge at this level (1-5 or id).")] = None,
    task_class: Annotated[str | None, typer.Option(help="Judge for this task class.")] = None,
    cwd: Annotated[Path | None, typer.Option(help="Directory the command runs in.")] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
    batch: Annotated[bool, typer.Option(help="Read JSON lines from stdin.")] = False,
) -> None:
    """Judge a shell command: allow, ask or deny, with the rules that hit and what to do
    instead. Exit 0 for allow or ask, 1 for deny."""
    from agentgov.adapters.decide_batch import decide_lines
    from agentgov.adapters.local_context import locate, place, shell_work
    from agentgov.engine import evaluate
    from agentgov.policy.in_force import policy_in_force
    from agentgov.reporters.decision_report import decision_json, decision_text
    from agentgov.subjects import ShellCommand

    where = (cwd or Path.cwd()).resolve()
    if batch:
        policy = policy_in_force(where).policy
        bad = decide_lines(sys.stdin, sys.stdout, policy, where, _level(level), task_class)
        if bad:
            raise UsageError(f"{bad} input line(s) were not valid; see the error lines")
        return
    text = _command_text(command)
    # The paths the command writes choose the repository and the task class (docs/policy.md).
    work = shell_work(text, where)
    location = locate(where, work.paths)
    policy = policy_in_force(location.policy_start).policy
    placement = place(
        policy,
        where,
        level=_level(level),
        task_class=task_class,
        paths=work.paths,
        location=location,
        partial=True,
    )
    decision = evaluate(ShellCommand(text), policy, placement.context, analysis=work.analysis)
    typer.echo(decision_json(decision) if output is OutputFormat.json else decision_text(decision))
    if decision.verdict is Verdict.DENY:
        raise typer.Exit(int(ExitCode.VIOLATION))


@app.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
def explain(
    command: Annotated[list[str] | None, typer.Argument(help="The command, after --.")] = None,
    level: Annotated[str | None, typer.Option(help="Judge at this level (1-5 or id).")] = None,
    cwd: Annotated[Path | None, typer.Option(help="Directory the command runs in.")] = None,
) -> None:
    """Show how a command is judged: commands found, wrappers removed, rules that hit, why."""
    from agentgov.adapters.local_context import locate, place, shell_work
    from agentgov.engine import judge_shell
    from agentgov.policy.in_force import policy_in_force
    from agentgov.reporters.decision_report import explain_text
    from agentgov.subjects import ShellCommand

    where = (cwd or Path.cwd()).resolve()
    text = _command_text(command)
    work = shell_work(text, where)
    location = locate(where, work.paths)
    found = policy_in_force(location.policy_start)
    placement = place(
        found.policy, where, level=_level(level), paths=work.paths, location=location, partial=True
    )
    judgement = judge_shell(
        ShellCommand(text), found.policy, placement.context, analysis=work.analysis
    )
    typer.echo(explain_text(judgement, f"{placement.because}; policy {found.label}"))


@app.command()
def rules(
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """List the rule catalogue: ids, classes, modes in the policy in force, an example each."""
    import json

    from agentgov.evaluators.rules.registry import RULES
    from agentgov.policy.in_force import policy_in_force
    from agentgov.reporters.decision_report import rules_rows, rules_text

    rows = rules_rows(list(RULES.values()), policy_in_force(Path.cwd()).policy)
    typer.echo(
        json.dumps({"v": 1, "rules": rows}, indent=2)
        if output is OutputFormat.json
        else rules_text(rows)
    )


@hook_app.command("claude-code")
def hook_claude_code() -> None:
    """Judge one Claude Code hook event from stdin (what the installed hook runs)."""
    from agentgov.adapters.claude_code.hook import main as claude_code_hook

    raise typer.Exit(claude_code_hook())


def _claude_target(user: bool) -> tuple[Target, str]:
    from agentgov.adapters.claude_code.settings import project_target, user_target
    from agentgov.git_layout import find_repo

    if user:
        return user_target(Path.home()), "~/.claude/settings.json"
    layout = find_repo(Path.cwd())
    if layout is None:
        raise UsageError("not inside a git repository; run this at your project, or use --user")
    return project_target(layout.root), ".claude/settings.json"


def _repo_root() -> Path:
    from agentgov.git_layout import find_repo

    layout = find_repo(Path.cwd())
    if layout is None:
        raise UsageError("not inside a git repository; run this at your project")
    return layout.root


def _install_claude(user: bool) -> None:
    from agentgov.adapters.claude_code.settings import install as install_claude

    target, shown = _claude_target(user)
    report = install_claude(target)
    state = "updated" if report.changed else "already up to date"
    typer.echo(
        f"claude-code: {shown} {state} ({report.hooks_added} hook events, "
        f"{report.deny_added} deny rules added); shim {report.shim.name}"
    )
    if not user:
        typer.echo("Commit .claude/settings.json and .agentgov/ so every clone is governed.")


def _install_git() -> None:
    from agentgov.adapters.git_hooks.install import install_git

    report = install_git(_repo_root())
    where = _display(report.hooks_dir)
    if report.mode == "pre-commit":
        installed = ", ".join(report.hook_types) or "nothing new"
        typer.echo(
            f"git: agentgov's hooks are in .pre-commit-config.yaml; pre-commit install: "
            f"{installed}; pre-push wrapped in {where} (pre-commit never sees deletions)"
        )
        if report.config_changed:
            typer.echo(
                "Commit .pre-commit-config.yaml: pre-commit runs nothing while it has "
                "unstaged changes."
            )
    else:
        typer.echo(f"git: {', '.join(report.hooks)} installed in {where}")
    for name in report.chained:
        typer.echo(f"git: your {name} hook is kept as {name}.pre-agentgov and still runs")
    typer.echo(f"git: amend and rebase carry the audit trail ({report.notes_ref})")


@app.command()
def install(
    integration: Annotated[
        Integration | None, typer.Argument(help="What to install (default: everything).")
    ] = None,
    user: Annotated[bool, typer.Option(help="Claude Code: ~/.claude for this user only.")] = False,
) -> None:
    """Install agentgov's hooks: claude-code and git (default: both; --user: claude-code)."""
    if integration in (None, Integration.claude_code):
        _install_claude(user)
    if integration is Integration.git or (integration is None and not user):
        _install_git()


@app.command()
def uninstall(
    integration: Annotated[Integration, typer.Argument(help="What to remove.")],
    user: Annotated[bool, typer.Option(help="Claude Code: ~/.claude for this user only.")] = False,
) -> None:
    """Remove exactly what `agentgov install` added."""
    if integration is Integration.git:
        from agentgov.adapters.git_hooks.install import uninstall_git

        undone = uninstall_git(_repo_root())
        restored = ", ".join(undone.chained) or "none"
        typer.echo(
            f"git: removed {', '.join(undone.hooks) or 'no hooks'} from "
            f"{_display(undone.hooks_dir)}; put back: {restored}"
            + ("; .pre-commit-config.yaml restored" if undone.config_changed else "")
        )
        return
    from agentgov.adapters.claude_code.settings import uninstall as uninstall_claude

    target, shown = _claude_target(user)
    report = uninstall_claude(target)
    typer.echo(
        f"claude-code: removed {report.hooks_added} hook events and {report.deny_added} "
        f"deny rules from {shown}"
    )


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
