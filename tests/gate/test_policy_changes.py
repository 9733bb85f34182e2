"""policy_changes: every difference between two policies, in words, with its kind, the
classes it concerns and where it is.

Table-driven: each case edits the base policy (YAML text) in one place, on the head side
or (for the opposite direction) on the base side, and names the changes it must produce,
each located by a needle in the head's text (the base's for a removal). Pure: no git,
policies loaded from bytes as ``check`` loads them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentgov.gate.model import ChangeKind, PolicyChange
from agentgov.gate.policy_changes import policy_changes
from tests.gate import POLICY_PATH, at, loaded, replaced

RAISE, LOOSEN, TIGHTEN, NEUTRAL = (
    ChangeKind.RAISE,
    ChangeKind.LOOSEN,
    ChangeKind.TIGHTEN,
    ChangeKind.NEUTRAL,
)

BASE = """\
version: 1
kill_switch: {engaged: false, reason: "none"}
protected_branches: [main, "release/*"]
git_hooks: {apply_to: everyone}
task_classes:
  default: {level: execute-gated, description: everything else}
  docs: {level: 4, paths: ["docs/**", "*.md"]}
  infra: {level: propose, paths: ["infra/**", "deploy/**"], branches: ["ops/*"]}
  hotfix: {level: suggest, branches: ["hotfix/*"]}
  vendor: {level: autonomous, paths: ["vendor/**"]}
supply_chain:
  default: exact
  ecosystems: {pip: exact, npm: locked}
rules:
  git.reset-hard: enforce
  git.clean-force: shadow
matrix:
  network: {3: ask}
tools:
  mcp__memory__read: read
ladder:
  execute-gated:
    - {metric: approval_rate, op: ">=", threshold: 0.5, window: 14d, min_samples: 20}
  4:
    - {metric: intervention_rate, op: "<=", threshold: 0.1, window: 28d, min_samples: 30}
    - {metric: defect_escape_rate, op: not-rising, threshold: 0, window: 28d, min_samples: 30}
  autonomous:
    - {metric: approval_rate, op: ">=", threshold: 0.95, window: 28d, min_samples: 50, confidence: 0.9}
rollback:
  - {metric: ci_failure_rate, op: ">", threshold: 0.5, window: 7d, min_samples: 3, action: {demote_to: 2}}
  - {metric: deny_rate, op: "<", threshold: 0.2, window: 7d, min_samples: 3, action: {demote_by: 1}, classes: [default, docs]}
  - {incident: production, action: {reset_to: suggest}, classes: [docs, hotfix]}
audit: {notes_ref: refs/notes/agentgov, review_sample_rate: 0.1}
evidence:
  incident_cooldown: 14d
  agent_markers: ["Made-by: robot"]
production:
  words: [prod, production]
