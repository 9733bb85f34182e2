"""post-rewrite: the audit trail follows ``commit --amend`` and ``rebase``.

git runs it after both (never after cherry-pick) with ``<old> <new>`` pairs on stdin. Each
old commit's note is unioned into its new commit's, then whatever is still pending is
flushed onto the new HEAD (a rebase runs no post-commit). ``agentgov install git`` also
sets ``notes.rewriteRef`` so git copies the notes itself; this copy makes the trail follow
where that setting is missing, and never adds a record twice.

It only warns: the rewrite has happened, and the old commits keep their notes. A line
that is not two object ids is reported and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from agentgov.adapters.git_hooks.chain import run_chained
from agentgov.adapters.git_hooks.hook_io import HookIO
from agentgov.adapters.git_hooks.post_commit import record_commit, trail_ref
from agentgov.adapters.git_hooks.trail import copy_rewritten
from agentgov.errors import AgentgovError

_OID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def parse_rewrites(text: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """``(old, new)`` pairs from post-rewrite's stdin, and the lines that were not pairs.

    git writes ``<old> SP <new> [SP <extra>] LF``; no git version fills ``extra`` yet.
    """
    pairs: list[tuple[str, str]] = []
    bad: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        fields = line.split(" ")
        if len(fields) >= 2 and _OID.fullmatch(fields[0]) and _OID.fullmatch(fields[1]):
            pairs.append((fields[0], fields[1]))
        else:
            bad.append(line[:200])
    return tuple(pairs), tuple(bad)


def carry_notes(root: Path, pairs: Sequence[tuple[str, str]], io: HookIO) -> None:
    ref = trail_ref(root, io)
    if ref is None:
        return
    try:
        copy_rewritten(root, ref, pairs)
    except (AgentgovError, ValueError) as err:
        io.warn(f"audit notes were not copied to the rewritten commits ({err})")
    record_commit(root, io, ref)


def git_post_rewrite(root: Path, hook_dir: Path, args: Sequence[str], io: HookIO) -> int:
    pairs, bad = parse_rewrites(io.stdin.decode("utf-8", "replace"))
    for line in bad:
        io.warn(f"post-rewrite input line is not '<old sha> <new sha>': {line!r}; skipped")
    carry_notes(root, pairs, io)
    return run_chained(hook_dir, "post-rewrite", args, io.stdin, io.environ).returncode
