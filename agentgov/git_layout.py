"""Where a repository's parts are, read from files: no git process, no pygit2.

Hot paths (the Claude Code hook runs on every tool call) need the work-tree root, the git
directory, the current branch and a ref's target. Reading ``.git`` costs microseconds; a
``git rev-parse`` costs milliseconds. Layouts this cannot read (reftable) answer None, and
callers fall back to ``git`` itself (``run_git``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ZERO_OID = "0" * 40


@dataclass(frozen=True)
class RepoLayout:
    """``git_dir`` is this worktree's; ``common_dir`` holds refs, objects and config."""

    root: Path
    git_dir: Path
    common_dir: Path

    @property
    def state_dir(self) -> Path:
        """agentgov's own files (journal, policy cache) live in ``.git/agentgov/``."""
        return self.common_dir / "agentgov"

    @property
    def reftable(self) -> bool:
        return (self.common_dir / "reftable").is_dir()


def find_repo(start: Path) -> RepoLayout | None:
    """The repository containing ``start`` (a directory), or None outside any."""
    env_dir = os.environ.get("GIT_DIR")
    if env_dir and not os.environ.get("AGENTGOV_IGNORE_GIT_DIR"):
        git_dir = Path(env_dir).resolve()
        work = os.environ.get("GIT_WORK_TREE")
        root = Path(work).resolve() if work else git_dir.parent
        return RepoLayout(root, git_dir, _common_dir(git_dir))
    current = start.resolve()
    for candidate in (current, *current.parents):
        dot_git = candidate / ".git"
        if dot_git.is_dir():
            return RepoLayout(candidate, dot_git, _common_dir(dot_git))
        if dot_git.is_file():
            linked = _gitfile_target(dot_git)
            if linked is not None:
                return RepoLayout(candidate, linked, _common_dir(linked))
    return None


def _gitfile_target(dot_git: Path) -> Path | None:
    try:
        text = dot_git.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = Path(text.removeprefix("gitdir:").strip())
    return (dot_git.parent / target).resolve() if not target.is_absolute() else target


def _common_dir(git_dir: Path) -> Path:
    try:
        relative = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except OSError:
        return git_dir
    target = Path(relative)
    return (git_dir / target).resolve() if not target.is_absolute() else target


def current_branch(layout: RepoLayout) -> str | None:
    """The checked-out branch name (``main``), or None when HEAD is detached."""
    try:
        head = (layout.git_dir / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if head.startswith("ref: refs/heads/"):
        return head.removeprefix("ref: refs/heads/")
    return None


def read_ref(layout: RepoLayout, name: str) -> str | None:
    """The object id a full ref name points at (following one symbolic hop), or None."""
    for _ in range(5):
        try:
            text = (layout.common_dir / name).read_text(encoding="utf-8").strip()
        except (OSError, ValueError):
            return _packed_ref(layout, name)
        if text.startswith("ref: "):
            name = text.removeprefix("ref: ").strip()
            continue
        return text or None
    return None


def symbolic_target(layout: RepoLayout, name: str) -> str | None:
    """Where a symbolic ref (``refs/remotes/origin/HEAD``) points, or None."""
    try:
        text = (layout.common_dir / name).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text.removeprefix("ref: ").strip() if text.startswith("ref: ") else None


def _packed_ref(layout: RepoLayout, name: str) -> str | None:
    try:
        lines = (layout.common_dir / "packed-refs").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        if line.endswith(" " + name) and not line.startswith(("#", "^")):
            return line.split(" ", 1)[0]
    return None


def clean_env() -> dict[str, str]:
    """The environment minus GIT_* variables a hook inherits (GIT_DIR, GIT_INDEX_FILE...),
    which would otherwise redirect our own git calls to the wrong repository or index."""
    return {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}


def run_git(root: Path, *args: str, input_bytes: bytes | None = None) -> bytes | None:
    """``git -C root args...``'s stdout, or None when git failed or is missing."""
    # Imported here: the hook's common path reads files only, and subprocess (with the
    # threading and signal modules it pulls in) costs milliseconds to import.
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            input=input_bytes,
            capture_output=True,
            env=clean_env(),
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def read_blob_prefix(
    root: Path,
    spec: str,
    limit: int,
    *,
    env: Mapping[str, str] | None = None,
    options: Sequence[str] = (),
) -> bytes | None:
    """The first ``limit`` bytes of the blob ``spec`` (``HEAD:path``, ``:path``), or None
    when git has no such blob. Reading stops at the limit, so a blob of gigabytes costs no
    more than one of ``limit`` bytes. Raises OSError when git cannot be run."""
    import subprocess

    with subprocess.Popen(
        ["git", "-C", str(root), *options, "cat-file", "blob", spec],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=dict(clean_env() if env is None else env),
    ) as child:
        assert child.stdout is not None
        data = child.stdout.read(limit)
        if len(data) >= limit:
            child.kill()
        try:
            status = child.wait(timeout=60)
        except subprocess.TimeoutExpired as err:
            child.kill()
            raise OSError(f"git cat-file did not finish: {err}") from None
    if len(data) < limit and status != 0:
        return None
    return data
