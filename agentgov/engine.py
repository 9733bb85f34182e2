"""evaluate(subject, policy, context) -> Decision: the one judgement every entry point uses.

Pure: the analysis, the base classes and the rules read values and return values. A
command's decision is the worst over its parts: each simple command gets a base class
(read, local, network...), each enforced rule hit raises it (usually to irreversible or
forbidden), and the policy's matrix turns the worst class at the context's level into
allow, ask or deny. Shadow-mode rules are recorded as "would deny" and change nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from agentgov.evaluators.rules.base import Hit, ShellContext
from agentgov.evaluators.rules.registry import CATALOGUE, rule
from agentgov.evaluators.rules.triggers import admitted_bits
from agentgov.evaluators.shell.analyze import analyze
from agentgov.evaluators.shell.classify import base_class
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass, Level, Policy, RuleMode, Verdict
from agentgov.subjects import Context, FileEdit, FileRead, FixedAction, ShellCommand, Subject


@dataclass(frozen=True)
class Finding:
    """Why part of an action got its class: a rule hit, or the base class of a command
    (``rule`` is None then)."""

    rule: str | None
    action_class: ActionClass
    fragment: str
    message: str
    remediation: str = ""


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    action_class: ActionClass
    level: Level
    task_class: str
    findings: tuple[Finding, ...]
    shadow: tuple[Finding, ...] = ()
    reason: str = ""
    remediation: str = ""

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.rule for f in self.findings if f.rule))

    @property
    def would_deny(self) -> tuple[str, ...]:
        """Shadow rules whose enforcement would have made this decision stricter."""
        return tuple(dict.fromkeys(f.rule for f in self.shadow if f.rule))


@dataclass(frozen=True)
class ShellJudgement:
    """A decision plus the analysis behind it, for ``agentgov explain``."""

    decision: Decision
    analysis: Analysis
    base: tuple[Finding, ...]


def evaluate(
    subject: Subject, policy: Policy, context: Context, *, analysis: Analysis | None = None
) -> Decision:
    """The decision for any subject: a shell command, a file edit or read, a fixed action.
    ``analysis``, when given, is the shell command's analysis at ``context.cwd`` and
    ``context.home``, which the adapter already made to read the paths the command writes
    (``local_context.shell_work``); it is not made twice."""
    if isinstance(subject, ShellCommand):
        return _judge_shell(subject.command, policy, context, analysis)[0]
    # Only file tools need these; importing them costs every Bash call of the hook.
    from agentgov.evaluators.file_access import edit_class, edit_hits, read_hits

    shell = _shell_context(policy, context)
    if isinstance(subject, FileEdit):
        action_class, why = edit_class(subject.paths, shell)
        base = (Finding(None, action_class, " ".join(subject.paths), why),)
        hits = edit_hits(subject.paths + subject.real_paths, shell)
    elif isinstance(subject, FileRead):
        base = (Finding(None, ActionClass.READ, " ".join(subject.paths), "reads files"),)
        hits = read_hits(subject.paths + subject.real_paths, subject.globs, shell)
    else:
        assert isinstance(subject, FixedAction)
        base = (Finding(None, subject.action_class, subject.text or subject.tool, subject.why),)
        hits = iter(())
    enforced, shadow = _apply_modes(policy, hits)
    return decide(policy, context, base, enforced, shadow)


def _shell_context(policy: Policy, context: Context) -> ShellContext:
    return ShellContext(
        policy=policy,
        cwd=context.cwd,
        home=context.home,
        project_root=context.project_root,
        branch=context.branch,
        env=context.env,
        read_text=context.read_text,
        repositories=context.repositories,
    )


@lru_cache(maxsize=32)
def _modes(settings: tuple[tuple[str, RuleMode], ...]) -> dict[str, RuleMode]:
    """Each catalogue rule's mode under a policy's ``rules:`` settings (the policy's
    ``rules``, hashable, so the answer is computed once per policy). A rule that cannot be
    turned off always enforces; only the modules of rules set to something else are
    imported to learn that."""
    modes: dict[str, RuleMode] = {}
    for rule_id, mode in settings:
        modes.setdefault(rule_id, mode)
    for rule_id in CATALOGUE:
        mode = modes.get(rule_id, RuleMode.ENFORCE)
        if mode is not RuleMode.ENFORCE and not rule(rule_id).can_disable:
            mode = RuleMode.ENFORCE
        modes[rule_id] = mode
    return modes


def _apply_modes(
    policy: Policy, hits: Iterable[Hit]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """Split hits by the policy's rule modes; ``off`` rules were never run or are dropped."""
    enforced: list[Finding] = []
    shadow: list[Finding] = []
    modes = _modes(policy.rules)
    for hit in hits:
        mode = modes[hit.rule]
        if mode is RuleMode.ENFORCE:
            enforced.append(_finding(hit))
        elif mode is RuleMode.SHADOW:
            shadow.append(_finding(hit))
    return tuple(enforced), tuple(shadow)


class _Plan(NamedTuple):
    """The rules a policy runs, in catalogue order, as bits: ``always`` has the bits of the
    rules any command may trigger, ``by_trigger`` the bits each trigger word admits;
    ``memo`` keeps each program's bits (see ``triggers.admitted_bits``)."""

    ids: tuple[str, ...]
    always: int
    by_trigger: dict[str, int]
    memo: dict[tuple[str, str], tuple[int, int]]


