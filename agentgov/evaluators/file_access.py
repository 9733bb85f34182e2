"""Judge a tool's direct file access (Edit/Write/Read/Grep/Glob), without a shell. Pure.

Edits are ``local`` inside the project or a temp directory and ``irreversible`` elsewhere;
an edit that reaches the guard's own files is ``guard.tamper`` (via any route: ``..``,
absolute paths, symlinks the adapter resolved). Reads are ``read``, except key and
credential material, which is ``secrets.read``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, ShellContext
from agentgov.evaluators.rules.guard.guarded_paths import guarded_entries, guarded_target
from agentgov.evaluators.rules.guard.tamper import FILES_REMEDIATION
from agentgov.evaluators.rules.guard.tamper import RULE as TAMPER
from agentgov.evaluators.rules.path_words import is_within
from agentgov.evaluators.rules.secrets.read import RULE as SECRETS_READ
from agentgov.evaluators.rules.secrets.secret_paths import glob_may_match_secret, is_secret_path
from agentgov.policy.model import ActionClass

TEMP_DIRS = ("/tmp", "/var/tmp", "/private/tmp")  # noqa: S108 (judging paths, not using them)


def _absolute(path: str, ctx: ShellContext) -> str:
    if path.startswith("~"):
        path = ctx.home + path[1:]
    return posixpath.normpath(posixpath.join(ctx.cwd, path))


def edit_class(paths: tuple[str, ...], ctx: ShellContext) -> tuple[ActionClass, str]:
    for path in paths:
        absolute = _absolute(path, ctx)
        inside = ctx.project_root is not None and is_within(absolute, ctx.project_root)
        if not inside and not any(is_within(absolute, temp) for temp in TEMP_DIRS):
            return ActionClass.IRREVERSIBLE, f"edits {path}, outside the project"
    return ActionClass.LOCAL, "edits files in the project"


def edit_hits(paths: tuple[str, ...], ctx: ShellContext) -> Iterator[Hit]:
    entries = guarded_entries(ctx.guard_roots, ctx.home, ctx.policy.audit.notes_ref)
    for path in paths:
        entry = guarded_target(_absolute(path, ctx), entries)
        if entry is not None:
            yield TAMPER.hit(
                path,
                f"this edit changes {entry.label}; an agent never edits its own guard",
                FILES_REMEDIATION,
            )
            return


def read_hits(paths: tuple[str, ...], globs: tuple[str, ...], ctx: ShellContext) -> Iterator[Hit]:
    for path in paths:
        if is_secret_path(_absolute(path, ctx), ctx.home, ctx.project_root):
            yield SECRETS_READ.hit(
                path,
                f"reading {path} would put key or credential material into the agent's context",
                "use the credential through the tool that needs it (an env var the program "
                "reads, a credential helper) instead of reading the file",
            )
            return
    for pattern in globs:
        if glob_may_match_secret(_absolute(pattern, ctx), ctx.home, ctx.project_root):
            yield SECRETS_READ.hit(
                pattern,
                f"the pattern {pattern} can match key or credential files",
                "narrow the pattern so it cannot match .env, keys or credential files",
            )
            return
