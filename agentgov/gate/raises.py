"""Which work acts at a higher level at head than at base, and its evidence (docs/ci.md,
"What counts as a raise"). Pure: policies, paths and measured evidence in, ``Raise`` out.

Two kinds of raise:

- direct: a class in both policies whose level went up; its own evidence is judged;
- moved: a path whose class at head has a higher level than its class at base had (a glob
  added to a class, a new class, a class removed, a stricter class's glob dropped); the
  evidence judged is that of the class the path had at base, since that is the work that
  was measured. Paths that stay in a class whose level went up are the direct raise; paths
  that move into such a class from another one are a moved raise as well, judged on their
  own class's evidence, so a class with good evidence cannot carry other work up with it.

The paths probed are the sample paths given (the files of the trees) and stand-ins for
every path glob of both policies (the stand-ins below). Branch globs never raise: a
branch (like ``AGENTGOV_TASK_CLASS``) can only make the class of the work stricter than
its paths make it (agentgov/policy/task_class.py), so adding, dropping or moving one cannot
lift any work to a higher level. A class reached only through branches can still be raised
directly, by its own ``level``.

For every level crossed (from the base level + 1 to the head level), the exit criteria of
that level in either policy (base's first, then head's; equal criteria once) are judged on
the evidence at base, so a PR cannot lower the bar it is held to by editing head's ladder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from agentgov.evidence.measure import Series
from agentgov.evidence.standing import judged
from agentgov.evidence.verdicts import Judgement
from agentgov.evidence.windows import Incident
from agentgov.gate.model import Location, Raise
from agentgov.policy.globs import match_path
from agentgov.policy.model import Criterion, Level, Policy, TaskClass
from agentgov.policy.source_text import Document
from agentgov.policy.task_class import choose_task_class, stand_in

POLICY_PATH = ".agentgov/policy.yaml"

# Stand-in paths: plain repository paths for path globs, so a glob that matches no file
# yet still counts when paths are compared at base and at head. Path globs follow
# agentgov/policy/globs.py.

WILDCARD = "x"
"""What a wildcard, or a whole-segment ``**``, stands for."""


@dataclass(frozen=True)
class Probe:
    """A path compared at base and at head; ``shown`` is what a reader is told (the glob
    it stands in for, or the sample path itself)."""

    path: str
    shown: str
    from_glob: bool


def stand_ins(glob: str) -> tuple[str, ...]:
    """Plain paths ``glob`` matches, shortest first: every ``**`` as no segment (a trailing
    one as a file ``x``), then every ``**`` as one segment ``x``, then, for a glob without
    ``/``, the same name one directory down. ``*`` and ``?`` become ``x``, a bracket class
    its first character (``x`` when negated). ``docs/**`` → ``docs/x``; ``**/Dockerfile*`` →
    ``Dockerfilex``, ``x/Dockerfilex``; ``*.md`` → ``x.md``, ``x/x.md``."""
    segments = [s for s in glob.strip("/").split("/") if s not in ("", ".")]
    if not segments:
        return (WILDCARD,)
    last = len(segments) - 1
    shortest = [
        WILDCARD if s == "**" else stand_in(s)
        for i, s in enumerate(segments)
        if s != "**" or i == last
    ]
    spanning = [WILDCARD if s == "**" else stand_in(s) for s in segments]
    found = ["/".join(shortest), "/".join(spanning)]
    if "/" not in glob.rstrip("/"):
        found.append(f"{WILDCARD}/{found[0]}")
    return tuple(dict.fromkeys(found))


def probes(base: Policy, head: Policy, sample_paths: Sequence[str]) -> tuple[Probe, ...]:
    """The stand-ins of every path glob of both policies (base's classes, then head's, in
    each policy's order; each glob once), then the sample paths (each once)."""
    found: list[Probe] = []
    seen_globs: set[str] = set()
    for policy in (base, head):
        for task_class in policy.task_classes:
            for glob in task_class.paths:
                if glob in seen_globs:
                    continue
                seen_globs.add(glob)
                found.extend(Probe(path, glob, True) for path in stand_ins(glob))
    found.extend(Probe(path, path, False) for path in dict.fromkeys(sample_paths))
    return tuple(found)


SHOWN_PATHS = 3
"""How many globs and paths a moved raise's ``because`` names before "(+N more)"."""


@dataclass(frozen=True)
class PathMove:
    """A probed path whose level differs between base and head."""

    probe: Probe
    was: TaskClass
    """Its class at base."""
    now: TaskClass
    """Its class at head."""

    @property
    def rose(self) -> bool:
        return self.now.level > self.was.level


def path_moves(base: Policy, head: Policy, sample_paths: Sequence[str]) -> tuple[PathMove, ...]:
    """Every probe (the stand-ins below ``probes``) in another class, at another level, at
    head than at base, in probe order. A path no class's glob matches in either policy is
    ``default`` in both: it moves only with default's own level (a direct raise), so it is
    not compared. ``policy_changes`` and ``find_raises`` ask for the same moves, so the
    last answer is kept (memoised: the same policies and paths give the same moves)."""
    return _path_moves(base, head, tuple(sample_paths))


@lru_cache(maxsize=1)
def _path_moves(base: Policy, head: Policy, sample_paths: tuple[str, ...]) -> tuple[PathMove, ...]:
    globs = tuple(
        dict.fromkeys(
            glob
            for policy in (base, head)
            for task_class in policy.task_classes
            if task_class.name != "default"  # default's paths are never matched
            for glob in task_class.paths
        )
    )
    found: list[PathMove] = []
    for probe in probes(base, head, sample_paths):
        if _plain(probe.path) and not match_path(probe.path, globs):
            continue
        was = choose_task_class(base, paths=[probe.path]).task_class
        now = choose_task_class(head, paths=[probe.path]).task_class
        if was.level is not now.level:
            found.append(PathMove(probe, was, now))
    return tuple(found)


def _plain(path: str) -> bool:
    """A file's path, which a class takes by its globs alone (agentgov/policy/task_class.py
    reads a trailing ``/`` as a tree and ``*``, ``?``, ``[`` as a shell glob)."""
    return not path.endswith("/") and not any(char in path for char in "*?[")


@dataclass
class _Group:
    head_class: TaskClass
    base_class: TaskClass
    # Ordered sets (a dict's keys): a tree of 100,000 files is 100,000 membership tests.
    globs: dict[str, None] = field(default_factory=dict)
    paths: dict[str, None] = field(default_factory=dict)

    def add(self, probe: Probe) -> None:
        (self.globs if probe.from_glob else self.paths).setdefault(probe.shown)

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
    ones by head class (in head's order), then base class (by name)."""
    before = {tc.name: tc for tc in base.task_classes}
    found: list[Raise] = []
    for task_class in head.task_classes:
        old = before.get(task_class.name)
        if old is None or task_class.level <= old.level:
            continue
        found.append(
            Raise(
                task_class.name,
                task_class.name,
                old.level,
                task_class.level,
                "level raised",
                _judgements(base, head, old, task_class, series, at, incidents),
                _where(head_doc, ("task_classes", task_class.name, "level"), path),
            )
        )
    groups: dict[tuple[str, str], _Group] = {}
    for move in path_moves(base, head, sample_paths):
        # A path that stays in its class rose with the class: the direct raise above.
        if move.rose and move.now.name != move.was.name:
            key = (move.now.name, move.was.name)
            groups.setdefault(key, _Group(move.now, move.was)).add(move.probe)
    order = {tc.name: index for index, tc in enumerate(head.task_classes)}
    for key in sorted(groups, key=lambda k: (order.get(k[0], len(order)), k[1])):
        group = groups[key]
        found.append(
            Raise(
                group.head_class.name,
                group.base_class.name,
                group.base_class.level,
                group.head_class.level,
                group.because(),
                _judgements(base, head, group.base_class, group.head_class, series, at, incidents),
                _where(head_doc, ("task_classes", group.head_class.name, "paths"), path),
            )
        )
    return tuple(found)


def _judgements(
    base: Policy,
    head: Policy,
    was: TaskClass,
    now: TaskClass,
    series: Series,
    at: float,
    incidents: Sequence[Incident],
) -> tuple[tuple[Level, tuple[Judgement, ...]], ...]:
    """The exit criteria of every level from ``was``'s + 1 to ``now``'s, judged on the
    evidence of ``was`` (the class whose work was measured)."""
    crossed: list[tuple[Level, tuple[Judgement, ...]]] = []
    for number in range(was.level.value + 1, now.level.value + 1):
        level = Level(number)
        criteria: list[Criterion] = []
        for criterion in (*base.criteria(level), *head.criteria(level)):
            if criterion not in criteria:
                criteria.append(criterion)
        crossed.append((level, tuple(judged(c, series, was.name, at, incidents) for c in criteria)))
    return tuple(crossed)


def _where(doc: Document | None, key: tuple[str, ...], path: str) -> Location | None:
    if doc is None:
        return None
    found = doc.where(key)
    return Location(path, found.line, found.col)