"""  # noqa: E501 - flow-style lines, as people write them


@dataclass(frozen=True)
class Want:
    """One expected change; ``needle`` marks its place in head's text (base's with
    ``in_base``)."""

    kind: ChangeKind
    key: str
    words: str
    needle: str
    classes: tuple[str, ...] = ()
    in_base: bool = False


@dataclass(frozen=True)
class Case:
    name: str
    old: str
    new: str
    wants: tuple[Want, ...]
    reverse: bool = False
    """Edit the base instead: base has ``new``, head is BASE (the opposite direction)."""
    also: tuple[tuple[str, str], ...] = ()
    """Further edits on the same side."""

    def texts(self) -> tuple[str, str]:
        edited = replaced(BASE, self.old, self.new)
        for old, new in self.also:
            edited = replaced(edited, old, new)
        return (edited, BASE) if self.reverse else (BASE, edited)


def changes(base_text: str, head_text: str) -> tuple[PolicyChange, ...]:
    base, base_doc = loaded(base_text, "base.yaml")
    head, head_doc = loaded(head_text, "head.yaml")
    return policy_changes(base, head, base_doc, head_doc)


CRITERION_3 = '{metric: approval_rate, op: ">=", threshold: 0.5, window: 14d, min_samples: 20}'
TRIGGER_0 = (
    '{metric: ci_failure_rate, op: ">", threshold: 0.5, window: 7d, min_samples: 3, '
    "action: {demote_to: 2}}"
)
TRIGGER_1 = (
    '{metric: deny_rate, op: "<", threshold: 0.2, window: 7d, min_samples: 3, '
    "action: {demote_by: 1}, classes: [default, docs]}"
)
TRIGGER_2 = "{incident: production, action: {reset_to: suggest}, classes: [docs, hotfix]}"
INFRA = '  infra: {level: propose, paths: ["infra/**", "deploy/**"], branches: ["ops/*"]}\n'

CASES = [
    # -- task classes ------------------------------------------------------------------
    Case(
        "level raised",
        "default: {level: execute-gated,",
        "default: {level: 4,",
        (
            Want(
                RAISE,
                "task_classes.default.level",
                "default: level 3 execute-gated → 4 execute-sandboxed",
                "4, description",
                ("default",),
            ),
        ),
    ),
    Case(
        "level lowered",
        "docs: {level: 4,",
        "docs: {level: 3,",
        (
            Want(
                TIGHTEN,
                "task_classes.docs.level",
                "docs: level 4 execute-sandboxed → 3 execute-gated",
                '3, paths: ["docs',
                ("docs",),
            ),
        ),
    ),
    Case(
        "a new class above what its paths had",
        "  vendor:",
        '  app: {level: autonomous, paths: ["src/**"]}\n  vendor:',
        (
            Want(
                RAISE,
                "task_classes.app",
                "new class app at level 5 autonomous (paths src/**)",
                '{level: autonomous, paths: ["src',
                ("app",),
            ),
        ),
    ),
    Case(
        "a new class below what its paths had",
        "  vendor:",
        '  secrets: {level: suggest, paths: ["secrets/**"]}\n  vendor:',
        (
            Want(
                TIGHTEN,
                "task_classes.secrets",
                "new class secrets at level 1 suggest (paths secrets/**)",
                '{level: suggest, paths: ["secrets',
                ("secrets",),
            ),
        ),
    ),
    Case(
        "a new class at the level its paths had",
        "  vendor:",
        '  site: {level: 3, paths: ["site/**"]}\n  vendor:',
        (
            Want(
                NEUTRAL,
                "task_classes.site",
                "new class site at level 3 execute-gated (paths site/**)",
                '{level: 3, paths: ["site',
                ("site",),
            ),
        ),
    ),
    Case(
        "a new branch-only class restricts its branches",
        "  vendor:",
        '  freeze: {level: propose, branches: ["freeze/*"]}\n  vendor:',
        (
            Want(
                TIGHTEN,
                "task_classes.freeze",
                "new class freeze at level 2 propose (branches freeze/*)",
                '{level: propose, branches: ["freeze',
                ("freeze",),
            ),
        ),
    ),
    Case(
        "a new branch-only class at the top level restricts nothing",
        "  vendor:",
        '  free: {level: autonomous, branches: ["free/*"]}\n  vendor:',
        (
            Want(
                NEUTRAL,
                "task_classes.free",
                "new class free at level 5 autonomous (branches free/*)",
                '{level: autonomous, branches: ["free',
                ("free",),
            ),
        ),
    ),
    Case(
        "a class removed: its paths act higher, its branches stop restricting",
        INFRA,
        "",
        (
            Want(
                RAISE,
                "task_classes.infra",
                "class infra (level 2 propose) removed",
                '{level: propose, paths: ["infra',
                ("infra",),
                in_base=True,
            ),
            Want(
                LOOSEN,
                "task_classes.infra.branches",
                "infra: branches ops/* removed with the class",
                '["ops/*"]',
                ("infra",),
                in_base=True,
            ),
        ),
    ),
    Case(
        "a class removed: its paths act lower",
        '  vendor: {level: autonomous, paths: ["vendor/**"]}\n',
        "",
        (
            Want(
                TIGHTEN,
                "task_classes.vendor",
                "class vendor (level 5 autonomous) removed",
                '{level: autonomous, paths: ["vendor',
                ("vendor",),
                in_base=True,
            ),
        ),
    ),
    Case(
        "a glob added to a higher class",
        'paths: ["docs/**", "*.md"]',
        'paths: ["docs/**", "*.md", "src/**"]',
        (
            Want(
                RAISE,
                "task_classes.docs.paths",
                "docs: paths src/** added",
                '["docs/**", "*.md", "src/**"]',
                ("docs",),
            ),
        ),
    ),
    Case(
        "a glob added to a lower class",
        'paths: ["infra/**", "deploy/**"]',
        'paths: ["infra/**", "deploy/**", "k8s/**"]',
        (
            Want(
                TIGHTEN,
                "task_classes.infra.paths",
                "infra: paths k8s/** added",
                '["infra/**", "deploy/**", "k8s/**"]',
                ("infra",),
            ),
        ),
    ),
    Case(
        "a glob added inside one the class has moves nothing",
        'paths: ["docs/**", "*.md"]',
        'paths: ["docs/**", "*.md", "docs/api/**"]',
        (
            Want(
                NEUTRAL,
                "task_classes.docs.paths",
                "docs: paths docs/api/** added",
                '["docs/**", "*.md", "docs/api/**"]',
                ("docs",),
            ),
        ),
    ),
    Case(
        "a glob removed from a stricter class",
        'paths: ["infra/**", "deploy/**"]',
        'paths: ["infra/**"]',
        (
            Want(
                RAISE,
                "task_classes.infra.paths",
                "infra: paths deploy/** removed",
                '["infra/**"]',
                ("infra",),
            ),
        ),
    ),
    Case(
        "a glob removed from a more permissive class",
        'paths: ["docs/**", "*.md"]',
        'paths: ["docs/**"]',
        (
            Want(
                TIGHTEN,
                "task_classes.docs.paths",
                "docs: paths *.md removed",
                '["docs/**"]',
                ("docs",),
            ),
        ),
    ),
    Case(
        "a branch glob removed from a restricting class",
        'branches: ["hotfix/*"]',
        "branches: []",
        (
            Want(
                LOOSEN,
                "task_classes.hotfix.branches",
                "hotfix: branches hotfix/* removed",
                "[]}",
                ("hotfix",),
            ),
        ),
    ),
    Case(
        "a branch glob added to a restricting class",
        'branches: ["hotfix/*"]',
        'branches: ["hotfix/*", "urgent/*"]',
        (
            Want(
                TIGHTEN,
                "task_classes.hotfix.branches",
                "hotfix: branches urgent/* added",
                '["hotfix/*", "urgent/*"]',
                ("hotfix",),
            ),
        ),
    ),
    Case(
        "a description",
        "description: everything else}",
        "description: all the rest}",
        (
            Want(
                NEUTRAL,
                "task_classes.default.description",
                "default: description changed",
                "all the rest",
                ("default",),
            ),
        ),
    ),
    # -- matrix, rules, protected branches, supply chain ---------------------------------
    Case(
        "a matrix cell more permissive",
        "network: {3: ask}",
        "network: {3: allow}",
        (
            Want(
                LOOSEN,
                "matrix.network.3",
                "matrix network at level 3 execute-gated: ask → allow",
                "allow}",
            ),
        ),
    ),
    Case(
        "a matrix cell stricter",
        "network: {3: ask}",
        "network: {3: ask, 4: ask}",
        (
            Want(
                TIGHTEN,
                "matrix.network.4",
                "matrix network at level 4 execute-sandboxed: allow → ask",
                "ask}",
            ),
        ),
    ),
    Case(
        "a matrix override dropped",
        "network: {3: ask}",
        "network: {3: ask}\n  local: {2: allow}",
        (
            Want(
                TIGHTEN,
                "matrix.local.2",
                "matrix local at level 2 propose: allow → ask",
                "allow}",
                in_base=True,
            ),
        ),
        reverse=True,
    ),
    Case(
        "a rule to shadow",
        "git.reset-hard: enforce",
        "git.reset-hard: shadow",
        (
            Want(
                LOOSEN,
                "rules.git.reset-hard",
                "rule git.reset-hard set to shadow (was enforce)",
                "shadow\n  git.clean",
            ),
        ),
    ),
    Case(
        "a rule from shadow to off",
        "git.clean-force: shadow",
        "git.clean-force: off",
        (
            Want(
                LOOSEN,
                "rules.git.clean-force",
                "rule git.clean-force set to off (was shadow)",
                "off\nmatrix",
            ),
        ),
    ),
    Case(
        "a rule from shadow back to enforce",
        "git.clean-force: shadow",
        "git.clean-force: enforce",
        (
            Want(
                TIGHTEN,
                "rules.git.clean-force",
                "rule git.clean-force set to enforce (was shadow)",
                "enforce\nmatrix",
            ),
        ),
    ),
    Case(
        "a rule not written before, now off",
        "git.reset-hard: enforce",
        "git.reset-hard: enforce\n  git.push-protected: off",
        (
            Want(
                LOOSEN,
                "rules.git.push-protected",
                "rule git.push-protected set to off (was enforce)",
                "off",
            ),
        ),
    ),
    Case(
        "a protected branch removed",
        'protected_branches: [main, "release/*"]',
        "protected_branches: [main]",
        (
            Want(
                LOOSEN,
                "protected_branches.1",
                "protected branch release/* removed",
                '"release/*"',
                in_base=True,
            ),
        ),
    ),
    Case(
        "a protected branch added",
        'protected_branches: [main, "release/*"]',
        'protected_branches: [main, "release/*", "hotfix/*"]',
        (
            Want(
                TIGHTEN,
                "protected_branches.2",
                "protected branch hotfix/* added",
                '"hotfix/*"]\ngit_hooks',
            ),
        ),
    ),
    Case(
        "an ecosystem's pinning lowered",
        "pip: exact,",
        "pip: constrained,",
        (
            Want(
                LOOSEN,
                "supply_chain.ecosystems.pip",
                "pip pinning lowered exact → constrained",
                "constrained",
            ),
        ),
    ),
    Case(
        "an ecosystem's pinning raised",
        "pip: exact,",
        "pip: locked,",
        (
            Want(
                TIGHTEN,
                "supply_chain.ecosystems.pip",
                "pip pinning raised exact → locked",
                "locked, npm",
            ),
        ),
    ),
    Case(
        "the default pinning lowered, for every ecosystem not listed",
        "  default: exact\n",
        "  default: any\n",
        (
            Want(
                LOOSEN,
                "supply_chain.default",
                "uv, cargo, go, gem, docker, github-actions, brew pinning lowered exact → any",
                "any\n",
            ),
        ),
    ),
    # -- ladder ----------------------------------------------------------------------------
    Case(
        "an exit threshold lowered (>=)",
        "threshold: 0.5, window: 14d",
        "threshold: 0.4, window: 14d",
        (
            Want(
                LOOSEN,
                "ladder.execute-gated.0.threshold",
                "ladder execute-gated approval_rate >= threshold loosened 0.5 → 0.4",
                "0.4",
            ),
        ),
    ),
    Case(
        "an exit threshold raised (>=)",
        "threshold: 0.5, window: 14d",
        "threshold: 0.6, window: 14d",
        (
            Want(
                TIGHTEN,
                "ladder.execute-gated.0.threshold",
                "ladder execute-gated approval_rate >= threshold tightened 0.5 → 0.6",
                "0.6",
            ),
        ),
    ),
    Case(
        "an exit threshold raised (<=)",
        "threshold: 0.1, window: 28d",
        "threshold: 0.15, window: 28d",
        (
            Want(
                LOOSEN,
                "ladder.4.0.threshold",
                "ladder execute-sandboxed intervention_rate <= threshold loosened 0.1 → 0.15",
                "0.15",
            ),
        ),
    ),
    Case(
        "a not-rising allowance raised",
        "op: not-rising, threshold: 0,",
        "op: not-rising, threshold: 0.02,",
        (
            Want(
                LOOSEN,
                "ladder.4.1.threshold",
                "ladder execute-sandboxed defect_escape_rate not-rising threshold loosened "
                "0 → 0.02",
                "0.02",
            ),
        ),
    ),
    Case(
        "an exit window shortened",
        "threshold: 0.5, window: 14d",
        "threshold: 0.5, window: 7d",
        (
            Want(
                LOOSEN,
                "ladder.execute-gated.0.window",
                "ladder execute-gated approval_rate >= window shortened 14d → 7d",
                "7d, min_samples: 20",
            ),
        ),
    ),
    Case(
        "an exit window lengthened",
        "threshold: 0.5, window: 14d",
        "threshold: 0.5, window: 21d",
        (
            Want(
                TIGHTEN,
                "ladder.execute-gated.0.window",
                "ladder execute-gated approval_rate >= window lengthened 14d → 21d",
                "21d",
            ),
        ),
    ),
    Case(
        "fewer samples for an exit",
        "window: 14d, min_samples: 20",
        "window: 14d, min_samples: 10",
        (
            Want(
                LOOSEN,
                "ladder.execute-gated.0.min_samples",
                "ladder execute-gated approval_rate >= min_samples lowered 20 → 10",
                "10}",
            ),
        ),
    ),
    Case(
        "an exit's confidence removed",
        "min_samples: 50, confidence: 0.9}",
        "min_samples: 50}",
        (
            Want(
                LOOSEN,
                "ladder.autonomous.0.confidence",
                "ladder autonomous approval_rate >= confidence 0.9 removed",
                "0.9}",
                in_base=True,
            ),
        ),
    ),
    Case(
        "an exit's confidence lowered",
        "confidence: 0.9}",
        "confidence: 0.8}",
        (
            Want(
                LOOSEN,
                "ladder.autonomous.0.confidence",
                "ladder autonomous approval_rate >= confidence lowered 0.9 → 0.8",
                "0.8}",
            ),
        ),
    ),
    Case(
        "an exit's confidence added",
        "threshold: 0.5, window: 14d, min_samples: 20}",
        "threshold: 0.5, window: 14d, min_samples: 20, confidence: 0.95}",
        (
            Want(
                TIGHTEN,
                "ladder.execute-gated.0.confidence",
                "ladder execute-gated approval_rate >= confidence 0.95 added",
                "0.95}\n  4:",
            ),
        ),
    ),
    Case(
        "an exit op made strict",
        'op: ">=", threshold: 0.5',
        'op: ">", threshold: 0.5',
        (
            Want(
                TIGHTEN,
                "ladder.execute-gated.0.op",
                "ladder execute-gated approval_rate >= op tightened >= → >",
                '">", threshold: 0.5, window: 14d',
            ),
        ),
    ),
    Case(
        "an exit op turned round",
        'op: ">=", threshold: 0.5',
        'op: "<=", threshold: 0.6',
        (
            Want(
                LOOSEN,
                "ladder.execute-gated.0.op",
                "ladder execute-gated approval_rate >= op changed >= → <= (threshold 0.5 → 0.6)",
                '"<=", threshold: 0.6',
            ),
        ),
    ),
    Case(
        "an exit criterion removed",
        "    - {metric: defect_escape_rate, op: not-rising, threshold: 0, window: 28d,"
        " min_samples: 30}\n",
        "",
        (
            Want(
                LOOSEN,
                "ladder.4.1",
                "ladder execute-sandboxed defect_escape_rate not-rising 0 removed",
                "{metric: defect_escape_rate",
                in_base=True,
            ),
        ),
    ),
    Case(
        "a level's exit criteria removed",
        '  4:\n    - {metric: intervention_rate, op: "<=", threshold: 0.1, window: 28d,'
        " min_samples: 30}\n    - {metric: defect_escape_rate, op: not-rising, threshold: 0,"
        " window: 28d, min_samples: 30}\n",
        "",
        (
            Want(
                LOOSEN,
                "ladder.4.0",
                "ladder execute-sandboxed intervention_rate <= 0.1 removed",
                "{metric: intervention_rate",
                in_base=True,
            ),
            Want(
                LOOSEN,
                "ladder.4.1",
                "ladder execute-sandboxed defect_escape_rate not-rising 0 removed",
                "{metric: defect_escape_rate",
                in_base=True,
            ),
        ),
    ),
    Case(
        "an exit criterion added",
        "min_samples: 50, confidence: 0.9}\n",
        "min_samples: 50, confidence: 0.9}\n    - {metric: deny_rate, op: <, threshold: 0.05,"
        " window: 14d, min_samples: 5}\n",
        (
            Want(
                TIGHTEN,
                "ladder.autonomous.1",
                "ladder autonomous deny_rate < 0.05 added",
                "{metric: deny_rate, op: <",
            ),
        ),
    ),
    # -- rollback --------------------------------------------------------------------------
    Case(
        "a trigger's threshold harder to breach (>)",
        "threshold: 0.5, window: 7d",
        "threshold: 0.6, window: 7d",
        (
            Want(
                LOOSEN,
                "rollback.0.threshold",
                "rollback 0 (ci_failure_rate >) threshold loosened 0.5 → 0.6",
                "0.6",
            ),
        ),
    ),
    Case(
        "a trigger's threshold easier to breach (>)",
        "threshold: 0.5, window: 7d",
        "threshold: 0.3, window: 7d",
        (
            Want(
                TIGHTEN,
                "rollback.0.threshold",
                "rollback 0 (ci_failure_rate >) threshold tightened 0.5 → 0.3",
                "0.3",
            ),
        ),
    ),
    Case(
        "a trigger's threshold harder to breach (<)",
        'op: "<", threshold: 0.2, window: 7d',
        'op: "<", threshold: 0.1, window: 7d',
        (
            Want(
                LOOSEN,
                "rollback.1.threshold",
                "rollback 1 (deny_rate <) threshold loosened 0.2 → 0.1",
                "0.1, window: 7d",
                ("default", "docs"),
            ),
        ),
    ),
    Case(
        "a trigger needs more samples",
        "threshold: 0.5, window: 7d, min_samples: 3,",
        "threshold: 0.5, window: 7d, min_samples: 9,",
        (
            Want(
                LOOSEN,
                "rollback.0.min_samples",
                "rollback 0 (ci_failure_rate >) min_samples raised 3 → 9",
                "9,",
            ),
        ),
    ),
    Case(
        "a trigger's window shortened",
        "threshold: 0.5, window: 7d,",
        "threshold: 0.5, window: 3d,",
        (
            Want(
                LOOSEN,
                "rollback.0.window",
                "rollback 0 (ci_failure_rate >) window shortened 7d → 3d",
                "3d",
            ),
        ),
    ),
    Case(
        "a trigger's window lengthened",
        "threshold: 0.5, window: 7d,",
        "threshold: 0.5, window: 14d,",
        (
            Want(
                TIGHTEN,
                "rollback.0.window",
                "rollback 0 (ci_failure_rate >) window lengthened 7d → 14d",
                "14d, min_samples: 3",
            ),
        ),
    ),
    Case(
        "a trigger judged on a confidence bound",
        "min_samples: 3, action: {demote_to: 2}}",
        "min_samples: 3, confidence: 0.9, action: {demote_to: 2}}",
        (
            Want(
                LOOSEN,
                "rollback.0.confidence",
                "rollback 0 (ci_failure_rate >) confidence 0.9 added",
                "0.9, action",
            ),
        ),
    ),
    Case(
        "a trigger's op made strict",
        'op: ">", threshold: 0.5, window: 7d',
        'op: ">=", threshold: 0.5, window: 7d',
        (
            Want(
                TIGHTEN,
                "rollback.0.op",
                "rollback 0 (ci_failure_rate >) op tightened > → >=",
                '">=", threshold: 0.5, window: 7d',
            ),
        ),
    ),
    Case(
        "a demotion less far",
        "action: {demote_to: 2}",
        "action: {demote_to: 3}",
        (
            Want(
                LOOSEN,
                "rollback.0.action",
                "rollback 0 (ci_failure_rate >) action weakened demote_to 2 propose → "
                "demote_to 3 execute-gated",
                "{demote_to: 3}",
            ),
        ),
    ),
    Case(
        "a demotion further",
        "action: {demote_by: 1}",
        "action: {demote_by: 2}",
        (
            Want(
                TIGHTEN,
                "rollback.1.action",
                "rollback 1 (deny_rate <) action strengthened demote_by 1 → demote_by 2",
                "{demote_by: 2}",
                ("default", "docs"),
            ),
        ),
    ),
    Case(
        "a reset that no longer restarts the window",
        "action: {reset_to: suggest}",
        "action: {demote_to: suggest}",
        (
            Want(
                LOOSEN,
                "rollback.2.action",
                "rollback 2 (incident production) action weakened reset_to 1 suggest → "
                "demote_to 1 suggest",
                "{demote_to: suggest}",
                ("docs", "hotfix"),
            ),
        ),
    ),
    Case(
        "a trigger's classes narrowed",
        "classes: [docs, hotfix]}",
        "classes: [docs]}",
        (
            Want(
                LOOSEN,
                "rollback.2.classes",
                "rollback 2 (incident production) classes narrowed docs, hotfix → docs",
                "[docs]}",
                ("docs", "hotfix"),
            ),
        ),
    ),
    Case(
        "a trigger's classes widened to every class",
        ", classes: [docs, hotfix]}",
        "}",
        (
            Want(
                TIGHTEN,
                "rollback.2.classes",
                "rollback 2 (incident production) classes widened docs, hotfix → every class",
                "[docs, hotfix]",
                in_base=True,
            ),
        ),
    ),
    Case(
        "an incident trigger fired by any incident",
        "{incident: production,",
        "{incident: any,",
        (
            Want(
                TIGHTEN,
                "rollback.2.incident",
                "rollback 2 (incident production) incident widened production → any",
                "any, action",
                ("docs", "hotfix"),
            ),
        ),
    ),
    Case(
        "an incident trigger fired by another kind of incident",
        "{incident: production,",
        "{incident: security,",
        (
            Want(
                LOOSEN,
                "rollback.2.incident",
                "rollback 2 (incident production) incident changed production → security",
                "security, action",
                ("docs", "hotfix"),
            ),
        ),
    ),
    Case(
        "a trigger moved to other classes",
        "classes: [docs, hotfix]}",
        "classes: [infra]}",
        (
            Want(
                LOOSEN,
                "rollback.2.classes",
                "rollback 2 (incident production) classes changed docs, hotfix → infra",
                "[infra]}",
                ("docs", "hotfix", "infra"),
            ),
        ),
    ),
    Case(
        "a trigger removed",
        f"  - {TRIGGER_0}\n",
        "",
        (
            Want(
                LOOSEN,
                "rollback.0",
                "rollback 0 (ci_failure_rate >) removed",
                "{metric: ci_failure_rate",
                in_base=True,
            ),
        ),
    ),
    Case(
        "a trigger added",
        f"  - {TRIGGER_2}\n",
        f'  - {TRIGGER_2}\n  - {{metric: turn_duration, op: ">", threshold: 600, window: 7d,'
        " min_samples: 5, action: {demote_by: 1}}\n",
        (
            Want(
                TIGHTEN,
                "rollback.3",
                "rollback 3 (turn_duration >) added",
                "{metric: turn_duration",
            ),
        ),
    ),
    # -- kill switch, tools, git hooks, evidence, production, audit ---------------------
    Case(
        "the kill switch engaged",
        "kill_switch: {engaged: false,",
        "kill_switch: {engaged: true,",
        (Want(TIGHTEN, "kill_switch.engaged", "kill switch engaged", "true"),),
    ),
    Case(
        "the kill switch released",
        "kill_switch: {engaged: false,",
        "kill_switch: {engaged: true,",
        (Want(LOOSEN, "kill_switch.engaged", "kill switch released", "false"),),
        reverse=True,
    ),
    Case(
        "the kill switch's reason",
        'reason: "none"',
        'reason: "drill"',
        (Want(NEUTRAL, "kill_switch.reason", "kill switch reason changed", '"drill"'),),
    ),
    Case(
        "a tool mapped below dynamic",
        "mcp__memory__read: read",
        "mcp__memory__read: read\n  mcp__fs__*: local",
        (
            Want(
                LOOSEN,
                "tools.mcp__fs__*",
                "tool mcp__fs__* mapped to local (was dynamic (unmapped))",
                "local",
            ),
        ),
    ),
    Case(
        "a tool mapped more severe",
        "mcp__memory__read: read",
        "mcp__memory__read: network",
        (
            Want(
                TIGHTEN,
                "tools.mcp__memory__read",
                "tool mcp__memory__read mapped to network (was read)",
                "network\nladder",
            ),
        ),
    ),
    Case(
        "a tool unmapped",
        "tools:\n  mcp__memory__read: read\n",
        "",
        (
            Want(
                TIGHTEN,
                "tools.mcp__memory__read",
                "tool mcp__memory__read mapped to dynamic (unmapped) (was read)",
                "read\nladder",
                in_base=True,
            ),
        ),
    ),
    Case(
        "git hooks narrowed to agents",
        "apply_to: everyone",
        "apply_to: agents",
        (Want(LOOSEN, "git_hooks.apply_to", "git hooks apply to agents (was everyone)", "agents"),),
    ),
    Case(
        "git hooks widened to everyone",
        "apply_to: everyone",
        "apply_to: agents",
        (
            Want(
                TIGHTEN,
                "git_hooks.apply_to",
                "git hooks apply to everyone (was agents)",
                "everyone",
            ),
        ),
        reverse=True,
    ),
    Case(
        "an agent marker removed",
        '  agent_markers: ["Made-by: robot"]\n',
        "",
        (
            Want(
                LOOSEN,
                "evidence.agent_markers",
                "agent markers removed: Made-by: robot",
                '["Made-by',
                in_base=True,
            ),
        ),
    ),
    Case(
        "an agent marker added",
        '["Made-by: robot"]',
        '["Made-by: robot", "Via: bot"]',
        (
            Want(
                TIGHTEN,
                "evidence.agent_markers",
                "agent markers added: Via: bot",
                '["Made-by',
            ),
        ),
    ),
    Case(
        "the incident cooldown shortened",
        "incident_cooldown: 14d",
        "incident_cooldown: 7d",
        (
            Want(
                LOOSEN,
                "evidence.incident_cooldown",
                "incident cooldown shortened 14d → 7d",
                "7d\n",
            ),
        ),
    ),
    Case(
        "the incident cooldown lengthened",
        "incident_cooldown: 14d",
        "incident_cooldown: 30d",
        (
            Want(
                TIGHTEN,
                "evidence.incident_cooldown",
                "incident cooldown lengthened 14d → 30d",
                "30d",
            ),
        ),
    ),
    Case(
        "a production word removed",
        "words: [prod, production]",
        "words: [prod]",
        (
            Want(
                LOOSEN,
                "production.words",
                "production words removed: production",
                "[prod]",
            ),
        ),
    ),
    Case(
        "a production host added",
        "words: [prod, production]",
        'words: [prod, production]\n  hosts: ["*.prod.example.com"]',
        (
            Want(
                TIGHTEN,
                "production.hosts",
                "production hosts added: *.prod.example.com",
                '["*.prod',
            ),
        ),
    ),
    Case(
        "fewer commits sampled for review",
        "review_sample_rate: 0.1}",
        "review_sample_rate: 0.05}",
        (
            Want(
                LOOSEN,
                "audit.review_sample_rate",
                "audit review_sample_rate loosened 0.1 → 0.05",
                "0.05",
            ),
        ),
    ),
    Case(
        "more commits sampled for review",
        "review_sample_rate: 0.1}",
        "review_sample_rate: 0.25}",
        (
            Want(
                TIGHTEN,
                "audit.review_sample_rate",
                "audit review_sample_rate tightened 0.1 → 0.25",
                "0.25",
            ),
        ),
    ),
    Case(
        "the trail's notes ref moved",
        "notes_ref: refs/notes/agentgov,",
        "notes_ref: refs/notes/elsewhere,",
        (
            Want(
                LOOSEN,
                "audit.notes_ref",
                "audit notes_ref changed refs/notes/agentgov → refs/notes/elsewhere",
                "refs/notes/elsewhere",
            ),
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_one_edit(case: Case) -> None:
    base_text, head_text = case.texts()
    found = changes(base_text, head_text)
    wanted = [
        PolicyChange(
            w.kind,
            w.key,
            w.words,
            w.classes,
            at(base_text if w.in_base else head_text, w.needle),
        )
        for w in case.wants
    ]
    assert list(found) == wanted


def test_a_demotion_written_another_way_to_the_same_levels_is_neutral() -> None:
    base_text = replaced(BASE, "action: {demote_to: 2}", "action: {demote_to: 1}")
    head_text = replaced(BASE, "action: {demote_to: 2}", "action: {demote_by: 4}")
    (found,) = changes(base_text, head_text)
    assert (found.kind, found.key, found.words, found.location) == (
        NEUTRAL,
        "rollback.0.action",
        "rollback 0 (ci_failure_rate >) action rewritten demote_to 1 suggest → demote_by 4",
        at(head_text, "{demote_by: 4}"),
    )


def test_the_table_covers_every_kind_and_many_cases() -> None:
    kinds = {w.kind for case in CASES for w in case.wants}
    assert kinds == set(ChangeKind)
    assert len(CASES) >= 30


def test_a_policy_against_itself_has_no_changes() -> None:
    assert changes(BASE, BASE) == ()


def test_writing_a_default_out_is_no_change() -> None:
    head = replaced(BASE, "git.reset-hard: enforce", "git.reset-hard: enforce\n  git.x: enforce")
    head = head.replace("git.x", "git.push-protected")
    head = replaced(head, "ecosystems: {pip: exact,", "ecosystems: {pip: exact, uv: exact,")
    assert changes(BASE, head) == ()


def test_reordering_lists_is_no_change() -> None:
    head = replaced(
        BASE,
        '    - {metric: intervention_rate, op: "<=", threshold: 0.1, window: 28d,'
        " min_samples: 30}\n"
        "    - {metric: defect_escape_rate, op: not-rising, threshold: 0, window: 28d,"
        " min_samples: 30}\n",
        "    - {metric: defect_escape_rate, op: not-rising, threshold: 0, window: 28d,"
        " min_samples: 30}\n"
        '    - {metric: intervention_rate, op: "<=", threshold: 0.1, window: 28d,'
        " min_samples: 30}\n",
    )
    head = replaced(
        head,
        f"  - {TRIGGER_0}\n  - {TRIGGER_1}\n  - {TRIGGER_2}\n",
        f"  - {TRIGGER_2}\n  - {TRIGGER_0}\n  - {TRIGGER_1}\n",
    )
    head = replaced(
        head, 'protected_branches: [main, "release/*"]', 'protected_branches: ["release/*", main]'
    )
    head = replaced(head, 'paths: ["docs/**", "*.md"]', 'paths: ["*.md", "docs/**"]')
    head = replaced(head, "classes: [default, docs]}", "classes: [docs, default]}")
    head = replaced(head, "  docs: {level: 4,", "  zzz: {level: 4,")  # classes move too
    head = head.replace("zzz", "docs")
    assert head != BASE
    assert changes(BASE, head) == ()


def test_ladder_levels_written_as_numbers_or_ids_are_the_same() -> None:
    head = replaced(BASE, "  execute-gated:\n", "  3:\n")
    head = replaced(head, "  autonomous:\n", "  5:\n")
    assert changes(BASE, head) == ()


def test_a_trigger_reordered_and_edited_is_matched_by_its_metric() -> None:
    moved = TRIGGER_0.replace("threshold: 0.5", "threshold: 0.7")
    head = replaced(BASE, f"  - {TRIGGER_0}\n  - {TRIGGER_1}\n", f"  - {TRIGGER_1}\n  - {moved}\n")
    (found,) = changes(BASE, head)
    assert (found.kind, found.key, found.words) == (
        LOOSEN,
        "rollback.1.threshold",
        "rollback 1 (ci_failure_rate >) threshold loosened 0.5 → 0.7",
    )
    assert found.location == at(head, "0.7")


def test_changes_come_in_the_order_the_file_reads() -> None:
    head = replaced(BASE, "pip: exact,", "pip: any,")
    head = replaced(head, "git.reset-hard: enforce", "git.reset-hard: off")
    head = replaced(head, "  default: {level: execute-gated,", "  default: {level: 4,")
    head = replaced(head, "kill_switch: {engaged: false,", "kill_switch: {engaged: true,")
    head = replaced(head, "incident_cooldown: 14d", "incident_cooldown: 1d")
    head = replaced(head, INFRA, "")
    found = changes(BASE, head)
    assert [c.key for c in found] == [
        "kill_switch.engaged",
        "task_classes.infra",
        "task_classes.infra.branches",
        "task_classes.default.level",
        "supply_chain.ecosystems.pip",
        "rules.git.reset-hard",
        "evidence.incident_cooldown",
    ]
    assert found == changes(BASE, head)


def test_a_section_head_no_longer_has_comes_last() -> None:
    head = replaced(BASE, "evidence:\n  incident_cooldown: 14d\n", "")
    head = replaced(head, '  agent_markers: ["Made-by: robot"]\n', "")
    head = replaced(head, "kill_switch: {engaged: false,", "kill_switch: {engaged: true,")
    found = changes(BASE, head)
    assert [(c.kind, c.key) for c in found] == [
        (TIGHTEN, "kill_switch.engaged"),
        (LOOSEN, "evidence.agent_markers"),
    ]
    assert found[1].location == at(BASE, '["Made-by')


def test_the_path_labels_every_location() -> None:
    base, base_doc = loaded(BASE, "base.yaml")
    head_text = replaced(BASE, "pip: exact,", "pip: any,")
    head, head_doc = loaded(head_text, "head.yaml")
    (change,) = policy_changes(base, head, base_doc, head_doc, "sub/policy.yaml")
    assert change.location == at(head_text, "any,", "sub/policy.yaml")
    assert POLICY_PATH != "sub/policy.yaml"


def test_a_sample_path_decides_a_glob_change_no_stand_in_reaches() -> None:
    """A bracket glob stands in by its first character: ``[ab]*.py`` → ``ax.py``. Dropping
    it for ``a*.py`` lifts ``b.py`` only, which the files of the tree show."""
    base_text = replaced(BASE, "  vendor:", '  lib: {level: 1, paths: ["[ab]*.py"]}\n  vendor:')
    head_text = replaced(base_text, '["[ab]*.py"]', '["a*.py"]')
    base, base_doc = loaded(base_text)
    head, head_doc = loaded(head_text)
    without = policy_changes(base, head, base_doc, head_doc)
    assert [(c.key, c.kind) for c in without] == [
        ("task_classes.lib.paths", NEUTRAL),
        ("task_classes.lib.paths", NEUTRAL),
    ]
    found = policy_changes(base, head, base_doc, head_doc, sample_paths=["src/b.py"])
    assert [(c.kind, c.words) for c in found] == [
        (NEUTRAL, "lib: paths a*.py added"),
        (RAISE, "lib: paths [ab]*.py removed"),
    ]


# -- properties ---------------------------------------------------------------------------

EDITS = st.fixed_dictionaries(
    {
        "default": st.sampled_from(["1", "2", "3", "execute-sandboxed", "autonomous"]),
        "rule": st.sampled_from(["enforce", "shadow", "off"]),
        "pip": st.sampled_from(["any", "constrained", "exact", "locked"]),
        "threshold": st.integers(0, 1000).map(lambda x: f"{x / 1000:g}"),
        "engaged": st.sampled_from(["true", "false"]),
        "cooldown": st.integers(0, 60).map(lambda d: f"{d}d"),
        "docs": st.lists(st.sampled_from(["docs/**", "*.md", "src/**", "site/*"]), unique=True),
    }
)


def edited_by(edits: dict[str, object]) -> str:
    docs = ", ".join(f'"{glob}"' for glob in edits["docs"])  # type: ignore[attr-defined]
    text = replaced(
        BASE, "default: {level: execute-gated,", f"default: {{level: {edits['default']},"
    )
    text = replaced(text, "git.reset-hard: enforce", f"git.reset-hard: {edits['rule']}")
    text = replaced(text, "pip: exact,", f"pip: {edits['pip']},")
    text = replaced(
        text, "threshold: 0.5, window: 14d", f"threshold: {edits['threshold']}, window: 14d"
    )
    text = replaced(text, "engaged: false", f"engaged: {edits['engaged']}")
    text = replaced(text, "incident_cooldown: 14d", f"incident_cooldown: {edits['cooldown']}")
    return replaced(text, 'paths: ["docs/**", "*.md"]', f"paths: [{docs}]")


@settings(max_examples=40, deadline=None)
@given(EDITS)
def test_every_policy_against_itself_has_no_changes(edits: dict[str, object]) -> None:
    text = edited_by(edits)
    assert changes(text, text) == ()


@settings(max_examples=40, deadline=None)
@given(EDITS)
def test_a_change_one_way_is_undone_the_other_way(edits: dict[str, object]) -> None:
    """Every key changed from base to head changes back from head to base, and the way
    back moves the other way: a loosening is undone by a tightening, a tightening by a
    loosening or a raise (a level lowered, then raised), a raise by a tightening (or by a
    raise, where one glob both lifted some paths and lowered others), and what moved
    nothing moves nothing back."""
    text = edited_by(edits)
    there = changes(BASE, text)
    back = changes(text, BASE)
    assert sorted(c.key for c in there) == sorted(c.key for c in back)
    undone_by = {
        LOOSEN: {TIGHTEN},
        TIGHTEN: {LOOSEN, RAISE},
        RAISE: {TIGHTEN, RAISE},
        NEUTRAL: {NEUTRAL},
    }
    for change in there:
        undone = {c.kind for c in back if _same_edit(c) == _same_edit(change)}
        assert undone, (change, back)
        assert undone <= undone_by[change.kind], (change, back)


def _same_edit(change: PolicyChange) -> tuple[str, str]:
    """A key, and for globs which globs: "docs: paths src/** added" is undone by "docs:
    paths src/** removed"."""
    if change.key.endswith((".paths", ".branches")):
        return (change.key, change.words.rsplit(" ", 1)[0])
    return (change.key, "")
