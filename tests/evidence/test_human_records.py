"""``agentgov audit review``, ``agentgov ci record`` and ``agentgov audit sample`` run as
processes: the records reach the note of the commit they are about and verify, their
observations have exact values, clocks that disagree are reported, and the sample picks
the same commits in two clones."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from tests.evidence.conftest import CLAUDE, REF, Repo, governed

STRIP = ("ts", "prev", "seq", "session", "v")


def human_records(repo: Repo, commit: str) -> list[dict[str, object]]:
    return [
        {k: v for k, v in r.items() if k not in STRIP}
        for r in repo.note(commit)
        if r["kind"] in ("review", "ci")
    ]


def test_review_and_ci_records_reach_the_commits_note_and_verify(repo: Repo) -> None:
    work = repo.commit(f"agent change\n\n{CLAUDE}", "src/a.py")
    person = repo.commit("a person's change", "src/b.py")
    github = {"GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "2"}
    steps = [
        ("audit", "review", work[:10], "--disagree", "--note", "wrong fix"),
        ("audit", "review", work, "--agree"),
        ("ci", "record", "--status", "fail", "--commit", work, "--url", "https://ci/1"),
        ("ci", "record", "--status", "pass", "--commit", person),
    ]
    outputs = []
    for step in steps:
        done = repo.agentgov(*step, env=github if step[0] == "ci" else None)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.strip())
    assert outputs[3].endswith("; run github-4242-2 (from GITHUB_RUN_ID/GITHUB_RUN_ATTEMPT)")
    assert human_records(repo, work) == [
        {
            "kind": "review",
            "source": "cli",
            "commit": work,
            "verdict": "disagree",
            "detail": {"reviewer": "author@example.com", "note": "wrong fix"},
        },
        {
            "kind": "review",
            "source": "cli",
            "commit": work,
            "verdict": "agree",
            "detail": {"reviewer": "author@example.com", "note": ""},
        },
        {
            "kind": "ci",
            "source": "ci",
            "commit": work,
            "verdict": "fail",
            "detail": {
                "run": "github-4242-2",
                "run_from": "GITHUB_RUN_ID/GITHUB_RUN_ATTEMPT",
                "url": "https://ci/1",
            },
        },
    ]
    sessions = {r["session"] for r in repo.note(work) if r["kind"] in ("review", "ci")}
    assert sessions == {"cli-" + repo_user(repo)} | {
        s for s in sessions if s.startswith("ci-github-4242-2-")
    }
    verified = repo.agentgov("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    evidence = repo.evidence()
    observed = sorted(
        (o.metric, o.value, o.subject)
        for o in evidence.observations
        if o.metric != "defect_escape_rate"
    )
    # The person's commit is no agent commit: its CI record is no observation.
    assert observed == [
        ("audit_disagreement_rate", 0.0, work),
        ("audit_disagreement_rate", 1.0, work),
        ("ci_failure_rate", 1.0, work),
    ]
    assert evidence.reviewed == frozenset({work})


def repo_user(repo: Repo) -> str:
    import getpass

    return getpass.getuser()


def test_ci_record_without_a_known_ci_generates_a_run_and_says_so(repo: Repo) -> None:
    done = repo.agentgov("ci", "record", "--status", "pass")
    assert done.returncode == 0, done.stderr
    assert "(from generated)" in done.stdout
    [record] = [r for r in repo.note(repo.clone.head()) if r["kind"] == "ci"]
    assert record["detail"]["run"].startswith("local-")
    assert record["session"].startswith(f"ci-{record['detail']['run']}-")


BAD = [
    (("audit", "review", "HEAD"), {}, 2, "give exactly one of --agree or --disagree"),
    (("audit", "review", "HEAD", "--agree", "--disagree"), {}, 2, "give exactly one"),
    (("audit", "review", "nosuchcommit", "--agree"), {}, 2, "nosuchcommit: no such commit"),
    (("audit", "review", "HEAD", "--agree"), {"CLAUDECODE": "1"}, 1, "this is an agent session"),
    (("ci", "record", "--status", "pass"), {"AGENTGOV_AGENT": "1"}, 1, "agent session"),
    (("audit", "sample", "--rate", "2"), {}, 2, "--rate 2.0: give a share from 0 to 1"),
]


def test_bad_input_and_agents_are_refused_with_what_to_do(repo: Repo) -> None:
    for args, env, code, message in BAD:
        done = repo.agentgov(*args, env=env)
        assert (done.returncode, message in done.stderr) == (code, True), (args, done.stderr)
    assert repo.clone.run("notes", "--ref", REF, "list").stdout == ""  # nothing written
    journal = repo.path / ".git" / "agentgov" / "journal"
    assert sorted(p.name for p in journal.glob("*.jsonl")) == []


def test_clock_skew_records_older_than_their_commit_are_reported(repo: Repo) -> None:
    ahead = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(time.time() + 86400))
    work = repo.commit(f"made on a clock a day ahead\n\n{CLAUDE}", "src/x.py")
    repo.clone.git("commit", "-q", "--amend", "--no-edit", env={"GIT_COMMITTER_DATE": ahead})
    work = repo.clone.head()
    assert repo.agentgov("audit", "review", work, "--agree").returncode == 0
    evidence = repo.evidence()
    committed = float(repo.clone.git("log", "-1", "--format=%ct", work))
    review = [o for o in evidence.observations if o.metric == "audit_disagreement_rate"]
    assert [(o.time, o.value) for o in review] == [(committed, 0.0)]
    assert len(evidence.skewed) == 1
    assert evidence.skewed[0].endswith(f"is older than commit {work[:12]}")


def picked(sha: str, rate: float) -> bool:
    """The sampling rule as documented: sha256 of the id, first 64 bits, below the rate."""
    return int(hashlib.sha256(sha.encode()).hexdigest()[:16], 16) / 2**64 < rate


def test_the_sample_is_the_same_in_two_clones_and_leaves_reviewed_commits_out(
    tmp_path: Path,
) -> None:
    first = governed(tmp_path, "first")
    agents = [
        first.commit(f"agent change {n}\n\n{CLAUDE}", f"docs/n{n}.md" if n % 2 else f"src/{n}.py")
        for n in range(12)
    ]
    first.clone.git("push", "-q", "origin", "main")
    second = governed(tmp_path, "second", first.clone.remote)

    def sample(repo: Repo) -> dict[str, list[str]]:
        done = repo.agentgov("audit", "sample", "--rate", "0.5", "--format", "json")
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        return {
            name: [p["commit"] for p in picks] for name, picks in report["task_classes"].items()
        }

    expected = [sha for sha in reversed(agents) if picked(sha, 0.5)]
    in_first = sample(first)
    assert sorted(sha for picks in in_first.values() for sha in picks) == sorted(expected)
    assert in_first == {
        name: [sha for sha in expected if (agents.index(sha) % 2 == 1) == (name == "docs")]
        for name in in_first
    }
    assert set(in_first) <= {"docs", "default"}
    second_report = sample(second)
    assert second_report == in_first

    reviewed = expected[0]
    assert first.agentgov("audit", "review", reviewed, "--agree").returncode == 0
    after = sample(first)
    assert sorted(sha for picks in after.values() for sha in picks) == sorted(expected[1:])
    text = first.agentgov("audit", "sample", "--rate", "0.5").stdout
    assert f"run: agentgov audit review {expected[1][:12]} --agree|--disagree" in text
    assert f"({1} already reviewed)" in text


def test_reviews_and_ci_results_count_in_the_window_of_the_commit_they_are_about(
    repo: Repo,
) -> None:
    """Recorded after the branch's last commit, they still count at that commit: a review
    is evidence about its commit, not an event of the day it was written."""
    work = repo.commit(f"agent change\n\n{CLAUDE}", "src/a.py")
    time.sleep(1.1)  # the records' ts is then later than every commit time
    for step in (
        ("audit", "review", work, "--disagree", "--note", "wrong fix"),
        ("ci", "record", "--status", "fail", "--commit", work),
    ):
        assert repo.agentgov(*step).returncode == 0
    done = repo.agentgov("metrics", "--task-class", "default", "--format", "json")
    measured = json.loads(done.stdout)["task_classes"]["default"]["metrics"]
    assert {
        name: (measured[name]["numerator"], measured[name]["denominator"])
        for name in ("audit_disagreement_rate", "ci_failure_rate")
    } == {"audit_disagreement_rate": (1, 1), "ci_failure_rate": (1, 1)}
