"""Which commits of the protected branch are an agent's, why, and their task class.

One history is built for the whole table: tool calls replayed through the Claude Code
hook, commits made with and without the agent session's environment (post-commit), each
built-in marker, records parked on a person's commit by a push, and a pull request merged
by squash with and without ``agentgov audit reattach``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from agentgov.evidence.commit_evidence import CommitEvidence
from tests.evidence.conftest import CLAUDE, IN_SESSION, Repo, governed

MARKERS = {
    "claude": ("marker claude", {}, CLAUDE),
    "aider co-author": (
        "marker aider",
        {},
        "Co-authored-by: aider (anthropic/claude-sonnet-4) <aider@aider.chat>",
    ),
    "aider author": ("marker aider author", {"GIT_AUTHOR_NAME": "Dev Person (aider)"}, ""),
    "aider committer": (
        "marker aider committer",
        {"GIT_COMMITTER_NAME": "Dev Person (aider)"},
        "",
    ),
    "copilot author": (
        "marker copilot",
        {
            "GIT_AUTHOR_NAME": "copilot-swe-agent[bot]",
            "GIT_AUTHOR_EMAIL": "198982749+Copilot@users.noreply.github.com",
        },
        "",
    ),
    "codex": ("marker codex", {}, "Co-authored-by: Codex <noreply@openai.com>"),
    "cursor": ("marker cursor", {}, "Co-authored-by: Cursor <cursoragent@cursor.com>"),
    "made with cursor": ("marker made-with", {}, "Made-with: Cursor"),
    "gemini": ("marker gemini", {}, "Co-authored-by: Gemini <gemini-cli@google.com>"),
    "assisted-by": ("marker assisted", {}, "Assisted-by: Claude:claude-opus-4"),
}
"""label: (subject, environment, trailer)."""


@dataclass(frozen=True)
class Built:
    repo: Repo
    shas: dict[str, str]
    evidence: CommitEvidence


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    repo = governed(Path(tmp_path_factory.mktemp("agents")))
    shas: dict[str, str] = {}
    shas["human"] = repo.commit("a person's change", "src/person.py")
    assert repo.edit("docs/guide.md", 1) == "allow"
    assert repo.bash("pytest -q", 2) == "allow"
    shas["trail only"] = repo.commit("person commits the agent's docs edit", "docs/guide.md")
    shas["post-commit CLAUDECODE"] = repo.commit(
        "agent commit, no tool records", "tests/test_unit.py", env={"CLAUDECODE": "1"}
    )
    shas["post-commit AGENTGOV_AGENT"] = repo.commit(
        "other agent", "src/other.py", env={"AGENTGOV_AGENT": "1"}
    )
    shas["post-commit CLAUDE_CODE_ENTRYPOINT"] = repo.commit(
        "sdk agent", "infra/main.tf", "docs/infra.md", env={"CLAUDE_CODE_ENTRYPOINT": "sdk-py"}
    )
    assert repo.edit("docs/api.md", 3) == "allow"
    assert repo.edit("src/app.py", 4) == "allow"
    shas["post-commit and trail"] = repo.commit(
        "agent edits docs and code", "docs/api.md", "src/app.py", env=IN_SESSION
    )
    for label, (subject, env, trailer) in MARKERS.items():
        message = f"{subject}\n\n{trailer}" if trailer else subject
        shas[label] = repo.commit(message, f"src/{label.replace(' ', '_')}.py", env=env)

    # Records written after a person's commit, parked on it by the push.
    shas["parked on"] = repo.commit("a person's commit before the push", "src/pushed.py")
    assert repo.edit("docs/late.md", 5) == "allow"
    repo.clone.git("push", "-q", "origin", "main")

    # A pull request of two agent commits, merged by squash and reattached.
    repo.clone.git("checkout", "-q", "-b", "feature")
    assert repo.edit("docs/feature.md", 6) == "allow"
    shas["pr 1"] = repo.commit("feature part 1", "docs/feature.md", env=IN_SESSION)
    assert repo.edit("docs/feature2.md", 7) == "allow"
    shas["pr 2"] = repo.commit("feature part 2", "docs/feature2.md", env=IN_SESSION)
    repo.clone.git("checkout", "-q", "main")
    repo.clone.git("merge", "-q", "--squash", "feature")
    shas["squash reattached"] = repo.commit("Feature (#1)")
    done = repo.agentgov("audit", "reattach", "main~1..feature", "--onto", "HEAD")
    assert done.returncode == 0, done.stderr

    # Another pull request squashed without reattach and without markers.
    repo.clone.git("checkout", "-q", "-b", "other")
    assert repo.edit("docs/other.md", 8) == "allow"
    repo.commit("other part", "docs/other.md", env=IN_SESSION)
    repo.clone.git("checkout", "-q", "main")
    repo.clone.git("merge", "-q", "--squash", "other")
    shas["squash plain"] = repo.commit("Other (#2)")
    return Built(repo, shas, repo.evidence())


def short(sha: str) -> str:
    return sha[:12]


WHY = [
    ("human", None),
    ("trail only", ("trail",)),
    ("post-commit CLAUDECODE", ("post-commit (CLAUDECODE)",)),
    ("post-commit AGENTGOV_AGENT", ("post-commit (AGENTGOV_AGENT)",)),
    ("post-commit CLAUDE_CODE_ENTRYPOINT", ("post-commit (CLAUDE_CODE_ENTRYPOINT)",)),
    ("post-commit and trail", ("post-commit (CLAUDECODE)", "trail")),
    ("claude", (f"marker: {CLAUDE}",)),
    (
        "aider co-author",
        ("marker: Co-authored-by: aider (anthropic/claude-sonnet-4) <aider@aider.chat>",),
    ),
    ("aider author", ("marker: Author: Dev Person (aider) <author@example.com>",)),
    ("aider committer", ("marker: Committer: Dev Person (aider) <author@example.com>",)),
    (
        "copilot author",
        ("marker: Author: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",),
    ),
    ("codex", ("marker: Co-authored-by: Codex <noreply@openai.com>",)),
    ("cursor", ("marker: Co-authored-by: Cursor <cursoragent@cursor.com>",)),
    ("made with cursor", ("marker: Made-with: Cursor",)),
    ("gemini", ("marker: Co-authored-by: Gemini <gemini-cli@google.com>",)),
    ("assisted-by", ("marker: Assisted-by: Claude:claude-opus-4",)),
    ("parked on", None),
    ("squash plain", None),
]


@pytest.mark.parametrize(("label", "why"), WHY, ids=[row[0] for row in WHY])
def test_which_commits_are_the_agents_and_why(
    built: Built, label: str, why: tuple[str, ...] | None
) -> None:
    agents = {agent.sha: agent for agent in built.evidence.agent_commits}
    found = agents.get(built.shas[label])
    assert (found.why if found else None) == why


def test_a_squash_merge_carrying_reattached_records_is_the_agents(built: Built) -> None:
    agents = {agent.sha: agent for agent in built.evidence.agent_commits}
    squash = agents[built.shas["squash reattached"]]
    assert squash.why == tuple(
        sorted(f"reattached from {short(built.shas[pr])}" for pr in ("pr 1", "pr 2"))
    )
    # The pull request's own commits are not on main: only the squash commit counts.
    assert built.shas["pr 1"] not in agents
    assert built.shas["pr 2"] not in agents


def test_records_parked_by_a_push_stay_in_the_trail_but_make_no_agent_commit(
    built: Built,
) -> None:
    note = built.repo.note(built.shas["parked on"])
    parked = [r for r in note if r.get("event") == "parked"]
    assert [(r["kind"], r["commit"]) for r in parked] == [("session", built.shas["parked on"])]
    assert [r["input"] for r in note if r["kind"] == "decision"] == [
        str(built.repo.path / "docs/late.md")
    ]


TASK_CLASS = [
    (
        "trail only",
        "docs",
        "recorded by its decisions (1 edit(s) by Edit; the most restrictive: docs, level 4)",
    ),
    (
        "post-commit and trail",
        "default",
        "recorded by its decisions (2 edit(s) by Edit; the most restrictive: default, level 3)",
    ),
    ("post-commit CLAUDECODE", "tests", "changed paths: path tests/test_unit.py matches tests"),
    ("post-commit AGENTGOV_AGENT", "default", "changed paths: no class matched: default"),
    ("post-commit CLAUDE_CODE_ENTRYPOINT", "infra", None),
    ("squash reattached", "docs", None),
    ("claude", "default", "changed paths: no class matched: default"),
]


@pytest.mark.parametrize(
    ("label", "task_class", "because"), TASK_CLASS, ids=[row[0] for row in TASK_CLASS]
)
def test_task_class_of_each_agent_commit(
    built: Built, label: str, task_class: str, because: str | None
) -> None:
    agents = {agent.sha: agent for agent in built.evidence.agent_commits}
    agent = agents[built.shas[label]]
    assert agent.task_class == task_class
    if because is not None:
        assert agent.task_class_because.startswith(because)


def test_the_post_commit_record_names_the_commit_and_the_marker(built: Built) -> None:
    sha = built.shas["post-commit and trail"]
    records = [r for r in built.repo.note(sha) if r.get("event") == "commit"]
    assert [
        {k: v for k, v in r.items() if k not in ("ts", "prev", "seq", "session")} for r in records
    ] == [
        {
            "v": 1,
            "kind": "session",
            "event": "commit",
            "source": "git",
            "commit": sha,
            "branch": "main",
            "detail": {"marker": "CLAUDECODE", "entrypoint": "cli"},
        }
    ]
    assert records[0]["session"].startswith("git-")


def test_the_trail_with_these_records_verifies(built: Built) -> None:
    done = built.repo.agentgov("audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr


def test_agent_commits_and_their_observations(built: Built) -> None:
    agents = built.evidence.agent_commits
    observed = [(o.metric, o.task_class, o.value, o.subject) for o in built.evidence.observations]
    assert observed == [
        ("defect_escape_rate", agent.task_class, 0.0, agent.sha) for agent in agents
    ]
    times = {o.subject: o.time for o in built.evidence.observations}
    committed = {
        sha: float(built.repo.clone.git("log", "-1", "--format=%ct", sha)) for sha in times
    }
    assert times == committed
