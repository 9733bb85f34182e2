"""find_raises: which work acts at a higher level at head, and the evidence judged for it.

Table-driven: a base policy, one edit, the raises it must produce. Evidence is a Series of
observations of the class whose work was measured. Pure: no git."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from agentgov.evidence.measure import Series
from agentgov.evidence.observations import Observation
from agentgov.evidence.verdicts import Verdict
from agentgov.evidence.windows import DAY
from agentgov.gate.raises import find_raises, stand_ins
from agentgov.policy.model import Level
from tests.gate import at, loaded, replaced

AT = 1_700_000_000.0

BASE = """\
version: 1
task_classes:
  default: {level: execute-gated}
  docs: {level: 4, paths: ["docs/**", "*.md"], branches: ["docs/*"]}
  infra: {level: propose, paths: ["infra/**", "**/Dockerfile*"]}
ladder:
  propose:
    - {metric: deny_rate, op: "<=", threshold: 0.2, window: 14d, min_samples: 10}
  execute-gated:
    - {metric: approval_rate, op: ">=", threshold: 0.9, window: 14d, min_samples: 10}
  4:
    - {metric: approval_rate, op: ">=", threshold: 0.95, window: 14d, min_samples: 10}
  autonomous:
    - {metric: intervention_rate, op: "<=", threshold: 0.1, window: 14d, min_samples: 10}
"""


def rates(task_class: str, metric: str, ones: int, zeros: int) -> list[Observation]:
    when = AT - DAY
    return [Observation(metric, task_class, when, 1.0)] * ones + [
        Observation(metric, task_class, when, 0.0)
    ] * zeros


GOOD = Series(
    [
        *rates("default", "approval_rate", 20, 0),
        *rates("default", "intervention_rate", 0, 20),
        *rates("infra", "deny_rate", 0, 20),
        *rates("infra", "approval_rate", 20, 0),
        *rates("docs", "intervention_rate", 0, 20),
    ],
    (),
)


@dataclass(frozen=True)
class Want:
    task_class: str
    evidence_class: str
    from_level: int
    to_level: int
    because: str
    levels: tuple[int, ...]


@dataclass(frozen=True)
class Case:
    name: str
    old: str
    new: str
    wants: tuple[Want, ...]
    samples: tuple[str, ...] = ()


CASES = [
    Case(
        "a class raised one level",
        "default: {level: execute-gated}",
        "default: {level: 4}",
        (Want("default", "default", 3, 4, "level raised", (4,)),),
    ),
    Case(
        "a class raised two levels crosses both",
        "infra: {level: propose,",
        "infra: {level: 4,",
        (Want("infra", "infra", 2, 4, "level raised", (3, 4)),),
    ),
    Case(
        "a class lowered is no raise",
        "docs: {level: 4,",
        "docs: {level: 3,",
        (),
    ),
    Case(
        "a description is no raise",
        "default: {level: execute-gated}",
        "default: {level: execute-gated, description: the rest}",
        (),
    ),
    Case(
        "a glob added to a higher class moves its paths",
        'paths: ["docs/**", "*.md"]',
        'paths: ["docs/**", "*.md", "src/**"]',
        (Want("docs", "default", 3, 4, "path src/** moved from default (level 3)", (4,)),),
    ),
    Case(
        "a stricter class's glob dropped lifts its paths",
        'paths: ["infra/**", "**/Dockerfile*"]',
        'paths: ["infra/**"]',
        (
            Want(
                "default",
                "infra",
                2,
                3,
                "path **/Dockerfile* moved from infra (level 2)",
                (3,),
            ),
        ),
    ),
    Case(
        "a new class above its paths' level",
        "ladder:",
        'app: {level: autonomous, paths: ["src/**"]}\nladder:',
        (Want("app", "default", 3, 5, "path src/** moved from default (level 3)", (4, 5)),),
    ),
    Case(
        "a new class below its paths' level is no raise",
        "ladder:",
        'ops: {level: 1, paths: ["ops/**"]}\nladder:',
        (),
    ),
    Case(
        "a class removed moves its paths to default",
        '  infra: {level: propose, paths: ["infra/**", "**/Dockerfile*"]}\n',
        "",
        (
            Want(
                "default",
                "infra",
                2,
                3,
                "paths infra/**, **/Dockerfile* moved from infra (level 2)",
                (3,),
            ),
        ),
    ),
    Case(
        "a branch glob added or dropped never raises",
        'branches: ["docs/*"]',
        'branches: ["docs/*", "src/*"]',
        (),
    ),
    Case(
        "sample paths are shown after the globs",
        'paths: ["docs/**", "*.md"]',
        'paths: ["docs/**", "*.md", "src/**"]',
        (
            Want(
                "docs",
                "default",
                3,
                4,
                "paths src/**, src/a.py, src/b.py (+2 more) moved from default (level 3)",
                (4,),
            ),
        ),
        ("src/a.py", "src/b.py", "src/c.py", "src/d.py", "README.md"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_raises(case: Case) -> None:
    text = BASE
    head_text = (
        replaced(text, "ladder:", "  " + case.new)
        if case.old == "ladder:"
        else replaced(text, case.old, case.new)
    )
    base, _ = loaded(BASE, "base.yaml")
    head, head_doc = loaded(head_text, "head.yaml")
    found = find_raises(base, head, case.samples, GOOD, AT, (), head_doc)
    assert [
        (
            r.task_class,
            r.evidence_class,
            r.from_level.value,
            r.to_level.value,
            r.because,
            tuple(level.value for level, _ in r.judgements),
        )
        for r in found
    ] == [
        (w.task_class, w.evidence_class, w.from_level, w.to_level, w.because, w.levels)
        for w in case.wants
    ]


def test_direct_raise_is_judged_on_its_own_evidence_and_located_at_its_level() -> None:
    head_text = replaced(BASE, "default: {level: execute-gated}", "default: {level: 4}")
    base, _ = loaded(BASE)
    head, head_doc = loaded(head_text)
    (good,) = find_raises(base, head, (), GOOD, AT, (), head_doc)
    assert good.proven
    assert good.location == at(head_text, "4}")
    (unmeasured,) = find_raises(base, head, (), Series([], ()), AT, (), head_doc)
    assert not unmeasured.proven
    assert [j.verdict for _, found in unmeasured.judgements for j in found] == [
        Verdict.INSUFFICIENT
    ]


def test_moved_paths_are_judged_on_the_class_they_came_from() -> None:
    """infra's evidence has no intervention_rate; docs' does, but docs' evidence must not
    carry infra's work up."""
    head_text = replaced(BASE, '["infra/**", "**/Dockerfile*"]', '["**/Dockerfile*"]')
    head_text = replaced(head_text, '["docs/**", "*.md"]', '["docs/**", "*.md", "infra/**"]')
    base, _ = loaded(BASE)
    head, head_doc = loaded(head_text)
    (moved,) = find_raises(base, head, (), GOOD, AT, (), head_doc)
    assert (moved.task_class, moved.evidence_class, moved.from_level) == (
        "docs",
        "infra",
        Level.PROPOSE,
    )
    assert moved.location == at(head_text, '["docs/**", "*.md", "infra/**"]')
    verdicts = {
        (level.value, j.criterion.metric): j.verdict
        for level, found in moved.judgements
        for j in found
    }
    assert verdicts == {(3, "approval_rate"): Verdict.PASS, (4, "approval_rate"): Verdict.PASS}
    assert moved.proven