@lru_cache(maxsize=32)
def _plan(settings: tuple[tuple[str, RuleMode], ...]) -> _Plan:
    modes = _modes(settings)
    ids = tuple(rule_id for rule_id in CATALOGUE if modes[rule_id] is not RuleMode.OFF)
    always = 0
    by_trigger: dict[str, int] = {}
    for position, rule_id in enumerate(ids):
        triggers = CATALOGUE[rule_id].triggers
        if triggers is None:
            always |= 1 << position
            continue
        for word in triggers:
            by_trigger[word] = by_trigger.get(word, 0) | 1 << position
    return _Plan(ids, always, by_trigger, {})


def admitted_rules(analysis: Analysis, policy: Policy) -> tuple[str, ...]:
    """The ids of the rules the engine runs on ``analysis`` under ``policy``: those not
    turned off whose triggers the analysis holds (``tests/rules/ruletest.py`` checks every
    rule that hits is among them)."""
    plan = _plan(policy.rules)
    admitted = plan.always | admitted_bits(analysis, plan.by_trigger, plan.memo)
    return tuple(rule_id for position, rule_id in enumerate(plan.ids) if admitted >> position & 1)


def _rule_hits(analysis: Analysis, shell: ShellContext) -> list[Hit]:
    """The hits of every rule not turned off whose triggers the analysis holds, in
    catalogue order (one dictionary lookup per name in the analysis, not one set
    intersection per rule)."""
    plan = _plan(shell.policy.rules)
    admitted = plan.always | admitted_bits(analysis, plan.by_trigger, plan.memo)
    hits: list[Hit] = []
    position = 0
    while admitted:
        if admitted & 1:
            hits.extend(rule(plan.ids[position]).evaluate(analysis, shell))
        admitted >>= 1
        position += 1
    return hits


def judge_shell(
    subject: ShellCommand, policy: Policy, context: Context, *, analysis: Analysis | None = None
) -> ShellJudgement:
    return ShellJudgement(*_judge_shell(subject.command, policy, context, analysis))


def _judge_shell(
    command: str, policy: Policy, context: Context, analysis: Analysis | None = None
) -> tuple[Decision, Analysis, tuple[Finding, ...]]:
    shell = _shell_context(policy, context)
    if analysis is None:
        analysis = analyze(command, cwd=context.cwd, home=context.home)
    base = tuple(_base_findings(analysis, shell))
    hits = _rule_hits(analysis, shell)
    enforced, shadow = _apply_modes(policy, hits) if hits else ((), ())
    return decide(policy, context, base, enforced, shadow), analysis, base


def _base_findings(analysis: Analysis, shell: ShellContext) -> list[Finding]:
    findings = []
    for command in analysis.commands:
        action_class, why = base_class(command, analysis, shell)
        findings.append(Finding(None, action_class, command.text, why))
    if analysis.truncated:
        # Past the size and depth limits the analysis saw only part of the input, so the
        # rest may hold anything: dynamic (allowed at level 5) would let it through unseen.
        findings.append(
            Finding(
                None,
                ActionClass.IRREVERSIBLE,
                analysis.source[:200],
                "too large or too deeply nested to analyse in full: a human must look at it",
            )
        )
    elif not analysis.commands and analysis.unparsed:
        findings.append(
            Finding(
                None,
                ActionClass.DYNAMIC,
                analysis.source[:200],
                "the command could not be analysed in full",
            )
        )
    return findings


def _finding(hit: Hit) -> Finding:
    return Finding(hit.rule, hit.action_class, hit.fragment, hit.message, hit.remediation)


_SEVERITY = {action_class: action_class.severity for action_class in ActionClass}


def _severity(finding: Finding) -> int:
    return _SEVERITY[finding.action_class]


def decide(
    policy: Policy,
    context: Context,
    base: tuple[Finding, ...],
    enforced: tuple[Finding, ...],
    shadow: tuple[Finding, ...],
) -> Decision:
    """Combine findings into one decision: the worst class, judged at the context's level."""
    worst: Finding | None = None
    worst_severity = -1
    for finding in (*enforced, *base):
        severity = _SEVERITY[finding.action_class]
        if severity > worst_severity:
            worst, worst_severity = finding, severity
    action_class = worst.action_class if worst else ActionClass.READ
    verdict = policy.verdict(action_class, context.level)
    ranked = sorted(enforced, key=_severity, reverse=True) if enforced else ()
    if ranked:
        top = ranked[0]
        reason = "; ".join(dict.fromkeys(f"{f.rule}: {f.message}" for f in ranked))
        remediation = top.remediation
    elif worst is not None:
        reason = worst.message
        remediation = ""
    else:
        reason = "nothing to run"
        remediation = ""
    # A shadow hit matters when enforcing it would have made the verdict stricter.
    mattering = (
        tuple(
            f
            for f in shadow
            if policy.verdict(f.action_class, context.level).severity > verdict.severity
        )
        if shadow
        else ()
    )
    return Decision(
        verdict=verdict,
        action_class=action_class,
        level=context.level,
        task_class=context.task_class,
        findings=tuple(ranked),
        shadow=mattering,
        reason=reason,
        remediation=remediation,
    )
