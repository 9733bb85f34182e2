"""Agent commits of a pull request that change the files governing agents (docs/ci.md).

The commits are those of base..head; which of them are an agent's is the evidence's
answer (``evidence.agent_commits``: the trail first, the markers as a lower bound), read
with base's markers, so a PR cannot switch its own markers off. A merge counts only for
what it wrote itself (the paths it changed against every parent), not for what it brought
in. A CODEOWNERS edit counts when a line it adds or removes guards a governed file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from agentgov.audit.git_process import output_bytes
from agentgov.evidence.agent_commits import AgentCommit, find_agent_commits
from agentgov.evidence.git_history import History, changed_paths
from agentgov.evidence.history_links import TrailLinks
from agentgov.gate.governance_files import CODEOWNERS_FILES_ALL, governed, guards_governance
from agentgov.policy.model import Policy

_HUNK = re.compile(rb"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


@dataclass(frozen=True)
class GovernanceEdit:
    agent: AgentCommit
    path: str
    line: int = 0
    """For a CODEOWNERS edit: the line and its text (an added line's number in the
    commit's file, a removed one's in its parent's)."""
    text: str = ""


def governance_edits(
    root: Path, commits: History, links: TrailLinks, policy: Policy
) -> tuple[GovernanceEdit, ...]:
    """The governed files each agent commit of ``commits`` changed, oldest commit first."""
    agents = find_agent_commits(root, commits, links, policy)
    if not agents:
        return ()
    touched = changed_paths(root, [agent.sha for agent in agents], combined=True)
    found: list[GovernanceEdit] = []
    for agent in reversed(agents):
        parent = next(iter(commits.by_sha[agent.sha].parents), _EMPTY_TREE)
        for path in touched.get(agent.sha, ()):
            if governed(path):
                found.append(GovernanceEdit(agent, path))
            elif path in CODEOWNERS_FILES_ALL:
                found.extend(
                    GovernanceEdit(agent, path, line, text)
                    for line, text in _owner_lines(root, parent, agent.sha, path)
                    if guards_governance(text, path)
                )
    return tuple(found)


def _owner_lines(root: Path, parent: str, sha: str, path: str) -> list[tuple[int, str]]:
    """The lines a commit added to or removed from ``path``, with their line numbers."""
    raw = output_bytes(
        root, "diff", "--no-color", "--no-ext-diff", "--unified=0", parent, sha, "--", path
    )
    lines: list[tuple[int, str]] = []
    old = new = 0
    in_hunk = False  # the ---/+++ file header comes before the first hunk
    for row in raw.split(b"\n"):
        hunk = _HUNK.match(row)
        if hunk:
            old, new, in_hunk = int(hunk.group(1)), int(hunk.group(2)), True
        elif not in_hunk:
            continue
        elif row.startswith(b"+"):
            lines.append((new, row[1:].decode("utf-8", errors="replace")))
            new += 1
        elif row.startswith(b"-"):
            lines.append((old, row[1:].decode("utf-8", errors="replace")))
            old += 1
    return lines
