"""Which task class work belongs to: explicit, then branch, then paths (most restrictive)."""

from __future__ import annotations

import pytest

from agentgov.policy.load import load_template
from agentgov.policy.task_class import choose_task_class

POLICY = load_template("default")


@pytest.mark.parametrize(
    ("explicit", "branch", "paths", "expected", "because"),
    [
        ("docs", "infra/x", ("infra/main.tf",), "docs", "AGENTGOV_TASK_CLASS=docs"),
        (None, "infra/vpc", ("docs/a.md",), "infra", "branch infra/vpc matches infra"),
        (None, "docs/typo", (), "docs", "branch docs/typo matches docs"),
        (None, "feature/x", ("docs/guide.md",), "docs", "path matches docs"),
        (None, "feature/x", ("README.md", "infra/main.tf"), "infra", "path matches infra"),
        (None, "feature/x", ("tests/test_a.py",), "tests", "path matches tests"),
        (None, "feature/x", ("src/app.py",), "default", "no class matched: default"),
        (None, None, (), "default", "no class matched: default"),
        (
            "nosuch",
            None,
            (),
            "default",
            "no class matched: default (unknown AGENTGOV_TASK_CLASS=nosuch ignored)",
        ),
    ],
)
def test_choose_task_class(
    explicit: str | None, branch: str | None, paths: tuple[str, ...], expected: str, because: str
) -> None:
    choice = choose_task_class(POLICY, explicit=explicit, branch=branch, paths=paths)
    assert (choice.task_class.name, choice.because) == (expected, because)
