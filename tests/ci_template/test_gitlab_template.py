"""The GitLab CI template: its shape (the same pins as GitHub's, the target branch's pins
for a merge request, one record job at a time) and its jobs' scripts run for real in a
clone laid out as GitLab's runner lays it, against a real bare remote, with the pip
installs left out and the agentgov under test on PATH (docs/ci.md#ci-templates)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.ci_template import GITHUB_TEMPLATE, GITLAB_TEMPLATE, flatten, gitlab
from tests.evidence.conftest import IN_SESSION, REF, Repo, governed
from tests.git_hooks.conftest import AGENTGOV, base_env


def script(job: str) -> list[str]:
    return flatten(gitlab()[job]["script"])


def install_lines() -> list[str]:
    return flatten(gitlab()[".agentgov-install"])


def test_the_jobs_run_on_merge_requests_and_on_the_default_branch() -> None:
    data = gitlab()
    assert data["agentgov-check"]["rules"] == [
        {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}
    ]
    assert data["agentgov-record"]["rules"] == [
        {"if": '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH'}
    ]
    assert data["agentgov-record"]["resource_group"] == "agentgov-trail"
    for job in ("agentgov-check", "agentgov-record"):
        assert data[job]["extends"] == ".agentgov-job"
    assert data[".agentgov-job"]["variables"] == {"GIT_DEPTH": "0"}
    # An included file must not set variables for the whole pipeline it joins.
    assert "variables" not in {key for key in data if not key.startswith(".")} - {
        "agentgov-check",
        "agentgov-record",
    }
    assert data["agentgov-check"]["artifacts"]["paths"] == ["agentgov-check.json"]


def test_the_install_is_the_github_workflow_s_pip_lines() -> None:
    def pip_lines(text: str) -> list[str]:
        joined = text.replace("\\\n", " ")
        return [
            " ".join(line.split()).replace('"$PINS', '"$pins').replace("$PINS", "$pins")
            for line in joined.splitlines()
            if "pip install" in line
        ]

    github_pip = pip_lines(GITHUB_TEMPLATE.read_text())
    gitlab_pip = pip_lines("\n".join(install_lines()))
    assert len(gitlab_pip) == 2
    assert github_pip == gitlab_pip * 2  # both GitHub jobs, and GitLab's, install alike
    for job in ("agentgov-check", "agentgov-record"):
        lines = script(job)
        assert lines[lines.index(install_lines()[0]) :][: len(install_lines())] == install_lines()


def test_the_merge_request_is_judged_from_its_target_as_json() -> None:
    lines = script("agentgov-check")
    judged = [line for line in lines if line.startswith("agentgov check") and "json" in line]
    assert judged == [
        'agentgov check --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --head "$HEAD_SHA" '
        "--format json --output agentgov-check.json || judged=$?"
    ]
    assert lines[-1] == 'exit "$judged"'
    assert not any("${{" in line for line in lines)
    assert "${{" not in GITLAB_TEMPLATE.read_text()


def run_script(
    lines: list[str], cwd: Path, home: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``lines`` in one shell, as GitLab's runner runs a job's script (stop at the first
    failure); the pip installs are left out."""
    body = "\n".join(line for line in lines if line not in install_lines())
    full = {
        key: value
        for key, value in base_env(home).items()
        if not key.startswith(("GITHUB_", "CI_")) and key != "CI"
    }
    full.update(
        {
            "PATH": f"{AGENTGOV.parent}{os.pathsep}{os.environ['PATH']}",
            "CI": "true",
            "GITLAB_CI": "true",
            "CI_PIPELINE_ID": "99",
            "CI_JOB_ID": "5",
            "CI_JOB_URL": "https://gitlab.example.com/group/project/-/jobs/5",
            **env,
        }
    )
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", body],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def runner_clone(repo: Repo, tmp_path: Path, refspec: str, name: str = "runner") -> Path:
    """A clone as GitLab's runner makes one: only the pipeline's ref is fetched."""
    path = tmp_path / name
    env = base_env(repo.clone.home)
    for args in (
        ["init", "-q", str(path)],
        ["-C", str(path), "remote", "add", "origin", str(repo.clone.remote)],
        ["-C", str(path), "fetch", "-q", "--no-tags", "origin", refspec],
        ["-C", str(path), "checkout", "-q", "--detach", "FETCH_HEAD"],
    ):
        subprocess.run(["git", *args], env=env, check=True, capture_output=True)
    return path


