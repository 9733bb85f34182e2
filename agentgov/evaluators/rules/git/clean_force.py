"""``git.clean-force``: ``git clean -f`` deletes untracked files.

Untracked files are in no commit, so nothing recovers them. ``-f`` (``--force``, also in
clusters such as ``-fd``, ``-xdf``) makes clean act; so does ``-c clean.requireForce=false``.
A dry run (``-n``, ``--dry-run``) only lists, and wins over ``-f``.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.cli_options import OptionSpec, names
from agentgov.evaluators.rules.git.git_args import git_commands
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

_CLEAN = OptionSpec(
    short_value="e",
    long_names=names("force interactive dry-run quiet exclude"),
    long_value=frozenset({"exclude"}),
)
_FALSE = frozenset({"false", "no", "off", "0"})
REMEDIATION = (
    "list first with git clean -n (plus -d/-x as intended), then delete only the paths you "
    "mean, or ask"
)


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for git in git_commands(analysis):
        if git.subcommand != "clean":
            continue
        parsed = git.parse(_CLEAN)
        unforced = (git.config_value("clean.requireforce") or "").lower() in _FALSE
        if (parsed.has("-f", "--force") or unforced) and not parsed.has("-n", "--dry-run"):
            yield RULE.hit(
                git.command.text,
                "git clean deletes untracked files; they are in no commit and cannot be recovered",
                REMEDIATION,
            )


RULE = Rule(
    id="git.clean-force",
    action_class=ActionClass.IRREVERSIBLE,
    summary="git clean -f: deletes untracked files.",
    example="git clean -fdx",
    evaluate=_evaluate,
)
