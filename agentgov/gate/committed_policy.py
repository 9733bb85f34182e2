"""The policy committed at a revision, read from git objects only (docs/ci.md).

``check`` judges a pull request by the policy at base and the policy at head as their
commits hold them: the working tree (which the PR's job has checked out, and an agent can
edit) never decides. The reads ignore replace refs and grafts, as the policy in force does.
A commit without a policy file has none; base then stands for the default template, the
policy in force when a repository has none (docs/policy.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentgov.errors import PolicyError
from agentgov.gate.model import Location
from agentgov.git_layout import RepoLayout
from agentgov.policy.in_force import POLICY_PATH, committed_blob
from agentgov.policy.load import load_bytes, template_bytes
from agentgov.policy.model import Policy
from agentgov.policy.source_text import Document, decode, parse

_PROBLEM = re.compile(r"^(?P<path>.*?):(?P<line>\d+):(?P<col>\d+): (?P<message>.*)$", re.DOTALL)


@dataclass(frozen=True)
class CommittedPolicy:
    """``policy`` and ``document`` are None when the commit has no valid policy:
    ``present`` says whether the file is there, ``problems`` why it does not load
    (``file:line:col: key: message``, as ``validate`` prints them)."""

    commit: str
    present: bool
    policy: Policy | None
    document: Document | None
    problems: tuple[str, ...] = ()
    raw: bytes = b""


def committed_policy(layout: RepoLayout, commit: str) -> CommittedPolicy:
    """The policy file at ``commit`` (a full commit id), loaded and positioned."""
    raw = committed_blob(layout, f"{commit}:{POLICY_PATH}")
    if raw is None:
        return CommittedPolicy(commit, False, None, None)
    try:
        policy = load_bytes(raw, POLICY_PATH, layout.state_dir / "policy")
        document = parse(decode(raw, POLICY_PATH), POLICY_PATH)
    except PolicyError as err:
        return CommittedPolicy(commit, True, None, None, tuple(err.problems), raw)
    return CommittedPolicy(commit, True, policy, document, raw=raw)


def default_policy() -> tuple[Policy, Document]:
    """The default template: what is in force where no policy is committed."""
    raw = template_bytes("default")
    label = "<template default>"
    return load_bytes(raw, label), parse(decode(raw, label), label)


def problem_location(problem: str) -> tuple[Location | None, str]:
    """A ``file:line:col: message`` problem split into its place and its message."""
    found = _PROBLEM.match(problem)
    if found is None:
        return None, problem
    place = Location(found["path"], int(found["line"]), int(found["col"]))
    return place, found["message"]