def test_criteria_of_both_ladders_are_judged_once_each() -> None:
    head_text = replaced(
        BASE,
        '    - {metric: approval_rate, op: ">=", threshold: 0.95, window: 14d, min_samples: 10}\n',
        '    - {metric: approval_rate, op: ">=", threshold: 0.5, window: 14d, min_samples: 10}\n',
    )
    head_text = replaced(head_text, "default: {level: execute-gated}", "default: {level: 4}")
    base, _ = loaded(BASE)
    head, head_doc = loaded(head_text)
    (found,) = find_raises(base, head, (), GOOD, AT, (), head_doc)
    ((level, judged),) = found.judgements
    assert level is Level.EXECUTE_SANDBOXED
    assert [j.criterion.threshold for j in judged] == [0.95, 0.5]
    same, _ = loaded(BASE)
    raised, raised_doc = loaded(
        replaced(BASE, "default: {level: execute-gated}", "default: {level: 4}")
    )
    (once,) = find_raises(same, raised, (), GOOD, AT, (), raised_doc)
    assert len(once.judgements[0][1]) == 1


def test_no_head_document_means_no_location() -> None:
    base, _ = loaded(BASE)
    head, _ = loaded(replaced(BASE, "default: {level: execute-gated}", "default: {level: 4}"))
    (found,) = find_raises(base, head, (), GOOD, AT, ())
    assert found.location is None


@pytest.mark.parametrize(
    ("glob", "path"),
    [("docs/**", "docs/x"), ("*.md", "x.md"), ("infra/[a-z]*/**", "infra/ax/x")],
)
def test_a_stand_in_is_matched_by_its_glob(glob: str, path: str) -> None:
    assert path in stand_ins(glob)
