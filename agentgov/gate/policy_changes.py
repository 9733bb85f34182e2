"""Every difference between the trusted policy (base) and the policy at head, in words.

Pure: two validated policies and their source documents in, ``PolicyChange`` values out.
Each change says how it moves autonomy (docs/ci.md, "What counts as a raise, as a
loosening"): ``raise`` (a class, or paths moved into one, acts at a higher level: exactly
the changes behind a raise ``find_raises`` reports for the same sample paths), ``loosen``
(a guard, a criterion or a trigger made more permissive), ``tighten`` (the opposite) or
``neutral`` (descriptions, a reason, edits that move nothing).

Items of lists are matched by what they are about, not by their place, so reordering a
list is no change:

- ladder criteria by (level, metric, op), then what is left by (level, metric), so an op
  rewritten is one change;
- rollback triggers by (metric or incident, classes), then by metric or incident alone,
  then an incident trigger with another incident trigger, so a change of classes, action
  or incident kind is one change;
- protected branches, markers and globs by their text.

An unmatched base item is "removed", an unmatched head item "added". The changes come in
the order the head policy file reads (a removal where its parent is, a section head no
longer has after all the others, in base's order).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from agentgov.gate.model import ChangeKind, Location, PolicyChange
from agentgov.gate.raises import PathMove, path_moves
from agentgov.policy.globs import match_path
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

POLICY_PATH = ".agentgov/policy.yaml"

RAISE, LOOSEN, TIGHTEN, NEUTRAL = (
    ChangeKind.RAISE,
    ChangeKind.LOOSEN,
    ChangeKind.TIGHTEN,
    ChangeKind.NEUTRAL,
)

_RULE_RANK = {RuleMode.OFF: 0, RuleMode.SHADOW: 1, RuleMode.ENFORCE: 2}
# For an exit criterion, whether a higher threshold is harder to pass.
_HIGHER_IS_STRICTER = {
    Comparison.AT_LEAST: True,
    Comparison.ABOVE: True,
    Comparison.AT_MOST: False,
    Comparison.BELOW: False,
    Comparison.NOT_RISING: False,
}
# The strict form of each inclusive op: the same threshold, harder to meet.
_STRICT_FORM = {Comparison.AT_LEAST: Comparison.ABOVE, Comparison.AT_MOST: Comparison.BELOW}
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


class _Found(NamedTuple):
    order: tuple[int, int, int]
    change: PolicyChange


@dataclass(frozen=True)
class _Sides:
    base: Policy
    head: Policy
    base_doc: Document
    head_doc: Document
    path: str
    sample_paths: tuple[str, ...]

    @cached_property
    def moves(self) -> tuple[PathMove, ...]:
        """The probed paths acting at another level at head (agentgov/gate/raises.py)."""
        return path_moves(self.base, self.head, self.sample_paths)

    def located(self, key: KeyPath, removed: bool) -> Location:
        """Where ``key`` is: in base for a removal, else in head, else (a value head no
        longer writes, like a matrix override dropped) in base, else its parent in head."""
        doc = self.head_doc
        if removed or (key not in self.head_doc.values and key in self.base_doc.values):
            doc = self.base_doc
        found = doc.where(key)
        return Location(self.path, found.line, found.col)

    def order(self, key: KeyPath) -> tuple[int, int, int]:
        """Head's reading order; a section head does not have comes after, in base's."""
        if key[0] in self.head_doc.data:
            found = self.head_doc.where(key)
            return (0, found.line, found.col)
        found = self.base_doc.where(key)
        return (1, found.line, found.col)

    def change(
        self,
        kind: ChangeKind,
        key: KeyPath,
        words: str,
        classes: Sequence[str] = (),
        *,
        removed: bool = False,
    ) -> _Found:
        change = PolicyChange(
            kind, ".".join(key), words, tuple(classes), self.located(key, removed)
        )
        return _Found(self.order(key), change)


def policy_changes(
    base: Policy,
    head: Policy,
    base_doc: Document,
    head_doc: Document,
    path: str = POLICY_PATH,
    *,
    sample_paths: Sequence[str] = (),
) -> tuple[PolicyChange, ...]:
    """Every change from ``base`` (the trusted policy) to ``head``; ``()`` when they are the
    same policy. ``sample_paths`` are the files whose class decides, with the policies'
    glob stand-ins, whether a change of paths is a raise (give ``find_raises`` the same)."""
    sides = _Sides(base, head, base_doc, head_doc, path, tuple(sample_paths))
    found = [
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
    ]
    # sorted is stable: changes at one place keep the order they were found in.
    return tuple(f.change for f in sorted(found, key=lambda f: f.order))


def _level_words(level: Level) -> str:
    return f"{level.value} {level.id}"


def _kind(rose: bool, fell: bool) -> ChangeKind:
    return RAISE if rose else TIGHTEN if fell else NEUTRAL


def _globs_added(sides: _Sides, task_class: TaskClass, globs: Sequence[str]) -> ChangeKind:
    """Globs added to ``task_class`` (head's) raise a path they match when the path now acts
    in that class, higher than it did at base; they tighten one that now acts lower."""
    if task_class.name == "default":
        return NEUTRAL  # default's paths are never matched (agentgov/policy/task_class.py)
    hit = [
        m
        for m in sides.moves
        if m.now.name == task_class.name and match_path(m.probe.path, list(globs))
    ]
    return _kind(any(m.rose for m in hit), any(not m.rose for m in hit))


def _globs_removed(sides: _Sides, task_class: TaskClass, globs: Sequence[str]) -> ChangeKind:
    """Globs removed from ``task_class`` (base's) raise a path they matched when that class
    held the path at its level at base and the path now acts higher (a path can fall to a
    lower ``default`` too)."""
    if task_class.name == "default":
        return NEUTRAL
    hit = [
        m
        for m in sides.moves
        if m.was.level is task_class.level and match_path(m.probe.path, list(globs))
    ]
    return _kind(any(m.rose for m in hit), any(not m.rose for m in hit))


def _restricts(policy: Policy, task_class: TaskClass) -> bool:
    """Whether a branch glob of ``task_class`` can restrict any work: only a class below
    the highest level of the policy can (a branch only makes the class stricter)."""
    return task_class.level < max(tc.level for tc in policy.task_classes)


def _task_classes(sides: _Sides) -> Iterator[_Found]:
    base = {tc.name: tc for tc in sides.base.task_classes}
    head = {tc.name: tc for tc in sides.head.task_classes}
    for name in sorted(base.keys() | head.keys()):
        old, new = base.get(name), head.get(name)
        if old is not None and new is not None:
            yield from _task_class_changed(sides, old, new)
        elif new is not None:
            yield _task_class_added(sides, new)
        elif old is not None:
            yield from _task_class_removed(sides, old)


def _task_class_changed(sides: _Sides, old: TaskClass, new: TaskClass) -> Iterator[_Found]:
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
        yield sides.change(_globs_added(sides, new, added), (*key, "paths"), words, (name,))
    if gone:
        words = f"{name}: paths {', '.join(gone)} removed"
        yield sides.change(_globs_removed(sides, old, gone), (*key, "paths"), words, (name,))
    # A branch glob can only make the class of work on that branch stricter
    # (agentgov/policy/task_class.py): one added restricts it, one removed lifts that.
    added = [g for g in new.branches if g not in old.branches]
    gone = [g for g in old.branches if g not in new.branches]
    if added:
        words = f"{name}: branches {', '.join(added)} added"
        kind = TIGHTEN if _restricts(sides.head, new) else NEUTRAL
        yield sides.change(kind, (*key, "branches"), words, (name,))
    if gone:
        words = f"{name}: branches {', '.join(gone)} removed"
        kind = LOOSEN if _restricts(sides.base, old) else NEUTRAL
        yield sides.change(kind, (*key, "branches"), words, (name,))
    if old.description != new.description:
        words = f"{name}: description changed"
        yield sides.change(NEUTRAL, (*key, "description"), words, (name,))


def _task_class_added(sides: _Sides, new: TaskClass) -> _Found:
    name = new.name
    kind = _globs_added(sides, new, new.paths) if new.paths else NEUTRAL
    if kind is NEUTRAL and new.branches and _restricts(sides.head, new):
        kind = TIGHTEN
    words = f"new class {name} at level {_level_words(new.level)}"
    if new.paths:
        words += f" (paths {', '.join(new.paths)})"
    if new.branches:
        words += f" (branches {', '.join(new.branches)})"
    return sides.change(kind, ("task_classes", name), words, (name,))


def _task_class_removed(sides: _Sides, old: TaskClass) -> Iterator[_Found]:
    name = old.name
    key: KeyPath = ("task_classes", name)
    kind = _globs_removed(sides, old, old.paths) if old.paths else NEUTRAL
    words = f"class {name} (level {_level_words(old.level)}) removed"
    yield sides.change(kind, key, words, (name,), removed=True)
    if old.branches and _restricts(sides.base, old):
        # Its branches no longer restrict work: a loosening even when its paths raise.
        words = f"{name}: branches {', '.join(old.branches)} removed with the class"
        yield sides.change(LOOSEN, (*key, "branches"), words, (name,), removed=True)


def _written(sides: _Sides, parent: KeyPath, level: Level) -> str:
    """The key under ``parent`` that names ``level`` as head's file writes it (``3`` or
    ``execute-gated``), else as base's does, else the level's id."""
    for doc in (sides.head_doc, sides.base_doc):
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


def _matrix(sides: _Sides) -> Iterator[_Found]:
    for action in ActionClass:
        for level in Level:
            old = sides.base.verdict(action, level)
            new = sides.head.verdict(action, level)
            if old is new:
                continue
            kind = LOOSEN if new.severity < old.severity else TIGHTEN
            written = _written(sides, ("matrix", action.value), level)
            words = (
                f"matrix {action.value} at level {_level_words(level)}: {old.value} → {new.value}"
            )
            yield sides.change(kind, ("matrix", action.value, written), words)


def _rules(sides: _Sides) -> Iterator[_Found]:
    names = {ident for ident, _ in sides.base.rules} | {ident for ident, _ in sides.head.rules}
    for ident in sorted(names):
        old, new = sides.base.rule_mode(ident), sides.head.rule_mode(ident)
        if old is new:
            continue
        kind = LOOSEN if _RULE_RANK[new] < _RULE_RANK[old] else TIGHTEN
        words = f"rule {ident} set to {new.value} (was {old.value})"
        yield sides.change(kind, ("rules", ident), words)


def _protected_branches(sides: _Sides) -> Iterator[_Found]:
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


def _supply_chain(sides: _Sides) -> Iterator[_Found]:
    """One change per ecosystem written under ``ecosystems``; ecosystems that follow
    ``supply_chain.default`` and move together are named in one change at ``default``."""
    grouped: dict[tuple[KeyPath, str, str], list[str]] = {}
    for name, old in sides.base.supply_chain:
        new = sides.head.strictness(name)
        if old is new:
            continue
        key: KeyPath = ("supply_chain", "ecosystems", name)
        if key not in sides.head_doc.values and key not in sides.base_doc.values:
            key = ("supply_chain", "default")
        grouped.setdefault((key, old.value, new.value), []).append(name)
    for (key, old_value, new_value), names in grouped.items():
        lowered = sides.base.strictness(names[0]).rank > sides.head.strictness(names[0]).rank
        kind, verb = (LOOSEN, "lowered") if lowered else (TIGHTEN, "raised")
        words = f"{', '.join(names)} pinning {verb} {old_value} → {new_value}"
        yield sides.change(kind, key, words)


def _pair(
    old: Sequence[Any], new: Sequence[Any], identities: Sequence[Callable[[Any], Hashable]]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Match items of ``old`` and ``new`` (indices, in order) by each identity in turn:
    (matched pairs, unmatched old, unmatched new)."""
    matched: list[tuple[int, int]] = []
    free_old = list(range(len(old)))
    free_new = list(range(len(new)))
    for same in identities:
        for i in list(free_old):
            j = next((j for j in free_new if same(new[j]) == same(old[i])), None)
            if j is not None:
                free_old.remove(i)
                free_new.remove(j)
                matched.append((i, j))
    return sorted(matched, key=lambda pair: pair[1]), free_old, free_new


def _g(value: float) -> str:
    return f"{value:g}"


def _criterion_words(c: Criterion) -> str:
    return f"{c.metric} {c.comparison.value} {_g(c.threshold)}"


def _ladder(sides: _Sides) -> Iterator[_Found]:
    for level in Level:
        old, new = sides.base.criteria(level), sides.head.criteria(level)
        if old == new:
            continue
        key: KeyPath = ("ladder", _written(sides, ("ladder",), level))
        matched, gone, added = _pair(
            old, new, [lambda c: (c.metric, c.comparison), lambda c: c.metric]
        )
        name = f"ladder {level.id}"
        for i, j in matched:
            yield from _criterion_changed(sides, name, (*key, str(j)), old[i], new[j])
        for i in gone:
            words = f"{name} {_criterion_words(old[i])} removed"
            yield sides.change(LOOSEN, (*key, str(i)), words, removed=True)
        for j in added:
            words = f"{name} {_criterion_words(new[j])} added"
            yield sides.change(TIGHTEN, (*key, str(j)), words)


def _op_stricter(old: Comparison, new: Comparison) -> bool | None:
    """For a condition to meet, True when ``new`` is harder to meet at the same threshold
    (``>=`` → ``>``), False when easier, None when it compares another way."""
    if _STRICT_FORM.get(old) is new:
        return True
    if _STRICT_FORM.get(new) is old:
        return False
    return None


def _criterion_changed(
    sides: _Sides, name: str, key: KeyPath, old: Criterion, new: Criterion
) -> Iterator[_Found]:
    """Changes of one exit criterion: a looser one is easier to pass."""
    what = f"{name} {old.metric} {old.comparison.value}"
    yield from _condition(sides, key, what, old, new, exit_criterion=True)


def _condition(
    sides: _Sides,
    key: KeyPath,
    what: str,
    old: Criterion,
    new: Criterion,
    *,
    exit_criterion: bool,
    classes: Sequence[str] = (),
) -> Iterator[_Found]:
    """Op, threshold, window, samples and confidence of a condition. An exit criterion is
    stricter when harder to pass; a rollback trigger (breached when its condition holds,
    docs/evidence.md#verdicts) when easier to breach, so most directions turn round: more
    ``min_samples`` or a ``confidence`` bound make a trigger harder to breach, looser. A
    shorter window is looser for both (docs/ci.md): less evidence passes a criterion, and
    a trigger's short window runs short of samples and does not fire."""

    def kind(harder: bool) -> ChangeKind:
        return TIGHTEN if harder == exit_criterion else LOOSEN

    if old.comparison is not new.comparison:
        harder = _op_stricter(old.comparison, new.comparison)
        ops = f"{old.comparison.value} → {new.comparison.value}"
        if harder is None:
            # Compared another way: it may be met where it was not; review it.
            shown = f"{what} op changed {ops}"
            if old.threshold != new.threshold:
                shown += f" (threshold {_g(old.threshold)} → {_g(new.threshold)})"
            yield sides.change(LOOSEN, (*key, "op"), shown, classes)
        else:
            verb = "tightened" if kind(harder) is TIGHTEN else "loosened"
            yield sides.change(kind(harder), (*key, "op"), f"{what} op {verb} {ops}", classes)
    if old.threshold != new.threshold and (
        old.comparison is new.comparison or _op_stricter(old.comparison, new.comparison) is not None
    ):
        higher = new.threshold > old.threshold
        harder = higher == _HIGHER_IS_STRICTER[old.comparison]
        found = kind(harder)
        verb = "tightened" if found is TIGHTEN else "loosened"
        words = f"{what} threshold {verb} {_g(old.threshold)} → {_g(new.threshold)}"
        yield sides.change(found, (*key, "threshold"), words, classes)
    if old.window_days != new.window_days:
        longer = new.window_days > old.window_days
        verb = "lengthened" if longer else "shortened"
        words = f"{what} window {verb} {old.window_days}d → {new.window_days}d"
        yield sides.change(TIGHTEN if longer else LOOSEN, (*key, "window"), words, classes)
    if old.min_samples != new.min_samples:
        more = new.min_samples > old.min_samples
        verb = "raised" if more else "lowered"
        words = f"{what} min_samples {verb} {old.min_samples} → {new.min_samples}"
        yield sides.change(kind(more), (*key, "min_samples"), words, classes)
    if old.confidence != new.confidence:
        if new.confidence is None:
            words = f"{what} confidence {_g(old.confidence or 0)} removed"
            harder = False
        elif old.confidence is None:
            words = f"{what} confidence {_g(new.confidence)} added"
            harder = True
        else:
            harder = new.confidence > old.confidence
            verb = "raised" if harder else "lowered"
            words = f"{what} confidence {verb} {_g(old.confidence)} → {_g(new.confidence)}"
        yield sides.change(kind(harder), (*key, "confidence"), words, classes)


def _trigger_name(trigger: RollbackTrigger) -> str:
    if trigger.criterion is not None:
        return f"{trigger.criterion.metric} {trigger.criterion.comparison.value}"
    return f"incident {trigger.incident}"


def _subject(trigger: RollbackTrigger) -> tuple[str, str]:
    if trigger.criterion is not None:
        return ("metric", trigger.criterion.metric)
    return ("incident", trigger.incident or "")


def _scoped(trigger: RollbackTrigger) -> tuple[tuple[str, str], frozenset[str]]:
    return (_subject(trigger), frozenset(trigger.classes))


def _trigger_kind(trigger: RollbackTrigger) -> str:
    return "metric " + trigger.criterion.metric if trigger.criterion is not None else "incident"


def _action_words(action: RollbackAction) -> str:
    if action.demote_by is not None:
        return f"demote_by {action.demote_by}"
    if action.demote_to is not None:
        return f"demote_to {_level_words(action.demote_to)}"
    assert action.reset_to is not None
    return f"reset_to {_level_words(action.reset_to)}"


def _rollback(sides: _Sides) -> Iterator[_Found]:
    old, new = sides.base.rollback, sides.head.rollback
    matched, gone, added = _pair(old, new, [_scoped, _subject, _trigger_kind])
    for i, j in matched:
        yield from _trigger_changed(sides, j, old[i], new[j])
    for i in gone:
        trigger = old[i]
        words = f"rollback {i} ({_trigger_name(trigger)}) removed"
        yield sides.change(LOOSEN, ("rollback", str(i)), words, trigger.classes, removed=True)
    for j in added:
        trigger = new[j]
        words = f"rollback {j} ({_trigger_name(trigger)}) added"
        yield sides.change(TIGHTEN, ("rollback", str(j)), words, trigger.classes)


def _trigger_changed(
    sides: _Sides, index: int, old: RollbackTrigger, new: RollbackTrigger
) -> Iterator[_Found]:
    key: KeyPath = ("rollback", str(index))
    what = f"rollback {index} ({_trigger_name(old)})"
    classes = (
        ()
        if not (old.classes and new.classes)
        else tuple(sorted(set(old.classes) | set(new.classes)))
    )
    if old.criterion is not None and new.criterion is not None:
        yield from _condition(
            sides, key, what, old.criterion, new.criterion, exit_criterion=False, classes=classes
        )
    if old.incident != new.incident:
        if new.incident == "any":
            kind, verb = TIGHTEN, "widened"
        elif old.incident == "any":
            kind, verb = LOOSEN, "narrowed"
        else:
            kind, verb = LOOSEN, "changed"
        words = f"{what} incident {verb} {old.incident} → {new.incident}"
        yield sides.change(kind, (*key, "incident"), words, classes)
    if old.action != new.action:
        yield _action_changed(sides, key, what, old.action, new.action, classes)
    if set(old.classes) != set(new.classes):
        yield _classes_changed(sides, key, what, old.classes, new.classes, classes)


def _action_changed(
    sides: _Sides,
    key: KeyPath,
    what: str,
    old: RollbackAction,
    new: RollbackAction,
    classes: Sequence[str],
) -> _Found:
    """Weaker when some level is demoted less far; ``reset_to`` also restarts the evidence
    window, so at the same targets it is stronger than ``demote_to``."""
    targets = [(old.target(level), new.target(level)) for level in Level]
    if any(n > o for o, n in targets):
        kind, verb = LOOSEN, "weakened"
    elif any(n < o for o, n in targets):
        kind, verb = TIGHTEN, "strengthened"
    elif old.reset_to is not None and new.reset_to is None:
        kind, verb = LOOSEN, "weakened"
    elif new.reset_to is not None and old.reset_to is None:
        kind, verb = TIGHTEN, "strengthened"
    else:
        kind, verb = NEUTRAL, "rewritten"
    words = f"{what} action {verb} {_action_words(old)} → {_action_words(new)}"
    return sides.change(kind, (*key, "action"), words, classes)


def _classes_changed(
    sides: _Sides,
    key: KeyPath,
    what: str,
    old: Sequence[str],
    new: Sequence[str],
    classes: Sequence[str],
) -> _Found:
    """Empty ``classes`` is every class: widening covers more work (tighter); narrowing
    or swapping leaves some class without the trigger (looser)."""
    before, after = set(old), set(new)
    shown_old = ", ".join(old) or "every class"
    shown_new = ", ".join(new) or "every class"
    if not after or (before and before < after):
        kind, verb = TIGHTEN, "widened"
    elif not before or after < before:
        kind, verb = LOOSEN, "narrowed"
    else:
        kind, verb = LOOSEN, "changed"
    words = f"{what} classes {verb} {shown_old} → {shown_new}"
    return sides.change(kind, (*key, "classes"), words, classes)


def _kill_switch(sides: _Sides) -> Iterator[_Found]:
    old, new = sides.base.kill_switch, sides.head.kill_switch
    if old.engaged and not new.engaged:
        yield sides.change(LOOSEN, ("kill_switch", "engaged"), "kill switch released")
    elif new.engaged and not old.engaged:
        yield sides.change(TIGHTEN, ("kill_switch", "engaged"), "kill switch engaged")
    if old.reason != new.reason:
        yield sides.change(NEUTRAL, ("kill_switch", "reason"), "kill switch reason changed")


def _tools(sides: _Sides) -> Iterator[_Found]:
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


def _git_hooks(sides: _Sides) -> Iterator[_Found]:
    old, new = sides.base.git_hooks_scope, sides.head.git_hooks_scope
    if old is not new:
        kind = LOOSEN if old.value == "everyone" else TIGHTEN
        words = f"git hooks apply to {new.value} (was {old.value})"
        yield sides.change(kind, ("git_hooks", "apply_to"), words)


def _listed(
    sides: _Sides, key: KeyPath, what: str, old: Sequence[str], new: Sequence[str]
) -> Iterator[_Found]:
    """Markers: one removed is one thing less recognised (looser), one added tighter."""
    gone = [m for m in old if m not in new]
    added = [m for m in new if m not in old]
    if gone:
        words = f"{what} removed: {', '.join(gone)}"
        yield sides.change(LOOSEN, key, words)
    if added:
        yield sides.change(TIGHTEN, key, f"{what} added: {', '.join(added)}")


def _evidence(sides: _Sides) -> Iterator[_Found]:
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


def _production(sides: _Sides) -> Iterator[_Found]:
    for name in _PRODUCTION_FIELDS:
        old: tuple[str, ...] = getattr(sides.base.production, name)
        new: tuple[str, ...] = getattr(sides.head.production, name)
        yield from _listed(sides, ("production", name), f"production {name}", old, new)


def _audit(sides: _Sides) -> Iterator[_Found]:
    old, new = sides.base.audit, sides.head.audit
    if old.review_sample_rate != new.review_sample_rate:
        lowered = new.review_sample_rate < old.review_sample_rate
        verb = "loosened" if lowered else "tightened"
        words = (
            f"audit review_sample_rate {verb} {_g(old.review_sample_rate)} → "
            f"{_g(new.review_sample_rate)}"
        )
        kind = LOOSEN if lowered else TIGHTEN
        yield sides.change(kind, ("audit", "review_sample_rate"), words)
    if old.notes_ref != new.notes_ref:
        words = f"audit notes_ref changed {old.notes_ref} → {new.notes_ref}"
        yield sides.change(LOOSEN, ("audit", "notes_ref"), words)
