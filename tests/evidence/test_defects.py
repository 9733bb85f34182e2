"""Defects that escaped: each revert form, Fixes:, an incident, revert chains, reverts of a
person's commit, unresolvable and ambiguous titles, a shallow clone, and the exact
``defect_escape_rate`` observations. Agent commits here carry Claude Code's trailer."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agentgov.audit.flush import flush_session
from agentgov.audit.journal import Journal
from agentgov.evidence.commit_evidence import CommitEvidence
from agentgov.git_layout import find_repo
from tests.evidence.conftest import CLAUDE, REF, Repo, governed
from tests.git_hooks.conftest import base_env


@dataclass(frozen=True)
class Built:
    repo: Repo
    shas: dict[str, str]
    evidence: CommitEvidence


def agent(repo: Repo, subject: str, path: str) -> str:
    return repo.commit(f"{subject}\n\n{CLAUDE}", path)


def revert(repo: Repo, *args: str) -> str:
    repo.clone.git("revert", "--no-edit", *args)
    return repo.clone.head()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    repo = governed(Path(tmp_path_factory.mktemp("defects")))
    s: dict[str, str] = {}
    s["clean"] = agent(repo, "clean agent change", "src/clean.py")
    s["reverted"] = agent(repo, "agent change reverted", "src/reverted.py")
    s["revert of reverted"] = revert(repo, s["reverted"])
    s["reference"] = agent(repo, "agent change reverted by reference", "src/reference.py")
    s["revert of reference"] = revert(repo, "--reference", s["reference"])
    repo.clone.git("checkout", "-q", "-b", "topic")
    repo.commit("topic work", "src/topic.py")
    repo.clone.git("checkout", "-q", "main")
    repo.clone.git("merge", "-q", "--no-ff", "-m", f"Merge topic\n\n{CLAUDE}", "topic")
    s["merge"] = repo.clone.head()
    s["revert of merge"] = revert(repo, "-m", "1", s["merge"])
    s["squash title"] = agent(repo, "agent change (#7)", "src/squashed.py")
    s["revert by title"] = repo.commit(
        'Revert "agent change (#7)" (#9)', "src/squashed.py", text=""
    )
    s["fixed"] = agent(repo, "agent change fixed", "src/fixed.py")
    s["fix"] = repo.commit(
        f'fix the fixed change\n\nFixes: {s["fixed"][:12]} ("agent change fixed")', "src/fixed.py"
    )
    s["incident"] = agent(repo, "agent change behind an incident", "src/incident.py")
    s["reapplied"] = agent(repo, "agent change reapplied", "src/reapplied.py")
    s["revert of reapplied"] = revert(repo, s["reapplied"])
    s["revert of revert"] = revert(repo, "HEAD")
    s["title reapplied"] = agent(repo, "agent title change", "src/title.py")
    s["title revert"] = repo.commit('Revert "agent title change"', "src/title.py", text="")
    s["title reapply"] = repo.commit('Reapply "agent title change"', "src/title.py", text="x\n")
    s["human"] = repo.commit("a person's change", "src/person.py")
    s["revert of human"] = revert(repo, s["human"])
    s["unresolvable"] = repo.commit('Revert "a change nobody made"', "src/none.py")
    s["bump 1"] = agent(repo, "Bump version", "VERSION")
    s["bump 2"] = repo.commit("Bump version", "VERSION", text="2\n")
    s["ambiguous"] = repo.commit('Revert "Bump version"', "VERSION", text="1\n")
    s["bad fix"] = repo.commit("fix something\n\nFixes: 0123456789ab", "src/bad.py")

    layout = find_repo(repo.path)
    assert layout is not None
    incident: dict[str, Any] = {
        "kind": "incident",
        "source": "cli",
        "task_class": "default",
        "commit": s["incident"],
        "detail": {
            "id": "INC-1",
            "event": "open",
            "severity": "high",
            "note": "outage",
            "reporter": "oncall@example.com",
        },
    }
    Journal(layout.state_dir).append("cli-oncall", incident)
    Journal(layout.state_dir).append(
        "cli-oncall",
        {**incident, "commit": "feedface" * 5, "detail": {**incident["detail"], "id": "INC-2"}},
    )
    flush_session(layout, REF, "cli-oncall", s["incident"])
    return Built(repo, s, repo.evidence())


ESCAPED = [
    ("clean", None),
    ("reverted", ("reverted by {revert of reverted}",)),
    ("reference", ("reverted by {revert of reference}",)),
    ("merge", ("reverted by {revert of merge}",)),
    ("squash title", ("reverted by {revert by title}",)),
    ("fixed", ("fixed by {fix}",)),
    ("incident", ("incident INC-1",)),
    ("reapplied", None),
    ("title reapplied", None),
    ("bump 1", None),
]


@pytest.mark.parametrize(("label", "why"), ESCAPED, ids=[row[0] for row in ESCAPED])
def test_which_agent_commits_escaped_and_why(
    built: Built, label: str, why: tuple[str, ...] | None
) -> None:
    expected = (
        tuple(reason.format_map({k: v[:12] for k, v in built.shas.items()}) for reason in why)
        if why
        else None
    )
    assert built.evidence.escaped.get(built.shas[label]) == expected


def test_observations_one_per_agent_commit_with_exact_values(built: Built) -> None:
    labels = {sha: label for label, sha in built.shas.items()}
    observed = sorted((labels[o.subject], o.value) for o in built.evidence.observations)
    assert observed == sorted(
        [
            ("clean", 0.0),
            ("reverted", 1.0),
            ("reference", 1.0),
            ("merge", 1.0),
            ("squash title", 1.0),
            ("fixed", 1.0),
            ("incident", 1.0),
            ("reapplied", 0.0),
            ("title reapplied", 0.0),
            ("bump 1", 0.0),
        ]
    )
    assert {o.metric for o in built.evidence.observations} == {"defect_escape_rate"}


def test_a_revert_of_a_persons_commit_is_no_observation(built: Built) -> None:
    subjects = {o.subject for o in built.evidence.observations}
    assert built.shas["human"] not in subjects
    assert built.shas["revert of human"] not in subjects


def test_links_that_do_not_resolve_are_counted_not_dropped(built: Built) -> None:
    s = {k: v[:12] for k, v in built.shas.items()}
    unseen = {(u.what, u.count, u.detail) for u in built.evidence.unseen}
    assert unseen == {
        (
            "fix-unresolved",
            1,
            (f"{s['bad fix']} Fixes: 0123456789ab: no such commit in this history",),
        ),
        (
            "incident-unresolved",
            1,
            (f"incident INC-2 names {'feedface' * 5}: no such commit in this history",),
        ),
        (
            "revert-ambiguous",
            1,
            (f'{s["ambiguous"]} Revert "Bump version": 2 older commits have this subject',),
        ),
        (
            "revert-unresolved",
            1,
            (
                f'{s["unresolvable"]} Revert "a change nobody made": '
                "no older commit has this subject",
            ),
        ),
    }


def test_a_shallow_clone_says_what_it_could_not_see(built: Built, tmp_path: Path) -> None:
    repo = built.repo
    repo.clone.git("push", "-q", "origin", "main")
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "6", f"file://{repo.clone.remote}", str(shallow)],
        env=base_env(repo.clone.home),
        check=True,
    )
    from agentgov.evidence.commit_evidence import commit_evidence
    from agentgov.policy.in_force import policy_in_force

    policy = policy_in_force(repo.path).policy
    evidence = commit_evidence(shallow, policy, (), "HEAD")
    s = built.shas
    # Six commits, from the bad fix back to the revert of the person's commit.
    assert evidence.shallow == (s["revert of human"],)
    by_kind = {u.what: u for u in evidence.unseen}
    assert by_kind["shallow-history"].count == 1
    assert (
        by_kind["shallow-history"]
        .detail[0]
        .startswith(
            f"history stops at {s['revert of human'][:12]}: its parents and everything older"
        )
    )
    assert by_kind["revert-unresolved"].detail == (
        f'{s["unresolvable"][:12]} Revert "a change nobody made": no older commit has this subject',
        f"{s['revert of human'][:12]} reverts {s['human']}: no such commit in this history",
    )
    assert [a.sha for a in evidence.agent_commits] == [s["bump 1"]]
