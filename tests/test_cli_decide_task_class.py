"""`agentgov decide` places a shell command as the hook does: the paths it writes choose
the task class, relative to the repository that holds them, whatever the cwd."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli_decide import agentgov


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("sed -i 's/3.11/3.12/' Dockerfile", ("ask", "infra", 2)),
        ("echo 'RUN id' >> Dockerfile", ("ask", "infra", 2)),
        ("cat > .github/workflows/ci.yml <<'EOF'\non: push\nEOF", ("ask", "infra", 2)),
        ("cat Dockerfile", ("allow", "default", 3)),
        ("cp Dockerfile /tmp/Dockerfile.bak", ("allow", "default", 3)),
    ],
)
def test_decide_takes_the_task_class_from_the_paths_written(
    repo: Path, command: str, expected: tuple[str, str, int]
) -> None:
    done = agentgov(repo, "decide", "--format", "json", "--", command)
    decision = json.loads(done.stdout)
    assert (decision["decision"], decision["task_class"], decision["level"]) == expected


@pytest.mark.parametrize("where", ["parent", "/"])
def test_decide_judges_a_write_into_a_repository_from_outside_it_by_that_repository(
    repo: Path, where: str
) -> None:
    cwd = repo.parent if where == "parent" else Path(where)
    done = agentgov(cwd, "decide", "--format", "json", "--", f"echo x >> {repo}/Dockerfile")
    decision = json.loads(done.stdout)
    assert (decision["decision"], decision["task_class"], decision["level"]) == ("ask", "infra", 2)
    tamper = agentgov(cwd, "decide", "--", f"echo 'version: 1' > {repo}/.agentgov/policy.yaml")
    assert tamper.returncode == 1
    assert "guard.tamper" in tamper.stdout


def test_decide_batch_places_each_line_by_the_paths_it_writes(repo: Path) -> None:
    lines = [
        {"command": "cat Dockerfile"},
        {"command": "sed -i 's/3.11/3.12/' Dockerfile"},
        {"command": "ls"},
        {"command": "echo 'RUN id' >> Dockerfile"},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines)
    done = agentgov(repo, "decide", "--batch", stdin=stdin)
    got = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(d["decision"], d["task_class"], d["level"]) for d in got] == [
        ("allow", "default", 3),
        ("ask", "infra", 2),
        ("allow", "default", 3),
        ("ask", "infra", 2),
    ]
