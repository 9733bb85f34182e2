"""find_raises: which work acts at a higher level at head, and the evidence judged for it.

Table-driven: a base policy, one edit, the raises it must produce. Evidence is a Series of
observations of the class whose work was measured. Pure: no git."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentgov.evidence.measure import Series
from agentgov.evidence.observations import Observation
from agentgov.evidence.verdicts import Verdict
from agentgov.evidence.windows import DAY, Incident
from agentgov.gate.model import ChangeKind, Raise
from agentgov.gate.policy_changes import policy_changes
from agentgov.gate.raises import find_raises, stand_ins
from agentgov.policy.globs import glob_problem, match_path
from agentgov.policy.model import Level, Policy, TaskClass
from agentgov.policy.task_class import choose_task_class
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


# -- the evidence judged: exact levels, criteria, verdicts and counts --------------------

Judged = tuple[int, tuple[tuple[str, Verdict, int, int], ...]]
"""(level, ((metric, verdict, numerator, denominator), ...))."""


def series(*groups: list[Observation]) -> Series:
    return Series([o for group in groups for o in group], ())


def rates_at(
    task_class: str, metric: str, ones: int, zeros: int, days_ago: float
) -> list[Observation]:
    when = AT - days_ago * DAY
    return [Observation(metric, task_class, when, 1.0)] * ones + [
        Observation(metric, task_class, when, 0.0)
    ] * zeros


@dataclass(frozen=True)
class Evidence:
    name: str
    edits: tuple[tuple[str, str], ...]
    evidence: Series
    raises: tuple[tuple[str, str, int, int, tuple[Judged, ...]], ...]
    """(task class, evidence class, from, to, judged levels)."""
    proven: tuple[bool, ...]
    samples: tuple[str, ...] = ()
    incidents: tuple[Incident, ...] = ()


RAISE_DEFAULT = ("default: {level: execute-gated}", "default: {level: 4}")
TO_FIVE = ("default: {level: execute-gated}", "default: {level: autonomous}")
APPROVAL_4 = (
    '    - {metric: approval_rate, op: ">=", threshold: 0.95, window: 14d, min_samples: 10}\n'
)

EVIDENCE = [
    Evidence(
        "direct raise with evidence",
        (RAISE_DEFAULT,),
        series(rates("default", "approval_rate", 20, 0)),
        (("default", "default", 3, 4, ((4, (("approval_rate", Verdict.PASS, 20, 20),)),)),),
        (True,),
    ),
    Evidence(
        "direct raise without evidence",
        (RAISE_DEFAULT,),
        series(),
        (("default", "default", 3, 4, ((4, (("approval_rate", Verdict.INSUFFICIENT, 0, 0),)),)),),
        (False,),
    ),
    Evidence(
        "direct raise short of min_samples",
        (RAISE_DEFAULT,),
        series(rates("default", "approval_rate", 9, 0)),
        (("default", "default", 3, 4, ((4, (("approval_rate", Verdict.INSUFFICIENT, 9, 9),)),)),),
        (False,),
    ),
    Evidence(
        "direct raise on failing evidence",
        (RAISE_DEFAULT,),
        series(rates("default", "approval_rate", 18, 2)),
        (("default", "default", 3, 4, ((4, (("approval_rate", Verdict.FAIL, 18, 20),)),)),),
        (False,),
    ),
    Evidence(
        "evidence older than the window does not count",
        (RAISE_DEFAULT,),
        series(rates_at("default", "approval_rate", 20, 0, days_ago=15)),
        (("default", "default", 3, 4, ((4, (("approval_rate", Verdict.INSUFFICIENT, 0, 0),)),)),),
        (False,),
    ),
    Evidence(
        "two levels crossed, the second fails",
        (TO_FIVE,),
        series(
            rates("default", "approval_rate", 20, 0),
            rates("default", "intervention_rate", 5, 15),
        ),
        (
            (
                "default",
                "default",
                3,
                5,
                (
                    (4, (("approval_rate", Verdict.PASS, 20, 20),)),
                    (5, (("intervention_rate", Verdict.FAIL, 5, 20),)),
                ),
            ),
        ),
        (False,),
    ),
    Evidence(
        "two levels crossed, both pass",
        (TO_FIVE,),
        series(
            rates("default", "approval_rate", 20, 0),
            rates("default", "intervention_rate", 1, 19),
        ),
        (
            (
                "default",
                "default",
                3,
                5,
                (
                    (4, (("approval_rate", Verdict.PASS, 20, 20),)),
                    (5, (("intervention_rate", Verdict.PASS, 1, 20),)),
                ),
            ),
        ),
        (True,),
    ),
    Evidence(
        "head's ladder weakened: base's bar still judged",
        (RAISE_DEFAULT, (APPROVAL_4, APPROVAL_4.replace("0.95", "0.5"))),
        series(rates("default", "approval_rate", 18, 2)),
        (
            (
                "default",
                "default",
                3,
                4,
                (
                    (
                        4,
                        (
                            ("approval_rate", Verdict.FAIL, 18, 20),
                            ("approval_rate", Verdict.PASS, 18, 20),
                        ),
                    ),
                ),
            ),
        ),
        (False,),
    ),
    Evidence(
        "head's ladder tightened: head's bar judged too",
        (
            RAISE_DEFAULT,
            (
                APPROVAL_4,
                APPROVAL_4 + '    - {metric: deny_rate, op: "<=", threshold: 0.1, window: 14d,'
                " min_samples: 10}\n",
            ),
        ),
        series(rates("default", "approval_rate", 20, 0), rates("default", "deny_rate", 4, 16)),
        (
            (
                "default",
                "default",
                3,
                4,
                (
                    (
                        4,
                        (
                            ("approval_rate", Verdict.PASS, 20, 20),
                            ("deny_rate", Verdict.FAIL, 4, 20),
                        ),
                    ),
                ),
            ),
        ),
        (False,),
    ),
    Evidence(
        "default raised: docs stays where it was",
        (RAISE_DEFAULT,),
        series(rates("default", "approval_rate", 20, 0)),
        (("default", "default", 3, 4, ((4, (("approval_rate", Verdict.PASS, 20, 20),)),)),),
        (True,),
        samples=("docs/guide.md", "infra/main.tf", "src/app.py"),
    ),
    Evidence(
        "a new class is judged on the evidence of default, where its paths were",
        (("ladder:", '  app: {level: autonomous, paths: ["src/**"]}\nladder:'),),
        series(
            rates("default", "approval_rate", 20, 0),
            rates("default", "intervention_rate", 0, 20),
            rates("app", "approval_rate", 0, 20),  # under a name base never had
        ),
        (
            (
                "app",
                "default",
                3,
                5,
                (
                    (4, (("approval_rate", Verdict.PASS, 20, 20),)),
                    (5, (("intervention_rate", Verdict.PASS, 0, 20),)),
                ),
            ),
        ),
        (True,),
    ),
    Evidence(
        "moved paths: the receiving class's evidence does not count",
        (('paths: ["docs/**", "*.md"]', 'paths: ["docs/**", "*.md", "src/**"]'),),
        series(rates("docs", "approval_rate", 20, 0)),
        (("docs", "default", 3, 4, ((4, (("approval_rate", Verdict.INSUFFICIENT, 0, 0),)),)),),
        (False,),
    ),
    Evidence(
        "a removed class's paths are judged on its evidence",
        (('  infra: {level: propose, paths: ["infra/**", "**/Dockerfile*"]}\n', ""),),
        series(rates("infra", "approval_rate", 19, 1)),
        (("default", "infra", 2, 3, ((3, (("approval_rate", Verdict.PASS, 19, 20),)),)),),
        (True,),
    ),
    Evidence(
        "a class raised and paths moved into it: two raises, each on its own evidence",
        (
            ("docs: {level: 4,", "docs: {level: 5,"),
            ('paths: ["docs/**", "*.md"]', 'paths: ["docs/**", "*.md", "src/**"]'),
        ),
        series(
            rates("docs", "intervention_rate", 0, 20),
            rates("default", "approval_rate", 20, 0),
        ),
        (
            ("docs", "docs", 4, 5, ((5, (("intervention_rate", Verdict.PASS, 0, 20),)),)),
            (
                "docs",
                "default",
                3,
                5,
                (
                    (4, (("approval_rate", Verdict.PASS, 20, 20),)),
                    (5, (("intervention_rate", Verdict.INSUFFICIENT, 0, 0),)),
                ),
            ),
        ),
        (True, False),
    ),
    Evidence(
        "a branch-only class is no raise when added",
        (("ladder:", '  freeze: {level: autonomous, branches: ["freeze/*"]}\nladder:'),),
        series(),
        (),
        (),
        samples=("docs/guide.md", "src/app.py"),
    ),
    Evidence(
        "a branch-only class raised is a direct raise, on its own evidence",
        (
            (
                "  infra:",
                '  hotfix: {level: 1, branches: ["hotfix/*"]}\n  infra:',
            ),
        ),
        series(rates("hotfix", "deny_rate", 0, 20)),
        (("hotfix", "hotfix", 1, 2, ((2, (("deny_rate", Verdict.PASS, 0, 20),)),)),),
        (True,),
    ),
    Evidence(
        "an incident restarts the window: evidence from before it does not count",
        (RAISE_DEFAULT,),
        series(rates_at("default", "approval_rate", 20, 0, days_ago=3)),
        (("default", "default", 3, 4, ((4, (("approval_rate", Verdict.INSUFFICIENT, 0, 0),)),)),),
        (False,),
        incidents=(Incident("i-1", "default", AT - 2 * DAY, "outage", "n", "c" * 40),),
    ),
    Evidence(
        "an incident of another class does not restart this one's window",
        (RAISE_DEFAULT,),
        series(rates_at("default", "approval_rate", 20, 0, days_ago=3)),
        (("default", "default", 3, 4, ((4, (("approval_rate", Verdict.PASS, 20, 20),)),)),),
        (True,),
        incidents=(Incident("i-1", "docs", AT - 2 * DAY, "outage", "n", "c" * 40),),
    ),
]


def _judged(found: Raise) -> tuple[Judged, ...]:
    return tuple(
        (
            level.value,
            tuple(
                (
                    j.criterion.metric,
                    j.verdict,
                    j.measurement.numerator or 0,
                    j.measurement.denominator,
                )
                for j in judged
            ),
        )
        for level, judged in found.judgements
    )


@pytest.mark.parametrize("case", EVIDENCE, ids=[case.name for case in EVIDENCE])
def test_evidence_judged(case: Evidence) -> None:
    base_text = BASE
    if case.name == "a branch-only class raised is a direct raise, on its own evidence":
        base_text = replaced(BASE, *case.edits[0])
        head_text = replaced(base_text, "hotfix: {level: 1,", "hotfix: {level: 2,")
    else:
        head_text = BASE
        for old, new in case.edits:
            head_text = replaced(head_text, old, new)
    base, _ = loaded(base_text, "base.yaml")
    head, head_doc = loaded(head_text, "head.yaml")
    found = find_raises(base, head, case.samples, case.evidence, AT, case.incidents, head_doc)
    assert [
        (r.task_class, r.evidence_class, r.from_level.value, r.to_level.value, _judged(r))
        for r in found
    ] == list(case.raises)
    assert tuple(r.proven for r in found) == case.proven


def test_the_evidence_table_is_large_enough() -> None:
    assert len(CASES) + len(EVIDENCE) >= 15


def test_a_sample_path_finds_a_raise_no_stand_in_reaches() -> None:
    """``[ab]*.py`` stands in as ``ax.py``; narrowed to ``a*.py`` it lets ``b.py`` go."""
    base_text = replaced(BASE, "  infra:", '  lib: {level: 1, paths: ["[ab]*.py"]}\n  infra:')
    head_text = replaced(base_text, '["[ab]*.py"]', '["a*.py"]')
    base, _ = loaded(base_text)
    head, head_doc = loaded(head_text)
    assert find_raises(base, head, (), GOOD, AT, (), head_doc) == ()
    (found,) = find_raises(base, head, ("src/b.py", "src/a.py"), GOOD, AT, (), head_doc)
    assert (found.task_class, found.evidence_class, found.because) == (
        "default",
        "lib",
        "path src/b.py moved from lib (level 1)",
    )
    assert [level.value for level, _ in found.judgements] == [2, 3]


# -- properties ---------------------------------------------------------------------------

GLOBS = ["docs/**", "*.md", "src/**", "src/gen/**", "**/Dockerfile*", "[ab]*.py", "infra/*"]
SAMPLES = (
    "docs/guide.md",
    "README.md",
    "src/app.py",
    "src/gen/out.py",
    "Dockerfile",
    "build/Dockerfile.ci",
    "infra/main.tf",
    "b.py",
    "notes.txt",
)
A_CLASS = st.fixed_dictionaries(
    {
        "level": st.integers(1, 5),
        "paths": st.lists(st.sampled_from(GLOBS), unique=True, max_size=3),
        "branches": st.lists(st.sampled_from(["hot/*", "docs/*"]), unique=True, max_size=1),
    }
)
A_POLICY = st.fixed_dictionaries(
    {
        "default": st.integers(1, 5),
        "classes": st.dictionaries(st.sampled_from(["a", "b", "c"]), A_CLASS, max_size=3),
    }
)


def policy_text(spec: dict[str, Any]) -> str:
    lines = ["version: 1", "task_classes:", f"  default: {{level: {spec['default']}}}"]
    for name, task_class in spec["classes"].items():
        paths = ", ".join(f'"{glob}"' for glob in task_class["paths"])
        branches = ", ".join(f'"{glob}"' for glob in task_class["branches"])
        lines.append(
            f"  {name}: {{level: {task_class['level']}, paths: [{paths}], branches: [{branches}]}}"
        )
    return "\n".join(lines) + "\n"


def level_of(policy: Policy, path: str) -> TaskClass:
    return choose_task_class(policy, paths=[path]).task_class


@settings(max_examples=150, deadline=None)
@given(A_POLICY, A_POLICY)
def test_a_raise_is_reported_iff_some_path_rose(
    base_spec: dict[str, Any], head_spec: dict[str, Any]
) -> None:
    """Raised pairs (head class, evidence class) are exactly the classes in both whose
    level rose and, for every sample path and every glob's stand-in whose level rose into
    another class, (its class at head, its class at base); policy_changes says ``raise``
    exactly when find_raises finds one; a policy against itself has neither."""
    base, base_doc = loaded(policy_text(base_spec), "base.yaml")
    head, head_doc = loaded(policy_text(head_spec), "head.yaml")
    empty = Series([], ())
    assert find_raises(base, base, SAMPLES, empty, AT, ()) == ()
    assert policy_changes(base, base, base_doc, base_doc, sample_paths=SAMPLES) == ()
    found = find_raises(base, head, SAMPLES, empty, AT, (), head_doc)
    before = {tc.name: tc.level for tc in base.task_classes}
    wanted = {
        (tc.name, tc.name)
        for tc in head.task_classes
        if tc.name in before and tc.level > before[tc.name]
    }
    stand_in_paths = [
        p for tc in (*base.task_classes, *head.task_classes) for g in tc.paths for p in stand_ins(g)
    ]
    for path in (*SAMPLES, *stand_in_paths):
        was, now = level_of(base, path), level_of(head, path)
        if now.level > was.level and now.name != was.name:
            wanted.add((now.name, was.name))
    assert {(r.task_class, r.evidence_class) for r in found} == wanted
    assert len(found) == len(wanted)
    changes = policy_changes(base, head, base_doc, head_doc, sample_paths=SAMPLES)
    assert any(c.kind is ChangeKind.RAISE for c in changes) == bool(found)


PATH_GLOBS = (
    st.lists(
        st.sampled_from(
            ["docs", "src", "**", "*", "*.py", "Dockerfile*", "[ab]x", "[!a]?", ".github"]
        ),
        min_size=1,
        max_size=4,
    )
    .map("/".join)
    .filter(lambda g: glob_problem(g) is None)
)


@settings(max_examples=200, deadline=None)
@given(PATH_GLOBS)
def test_every_stand_in_is_matched_by_its_glob(glob: str) -> None:
    found = stand_ins(glob)
    assert found
    for path in found:
        assert match_path(path, [glob]), (glob, path)
        assert not {"*", "?", "["} & set(path), (glob, path)
