"""Real clones of a real bare remote, with agentgov's git hooks installed; never a mocked git.

Every git command runs with an environment built here: no ``GIT_*`` from the machine, no
agent markers (``CLAUDECODE``...) unless a test adds them, ``HOME`` inside ``tmp_path``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from agentgov.adapters.git_hooks.install import install_git
from tests.conftest import GIT_IDENTITY

AGENTGOV = Path(sys.executable).parent / "agentgov"
AGENT_MARKERS = ("CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "AGENTGOV_AGENT")
CHECKOUT = Path(__file__).resolve().parents[2]


def base_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "AGENTGOV_", "PRE_COMMIT")) and key not in AGENT_MARKERS
    }
    env.update(GIT_IDENTITY)
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["HOME"] = str(home)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Clone:
    """A working clone (``path``) of the bare ``remote``; ``home`` is HOME for its git;
    ``env`` adds variables to every git command run through it."""

    path: Path
    remote: Path
    home: Path
    env: tuple[tuple[str, str], ...] = ()

    def run(
        self, *args: str, env: Mapping[str, str] | None = None, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Real git in the clone; never raises: tests look at the exit code and stderr."""
        return self.run_command(["git", *args], env=env, input=input)

    def run_command(
        self,
        argv: list[str],
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Any program in the clone, with this clone's environment."""
        return subprocess.run(
            argv,
            cwd=self.path,
            env=base_env(self.home, {**dict(self.env), **(env or {})}),
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    def git(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        done = self.run(*args, env=env)
        if done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def commit(self, message: str, path: str | None = None, text: str | None = None) -> str:
        name = path or f"{message.replace(' ', '-')}.txt"
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if text is not None else message + "\n")
        self.git("add", "--", name)
        self.git("commit", "-q", "-m", message)
        return self.head()

    def head(self, rev: str = "HEAD") -> str:
        return self.git("rev-parse", rev).strip()

    def remote_head(self, ref: str = "refs/heads/main") -> str | None:
        done = subprocess.run(
            ["git", "--git-dir", str(self.remote), "rev-parse", "--verify", "--quiet", ref],
            capture_output=True,
            text=True,
            env=base_env(self.home),
            check=False,
        )
        return done.stdout.strip() or None


def make_clone(tmp_path: Path, name: str = "work", remote: Path | None = None) -> Clone:
    """A bare remote with main (two commits) and a clone of it; no hooks yet."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    if remote is None:
        remote = tmp_path / "remote.git"
        subprocess.run(
            ["git", "init", "-q", "--bare", "-b", "main", str(remote)],
            env=base_env(home),
            check=True,
        )
        seed = Clone(tmp_path / "seed", remote, home)
        subprocess.run(
            ["git", "init", "-q", "-b", "main", str(seed.path)], env=base_env(home), check=True
        )
        seed.commit("first")
        seed.commit("second")
        seed.git("push", "-q", str(remote), "main")
    path = tmp_path / name
    subprocess.run(["git", "clone", "-q", str(remote), str(path)], env=base_env(home), check=True)
    clone = Clone(path, remote, home)
    clone.git("config", "user.name", "Test Author")
    clone.git("config", "user.email", "author@example.com")
    return clone


@pytest.fixture
def bare_clone(tmp_path: Path) -> Clone:
    """A clone of a bare remote, without agentgov's hooks."""
    return make_clone(tmp_path)


@pytest.fixture
def clone(bare_clone: Clone) -> Clone:
    """A clone of a bare remote with agentgov's git hooks installed (plain mode)."""
    install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    return bare_clone
