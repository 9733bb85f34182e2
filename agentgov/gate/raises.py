"""Which work acts at a higher level at head than at base, and its evidence (docs/ci.md,
"What counts as a raise"). Pure: policies, paths and measured evidence in, ``Raise`` out.

Two kinds of raise:

- direct: a class in both policies whose level went up; its own evidence is judged;
- moved: a path that belongs to a class at a higher level at head than it did at base (a
  glob added to a class, a new class, a class removed, a stricter class's glob dropped);
  the evidence judged is that of the class the path came from, since that is the work
  that was measured.

The paths probed are the sample paths given (files of the repository) and a stand-in
path for every path glob of both policies (``docs/**`` → ``docs/x``). Branch globs never
raise: a branch (like ``AGENTGOV_TASK_CLASS``) can only make the class of the work
stricter than its paths make it (agentgov/policy/task_class.py), so adding, dropping or
moving one cannot lift any work to a higher level.

For every level crossed (from the base level + 1 to the head level), the exit criteria of
that level in either policy (equal criteria once) are judged on the evidence at base.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from agentgov.evidence.measure import Series
from agentgov.evidence.standing import judged
from agentgov.evidence.verdicts import Judgement
from agentgov.evidence.windows import Incident
from agentgov.gate.model import Location, Raise
from agentgov.policy.model import Criterion, Level, Policy, TaskClass
from agentgov.policy.source_text import Document
from agentgov.policy.task_class import choose_task_class

POLICY_PATH = ".agentgov/policy.yaml"
SHOWN_PATHS = 3


def stand_in(glob: str) -> str:
    """A plain repository path the path glob ``glob`` matches: ``**`` segments dropped (a
    trailing one becomes a file ``x``), ``*`` and ``?`` become ``x``, a bracket class its
    first character (``x`` when negated). ``docs/**`` → ``docs/x``, ``**/Dockerfile*`` →
    ``Dockerfilex``, ``*.md`` → ``x.md``."""
    segments = [s for s in glob.strip("/").split("/") if s not in ("", ".")]
    out: list[str] = []
    for index, segment in enumerate(segments):
        if segment == "**":
            if index == len(segments) - 1:
                out.append("x")
            continue
        out.append(_plain_segment(segment))
    return "/".join(out) or "x"


def _plain_segment(segment: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char in "*?":
            # ``**`` inside a segment is one wildcard.
            if not (out and out[-1] == "x" and segment[index - 1] == "*" and char == "*"):
                out.append("x")
        elif char == "[":
            end = segment.find("]", index + 2)
            if end == -1:
                out.append(char)
            else:
                inner = segment[index + 1 : end]
                out.append("x" if inner.startswith(("!", "^")) else inner[0])
                index = end
        elif char == "\\" and index + 1 < len(segment):
            index += 1
            out.append(segment[index])
        else:
            out.append(char)
        index += 1
    return "".join(out)


@dataclass
class _Moved:
    head_class: TaskClass
    base_class: TaskClass
    globs: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def because(self) -> str:
        every = [*self.globs, *self.paths]
        shown = ", ".join(every[:SHOWN_PATHS])
        if len(every) > SHOWN_PATHS:
            shown += f" (+{len(every) - SHOWN_PATHS} more)"
        word = "path" if len(every) == 1 else "paths"
        level = self.base_class.level.value
        return f"{word} {shown} moved from {self.base_class.name} (level {level})"


def find_raises(
    base: Policy,
    head: Policy,
    sample_paths: Sequence[str],
    series: Series,
    at: float,
    incidents: Sequence[Incident],
    head_doc: Document | None = None,
    path: str = POLICY_PATH,
) -> tuple[Raise, ...]:
    """Every raise from ``base`` to ``head``: direct ones in head's class order, then moved
    ones by (head class in head's order, base class name)."""
    before = {tc.name: tc for tc in base.task_classes}
    found: list[Raise] = []
    for task_class in head.task_classes:
        old = before.get(task_class.name)
        if old is None or task_class.level <= old.level:
            continue
        judgements = _judgements(
            base, head, old.level, task_class.level, series, task_class.name, at, incidents
        )
        where = _where(head_doc, ("task_classes", task_class.name, "level"), path)
        found.append(
            Raise(
                task_class.name,
                task_class.name,
                old.level,
                task_class.level,
                "level raised",
                judgements,
                where,
            )
        )
    direct = {r.task_class for r in found}
    moved: dict[tuple[str, str], _Moved] = {}
    for probe, shown, is_glob in _probes(base, head, sample_paths):
        was = choose_task_class(base, paths=[probe]).task_class
        now = choose_task_class(head, paths=[probe]).task_class
        if now.level <= was.level or now.name in direct:
            continue
        group = moved.setdefault((now.name, was.name), _Moved(now, was))
        listed = group.globs if is_glob else group.paths
        if shown not in listed:
            listed.append(shown)
    order = {tc.name: index for index, tc in enumerate(head.task_classes)}
    for key in sorted(moved, key=lambda k: (order.get(k[0], len(order)), k[1])):
        group = moved[key]
        judgements = _judgements(
            base,
            head,
            group.base_class.level,
            group.head_class.level,
            series,
            group.base_class.name,
            at,
            incidents,
        )
        where = _where(head_doc, ("task_classes", group.head_class.name, "paths"), path)
        found.append(
            Raise(
                group.head_class.name,
                group.base_class.name,
                group.base_class.level,
                group.head_class.level,
                group.because(),
                judgements,
                where,
            )
        )
    return tuple(found)


def _probes(base: Policy, head: Policy, sample_paths: Sequence[str]) -> list[tuple[str, str, bool]]:
    """(path probed, what to show, whether it stands in for a glob): the policies' globs
    (base's then head's, each once), then the sample paths."""
    probes: list[tuple[str, str, bool]] = []
    seen: set[str] = set()
    for policy in (base, head):
        for task_class in policy.task_classes:
            for glob in task_class.paths:
                if glob not in seen:
                    seen.add(glob)
                    probes.append((stand_in(glob), glob, True))
    for sample in sample_paths:
        probes.append((sample, sample, False))
    return probes


def _judgements(
    base: Policy,
    head: Policy,
    from_level: Level,
    to_level: Level,
    series: Series,
    evidence_class: str,
    at: float,
    incidents: Sequence[Incident],
) -> tuple[tuple[Level, tuple[Judgement, ...]], ...]:
    crossed: list[tuple[Level, tuple[Judgement, ...]]] = []
    for number in range(from_level.value + 1, to_level.value + 1):
        level = Level(number)
        criteria: list[Criterion] = []
        for criterion in (*base.criteria(level), *head.criteria(level)):
            if criterion not in criteria:
                criteria.append(criterion)
        judgements = tuple(
            judged(criterion, series, evidence_class, at, incidents) for criterion in criteria
        )
        crossed.append((level, judgements))
    return tuple(crossed)


def _where(doc: Document | None, key: tuple[str, ...], path: str) -> Location | None:
    if doc is None:
        return None
    found = doc.where(key)
    return Location(path, found.line, found.col)
