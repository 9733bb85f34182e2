"""Sharing the trail with a remote: fetch, union-merge, push without force.

Clones do not fetch notes, and a forced fetch of ``refs/notes/*`` replaces local notes with
the remote's, erasing records this clone never pushed. So:

- fetch the remote's trail into a remote-tracking notes ref,
  ``+refs/notes/agentgov:refs/notes/remotes/<remote>/agentgov`` (forcing *that* ref is
  fine: it only mirrors the remote, like ``refs/remotes/origin/main``);
- merge it into the local ref with ``NotesStore.merge`` (the union ``cat_sort_uniq``
  gives, under our compare-and-swap; ``git notes merge`` moves the ref unchecked and
  could drop a flush that lands meanwhile);
- push ``<ref>:<ref>`` without ``+``. When another clone pushed in between, the remote
  rejects it as non-fast-forward: fetch, merge and push again, a bounded number of times.

The push passes ``--no-verify``: it is called from the pre-push hook, and pushing the
notes ref would otherwise run that hook again, recursively, along with the user's other
pre-push checks, for a ref that holds no code. So the one check that hook makes of a notes
push is made here instead, before every push: the notes commits the remote lacks may only
add lines (``audit.notes_history``); a trail rewritten in this clone is never shared
(docs/audit-trail.md#what-audit-verify-checks).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from agentgov.audit.git_process import output, run
from agentgov.errors import GitError, UsageError

PUSH_ATTEMPTS = 5
_MISSING_REMOTE_REF = "couldn't find remote ref"


@dataclass(frozen=True)
class SyncResult:
    """What a pull or push did.

    ``fetched`` is the remote trail's tip (None: the remote has no trail yet). ``merge`` is
    ``up-to-date``, ``fast-forward``, ``merged`` or ``none`` (nothing fetched). ``pushed``
    is the local tip the remote now holds (None for a pull, or nothing to push), and
    ``already_there`` says the remote had it before; ``attempts`` counts fetch-merge-push
    rounds.
    """

    remote: str
    ref: str
    fetched: str | None
    merge: str
    pushed: str | None = None
    attempts: int = 1
    already_there: bool = False


def tracking_ref(ref: str, remote: str) -> str:
    """Where ``remote``'s copy of ``ref`` is fetched: ``refs/notes/remotes/origin/agentgov``."""
    return f"refs/notes/remotes/{remote}/{ref.removeprefix('refs/notes/')}"


def fetch_refspec(ref: str, remote: str) -> str:
    """The refspec a clone can add to ``remote.<name>.fetch`` to fetch the trail always."""
    return f"+{ref}:{tracking_ref(ref, remote)}"


def pull(root: Path, ref: str, remote: str = "origin") -> SyncResult:
    """Fetch ``remote``'s trail and merge it into the local ``ref``."""
    _check_remote(root, remote)
    fetched = _fetch(root, ref, remote)
    return SyncResult(remote, ref, fetched, _merge(root, ref, fetched))


def push(root: Path, ref: str, remote: str = "origin", attempts: int = PUSH_ATTEMPTS) -> SyncResult:
    """Pull, then push the merged ``ref`` without force; on a race, pull and push again."""
    _check_remote(root, remote)
    last = ""
    for attempt in range(1, attempts + 1):
        fetched = _fetch(root, ref, remote)
        merged = _merge(root, ref, fetched)
        local = _tip(root, ref)
        if local is None:
            return SyncResult(remote, ref, fetched, merged, None, attempt)
        if local == fetched:  # the remote has exactly this: nothing to send
            return SyncResult(remote, ref, fetched, merged, local, attempt, already_there=True)
        _refuse_lost_lines(root, ref, local, fetched)
        rejected = _push(root, ref, remote)
        if rejected is None:
            return SyncResult(remote, ref, fetched, merged, local, attempt)
        last = rejected
        time.sleep(random.uniform(0.05, 0.2) * attempt)  # noqa: S311 -- jitter, not security
    raise GitError(
        f"pushing {ref} to {remote} was rejected {attempts} times ({last}): other clones "
        "keep pushing their trail; run `agentgov audit push` again"
    )


def _refuse_lost_lines(root: Path, ref: str, local: str, remote_tip: str | None) -> None:
    """Refuse to push notes commits that remove or change a line their parents held."""
    from agentgov.audit.notes_history import read_history

    lost = read_history(root, local, remote_tip).lost
    if not lost:
        return
    first = lost[0]
    raise TrailRewritten(
        f"refusing to share {ref}: notes commit {first.notes_commit[:12]} removes or changes "
        f"{len(lost)} line(s) an earlier notes commit held (the trail is append-only); run "
        "`agentgov audit verify` to see them"
    )


class TrailRewritten(GitError):
    """The local trail's unshared notes commits take lines away: it is not pushed."""


def _check_remote(root: Path, remote: str) -> None:
    names = output(root, "remote").split()
    if remote not in names:
        known = ", ".join(names) if names else "none"
        raise UsageError(f"no remote named {remote!r} in {root} (remotes: {known})")


def _fetch(root: Path, ref: str, remote: str) -> str | None:
    """The remote trail's tip, fetched into the tracking ref; None when it has none."""
    tracking = tracking_ref(ref, remote)
    done = run(
        root, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote,
        fetch_refspec(ref, remote),
    )  # fmt: skip
    if done.returncode != 0:
        if _MISSING_REMOTE_REF in done.stderr:
            return None
        raise GitError(f"git fetch {remote} {ref}: {done.stderr.strip()}")
    return _tip(root, tracking)


def _merge(root: Path, ref: str, fetched: str | None) -> str:
    if fetched is None:
        return "none"
    from agentgov.audit.notes import NotesStore  # pygit2: only where notes are written

    return NotesStore(root, ref).merge(fetched).outcome


def _push(root: Path, ref: str, remote: str) -> str | None:
    """None when the remote took the push; the rejection reason when it refused the ref."""
    done = run(root, "push", "--porcelain", "--no-verify", remote, f"{ref}:{ref}")
    for line in done.stdout.splitlines():
        flag, _, rest = line.partition("\t")
        if rest.startswith(f"{ref}:{ref}\t") and flag == "!":
            return rest.split("\t", 1)[1]
    if done.returncode != 0:
        raise GitError(f"git push {remote} {ref}: {done.stderr.strip() or done.stdout.strip()}")
    return None


def _tip(root: Path, ref: str) -> str | None:
    done = run(root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref)
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None
