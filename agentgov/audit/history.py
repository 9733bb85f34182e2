"""Records follow the history of the commits they are attached to.

Amend and rebase make new commits; git copies notes to them only for the refs named in
``notes.rewriteRef``, and with the default ``concatenate`` mode it would glue two notes
together with a blank line, duplicating records a squash brings together.
``configure_rewrite`` names the trail's ref there and sets ``cat_sort_uniq``, the mode
that keeps one copy of each line. (Old commits keep their notes: readers dedupe copies.)

Nothing carries notes through a cherry-pick or a merge made on the server (squash or
rebase merges of pull requests): ``reattach`` copies the notes of every commit of the
pull request onto the commit it landed as. A CI job runs it after merges.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from agentgov.audit.git_process import output, resolve_commit, run
from agentgov.errors import UsageError

REWRITE_MODE = "cat_sort_uniq"


@dataclass(frozen=True)
class RewriteSetup:
    """What ``configure_rewrite`` found and set in the repository's local config."""

    ref: str
    ref_added: bool
    mode_before: str | None
    merge_strategy_key: str


@dataclass(frozen=True)
class ReattachResult:
    onto: str
    commits: int
    noted: int
    records_added: int
    notes_commit: str | None


def rewrite_ref_value(ref: str) -> str:
    """``ref`` as a glob that matches only itself (``refs/notes/agentgo[v]``).

    git (2.39 at least) warns ``notes ref refs/notes/agentgov is invalid`` on every amend
    and rebase when ``notes.rewriteRef`` names, plainly, a ref that does not exist yet:
    the state of every fresh clone until the trail is fetched. A glob that matches nothing
    is silent, and once the ref exists git copies its notes just the same.
    """
    return f"{ref[:-1]}[{ref[-1]}]"


def configure_rewrite(root: Path, ref: str) -> RewriteSetup:
    """Make amend and rebase carry ``ref``'s notes (local config; idempotent).

    Appends ``rewrite_ref_value(ref)`` to ``notes.rewriteRef`` unless a value there already
    covers ``ref`` (other values, such as ``refs/notes/commits``, are kept), sets
    ``notes.rewriteMode`` to
    ``cat_sort_uniq``, and ``notes.<name>.mergeStrategy`` likewise, so that a person's own
    ``git notes --ref <name> merge`` unions the trail rather than stopping at a conflict.
    """
    present = _config_all(root, "notes.rewriteRef")
    covered = any(fnmatch.fnmatchcase(ref, value) for value in present)
    if not covered:
        output(root, "config", "--local", "--add", "notes.rewriteRef", rewrite_ref_value(ref))
    before = _config_all(root, "notes.rewriteMode")
    output(root, "config", "--local", "notes.rewriteMode", REWRITE_MODE)
    strategy = f"notes.{ref.removeprefix('refs/notes/')}.mergeStrategy"
    output(root, "config", "--local", strategy, REWRITE_MODE)
    return RewriteSetup(ref, not covered, before[-1] if before else None, strategy)


def reattach(root: Path, ref: str, revisions: str, onto: str) -> ReattachResult:
    """Copy the notes of every commit in ``revisions`` (``BASE..HEAD``) onto ``onto``."""
    if revisions.startswith("-"):
        raise UsageError(f"{revisions!r} is not a revision range (BASE..HEAD)")
    target = resolve_commit(root, onto)
    if target is None:
        raise UsageError(f"--onto {onto}: no such commit")
    listed = run(root, "rev-list", "--end-of-options", revisions, "--")
    if listed.returncode != 0:
        raise UsageError(f"{revisions}: not a revision range git knows ({listed.stderr.strip()})")
    commits = listed.stdout.split()

    from agentgov.audit.notes import NotesStore  # pygit2: only where notes are written

    store = NotesStore(root, ref)
    noted = [commit for commit in commits if store.read(commit)]
    before = _record_lines(store.read(target))
    result = store.copy_notes([(commit, target) for commit in noted])
    added = _record_lines(store.read(target)) - before if result.notes_commit else 0
    return ReattachResult(target, len(commits), len(noted), added, result.notes_commit)


def _record_lines(note: bytes) -> int:
    return sum(1 for line in note.split(b"\n") if line.strip())


def _config_all(root: Path, key: str) -> list[str]:
    done = run(root, "config", "--local", "--get-all", key)
    return done.stdout.split() if done.returncode == 0 else []
