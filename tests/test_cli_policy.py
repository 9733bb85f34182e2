"""init, validate, policy show and --version, run as a user runs them: a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agentgov import __version__


def agentgov(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentgov", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_version(tmp_path: Path) -> None:
    done = agentgov(tmp_path, "--version")
    assert (done.returncode, done.stdout) == (0, f"agentgov {__version__}\n")


def test_init_writes_policy_and_schema_then_refuses_to_overwrite(repo: Path) -> None:
    first = agentgov(repo, "init")
    assert first.returncode == 0
    assert first.stdout.startswith(
        "wrote .agentgov/policy.yaml\nwrote .agentgov/policy.schema.json\n"
    )
    text = (repo / ".agentgov" / "policy.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=policy.schema.json\n")
    again = agentgov(repo, "init", "--template", "strict")
    assert again.returncode == 2
    assert "already exists; pass --force" in again.stderr
    assert (repo / ".agentgov" / "policy.yaml").read_text() == text
    forced = agentgov(repo, "init", "--template", "strict", "--force")
    assert forced.returncode == 0
    assert "locked" in (repo / ".agentgov" / "policy.yaml").read_text()


def test_init_from_a_subdirectory_writes_at_the_repo_root(repo: Path) -> None:
    (repo / "src").mkdir()
    assert agentgov(repo / "src", "init").returncode == 0
    assert (repo / ".agentgov" / "policy.yaml").is_file()


def test_init_unknown_template(repo: Path) -> None:
    done = agentgov(repo, "init", "--template", "lax")
    assert done.returncode == 2
    assert done.stderr == (
        "agentgov: unknown template 'lax'; choose one of: default, strict, progressive-team\n"
    )


@pytest.mark.parametrize("template", ["default", "strict", "progressive-team"])
def test_every_template_validates_after_init(repo: Path, template: str) -> None:
    assert agentgov(repo, "init", "--template", template).returncode == 0
    done = agentgov(repo, "validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(".agentgov/policy.yaml: valid (")


def test_validate_reports_every_file(repo: Path) -> None:
    good = repo / "good.yaml"
    good.write_text("version: 1\ntask_classes:\n  default:\n    level: 2\n")
    bad = repo / "bad.yaml"
    bad.write_text("version: 1\ntask_classes:\n  default:\n    level: 9\n")
    done = agentgov(repo, "validate", "good.yaml", "bad.yaml")
    assert done.returncode == 2
    assert done.stdout == "good.yaml: valid (1 task classes)\n"
    assert done.stderr.startswith("bad.yaml:4:12: task_classes.default.level: 9 is not a level")


def test_validate_without_policy(repo: Path) -> None:
    done = agentgov(repo, "validate")
    assert done.returncode == 2
    assert done.stderr == (".agentgov/policy.yaml: no such file; create one with `agentgov init`\n")


def test_policy_show_json_names_its_source(repo: Path) -> None:
    agentgov(repo, "init")
    done = agentgov(repo, "policy", "show", "--format", "json")
    assert done.returncode == 0
    shown = json.loads(done.stdout)
    assert shown["v"] == 1
    assert shown["source"]["origin"] == "working-copy"
    assert [c["name"] for c in shown["task_classes"]] == ["default", "docs", "infra", "tests"]
    assert shown["matrix"]["forbidden"] == ["deny"] * 5


def test_policy_show_text(repo: Path) -> None:
    done = agentgov(repo, "policy", "show")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "policy in force: <template default>"
    assert "  default  3 execute-gated" in done.stdout


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    done = agentgov(tmp_path, "frobnicate")
    assert done.returncode == 2
    assert "No such command 'frobnicate'" in done.stderr
    assert "Traceback" not in done.stderr
