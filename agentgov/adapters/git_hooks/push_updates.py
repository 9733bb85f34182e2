"""The ref updates a push is about to make, as git's pre-push hook (or pre-commit) reports them.

git writes one line per ref to the pre-push hook's stdin::

    <local ref> SP <local object id> SP <remote ref> SP <remote object id> LF

A deletion has a local id of zeros and the local ref ``(delete)``; a new remote ref has a
remote id of zeros. The local ref is whatever the user typed on the left of the refspec
(``HEAD@{1 day ago}`` holds spaces), so a line is split from the right. Object ids are 40
hex digits, or 64 in a SHA-256 repository.

A line that does not have this shape means something other than git is talking to the
hook, or git changed its protocol: either way the push is refused rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from agentgov.errors import UsageError

_OID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
MAX_LINES = 100_000
"""A mirror push of a huge repository still fits; anything longer is not git talking."""


class MalformedPushInput(UsageError):
    """A pre-push stdin line git would never write; the push is refused."""


def is_zero(oid: str) -> bool:
    """True for the all-zeros id git uses for "no object" (either hash length)."""
    return bool(oid) and set(oid) == {"0"}


@dataclass(frozen=True)
class RefUpdate:
    """One ref a push changes on the remote.

    ``implied`` is set for an update git makes without listing it to the hook: the
    deletions ``--mirror`` and ``--prune`` make of remote refs this clone lacks (git only
    lists refs that have a local side). It says what implies it, for messages.
    """

    local_ref: str
    local_oid: str
    remote_ref: str
    remote_oid: str
    implied: str = ""

    @property
    def deletion(self) -> bool:
        return is_zero(self.local_oid)

    @property
    def creation(self) -> bool:
        return is_zero(self.remote_oid)

    @property
    def branch(self) -> str | None:
        """The remote branch's short name (``main``), or None when the ref is no branch."""
        if self.remote_ref.startswith("refs/heads/"):
            return self.remote_ref.removeprefix("refs/heads/")
        return None

    @property
    def tag(self) -> str | None:
        if self.remote_ref.startswith("refs/tags/"):
            return self.remote_ref.removeprefix("refs/tags/")
        return None

    @property
    def notes(self) -> bool:
        return self.remote_ref.startswith("refs/notes/")


def parse_updates(text: str) -> tuple[RefUpdate, ...]:
    """Every update in git's pre-push stdin; MalformedPushInput names the first bad line."""
    updates: list[RefUpdate] = []
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise MalformedPushInput(
            f"pre-push input has {len(lines)} lines, more than any push git would make "
            f"({MAX_LINES}); the push is refused"
        )
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        updates.append(_parse_line(line, number))
    return tuple(updates)


def _parse_line(line: str, number: int) -> RefUpdate:
    parts = line.rsplit(" ", 3)
    shown = line if len(line) <= 200 else line[:200] + "..."
    if len(parts) != 4 or not all(parts):
        raise MalformedPushInput(
            f"pre-push input line {number} is not '<local ref> <local sha> <remote ref> "
            f"<remote sha>': {shown!r}; the push is refused (only git should run this hook)"
        )
    local_ref, local_oid, remote_ref, remote_oid = parts
    for what, oid in (("local", local_oid), ("remote", remote_oid)):
        if not _OID.fullmatch(oid):
            raise MalformedPushInput(
                f"pre-push input line {number}: the {what} object id {oid!r} is not 40 or 64 "
                f"lowercase hex digits: {shown!r}; the push is refused"
            )
    if len(local_oid) != len(remote_oid):
        raise MalformedPushInput(
            f"pre-push input line {number}: object ids of different lengths: {shown!r}; "
            "the push is refused"
        )
    if not remote_ref.startswith("refs/") or any(c.isspace() for c in remote_ref):
        raise MalformedPushInput(
            f"pre-push input line {number}: the remote ref {remote_ref!r} is not a full ref "
            f"name (refs/...): {shown!r}; the push is refused"
        )
    return RefUpdate(local_ref, local_oid, remote_ref, remote_oid)


@dataclass(frozen=True)
class FrameworkPush:
    """What pre-commit tells a pre-push hook through its environment.

    pre-commit runs its pre-push hooks once, for the first ref of a push that has new
    commits, and never for a deletion. ``from_ref`` is the remote's old id only when that
    commit exists locally; otherwise pre-commit gives the parent of the first new commit,
    or nothing at all. So the remote's real id is asked of the remote (see ``pre_push``).
    """

    remote_name: str
    remote_url: str
    local_ref: str
    remote_ref: str
    from_ref: str | None
    to_ref: str | None


def framework_push(environ: Mapping[str, str]) -> FrameworkPush | None:
    """The push pre-commit describes in ``environ``, or None when it describes none."""
    remote_ref = environ.get("PRE_COMMIT_REMOTE_BRANCH", "")
    if not remote_ref:
        return None
    return FrameworkPush(
        remote_name=environ.get("PRE_COMMIT_REMOTE_NAME", ""),
        remote_url=environ.get("PRE_COMMIT_REMOTE_URL", ""),
        local_ref=environ.get("PRE_COMMIT_LOCAL_BRANCH", ""),
        remote_ref=remote_ref,
        from_ref=environ.get("PRE_COMMIT_FROM_REF") or None,
        to_ref=environ.get("PRE_COMMIT_TO_REF") or None,
    )
