"""`agentgov status` on a small history written through the real hook: the text exactly,
the exit code when a rollback trigger is breached, and the JSON verdicts."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import git
from tests.evidence.test_metrics_trail import agentgov, history  # noqa: F401 - the fixture

POLICY = """\
version: 1
task_classes:
  default: {level: execute-gated}
ladder:
  execute-sandboxed:
    - {metric: approval_rate, op: ">=", threshold: 0.5, window: 14d, min_samples: 2}
    - {metric: approval_rate, op: ">=", threshold: 0.5, window: 14d, min_samples: 2,
       confidence: 0.95}
    - {metric: intervention_rate, op: "<=", threshold: 0.1, window: 14d, min_samples: 5}
rollback:
  - {metric: deny_rate, op: ">", threshold: 0.1, window: 14d, min_samples: 5,
     action: {demote_by: 1}}
  - {incident: production, action: {reset_to: propose}}
"""

EXPECTED = "\n".join(
    [
        "policy in force: main:.agentgov/policy.yaml (branch)",
        "measured at {at}",
        "default: level 3 execute-gated, acts at 3",
        "  to 4 execute-sandboxed:",
        "    pass         approval_rate >= 0.5 over 14d (min 2 samples): 0.5000 (1/2)",
        "    fail         approval_rate >= 0.5 at 0.95 confidence over 14d (min 2 samples): "
        "0.5000 (1/2), bound 0.1209",
        "    insufficient intervention_rate <= 0.1 over 14d (min 5 samples): 0.5000 (1/2), "
        "3 more samples needed",
        "  rollback:",
        "    deny_rate > 0.1 over 14d (min 5 samples) -> demote by 1: 0.1667 (1/6), "
        "headroom -0.0667: BREACHED",
        "    incident production -> reset to 2 propose: no open incident",
        "",
    ]
)


def test_status_text_of_a_small_history(history: Path) -> None:  # noqa: F811
    (history / ".agentgov" / "policy.yaml").write_text(POLICY)
    git(history, "add", ".agentgov")
    git(history, "commit", "-q", "-m", "a small ladder")
    done = agentgov(history, "status")
    at = git(history, "rev-parse", "HEAD").strip()
    assert done.stdout == EXPECTED.format(at=at[:12])
    assert done.returncode == 1  # a breached rollback trigger


def test_status_json_verdicts(history: Path) -> None:  # noqa: F811
    (history / ".agentgov" / "policy.yaml").write_text(POLICY)
    git(history, "add", ".agentgov")
    git(history, "commit", "-q", "-m", "a small ladder")
    report = json.loads(agentgov(history, "status", "--format", "json").stdout)
    default = report["task_classes"]["default"]
    assert [(c["metric"], c["verdict"], c["samples"]) for c in default["exit_criteria"]] == [
        ("approval_rate", "pass", 2),
        ("approval_rate", "fail", 2),
        ("intervention_rate", "insufficient", 2),
    ]
    assert [(t["action"], t["breached"]) for t in default["rollback"]] == [
        ("demote by 1", True),
        ("reset to 2 propose", False),
    ]


def test_status_shows_the_level_the_hook_acts_at(tmp_path: Path) -> None:
    """The kill switch from the environment, and an incident a fresh clone knows only from
    the trail, lower the effective level as the hook's placement does."""
    from tests.evidence.conftest import governed

    first = governed(tmp_path)
    recorded = first.agentgov(
        "incident", "record", "--task-class", "default", "--severity", "production",
        "--note", "bad deploy",
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    assert first.clone.run("push", "-q", "origin", "refs/notes/agentgov").returncode == 0
    fresh = governed(tmp_path, "fresh", first.clone.remote)
    fresh.clone.git("fetch", "-q", "origin", "refs/notes/agentgov:refs/notes/agentgov")

    def default_class(*, env: dict[str, str] | None = None) -> tuple[int, int, str]:
        done = fresh.agentgov("status", "--format", "json", env=env)
        row = json.loads(done.stdout)["task_classes"]["default"]
        return row["level"], row["effective_level"], row["effective_why"]

    level, effective, why = default_class()
    assert (level, effective) == (3, 2)
    assert why.startswith("open incident ")
    assert "resets default to level 2 propose" in why
    killed = {**os.environ, "AGENTGOV_KILL": "1"}
    assert default_class(env=killed)[1:] == (
        1,
        why + "; kill switch engaged by AGENTGOV_KILL in the environment (no reason given)",
    )


def test_status_says_once_that_an_edited_working_copy_is_a_proposal(tmp_path: Path) -> None:
    from tests.evidence.conftest import governed

    repo = governed(tmp_path)
    policy = repo.path / ".agentgov" / "policy.yaml"
    policy.write_text(
        policy.read_text().replace("review_sample_rate: 0.1", "review_sample_rate: 0.2")
    )
    first = repo.agentgov("status").stdout.splitlines()[0]
    assert first == (
        "policy in force: origin/main:.agentgov/policy.yaml (branch); "
        "the working copy differs: it is a proposal until merged"
    )
