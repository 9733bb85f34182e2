"""Shared table-test helper for rule modules: analyse a command, run one rule, return hits.

Each ``tests/rules/test_<rule module>.py`` holds a table of at least 20 commands the rule
must flag (obfuscated forms included) and 10 look-alikes it must not.
"""

from __future__ import annotations

from agentgov.engine import admitted_rules
from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.registry import CATALOGUE
from agentgov.evaluators.rules.triggers import admits, program_names
from agentgov.evaluators.shell.analyze import analyze
from agentgov.policy.load import load_template
from agentgov.policy.model import Policy, RuleMode

PROJECT = "/code/project"
HOME = "/home/dev"
_POLICY: list[Policy] = []


def default_policy() -> Policy:
    if not _POLICY:
        _POLICY.append(load_template("default"))
    return _POLICY[0]


def context(
    *,
    cwd: str = PROJECT,
    branch: str | None = "feature/x",
    env: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
    policy: Policy | None = None,
) -> ShellContext:
    stored = dict(files or {})
    return ShellContext(
        policy=policy or default_policy(),
        cwd=cwd,
        home=HOME,
        project_root=PROJECT,
        branch=branch,
        env=tuple(sorted((env or {}).items())),
        read_text=stored.get,
    )


def hits(rule: Rule, command: str, ctx: ShellContext | None = None) -> list[Hit]:
    """The rule's hits on ``command``. Every table goes through here, so this is also where
    the registry's triggers are held to account: the engine never runs a rule whose
    triggers the analysis lacks, so a rule that hits must have been admitted."""
    ctx = ctx or context()
    analysis = analyze(command, cwd=ctx.cwd, home=ctx.home)
    found = list(rule.evaluate(analysis, ctx))
    if found:
        names = program_names(analysis)
        assert admits(CATALOGUE[rule.id].triggers, names), (
            f"{rule.id} hits {command!r}, but its triggers in registry.py admit none of "
            f"{sorted(names)}: the engine would never run it on this command"
        )
        # And the engine's own reading of the triggers agrees (unless the policy turns the
        # rule off).
        assert rule.id in admitted_rules(analysis, ctx.policy) or (
            ctx.policy.rule_mode(rule.id) is RuleMode.OFF and rule.can_disable
        ), (rule.id, command)
    return found
