"""The GitHub workflow's steps, run for real: each step's shell, as the runner runs it
(``bash --noprofile --norc -eo pipefail``, its ``env:`` evaluated), in a clone of a real bare
remote whose history and trail were made by agentgov's own hooks. Only the pip installs
are not run: the agentgov under test is on PATH instead.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.ci_template import EXPRESSION, step
from tests.evidence.conftest import CLAUDE, IN_SESSION, REF, Repo, governed
from tests.git_hooks.conftest import AGENTGOV, base_env

TOKEN = "ghs_not_a_real_token"


@dataclass(frozen=True)
class Runner:
    """A CI clone of ``remote`` (as checkout leaves it: every branch, no notes) and the
    runner's environment for it."""

    path: Path
    remote: Path
    temp: Path
    home: Path

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=base_env(self.home),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def run(
        self, job: str, name: str, context: dict[str, str], event: str, sha: str
    ) -> subprocess.CompletedProcess[str]:
        """Run the step ``name`` of ``job`` as the runner would, on ``event`` at ``sha``."""
        found = step(job, name)
        env = {
            key: value
            for key, value in base_env(self.home).items()
            if not key.startswith(("GITHUB_", "CI_", "RUNNER_")) and key != "CI"
        }
        env.update(
            {
                "PATH": f"{AGENTGOV.parent}{os.pathsep}{os.environ['PATH']}",
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_EVENT_NAME": event,
                "GITHUB_REF": "refs/heads/main" if event == "push" else "refs/pull/7/merge",
                "GITHUB_SHA": sha,
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_REPOSITORY": "example/project",
                "GITHUB_RUN_ID": "4242",
                "GITHUB_RUN_ATTEMPT": "1",
                "GITHUB_STEP_SUMMARY": str(self.temp / "summary.md"),
                "GITHUB_OUTPUT": str(self.temp / "output"),
                "RUNNER_TEMP": str(self.temp),
            }
        )
        for key, value in found.get("env", {}).items():
            env[key] = EXPRESSION.sub(lambda match: context[match[1]], str(value))
        script = self.temp / "step.sh"
        script.write_text(found["run"])
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )


def runner(repo: Repo, tmp_path: Path) -> Runner:
    path = tmp_path / "runner-clone"
    home = repo.clone.home
    subprocess.run(
        ["git", "clone", "-q", str(repo.clone.remote), str(path)],
        env=base_env(home),
        check=True,
    )
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    return Runner(path, repo.clone.remote, temp, home)


