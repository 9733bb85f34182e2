from __future__ import annotations

import pytest

from agentgov.policy.globs import glob_problem, match_branch, match_name, match_path


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("docs/a.md", "docs/**", True),
        ("docs/deep/er/a.md", "docs/**", True),
        ("docs", "docs/**", False),
        ("src/docs/a.md", "docs/**", False),
        ("README.md", "*.md", True),
        ("docs/guide/intro.md", "*.md", True),
        ("README.mdx", "*.md", False),
        ("tests/unit/test_x.py", "**/test_*.py", True),
        ("test_x.py", "**/test_*.py", True),
        ("src/x_test.go", "**/*_test.*", True),
        ("infra/prod/main.tf", "infra/[a-z]*/**", True),
        ("infra/9/main.tf", "infra/[a-z]*/**", False),
        ("a/Dockerfile.dev", "**/Dockerfile*", True),
        ("Dockerfile", "**/Dockerfile*", True),
        (".github/workflows/ci.yml", ".github/workflows/**", True),
        ("x/.github/workflows/ci.yml", ".github/workflows/**", False),
        ("./docs/a.md", "docs/**", True),
        ("src/a?b.py", "src/a?b.py", True),
        ("src/a/b.py", "src/a?b.py", False),
    ],
)
def test_match_path(path: str, pattern: str, expected: bool) -> None:
    assert match_path(path, [pattern]) is expected


@pytest.mark.parametrize(
    ("branch", "expected"),
    [
        ("main", True),
        ("refs/heads/main", True),
        ("master", True),
        ("release/1.0", True),
        ("release/1.0/hotfix", False),
        ("mainline", False),
        ("feature/main", False),
        ("my-release/1", False),
    ],
)
def test_match_branch_default_protection(branch: str, expected: bool) -> None:
    assert match_branch(branch, ("main", "master", "release/*")) is expected


def test_match_branch_deep_glob() -> None:
    assert match_branch("hotfix/a/b", ["hotfix/**"])


@pytest.mark.parametrize(
    ("name", "pattern", "expected"),
    [
        ("gke_acme_prod-eu", "*prod*", True),
        ("PROD", "prod", True),
        ("db.prod.example.com", "*.prod.example.com", True),
        ("db.staging.example.com", "*.prod.example.com", False),
    ],
)
def test_match_name(name: str, pattern: str, expected: bool) -> None:
    assert match_name(name, [pattern]) is expected


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("", "an empty glob matches nothing"),
        ("a\\", "a glob cannot end with a backslash"),
        ("docs/[ab", "unclosed '[' in glob"),
        ("a**/b", "'**' must be a whole path segment (got 'a**'); use '*' within a name"),
        ("docs/**", None),
        ("[ab]*.md", None),
    ],
)
def test_glob_problem(pattern: str, problem: str | None) -> None:
    assert glob_problem(pattern) == problem
