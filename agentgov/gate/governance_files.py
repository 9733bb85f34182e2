"""The files that govern agents, and the CODEOWNERS lines that guard them (pure).

An agent never changes what governs it (docs/ci.md#check.agent-governance-edit): the
policy and the Claude Code hook shim (``.agentgov/``), Claude Code's project settings
(``.claude/settings*.json``, at any depth, since a session may start in a subdirectory),
pre-commit's configuration, the CI gate's own workflow and pinned requirements, and the
CODEOWNERS lines that require review of any of these.
"""

from __future__ import annotations

import re

from agentgov.policy.globs import GlobError, match_path

CODEOWNERS_FILES = frozenset({"CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"})
"""Where GitHub reads CODEOWNERS (GitLab also reads ``.gitlab/CODEOWNERS``)."""
CODEOWNERS_FILES_ALL = CODEOWNERS_FILES | {".gitlab/CODEOWNERS"}

_SETTINGS = re.compile(r"(?:.*/)?\.claude/settings[^/]*\.json")
_EXACT = frozenset(
    {
        ".pre-commit-config.yaml",
        ".github/workflows/agentgov.yml",
        ".gitlab/agentgov.gitlab-ci.yml",
    }
)
_TREES = (".agentgov/", ".github/agentgov/", ".gitlab/agentgov/")

STAND_INS = (
    ".agentgov/policy.yaml",
    ".agentgov/claude-hook.sh",
    ".claude/settings.json",
    ".claude/settings.local.json",
    ".pre-commit-config.yaml",
    ".github/workflows/agentgov.yml",
    ".github/agentgov/requirements.txt",
    ".gitlab/agentgov.gitlab-ci.yml",
    ".gitlab/agentgov/agentgov.txt",
)
"""A file of each governed kind: a CODEOWNERS line guards governance when it names one
(or the CODEOWNERS file it is in)."""


def governed(path: str) -> bool:
    """Whether the repository-relative ``path`` is a file that governs agents."""
    return path in _EXACT or path.startswith(_TREES) or _SETTINGS.fullmatch(path) is not None


def guards_governance(line: str, owners_file: str) -> bool:
    """Whether a line of the CODEOWNERS file ``owners_file`` covers a governed file or
    that CODEOWNERS file itself.

    Patterns follow gitignore rules, as the policy's path globs do; one that cannot be
    read counts as guarding, so an unreadable edit is never waved through."""
    text = line.split("#", 1)[0].strip() if not line.lstrip().startswith("\\#") else line
    if not text:
        return False
    pattern = text.split()[0]
    try:
        return any(match_path(stand_in, [pattern]) for stand_in in (*STAND_INS, owners_file))
    except GlobError:
        return True
