"""Every difference between the trusted policy (base) and the policy at head, in words.

Pure: two validated policies and their source documents in, ``PolicyChange`` values out.
Each change says how it moves autonomy (docs/ci.md, "What counts as a raise, as a
loosening"): ``raise`` (a class, or paths moved into one, acts at a higher level),
``loosen`` (a guard, a criterion or a trigger made more permissive), ``tighten`` (the
opposite) or ``neutral`` (descriptions). Ladder criteria are matched by (level, metric,
comparison), rollback triggers by (metric or incident, classes) and then by metric or
incident alone; an unmatched base item is "removed", an unmatched head item "added".
The order is fixed: the policy's sections in the order below, each sorted by name.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from agentgov.gate.model import ChangeKind, Location, PolicyChange
from agentgov.gate.raises import stand_in
from agentgov.policy.model import (
    ActionClass,
    Comparison,
    Criterion,
    Level,
    Policy,
    RollbackAction,
    RollbackTrigger,
    RuleMode,
    TaskClass,
)
from agentgov.policy.source_text import Document, KeyPath
from agentgov.policy.task_class import choose_task_class

POLICY_PATH = ".agentgov/policy.yaml"

RAISE, LOOSEN, TIGHTEN, NEUTRAL = (
    ChangeKind.RAISE,
    ChangeKind.LOOSEN,
    ChangeKind.TIGHTEN,
    ChangeKind.NEUTRAL,
)

_RULE_RANK = {RuleMode.OFF: 0, RuleMode.SHADOW: 1, RuleMode.ENFORCE: 2}
# For an exit criterion, the direction in which a higher threshold is stricter.
_HIGHER_IS_STRICTER = {
    Comparison.AT_LEAST: True,
    Comparison.ABOVE: True,
    Comparison.AT_MOST: False,
    Comparison.BELOW: False,
    Comparison.NOT_RISING: False,
}
# An unmapped tool is judged ``dynamic`` (agentgov/adapters/claude_code/tools.py).
_UNMAPPED_TOOL = ActionClass.DYNAMIC
_PRODUCTION_FIELDS = (
    "words",
    "hosts",
    "kube_contexts",
    "namespaces",
    "terraform_workspaces",
    "env_vars",
    "settings_modules",
)


@dataclass(frozen=True)
class _Sides:
    base: Policy
    head: Policy
    base_doc: Document
    head_doc: Document
    path: str

    def at(self, key: KeyPath, *, removed: bool = False) -> Location:
        doc = self.base_doc if removed else self.head_doc
        found = doc.where(key)
        return Location(self.path, found.line, found.col)

    def change(
        self,
        kind: ChangeKind,
        key: KeyPath,
        words: str,
        classes: Sequence[str] = (),
        *,
        removed: bool = False,
    ) -> PolicyChange:
        return PolicyChange(
            kind, ".".join(key), words, tuple(classes), self.at(key, removed=removed)
        )


def policy_changes(
    trusted: Policy,
    head: Policy,
    base_doc: Document,
    head_doc: Document,
    *,
    path: str = POLICY_PATH,
) -> tuple[PolicyChange, ...]:
    """Every change from ``trusted`` to ``head``; ``()`` when they are the same policy."""
    sides = _Sides(trusted, head, base_doc, head_doc, path)
    return (
        *_task_classes(sides),
        *_matrix(sides),
        *_rules(sides),
        *_protected_branches(sides),
        *_supply_chain(sides),
        *_ladder(sides),
        *_rollback(sides),
        *_kill_switch(sides),
        *_tools(sides),
        *_git_hooks(sides),
        *_evidence(sides),
        *_production(sides),
        *_audit(sides),
    )


def _level_words(level: Level) -> str:
    return f"{level.value} {level.id}"


def _path_level(policy: Policy, path: str) -> Level:
    return choose_task_class(policy, paths=[path]).task_class.level


def _glob_move(sides: _Sides, globs: Sequence[str]) -> ChangeKind:
    """RAISE when some glob's stand-in path acts at a higher level at head than at base,
    else TIGHTEN when some acts lower, else NEUTRAL."""
    moves = [
        _path_level(sides.head, stand_in(g)) - _path_level(sides.base, stand_in(g)) for g in globs
    ]
    if any(move > 0 for move in moves):
        return RAISE
    if any(move < 0 for move in moves):
        return TIGHTEN
    return NEUTRAL


def _task_classes(sides: _Sides) -> Iterator[PolicyChange]:
    base = {tc.name: tc for tc in sides.base.task_classes}
    head = {tc.name: tc for tc in sides.head.task_classes}
    for name in sorted(base.keys() | head.keys()):
        old, new = base.get(name), head.get(name)
        if old is not None and new is not None:
            yield from _task_class_changed(sides, old, new)
        elif new is not None:
            yield _task_class_added(sides, new)
        elif old is not None:
            yield _task_class_removed(sides, old)


def _task_class_changed(sides: _Sides, old: TaskClass, new: TaskClass) -> Iterator[PolicyChange]:
    name = new.name
    key: KeyPath = ("task_classes", name)
    if old.level is not new.level:
        kind = RAISE if new.level > old.level else TIGHTEN
        words = f"{name}: level {_level_words(old.level)} → {_level_words(new.level)}"
        yield sides.change(kind, (*key, "level"), words, (name,))
    added = [g for g in new.paths if g not in old.paths]
    gone = [g for g in old.paths if g not in new.paths]
    if added:
        words = f"{name}: paths {', '.join(added)} added"
        yield sides.change(_glob_move(sides, added), (*key, "paths"), words, (name,))
    if gone:
        words = f"{name}: paths {', '.join(gone)} removed"
        yield sides.change(_glob_move(sides, gone), (*key, "paths"), words, (name,))
    # Branch globs can only make a class stricter (agentgov/policy/task_class.py): one
    # added restricts work on that branch, one removed lifts that restriction.
    added = [g for g in new.branches if g not in old.branches]
    gone = [g for g in old.branches if g not in new.branches]
    if added:
        words = f"{name}: branches {', '.join(added)} added"
        yield sides.change(TIGHTEN, (*key, "branches"), words, (name,))
    if gone:
        words = f"{name}: branches {', '.join(gone)} removed"
        yield sides.change(LOOSEN, (*key, "branches"), words, (name,))
    if old.description != new.description:
        words = f"{name}: description changed"
        yield sides.change(NEUTRAL, (*key, "description"), words, (name,))


def _task_class_added(sides: _Sides, new: TaskClass) -> PolicyChange:
    name = new.name
    had = [_path_level(sides.base, stand_in(g)) for g in new.paths]
    if not had:
        # Reached only through a branch or AGENTGOV_TASK_CLASS: never looser than default.
        had = [sides.base.task_class("default").level]
    if any(new.level > level for level in had):
        kind = RAISE
    elif any(new.level < level for level in had):
        kind = TIGHTEN
    else:
        kind = NEUTRAL
    words = f"new class {name} at level {_level_words(new.level)}"
    if new.paths:
        words += f" (paths {', '.join(new.paths)})"
    if new.branches:
        words += f" (branches {', '.join(new.branches)})"
    return sides.change(kind, ("task_classes", name), words, (name,))


def _task_class_removed(sides: _Sides, old: TaskClass) -> PolicyChange:
    name = old.name
    now = [_path_level(sides.head, stand_in(g)) for g in old.paths]
    if any(level > old.level for level in now):
        kind = RAISE
    elif any(level < old.level for level in now):
        kind = TIGHTEN
    elif old.branches and old.level < sides.base.task_class("default").level:
        kind = LOOSEN
    else:
        kind = NEUTRAL
    words = f"class {name} (level {_level_words(old.level)}) removed"
    return sides.change(kind, ("task_classes", name), words, (name,), removed=True)


def _written(doc: Document, parent: KeyPath, level: Level) -> str:
    """The key under ``parent`` that names ``level`` as the file writes it (``3`` or
    ``execute-gated``); the id when the file does not name it."""
    node: Any = doc.data
    for part in parent:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        for key in node:
            try:
                if Level.parse(key) is level:
                    return str(key)
            except ValueError:
                continue
    return level.id


def _matrix(sides: _Sides) -> Iterator[PolicyChange]:
    for action in ActionClass:
        for level in Level:
            old = sides.base.verdict(action, level)
            new = sides.head.verdict(action, level)
            if old is new:
                continue
            kind = LOOSEN if new.severity < old.severity else TIGHTEN
            written = _written(sides.head_doc, ("matrix", action.value), level)
            words = (
                f"matrix {action.value} at level {_level_words(level)}: {old.value} → {new.value}"
            )
            yield sides.change(kind, ("matrix", action.value, written), words)


def _rules(sides: _Sides) -> Iterator[PolicyChange]:
    names = {ident for ident, _ in sides.base.rules} | {ident for ident, _ in sides.head.rules}
    for ident in sorted(names):
        old, new = sides.base.rule_mode(ident), sides.head.rule_mode(ident)
        if old is new:
            continue
        kind = LOOSEN if _RULE_RANK[new] < _RULE_RANK[old] else TIGHTEN
        words = f"rule {ident} set to {new.value} (was {old.value})"
        yield sides.change(kind, ("rules", ident), words)


def _protected_branches(sides: _Sides) -> Iterator[PolicyChange]:
    old, new = sides.base.protected_branches, sides.head.protected_branches
    for index, glob in enumerate(old):
        if glob not in new:
            key = ("protected_branches", str(index))
            words = f"protected branch {glob} removed"
            yield sides.change(LOOSEN, key, words, removed=True)
    for index, glob in enumerate(new):
        if glob not in old:
            words = f"protected branch {glob} added"
            yield sides.change(TIGHTEN, ("protected_branches", str(index)), words)


def _supply_chain(sides: _Sides) -> Iterator[PolicyChange]:
    names = {n for n, _ in sides.base.supply_chain} | {n for n, _ in sides.head.supply_chain}
    for name in sorted(names):
        old, new = sides.base.strictness(name), sides.head.strictness(name)
        if old is new:
            continue
        kind = LOOSEN if new.rank < old.rank else TIGHTEN
        verb = "lowered" if kind is LOOSEN else "raised"
        words = f"{name} pinning {verb} {old.value} → {new.value}"
        yield sides.change(kind, ("supply_chain", "ecosystems", name), words)


def _pair(
    old: Sequence[Any], new: Sequence[Any], same: Any
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Match items of ``old`` and ``new`` (indices) whose ``same(item)`` agree, in order."""
    matched: list[tuple[int, int]] = []
    free = list(range(len(new)))
    unmatched_old: list[int] = []
    for i, item in enumerate(old):
        j = next((j for j in free if same(new[j]) == same(item)), None)
        if j is None:
            unmatched_old.append(i)
        else:
            free.remove(j)
            matched.append((i, j))
    return matched, unmatched_old, free


