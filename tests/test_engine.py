"""The engine's own base findings: what an analysis that is not whole is worth."""

from __future__ import annotations

import pytest

from agentgov.engine import evaluate
from agentgov.policy.load import load_template
from agentgov.policy.model import ActionClass, Level, Verdict
from agentgov.subjects import Context, ShellCommand

POLICY = load_template("default")


def _context(level: Level) -> Context:
    return Context(
        level=level,
        task_class="default",
        cwd="/code/project",
        home="/home/dev",
        project_root="/code/project",
        branch="feature/x",
    )


TOO_BIG = [
    "echo " + "a" * 100_000 + "; ls",
    "echo " + "$(" * 10_000 + "ls" + ")" * 10_000,
]


@pytest.mark.parametrize("command", TOO_BIG, ids=["long", "deep"])
@pytest.mark.parametrize("level", list(Level))
def test_input_past_the_limits_asks_at_every_level(command: str, level: Level) -> None:
    decision = evaluate(ShellCommand(command), POLICY, _context(level))
    assert decision.action_class is ActionClass.IRREVERSIBLE
    assert decision.verdict is (Verdict.DENY if level is Level.SUGGEST else Verdict.ASK)
    assert "too large or too deeply nested" in decision.reason


def test_forbidden_within_the_limits_still_denies() -> None:
    command = "rm -rf / ; echo " + "$(" * 10_000 + ")" * 10_000
    decision = evaluate(ShellCommand(command), POLICY, _context(Level.AUTONOMOUS))
    assert decision.verdict is Verdict.DENY


@pytest.mark.parametrize("command", ["if then fi", "((", "done"])
def test_unparsed_input_is_dynamic(command: str) -> None:
    decision = evaluate(ShellCommand(command), POLICY, _context(Level.AUTONOMOUS))
    assert decision.action_class is ActionClass.DYNAMIC
    assert decision.verdict is Verdict.ALLOW
    assert decision.reason == "the command could not be analysed in full"


def test_an_empty_command_is_an_allowed_read() -> None:
    import dataclasses

    from agentgov.engine import Decision, decide

    context = _context(Level.AUTONOMOUS)
    decision = decide(POLICY, context, (), (), ())
    assert set(vars(decision)) == {field.name for field in dataclasses.fields(Decision)}
    assert decision == Decision(
        Verdict.ALLOW, ActionClass.READ, Level.AUTONOMOUS, "default", (), (), "nothing to run"
    )