def notes_of(path: Path, home: Path, commit: str) -> list[dict[str, object]]:
    done = subprocess.run(
        ["git", "-C", str(path), "notes", "--ref", REF, "show", commit],
        env=base_env(home),
        capture_output=True,
        text=True,
        check=False,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def merge_request(repo: Repo) -> str:
    """Two agent commits, pushed as merge request !7's head."""
    repo.clone.git("checkout", "-q", "-b", "feature")
    assert repo.edit("docs/feature.md", 1) == "allow"
    repo.commit("feature part 1", "docs/feature.md", env=IN_SESSION)
    assert repo.edit("docs/feature2.md", 2) == "allow"
    head = repo.commit("feature part 2", "docs/feature2.md", env=IN_SESSION)
    repo.clone.git("push", "-q", "origin", "feature:refs/merge-requests/7/head")
    repo.clone.git("checkout", "-q", "main")
    return head


def test_the_merge_request_job_passes_a_clean_merge_request(tmp_path: Path) -> None:
    repo = governed(tmp_path)
    pin = "agentgov @ git+https://gitlab.example.com/tools/agentgov@" + "1" * 40
    assert repo.agentgov("init", "--ci", "gitlab", "--agentgov-pin", pin).returncode == 0
    repo.clone.git("add", ".gitlab")
    repo.clone.git("commit", "-q", "-m", "the CI gate")
    repo.clone.git("push", "-q", "origin", "main")
    head = merge_request(repo)
    path = runner_clone(repo, tmp_path, "+refs/merge-requests/7/head:refs/mr")
    assert not (path / ".git" / "refs" / "remotes").exists()  # only the merge request's ref

    done = run_script(
        script("agentgov-check"),
        path,
        repo.clone.home,
        {
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
            "CI_COMMIT_SHA": head,
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "TMPDIR": str(tmp_path),
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((path / "agentgov-check.json").read_text())
    assert (report["passed"], report["protected"], report["head"]) == (True, False, head)
    assert "agentgov check" in done.stdout  # the text report, for the job log
    # The pins were the target branch's, and the trail was fetched.
    assert "using this merge request's pins" not in done.stdout
    assert (tmp_path / "agentgov-pins" / "agentgov.txt").read_text().splitlines()[-1] == pin
    assert notes_of(path, repo.clone.home, head)


def test_the_record_job_reattaches_the_squash_judges_records_and_pushes(tmp_path: Path) -> None:
    repo = governed(tmp_path)
    feature = merge_request(repo)
    before = repo.clone.head("main")
    # GitLab's squash and merge: a squash commit on the target, merged with a merge commit
    # that names the merge request.
    repo.clone.git("checkout", "-q", "-b", "squashed", before)
    repo.clone.git("merge", "-q", "--squash", "feature")
    squashed = repo.commit("Add the feature")
    repo.clone.git("checkout", "-q", "main")
    message = (
        "Merge branch 'feature' into 'main'\n\nAdd the feature\n\nSee merge request group/remote!7"
    )
    repo.clone.git("merge", "-q", "--no-ff", "-m", message, "squashed")
    merged = repo.clone.head()
    repo.clone.git("push", "-q", "origin", "main")
    path = runner_clone(repo, tmp_path, "+refs/heads/main:refs/remotes/origin/main")

    done = run_script(
        script("agentgov-record"),
        path,
        repo.clone.home,
        {
            "AGENTGOV_PUSH_TOKEN": "glpat-not-a-real-token",
            "CI_SERVER_URL": f"file://{tmp_path}",
            "CI_SERVER_HOST": "gitlab.example.com",
            "CI_PROJECT_PATH": "remote",
            "CI_COMMIT_BRANCH": "main",
            "CI_DEFAULT_BRANCH": "main",
            "CI_COMMIT_SHA": merged,
            "CI_COMMIT_BEFORE_SHA": before,
            "CI_PIPELINE_SOURCE": "push",
            "TMPDIR": str(tmp_path),
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "glpat-not-a-real-token" not in (path / ".git" / "config").read_text()

    after = tmp_path / "after"
    subprocess.run(
        ["git", "clone", "-q", str(repo.clone.remote), str(after)],
        env=base_env(repo.clone.home),
        check=True,
    )
    subprocess.run(
        [
            "git",
            "-C",
            str(after),
            "fetch",
            "-q",
            "origin",
            f"{REF}:{REF}",
            "refs/merge-requests/7/head",
        ],
        env=base_env(repo.clone.home),
        check=True,
    )
    originals = notes_of(after, repo.clone.home, feature) + notes_of(
        after, repo.clone.home, f"{feature}~1"
    )
    assert originals
    assert sorted(map(json.dumps, notes_of(after, repo.clone.home, squashed))) == sorted(
        map(json.dumps, originals)
    )
    assert "a push to the protected branch" in done.stdout
    ci = [r for r in notes_of(after, repo.clone.home, merged) if r.get("kind") == "ci"]
    assert [(r["verdict"], r["detail"]["run"]) for r in ci] == [("pass", "gitlab-99-5")]  # type: ignore[index]


def test_the_record_job_without_its_token_fails_saying_what_to_set(tmp_path: Path) -> None:
    repo = governed(tmp_path)
    path = runner_clone(repo, tmp_path, "+refs/heads/main:refs/remotes/origin/main")
    done = run_script(script("agentgov-record"), path, repo.clone.home, {"TMPDIR": str(tmp_path)})
    assert done.returncode == 1
    assert "set AGENTGOV_PUSH_TOKEN" in done.stdout
    assert GITLAB_TEMPLATE.exists()