def _g(value: float) -> str:
    return f"{value:g}"


def _criterion_words(c: Criterion) -> str:
    return f"{c.metric} {c.comparison.value} {_g(c.threshold)}"


def _ladder(sides: _Sides) -> Iterator[PolicyChange]:
    for level in Level:
        old, new = sides.base.criteria(level), sides.head.criteria(level)
        if old == new:
            continue
        base_key = ("ladder", _written(sides.base_doc, ("ladder",), level))
        head_key = ("ladder", _written(sides.head_doc, ("ladder",), level))
        matched, gone, added = _pair(old, new, lambda c: (c.metric, c.comparison))
        name = f"ladder {level.id}"
        for i, j in matched:
            yield from _criterion_changed(sides, name, (*head_key, str(j)), old[i], new[j])
        for i in gone:
            words = f"{name} {_criterion_words(old[i])} removed"
            yield sides.change(LOOSEN, (*base_key, str(i)), words, removed=True)
        for j in added:
            words = f"{name} {_criterion_words(new[j])} added"
            yield sides.change(TIGHTEN, (*head_key, str(j)), words)


def _criterion_changed(
    sides: _Sides, name: str, key: KeyPath, old: Criterion, new: Criterion
) -> Iterator[PolicyChange]:
    """Changes of one exit criterion: a looser one is easier to pass."""
    what = f"{name} {old.metric} {old.comparison.value}"
    if old.threshold != new.threshold:
        stricter = (new.threshold > old.threshold) == _HIGHER_IS_STRICTER[old.comparison]
        yield _moved(
            sides,
            (*key, "threshold"),
            what,
            "threshold",
            old.threshold,
            new.threshold,
            stricter=stricter,
        )
    yield from _common(sides, key, what, old, new, exit_criterion=True)


