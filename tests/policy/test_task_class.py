"""Which task class work belongs to: every class that matches counts (the variable, the
branch, each path touched), the most restrictive wins, else ``default``. The variable and
the branch, which an agent can choose, and a shell command's writes, which are only part of
what it does, only ever make the class stricter (docs/policy.md, "Task classes")."""

from __future__ import annotations

import pytest

from agentgov.policy.load import load_template
from agentgov.policy.task_class import choose_task_class

POLICY = load_template("default")
CHOSEN = "ignored: AGENTGOV_TASK_CLASS or a branch can only make the class stricter"
WRITES = "ignored: a shell command's writes can only make the class stricter"

# (AGENTGOV_TASK_CLASS, branch, paths, shell writes?) -> (class, because)
CASES = [
    # A branch name never lifts a path's class, nor default's.
    (
        (None, "docs/typo", ("Dockerfile",), False),
        "infra",
        "path Dockerfile matches infra (level 2), the most restrictive; "
        f"branch docs/typo matches docs (level 4), {CHOSEN}",
    ),
    (
        (None, "docs/typo", ("Dockerfile",), True),
        "infra",
        "path Dockerfile matches infra (level 2), the most restrictive; "
        f"branch docs/typo matches docs (level 4), {CHOSEN}",
    ),
    (
        (None, "docs/typo", (), False),
        "default",
        f"no stricter class matched: default (level 3); branch docs/typo matches docs (level 4), "
        f"{CHOSEN}",
    ),
    (
        (None, "docs/typo", ("docs/guide.md",), False),
        "docs",
        "path docs/guide.md matches docs (level 4), the most restrictive; "
        "branch docs/typo matches docs (level 4), as restrictive",
    ),
    (
        (None, "docs/typo", ("docs/guide.md",), True),
        "default",
        "no stricter class matched: default (level 3); "
        f"branch docs/typo matches docs (level 4), {CHOSEN}; "
        f"path docs/guide.md matches docs (level 4), {WRITES}",
    ),
    # A stricter branch still wins, over the paths too.
    (
        (None, "infra/vpc", ("docs/a.md",), False),
        "infra",
        "branch infra/vpc matches infra (level 2), the most restrictive; "
        "path docs/a.md matches docs (level 4), less restrictive",
    ),
    ((None, "infra/vpc", (), True), "infra", "branch infra/vpc matches infra (level 2)"),
    # The variable likewise: stricter wins, looser is ignored, a tie with default names it.
    (
        ("docs", None, ("Dockerfile",), False),
        "infra",
        "path Dockerfile matches infra (level 2), the most restrictive; "
        f"AGENTGOV_TASK_CLASS=docs matches docs (level 4), {CHOSEN}",
    ),
    (
        ("docs", None, (), False),
        "default",
        "no stricter class matched: default (level 3); "
        f"AGENTGOV_TASK_CLASS=docs matches docs (level 4), {CHOSEN}",
    ),
    (
        ("docs", "infra/x", ("infra/main.tf",), False),
        "infra",
        "path infra/main.tf matches infra (level 2), the most restrictive; "
        f"AGENTGOV_TASK_CLASS=docs matches docs (level 4), {CHOSEN}; "
        "branch infra/x matches infra (level 2), as restrictive",
    ),
    (
        ("infra", "docs/typo", ("docs/a.md",), False),
        "infra",
        "AGENTGOV_TASK_CLASS=infra matches infra (level 2), the most restrictive; "
        f"branch docs/typo matches docs (level 4), {CHOSEN}; "
        "path docs/a.md matches docs (level 4), less restrictive",
    ),
    (
        ("tests", None, (), False),
        "tests",
        "AGENTGOV_TASK_CLASS=tests matches tests (level 3), as strict as default",
    ),
    (
        ("tests", "docs/x", (), False),
        "tests",
        "AGENTGOV_TASK_CLASS=tests matches tests (level 3), as strict as default; "
        f"branch docs/x matches docs (level 4), {CHOSEN}",
    ),
    (
        ("default", None, ("tests/test_a.py",), False),
        "tests",
        "path tests/test_a.py matches tests (level 3), the most restrictive; "
        "AGENTGOV_TASK_CLASS=default matches default (level 3), as restrictive",
    ),
    (
        ("nosuch", None, (), False),
        "default",
        "no class matched: default (unknown AGENTGOV_TASK_CLASS=nosuch ignored)",
    ),
    (
        ("nosuch", "docs/x", ("Dockerfile",), False),
        "infra",
        "path Dockerfile matches infra (level 2), the most restrictive; "
        f"branch docs/x matches docs (level 4), {CHOSEN} "
        "(unknown AGENTGOV_TASK_CLASS=nosuch ignored)",
    ),
    # Paths alone: the most restrictive of them.
    (
        (None, "feature/x", ("docs/guide.md",), False),
        "docs",
        "path docs/guide.md matches docs (level 4)",
    ),
    (
        (None, "feature/x", ("README.md", "infra/main.tf"), False),
        "infra",
        "path infra/main.tf matches infra (level 2), the most restrictive; "
        "path README.md matches docs (level 4), less restrictive",
    ),
    (
        (None, "feature/x", ("tests/test_a.py",), False),
        "tests",
        "path tests/test_a.py matches tests (level 3)",
    ),
    ((None, "feature/x", ("src/app.py",), False), "default", "no class matched: default"),
    ((None, None, (), False), "default", "no class matched: default"),
    # Shell writes: stricter only; trees (a trailing /) and globs name what they can reach.
    (
        (None, None, ("README.md",), True),
        "default",
        f"no stricter class matched: default (level 3); path README.md matches docs (level 4), "
        f"{WRITES}",
    ),
    (
        (None, None, ("services/api/Dockerfile.dev",), True),
        "infra",
        "path services/api/Dockerfile.dev matches infra (level 2)",
    ),
    (
        (None, None, (".github/workflows/ci.yml",), True),
        "infra",
        "path .github/workflows/ci.yml matches infra (level 2)",
    ),
    ((None, None, ("Docker*",), True), "infra", "path Docker* matches infra (level 2)"),
    (
        (None, None, (".github/workflows/*.yml",), True),
        "infra",
        "path .github/workflows/*.yml matches infra (level 2)",
    ),
    (
        (None, None, ("*",), True),
        "infra",
        "path * matches infra (level 2), the most restrictive; "
        "path * matches docs (level 4), less restrictive; "
        "path * matches tests (level 3), less restrictive",
    ),
    ((None, None, ("infra/",), True), "infra", "path infra/ matches infra (level 2)"),
    ((None, None, (".github/",), True), "infra", "path .github/ matches infra (level 2)"),
    ((None, None, ("build/",), True), "default", "no class matched: default"),
    ((None, None, ("k8s",), True), "default", "no class matched: default"),
    (
        (None, None, ("docs/*.md", "infra/*.tf"), True),
        "infra",
        "path infra/*.tf matches infra (level 2), the most restrictive; "
        "path docs/*.md matches docs (level 4), less restrictive",
    ),
]


@pytest.mark.parametrize(("given", "expected", "because"), CASES)
def test_choose_task_class(
    given: tuple[str | None, str | None, tuple[str, ...], bool], expected: str, because: str
) -> None:
    explicit, branch, paths, partial = given
    choice = choose_task_class(
        POLICY, explicit=explicit, branch=branch, paths=paths, partial=partial
    )
    assert (choice.task_class.name, choice.because) == (expected, because)


@pytest.mark.parametrize("branch", ["docs/typo", "docs/x/y", "docs/README"])
@pytest.mark.parametrize("explicit", [None, "docs", "tests", "default", "nosuch"])
def test_no_branch_or_variable_lowers_the_strictness_of_an_infra_path(
    branch: str, explicit: str | None
) -> None:
    for partial in (False, True):
        choice = choose_task_class(
            POLICY, explicit=explicit, branch=branch, paths=("Dockerfile",), partial=partial
        )
        assert (choice.task_class.name, choice.task_class.level.value) == ("infra", 2)