def remote_notes(remote: Path) -> str:
    done = subprocess.run(
        ["git", "--git-dir", str(remote), "for-each-ref", "--format=%(objectname)", REF],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def note_lines(clone: Runner, commit: str) -> list[dict[str, object]]:
    done = subprocess.run(
        ["git", "notes", "--ref", REF, "show", commit],
        cwd=clone.path,
        env=base_env(clone.home),
        capture_output=True,
        text=True,
        check=False,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def agent_feature(repo: Repo, branch: str = "feature") -> str:
    """Two agent commits on ``branch`` (edits through the real hook, committed in the
    session, so their notes hold the records), pushed as pull request #7's head."""
    repo.clone.git("checkout", "-q", "-b", branch)
    assert repo.edit("docs/feature.md", 1) == "allow"
    repo.commit("feature part 1", "docs/feature.md", env=IN_SESSION)
    assert repo.edit("docs/feature2.md", 2) == "allow"
    head = repo.commit("feature part 2", "docs/feature2.md", env=IN_SESSION)
    repo.clone.git("push", "-q", "origin", f"{branch}:refs/pull/7/head")
    repo.clone.git("checkout", "-q", "main")
    return head


def test_the_trail_fetch_succeeds_on_a_first_run_and_fetches_the_notes_after(
    tmp_path: Path,
) -> None:
    repo = governed(tmp_path)
    assert remote_notes(repo.clone.remote) == ""
    ci = runner(repo, tmp_path)
    head = ci.git("rev-parse", "HEAD").strip()
    context = {"github.token": TOKEN}
    for job in ("check", "record"):
        done = ci.run(job, "Fetch the audit trail", context, "pull_request", head)
        assert done.returncode == 0, done.stderr
        assert "::notice::origin has no refs/notes/agentgov yet" in done.stdout
        assert TOKEN not in done.stdout + done.stderr

    feature = agent_feature(repo)
    assert remote_notes(repo.clone.remote)  # the pre-push hook shared the trail
    for job in ("check", "record"):
        done = ci.run(job, "Fetch the audit trail", context, "pull_request", head)
        assert done.returncode == 0, done.stderr
        assert ci.git("rev-parse", REF).strip() == remote_notes(repo.clone.remote)
    ci.git("fetch", "-q", "origin", "refs/pull/7/head")
    assert any(record.get("kind") == "decision" for record in note_lines(ci, feature))


def test_the_trail_fetch_fails_when_origin_cannot_be_read(tmp_path: Path) -> None:
    repo = governed(tmp_path)
    ci = runner(repo, tmp_path)
    ci.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    for job in ("check", "record"):
        done = ci.run(job, "Fetch the audit trail", {"github.token": TOKEN}, "push", "HEAD")
        assert done.returncode != 0
        assert "no refs/notes/agentgov yet" not in done.stdout


def test_the_pins_come_from_the_base_branch_not_the_pull_request(tmp_path: Path) -> None:
    repo = governed(tmp_path)
    base_pin = "agentgov @ git+https://github.com/example/agentgov@" + "1" * 40
    done = repo.agentgov("init", "--ci", "github", "--agentgov-pin", base_pin)
    assert done.returncode == 0, done.stderr
    repo.clone.git("add", ".github")
    repo.clone.git("commit", "-q", "-m", "the CI gate")
    repo.clone.git("push", "-q", "origin", "main")
    # The pull request pins another agentgov: the one that would judge it, if it could.
    repo.clone.git("checkout", "-q", "-b", "feature")
    done = repo.agentgov(
        "init", "--ci", "github", "--force", "--agentgov-pin", base_pin.replace("1", "2")
    )
    assert done.returncode == 0, done.stderr
    head = repo.commit("use my own agentgov", ".github/agentgov/agentgov.txt")
    repo.clone.git("push", "-q", "origin", "feature")

    ci = runner(repo, tmp_path)
    ci.git("checkout", "-q", head)
    context = {"github.base_ref": "main", "github.event.pull_request.head.sha": head}
    done = ci.run("check", "Read the pins from the base branch", context, "pull_request", head)
    assert done.returncode == 0, done.stderr
    pins = ci.temp / "agentgov-pins"
    assert (pins / "agentgov.txt").read_text().splitlines()[-1] == base_pin
    for name in ("requirements.txt", "build-requirements.txt"):
        assert (pins / name).read_text() == ci.git("show", f"origin/main:.github/agentgov/{name}")
    assert "::warning::" not in done.stdout


def test_the_pull_request_that_adds_the_gate_uses_its_own_pins_and_says_so(
    tmp_path: Path,
) -> None:
    repo = governed(tmp_path)
    repo.clone.git("checkout", "-q", "-b", "add-gate")
    pin = "agentgov @ git+https://github.com/example/agentgov@" + "3" * 40
    assert repo.agentgov("init", "--ci", "github", "--agentgov-pin", pin).returncode == 0
    repo.clone.git("add", ".github")
    head = repo.commit("add the CI gate")
    repo.clone.git("push", "-q", "origin", "add-gate")

    ci = runner(repo, tmp_path)
    context = {"github.base_ref": "main", "github.event.pull_request.head.sha": head}
    done = ci.run("check", "Read the pins from the base branch", context, "pull_request", head)
    assert done.returncode == 0, done.stderr
    assert "::warning::origin/main has no .github/agentgov/agentgov.txt" in done.stdout
    assert (ci.temp / "agentgov-pins" / "agentgov.txt").read_text().splitlines()[-1] == pin


def test_a_clean_pull_request_passes_both_checks_and_writes_the_sarif(tmp_path: Path) -> None:
    repo = governed(tmp_path)
    head = agent_feature(repo)
    ci = runner(repo, tmp_path)
    context = {
        "github.token": TOKEN,
        "github.base_ref": "main",
        "github.event.pull_request.head.sha": head,
    }
    assert ci.run("check", "Fetch the audit trail", context, "pull_request", head).returncode == 0
    ci.git("fetch", "-q", "origin", "refs/pull/7/head")

    done = ci.run("check", "agentgov check", context, "pull_request", head)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::error" not in done.stdout
    assert (ci.temp / "summary.md").read_text().strip()
    done = ci.run(
        "check", "agentgov check (SARIF for code scanning)", context, "pull_request", head
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sarif = json.loads((ci.path / "agentgov.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert [r for run in sarif["runs"] for r in run["results"] if r["level"] == "error"] == []


def test_an_agent_s_edit_of_the_gate_fails_both_checks_with_the_finding(tmp_path: Path) -> None:
    repo = governed(tmp_path)
    repo.clone.git("checkout", "-q", "-b", "feature")
    head = repo.commit(
        f"loosen the gate\n\n{CLAUDE}", ".github/workflows/agentgov.yml", text="on: {}\n"
    )
    repo.clone.git("push", "-q", "origin", "feature:refs/pull/7/head")
    ci = runner(repo, tmp_path)
    ci.git("fetch", "-q", "origin", "refs/pull/7/head")
    context = {"github.base_ref": "main", "github.event.pull_request.head.sha": head}

    done = ci.run("check", "agentgov check", context, "pull_request", head)
    assert done.returncode == 1
    assert "::error file=.github/workflows/agentgov.yml" in done.stdout
    assert "check.agent-governance-edit" in done.stdout
    done = ci.run(
        "check", "agentgov check (SARIF for code scanning)", context, "pull_request", head
    )
    assert done.returncode == 1
    sarif = json.loads((ci.path / "agentgov.sarif").read_text())
    rules = {r["ruleId"] for run in sarif["runs"] for r in run["results"]}
    assert "check.agent-governance-edit" in rules


def squash(repo: Repo, title: str) -> tuple[str, str]:
    """Squash the feature branch onto main as one commit titled ``title`` and push it:
    (main before, the squash commit)."""
    before = repo.clone.head("main")
    repo.clone.git("merge", "-q", "--squash", "feature")
    merged = repo.commit(title)
    repo.clone.git("push", "-q", "origin", "main")
    return before, merged


def push_job(ci: Runner, before: str, sha: str, outcome: str = "success") -> dict[str, str]:
    context = {"github.token": TOKEN, "github.event.before": before, "steps.check.outcome": outcome}
    for name in ("Fetch the audit trail", "Name the author of the notes commits"):
        done = ci.run("record", name, context, "push", sha)
        assert done.returncode == 0, done.stderr
    return context


def test_the_push_job_reattaches_a_squash_judges_records_and_pushes(tmp_path: Path) -> None:
    repo = governed(tmp_path)
    feature = agent_feature(repo)
    before, merged = squash(repo, "Add the feature (#7)")
    ci = runner(repo, tmp_path)
    ci.git("checkout", "-q", merged)
    context = push_job(ci, before, merged)
    ci.git("fetch", "-q", "origin", "refs/pull/7/head")
    pr_records = note_lines(ci, feature) + note_lines(ci, f"{feature}~1")
    assert pr_records
    assert note_lines(ci, merged) == []

    done = ci.run("record", "Reattach a squash merge's records", context, "push", merged)
    assert done.returncode == 0, done.stderr
    reattached = note_lines(ci, merged)
    assert sorted(map(json.dumps, reattached)) == sorted(map(json.dumps, pr_records))

    done = ci.run("record", "agentgov check (protected branch)", context, "push", merged)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "a push to the protected branch" in (ci.temp / "summary.md").read_text()
    done = ci.run("record", "Record the result on the commit", context, "push", merged)
    assert done.returncode == 0, done.stderr
    assert "run github-4242-1" in done.stdout
    done = ci.run("record", "Push the trail", context, "push", merged)
    assert done.returncode == 0, done.stderr

    # The remote now holds the reattached records and the CI record on the squash commit.
    check = runner_of_remote(repo, tmp_path)
    pushed = note_lines(check, merged)
    assert [r["verdict"] for r in pushed if r.get("kind") == "ci"] == ["pass"]
    assert len(pushed) == len(pr_records) + 1


def runner_of_remote(repo: Repo, tmp_path: Path) -> Runner:
    path = tmp_path / "after"
    subprocess.run(
        ["git", "clone", "-q", str(repo.clone.remote), str(path)],
        env=base_env(repo.clone.home),
        check=True,
    )
    after = Runner(path, repo.clone.remote, tmp_path, repo.clone.home)
    after.git("fetch", "-q", "origin", f"{REF}:{REF}")
    return after


def test_a_failed_protected_branch_check_is_recorded_as_a_failure(tmp_path: Path) -> None:
    repo = governed(tmp_path)
    before = repo.clone.head("main")
    merged = repo.commit(f"agent edits the policy\n\n{CLAUDE}", ".agentgov/notes.md")
    # An agent commit that changes a governed file lands on main.
    repo.clone.git("push", "-q", "--no-verify", "origin", "main")
    ci = runner(repo, tmp_path)
    context = push_job(ci, before, merged, outcome="failure")
    done = ci.run("record", "agentgov check (protected branch)", context, "push", merged)
    assert done.returncode == 1
    assert "check.agent-governance-edit" in done.stdout
    done = ci.run("record", "Record the result on the commit", context, "push", merged)
    assert done.returncode == 0, done.stderr
    assert [r["verdict"] for r in note_lines(ci, merged) if r.get("kind") == "ci"] == ["fail"]


def test_the_protected_branch_check_without_the_earlier_commit_fails_saying_so(
    tmp_path: Path,
) -> None:
    repo = governed(tmp_path)
    ci = runner(repo, tmp_path)
    head = ci.git("rev-parse", "HEAD").strip()
    context = push_job(ci, "0" * 40, head)
    done = ci.run("record", "agentgov check (protected branch)", context, "push", head)
    assert done.returncode == 1
    assert f"::error::the commit before the push ({'0' * 40}) cannot be had" in done.stdout


def test_only_a_squash_merge_of_a_known_pull_request_is_reattached(tmp_path: Path) -> None:
    repo = governed(tmp_path)
    agent_feature(repo)
    before = repo.clone.head("main")

    # A merge commit: the pull request's commits, and their notes, are on the branch.
    repo.clone.git(
        "merge", "-q", "--no-ff", "-m", "Merge pull request #7 from o/feature", "feature"
    )
    merge = repo.clone.head()
    # A squash naming a pull request origin does not have, and a commit naming none.
    repo.clone.git("checkout", "-q", "-b", "other", before)
    repo.clone.git("merge", "-q", "--squash", "feature")
    unknown = repo.commit("Something (#99)")
    repo.clone.git("checkout", "-q", "-b", "third", before)
    plain = repo.commit("a person's change", "src/plain.py")
    for branch in ("main", "other", "third"):
        repo.clone.git("push", "-q", "--no-verify", "origin", branch)

    ci = runner(repo, tmp_path)
    cases = [
        (merge, "not one commit on top of"),
        (unknown, "::warning::origin has no pull request #99"),
        (plain, "names no pull request (#N)"),
    ]
    for sha, said in cases:
        context = push_job(ci, before, sha)
        done = ci.run("record", "Reattach a squash merge's records", context, "push", sha)
        assert done.returncode == 0, done.stderr
        assert said in done.stdout
        assert note_lines(ci, sha) == []
