"""``agentgov init --ci github|gitlab`` in a real repository, as a whole process: the files
written are the templates (the pin in agentgov.txt), never overwritten without --force; a
pin that is not pinned is refused with exit 2 (docs/ci.md#ci-templates)."""

from __future__ import annotations

import json
import subprocess
from importlib.metadata import distribution
from pathlib import Path

import pytest

from agentgov.errors import UsageError
from agentgov.scaffold_ci import pin_file_text, pin_from_direct_url
from tests.ci_template import GITHUB_TEMPLATE, GITLAB_TEMPLATE, ROOT
from tests.conftest import git
from tests.git_hooks.conftest import AGENTGOV, base_env

PIN = "agentgov @ git+https://github.com/example/agentgov@3d3c42e5aac5ba805825da76410c181273ba90b1"
GITHUB_FILES = {
    ".github/workflows/agentgov.yml": GITHUB_TEMPLATE.read_bytes(),
    ".github/agentgov/requirements.txt": (ROOT / "templates/github/requirements.txt").read_bytes(),
    ".github/agentgov/build-requirements.txt": (
        ROOT / "templates/github/build-requirements.txt"
    ).read_bytes(),
    ".github/agentgov/agentgov.txt": pin_file_text(PIN).encode(),
}


def agentgov(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in base_env(cwd).items()
        if not key.startswith(("GITHUB_", "CI_")) and key != "CI"
    }
    return subprocess.run(
        [str(AGENTGOV), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def files_under(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for top in (".github", ".gitlab", ".agentgov")
        for path in sorted((root / top).rglob("*"))
        if path.is_file()
    }


def test_github_writes_the_templates_with_the_pin(repo: Path) -> None:
    done = agentgov(repo, "init", "--ci", "github", "--agentgov-pin", PIN)
    assert done.returncode == 0, done.stderr
    assert files_under(repo) == GITHUB_FILES
    assert done.stdout.splitlines()[:5] == [
        *(f"wrote {name}" for name in GITHUB_FILES),
        f"agentgov pinned to: {PIN} (from --agentgov-pin)",
    ]
    assert "required status check" in done.stdout
    # The pin file holds exactly one requirement: the pin.
    pins = (repo / ".github/agentgov/agentgov.txt").read_text().splitlines()
    assert [line for line in pins if not line.startswith("#")] == [PIN]


def test_it_refuses_to_overwrite_and_force_overwrites(repo: Path) -> None:
    assert agentgov(repo, "init", "--ci", "github", "--agentgov-pin", PIN).returncode == 0
    workflow = repo / ".github/workflows/agentgov.yml"
    workflow.write_text("edited\n")
    other = "agentgov==0.1.0 --hash=sha256:" + "b" * 64

    done = agentgov(repo, "init", "--ci", "github", "--agentgov-pin", other)
    assert done.returncode == 2
    assert ".github/workflows/agentgov.yml, .github/agentgov/requirements.txt" in done.stderr
    assert "pass --force to overwrite" in done.stderr
    assert workflow.read_text() == "edited\n"
    assert PIN in (repo / ".github/agentgov/agentgov.txt").read_text()

    done = agentgov(repo, "init", "--ci", "github", "--agentgov-pin", other, "--force")
    assert done.returncode == 0, done.stderr
    assert workflow.read_bytes() == GITHUB_TEMPLATE.read_bytes()
    assert (repo / ".github/agentgov/agentgov.txt").read_text() == pin_file_text(other)


def test_one_file_already_there_is_enough_to_refuse(repo: Path) -> None:
    pins = repo / ".github/agentgov/agentgov.txt"
    pins.parent.mkdir(parents=True)
    pins.write_text("mine\n")
    done = agentgov(repo, "init", "--ci", "github", "--agentgov-pin", PIN)
    assert done.returncode == 2
    assert "agentgov: .github/agentgov/agentgov.txt already exists;" in done.stderr
    assert files_under(repo) == {".github/agentgov/agentgov.txt": b"mine\n"}


def test_gitlab_writes_its_pipeline_and_says_how_to_include_it(repo: Path) -> None:
    done = agentgov(repo, "init", "--ci", "gitlab", "--agentgov-pin", PIN)
    assert done.returncode == 0, done.stderr
    written = files_under(repo)
    assert written == {
        ".gitlab/agentgov.gitlab-ci.yml": GITLAB_TEMPLATE.read_bytes(),
        **{
            name.replace(".github/agentgov/", ".gitlab/agentgov/"): content
            for name, content in GITHUB_FILES.items()
            if name.startswith(".github/agentgov/")
        },
    }
    assert "  include:\n    - local: .gitlab/agentgov.gitlab-ci.yml" in done.stdout
    assert "AGENTGOV_PUSH_TOKEN" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--ci", "github", "--agentgov-pin", "agentgov"],
            "--agentgov-pin 'agentgov': pin one build",
        ),
        (
            ["--ci", "github", "--agentgov-pin", "agentgov @ git+https://github.com/o/r@main"],
            "a git pin must end in @<40-hex commit>",
        ),
        (["--ci", "circleci", "--agentgov-pin", PIN], "--ci circleci: give github or gitlab"),
        (["--agentgov-pin", PIN], "--agentgov-pin goes with --ci github|gitlab"),
    ],
)
def test_bad_input_is_refused_with_exit_2_and_nothing_written(
    repo: Path, args: list[str], message: str
) -> None:
    done = agentgov(repo, "init", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert files_under(repo) == {}


def test_outside_a_repository_it_is_refused(tmp_path: Path) -> None:
    done = agentgov(tmp_path, "init", "--ci", "github", "--agentgov-pin", PIN)
    assert done.returncode == 2
    assert "not inside a git repository" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_a_pin_it_derives_the_running_agentgov_s_or_refuses(repo: Path) -> None:
    dist = distribution("agentgov")
    text = dist.read_text("direct_url.json")
    direct_url = json.loads(text) if text else None
    done = agentgov(repo, "init", "--ci", "github")
    try:
        expected = pin_from_direct_url(direct_url, dist.version)
    except UsageError as refused:
        refusal = str(refused)
    else:
        assert done.returncode == 0, done.stderr
        assert f"agentgov pinned to: {expected} (from how this agentgov was installed)" in (
            done.stdout
        )
        return
    assert done.returncode == 2
    assert done.stderr.strip() == f"agentgov: {refusal}"
    assert "--agentgov-pin" in done.stderr
    assert files_under(repo) == {}


def test_it_says_where_the_policy_differs_from_what_the_workflow_assumes(repo: Path) -> None:
    assert agentgov(repo, "init").returncode == 0
    policy = repo / ".agentgov/policy.yaml"
    text = policy.read_text()
    text = text.replace(
        'protected_branches: [main, master, "release/*"]', "protected_branches: [trunk]"
    )
    text = text.replace("notes_ref: refs/notes/agentgov", "notes_ref: refs/notes/governance")
    policy.write_text(text)
    git(repo, "add", ".agentgov")
    git(repo, "commit", "-q", "-m", "policy")

    done = agentgov(repo, "init", "--ci", "github", "--agentgov-pin", PIN)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stdout.splitlines() if line.startswith("note: ")]
    assert notes == [
        "note: the workflow runs on pushes to main, but the policy's protected branches are "
        "trunk: change the branch in the workflow",
        "note: the workflow fetches refs/notes/agentgov, but the policy's audit.notes_ref is "
        "refs/notes/governance: change it in the workflow",
    ]


def test_the_default_policy_needs_no_change_to_the_workflow(repo: Path) -> None:
    assert agentgov(repo, "init").returncode == 0
    git(repo, "add", ".agentgov")
    git(repo, "commit", "-q", "-m", "policy")
    done = agentgov(repo, "init", "--ci", "github", "--agentgov-pin", PIN)
    assert done.returncode == 0, done.stderr
    assert "note:" not in done.stdout