def _moved(
    sides: _Sides,
    key: KeyPath,
    what: str,
    field: str,
    old: float,
    new: float,
    *,
    stricter: bool,
    classes: Sequence[str] = (),
) -> PolicyChange:
    verb = "tightened" if stricter else "loosened"
    words = f"{what} {field} {verb} {_g(old)} → {_g(new)}"
    return sides.change(TIGHTEN if stricter else LOOSEN, key, words, classes)


def _common(
    sides: _Sides,
    key: KeyPath,
    what: str,
    old: Criterion,
    new: Criterion,
    *,
    exit_criterion: bool,
    classes: Sequence[str] = (),
) -> Iterator[PolicyChange]:
    """Window, samples and confidence. For an exit criterion more evidence is stricter; for
    a rollback trigger a longer window is stricter (docs/ci.md) and more samples looser
    (harder to breach)."""
    if old.window_days != new.window_days:
        words = f"{what} window {{}} {old.window_days}d → {new.window_days}d"
        stricter = new.window_days > old.window_days
        verb = "lengthened" if stricter else "shortened"
        yield sides.change(
            TIGHTEN if stricter else LOOSEN, (*key, "window"), words.format(verb), classes
        )
    if old.min_samples != new.min_samples:
        more = new.min_samples > old.min_samples
        stricter = more if exit_criterion else not more
        verb = "raised" if more else "lowered"
        words = f"{what} min_samples {verb} {old.min_samples} → {new.min_samples}"
        yield sides.change(TIGHTEN if stricter else LOOSEN, (*key, "min_samples"), words, classes)
    if old.confidence != new.confidence:
        if new.confidence is None:
            words = f"{what} confidence {_g(old.confidence or 0)} removed"
            stricter = False
        elif old.confidence is None:
            words = f"{what} confidence {_g(new.confidence)} added"
            stricter = True
        else:
            stricter = new.confidence > old.confidence
            verb = "raised" if stricter else "lowered"
            words = f"{what} confidence {verb} {_g(old.confidence)} → {_g(new.confidence)}"
        if not exit_criterion:
            # A trigger judged on a bound is harder to breach: the opposite direction.
            stricter = not stricter
        yield sides.change(TIGHTEN if stricter else LOOSEN, (*key, "confidence"), words, classes)


