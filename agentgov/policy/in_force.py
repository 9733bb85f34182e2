"""The policy in force: the one committed on the protected default branch.

The agent can edit the working copy of ``.agentgov/policy.yaml``; what it edits is a
*proposal* until a reviewed pull request merges it. So the guard reads the policy from git
objects on the default branch, preferring the remote-tracking ref (``origin/main``: what
was reviewed and merged) over the local branch (which an agent could commit to). Where the
branch has no policy yet, the working copy is used, and the result says so.

A per-commit pointer in ``.git/agentgov/policy/`` makes the common case (the branch has not
moved) cost two small file reads and no git process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentgov.git_layout import RepoLayout, find_repo, read_ref, run_git, symbolic_target
from agentgov.policy import cache
from agentgov.policy.load import load_bytes, load_template
from agentgov.policy.model import Policy

POLICY_PATH = ".agentgov/policy.yaml"
DEFAULT_BRANCHES = ("main", "master")
_ABSENT = "absent"


@dataclass(frozen=True)
class PolicyInForce:
    """``origin`` is ``branch`` (committed on ``ref`` at ``commit``), ``working-copy`` (the
    branch has no policy yet) or ``template`` (no policy anywhere: the default applies)."""

    policy: Policy
    origin: str
    label: str
    ref: str | None = None
    commit: str | None = None
    working_copy_differs: bool = False
    note: str = ""


def policy_in_force(start: Path) -> PolicyInForce:
    layout = find_repo(start)
    if layout is None:
        return PolicyInForce(
            load_template("default"),
            "template",
            "<template default>",
            note="not inside a git repository: the default template applies",
        )
    cache_dir = layout.state_dir / "policy"
    working = _read_working_copy(layout.root)
    found = _default_branch_tip(layout)
    if found is not None:
        ref, commit = found
        committed = _committed_policy(layout, commit, cache_dir)
        if committed is not None:
            label = f"{ref.removeprefix('refs/remotes/').removeprefix('refs/heads/')}:{POLICY_PATH}"
            return PolicyInForce(
                load_bytes(committed, label, cache_dir),
                "branch",
                label,
                ref=ref,
                commit=commit,
                working_copy_differs=working is not None and working != committed,
                note=(
                    "the working copy differs: it is a proposal until merged"
                    if working is not None and working != committed
                    else ""
                ),
            )
    if working is not None:
        where = found[0] if found else "the default branch"
        return PolicyInForce(
            load_bytes(working, POLICY_PATH, cache_dir),
            "working-copy",
            POLICY_PATH,
            note=f"{where} has no committed policy yet: the working copy is in force",
        )
    return PolicyInForce(
        load_template("default", cache_dir),
        "template",
        "<template default>",
        note=f"no {POLICY_PATH} in this repository: the default template applies "
        "(run `agentgov init`)",
    )


def _read_working_copy(root: Path) -> bytes | None:
    try:
        with (root / POLICY_PATH).open("rb") as handle:
            return handle.read(cache.READ_LIMIT)
    except OSError:
        return None


def _default_branch_tip(layout: RepoLayout) -> tuple[str, str] | None:
    names: list[str] = []
    head = symbolic_target(layout, "refs/remotes/origin/HEAD")
    if head is not None:
        names.append(head.removeprefix("refs/remotes/origin/"))
    names += [name for name in DEFAULT_BRANCHES if name not in names]
    for name in names:
        for ref in (f"refs/remotes/origin/{name}", f"refs/heads/{name}"):
            commit = read_ref(layout, ref) if not layout.reftable else _git_ref(layout, ref)
            if commit:
                return ref, commit
    return None


def _git_ref(layout: RepoLayout, ref: str) -> str | None:
    out = run_git(layout.root, "rev-parse", "--verify", "--quiet", ref + "^{commit}")
    return out.decode().strip() if out else None


def _committed_policy(layout: RepoLayout, commit: str, cache_dir: Path) -> bytes | None:
    """The policy file's bytes at ``commit``, or None when that commit has none."""
    pointer = cache_dir / f"commit-{commit}"
    try:
        key = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        key = ""
    if key == _ABSENT:
        return None
    if key:
        try:
            return (cache_dir / f"blob-{key}").read_bytes()
        except OSError:
            pass
    raw = run_git(layout.root, "cat-file", "blob", f"{commit}:{POLICY_PATH}")
    if raw is None:
        cache.write_atomic(pointer, _ABSENT.encode())
    else:
        digest = cache.content_key(raw)
        if cache.write_atomic(cache_dir / f"blob-{digest}", raw):
            cache.write_atomic(pointer, digest.encode())
    return raw
