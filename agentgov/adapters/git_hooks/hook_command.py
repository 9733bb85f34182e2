"""``agentgov hook git <name> [--hook-dir DIR] -- <git's arguments>``,
``agentgov hook pre-commit <validate|protect|audit> [files...]`` and
``agentgov hook park session-end``: the hooks' entry point.

``entry.py`` dispatches here before typer is imported: a commit or a push should not pay
for the CLI framework. This module maps every outcome to an exit code in one place:

- a hook that can stop git (pre-commit, pre-push, and pre-commit's validate/protect) fails
  closed: bad input exits 2, a refusal 1, a bug 3 with a message, never a traceback and
  never a silent pass;
- a hook that runs after the fact (post-commit, post-rewrite, audit) only warns, exit 0:
  the commit exists already, and git ignores these hooks' status anyway. So does
  ``park session-end``, which Claude Code's SessionEnd hook starts detached: it moves the
  session's pending records into notes on HEAD, where the next push finds them.

stdin is read only by the hooks git feeds (pre-push, post-rewrite), and never from a
terminal: a hook run by hand does not sit waiting for input.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

from agentgov.adapters.git_hooks.hook_io import HookIO
from agentgov.errors import AgentgovError, ExitCode, UsageError

GIT_HOOKS = ("pre-commit", "pre-push", "post-commit", "post-rewrite")
FRAMEWORK_HOOKS = ("validate", "protect", "audit")
PARK_REASONS = ("session-end",)
_AFTER_THE_FACT = frozenset({"post-commit", "post-rewrite", "audit", *PARK_REASONS})
_READS_STDIN = frozenset({"pre-push", "post-rewrite"})
USAGE = (
    "usage: agentgov hook git <pre-commit|pre-push|post-commit|post-rewrite> "
    "[--hook-dir DIR] -- <git's hook arguments>\n"
    "       agentgov hook pre-commit <validate|protect|audit> [files...]\n"
    "       agentgov hook park session-end"
)


def main(argv: Sequence[str]) -> int:
    """``argv`` starts after ``hook``: ``["git", "pre-push", "--", "origin", "url"]``."""
    return run(argv, sys.stdin, sys.stderr, os.environ)


def run(
    argv: Sequence[str], stdin: IO[str] | None, err: IO[str], environ: Mapping[str, str]
) -> int:
    kind = argv[0] if argv else ""
    name = argv[1] if len(argv) > 1 else ""
    # Only a known after-the-fact hook merely warns; anything else that fails says no.
    blocking = name not in _AFTER_THE_FACT
    try:
        return _dispatch(kind, name, list(argv[2:]), stdin, err, environ)
    except AgentgovError as problem:
        if not blocking:
            err.write(f"agentgov: warning: {problem}\n")
            return int(ExitCode.OK)
        err.write(f"agentgov: {problem}\n")
        return int(problem.exit_code)
    except Exception as problem:  # a crash must refuse, never pass silently
        if environ.get("AGENTGOV_DEBUG"):
            raise
        what = {"pre-push": "push", "protect": "push"}.get(name, "commit")
        detail = f"{type(problem).__name__}: {problem}"
        if not blocking:
            err.write(f"agentgov: warning: internal error in the {name} hook ({detail})\n")
            return int(ExitCode.OK)
        err.write(
            f"agentgov: internal error in the {name} hook ({detail}); the {what} is refused "
            "until this is fixed: please report it (AGENTGOV_DEBUG=1 shows the traceback)\n"
        )
        return int(ExitCode.INTERNAL)


def _read_stdin(stdin: IO[str] | None, name: str) -> bytes:
    if stdin is None or stdin.closed:
        return b""
    try:
        if stdin.isatty():
            if name == "pre-push":
                raise UsageError(
                    "the pre-push hook reads the pushed refs from git on stdin, and stdin is "
                    "a terminal: it is run by git push, not by hand"
                )
            return b""
        buffer = getattr(stdin, "buffer", None)
        if buffer is not None:
            data: bytes = buffer.read()
            return data
        return stdin.read().encode("utf-8", "surrogateescape")
    except (OSError, ValueError):
        return b""


def _split_git_args(rest: list[str]) -> tuple[Path | None, list[str]]:
    hook_dir: Path | None = None
    index = 0
    while index < len(rest) and rest[index] != "--":
        word = rest[index]
        if word == "--hook-dir" and index + 1 < len(rest):
            hook_dir = Path(rest[index + 1])
            index += 2
        elif word.startswith("--hook-dir="):
            hook_dir = Path(word.removeprefix("--hook-dir="))
            index += 1
        else:
            raise UsageError(f"unknown option {word!r}\n{USAGE}")
    return hook_dir, rest[index + 1 :]


def _root() -> Path:
    from agentgov.git_layout import find_repo

    layout = find_repo(Path.cwd())
    if layout is None:
        raise UsageError("not inside a git repository: git hooks run in one")
    return layout.root


def _hooks_dir(root: Path) -> Path:
    from agentgov.git_layout import run_git

    out = run_git(root, "rev-parse", "--git-path", "hooks")
    if out is None:
        raise UsageError(f"cannot find the hooks directory of {root}")
    path = Path(out.decode().strip())
    return path if path.is_absolute() else root / path


def _dispatch(
    kind: str,
    name: str,
    rest: list[str],
    stdin: IO[str] | None,
    err: IO[str],
    environ: Mapping[str, str],
) -> int:
    if kind == "git" and name in GIT_HOOKS:
        hook_dir, args = _split_git_args(rest)
        data = _read_stdin(stdin, name) if name in _READS_STDIN else b""
        io = HookIO(data, err, environ)
        root = _root()
        directory = hook_dir.resolve() if hook_dir is not None else _hooks_dir(root)
        return _GIT[name](root, directory, args, io)
    if kind == "pre-commit" and name in FRAMEWORK_HOOKS:
        io = HookIO(b"", err, environ)
        return _FRAMEWORK[name](_root(), rest, io)
    if kind == "park" and name in PARK_REASONS and not rest:
        return _park(_root(), name, HookIO(b"", err, environ))
    raise UsageError(f"unknown hook {' '.join((kind, name)).strip()!r}\n{USAGE}")


def _git_pre_commit(root: Path, hook_dir: Path, args: list[str], io: HookIO) -> int:
    from agentgov.adapters.git_hooks.pre_commit_hook import git_pre_commit

    return git_pre_commit(root, hook_dir, args, io)


def _git_pre_push(root: Path, hook_dir: Path, args: list[str], io: HookIO) -> int:
    from agentgov.adapters.git_hooks.hook_policy import load_hook_policy
    from agentgov.adapters.git_hooks.pre_push import git_pre_push

    return git_pre_push(root, hook_dir, args, load_hook_policy(root), io)


def _git_post_commit(root: Path, hook_dir: Path, args: list[str], io: HookIO) -> int:
    from agentgov.adapters.git_hooks.post_commit import git_post_commit

    return git_post_commit(root, hook_dir, args, io)


def _git_post_rewrite(root: Path, hook_dir: Path, args: list[str], io: HookIO) -> int:
    from agentgov.adapters.git_hooks.post_rewrite import git_post_rewrite

    return git_post_rewrite(root, hook_dir, args, io)


def _validate(root: Path, files: list[str], io: HookIO) -> int:
    from agentgov.adapters.git_hooks.pre_commit_hook import pre_commit

    return pre_commit(root, io, named=[f.replace(os.sep, "/") for f in files])


def _protect(root: Path, files: list[str], io: HookIO) -> int:
    from agentgov.adapters.git_hooks.hook_policy import load_hook_policy
    from agentgov.adapters.git_hooks.pre_push import framework_pre_push

    return framework_pre_push(root, load_hook_policy(root), io)


def _park(root: Path, reason: str, io: HookIO) -> int:
    from agentgov.adapters.git_hooks.post_commit import trail_ref
    from agentgov.adapters.git_hooks.trail import park

    ref = trail_ref(root, io)
    if ref is not None:
        park(root, ref, reason, source="claude-code")
    return int(ExitCode.OK)


def _audit(root: Path, files: list[str], io: HookIO) -> int:
    from agentgov.adapters.git_hooks.post_commit import framework_audit

    return framework_audit(root, io)


_GIT: dict[str, Callable[[Path, Path, list[str], HookIO], int]] = {
    "pre-commit": _git_pre_commit,
    "pre-push": _git_pre_push,
    "post-commit": _git_post_commit,
    "post-rewrite": _git_post_rewrite,
}
_FRAMEWORK: dict[str, Callable[[Path, list[str], HookIO], int]] = {
    "validate": _validate,
    "protect": _protect,
    "audit": _audit,
}