def _trigger_name(trigger: RollbackTrigger) -> str:
    if trigger.criterion is not None:
        return f"{trigger.criterion.metric} {trigger.criterion.comparison.value}"
    return f"incident {trigger.incident}"


def _trigger_subject(trigger: RollbackTrigger) -> str:
    return trigger.criterion.metric if trigger.criterion is not None else f"!{trigger.incident}"


def _action_words(action: RollbackAction) -> str:
    if action.demote_by is not None:
        return f"demote_by {action.demote_by}"
    if action.demote_to is not None:
        return f"demote_to {_level_words(action.demote_to)}"
    assert action.reset_to is not None
    return f"reset_to {_level_words(action.reset_to)}"


def _rollback(sides: _Sides) -> Iterator[PolicyChange]:
    old, new = sides.base.rollback, sides.head.rollback
    exact, gone, added = _pair(old, new, lambda t: (_trigger_subject(t), frozenset(t.classes)))
    rest_old = [old[i] for i in gone]
    rest_new = [new[j] for j in added]
    loose, gone2, added2 = _pair(rest_old, rest_new, _trigger_subject)
    pairs = sorted([*exact, *((gone[i], added[j]) for i, j in loose)], key=lambda pair: pair[1])
    for i, j in pairs:
        yield from _trigger_changed(sides, j, old[i], new[j])
    for i in sorted(gone[k] for k in gone2):
        trigger = old[i]
        words = f"rollback {i} ({_trigger_name(trigger)}) removed"
        yield sides.change(LOOSEN, ("rollback", str(i)), words, trigger.classes, removed=True)
    for j in sorted(added[k] for k in added2):
        trigger = new[j]
        words = f"rollback {j} ({_trigger_name(trigger)}) added"
        yield sides.change(TIGHTEN, ("rollback", str(j)), words, trigger.classes)


def _trigger_changed(
    sides: _Sides, index: int, old: RollbackTrigger, new: RollbackTrigger
) -> Iterator[PolicyChange]:
    key: KeyPath = ("rollback", str(index))
    what = f"rollback {index} ({_trigger_name(old)})"
    classes = tuple(sorted(set(old.classes) | set(new.classes)))
    if old.criterion is not None and new.criterion is not None:
        a, b = old.criterion, new.criterion
        if a.comparison is not b.comparison:
            words = f"{what} op changed {a.comparison.value} → {b.comparison.value}"
            yield sides.change(LOOSEN, (*key, "op"), words, classes)
        elif a.threshold != b.threshold:
            # Breached above (>, >=, not-rising): a higher threshold is harder to breach.
            breached_above = a.comparison not in (Comparison.AT_MOST, Comparison.BELOW)
            stricter = (b.threshold < a.threshold) == breached_above
            yield _moved(
                sides,
                (*key, "threshold"),
                what,
                "threshold",
                a.threshold,
                b.threshold,
                stricter=stricter,
                classes=classes,
            )
        yield from _common(sides, key, what, a, b, exit_criterion=False, classes=classes)
    if old.action != new.action:
        targets = [(old.action.target(lv), new.action.target(lv)) for lv in Level]
        if any(n > o for o, n in targets):
            kind, verb = LOOSEN, "weakened"
        elif any(n < o for o, n in targets):
            kind, verb = TIGHTEN, "strengthened"
        else:
            kind, verb = NEUTRAL, "rewritten"
        words = f"{what} action {verb} {_action_words(old.action)} → {_action_words(new.action)}"
        yield sides.change(kind, (*key, "action"), words, classes)
    if set(old.classes) != set(new.classes):
        before, after = set(old.classes), set(new.classes)
        shown_old = ", ".join(old.classes) or "every class"
        shown_new = ", ".join(new.classes) or "every class"
        if not after or (before and before < after):
            kind, verb = TIGHTEN, "widened"
        else:
            kind, verb = LOOSEN, "narrowed"
        words = f"{what} classes {verb} {shown_old} → {shown_new}"
        yield sides.change(kind, (*key, "classes"), words, classes)


def _kill_switch(sides: _Sides) -> Iterator[PolicyChange]:
    old, new = sides.base.kill_switch, sides.head.kill_switch
    if old.engaged and not new.engaged:
        yield sides.change(LOOSEN, ("kill_switch", "engaged"), "kill switch released")
    elif new.engaged and not old.engaged:
        yield sides.change(TIGHTEN, ("kill_switch", "engaged"), "kill switch engaged")
    if old.reason != new.reason:
        yield sides.change(NEUTRAL, ("kill_switch", "reason"), "kill switch reason changed")


def _tools(sides: _Sides) -> Iterator[PolicyChange]:
    old, new = dict(sides.base.tools), dict(sides.head.tools)
    for glob in sorted(old.keys() | new.keys()):
        a, b = old.get(glob, _UNMAPPED_TOOL), new.get(glob, _UNMAPPED_TOOL)
        if a is b:
            continue
        kind = LOOSEN if b.severity < a.severity else TIGHTEN
        shown_a = a.value if glob in old else f"{a.value} (unmapped)"
        shown_b = b.value if glob in new else f"{b.value} (unmapped)"
        words = f"tool {glob} mapped to {shown_b} (was {shown_a})"
        yield sides.change(kind, ("tools", glob), words, removed=glob not in new)


def _git_hooks(sides: _Sides) -> Iterator[PolicyChange]:
    old, new = sides.base.git_hooks_scope, sides.head.git_hooks_scope
    if old is not new:
        kind = LOOSEN if old.value == "everyone" else TIGHTEN
        words = f"git hooks apply to {new.value} (was {old.value})"
        yield sides.change(kind, ("git_hooks", "apply_to"), words)


def _listed(
    sides: _Sides, key: KeyPath, what: str, old: Sequence[str], new: Sequence[str]
) -> Iterator[PolicyChange]:
    """Markers: one removed is one less thing recognised (looser), one added tighter."""
    gone = [m for m in old if m not in new]
    added = [m for m in new if m not in old]
    if gone:
        words = f"{what} removed: {', '.join(gone)}"
        yield sides.change(LOOSEN, key, words, removed=True)
    if added:
        yield sides.change(TIGHTEN, key, f"{what} added: {', '.join(added)}")


def _evidence(sides: _Sides) -> Iterator[PolicyChange]:
    yield from _listed(
        sides,
        ("evidence", "agent_markers"),
        "agent markers",
        sides.base.agent_markers,
        sides.head.agent_markers,
    )
    old, new = sides.base.incident_cooldown_days, sides.head.incident_cooldown_days
    if old != new:
        kind, verb = (LOOSEN, "shortened") if new < old else (TIGHTEN, "lengthened")
        words = f"incident cooldown {verb} {old}d → {new}d"
        yield sides.change(kind, ("evidence", "incident_cooldown"), words)


def _production(sides: _Sides) -> Iterator[PolicyChange]:
    for name in _PRODUCTION_FIELDS:
        old: tuple[str, ...] = getattr(sides.base.production, name)
        new: tuple[str, ...] = getattr(sides.head.production, name)
        yield from _listed(sides, ("production", name), f"production {name}", old, new)


def _audit(sides: _Sides) -> Iterator[PolicyChange]:
    old, new = sides.base.audit, sides.head.audit
    if old.review_sample_rate != new.review_sample_rate:
        lowered = new.review_sample_rate < old.review_sample_rate
        yield _moved(
            sides,
            ("audit", "review_sample_rate"),
            "audit",
            "review_sample_rate",
            old.review_sample_rate,
            new.review_sample_rate,
            stricter=not lowered,
        )
    if old.notes_ref != new.notes_ref:
        words = f"audit notes_ref changed {old.notes_ref} → {new.notes_ref}"
        yield sides.change(LOOSEN, ("audit", "notes_ref"), words)
