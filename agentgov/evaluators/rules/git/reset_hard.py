"""``git.reset-hard``: ``git reset --hard`` (also ``--merge`` and ``--keep``).

A hard reset overwrites the working tree and the index: uncommitted edits are gone and no
reflog holds them. ``--merge`` and ``--keep`` also rewrite working-tree files. ``--soft``,
``--mixed`` and ``git reset <path>`` only move the branch or unstage, so they are not this
rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.cli_options import OptionSpec, names
from agentgov.evaluators.rules.git.git_args import git_commands
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

_RESET = OptionSpec(
    long_names=names(
        "soft mixed hard merge keep quiet patch intent-to-add recurse-submodules "
        "no-recurse-submodules pathspec-from-file pathspec-file-nul refresh no-refresh"
    ),
)
REMEDIATION = (
    "keep the work first: git stash push -m '<why>' (or commit it on a branch), "
    "then reset; or ask before discarding it"
)


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for git in git_commands(analysis):
        if git.subcommand != "reset":
            continue
        mode = git.parse(_RESET).last("--hard", "--merge", "--keep")
        if mode is not None:
            yield RULE.hit(
                git.command.text,
                f"git reset {mode.name} overwrites the working tree: uncommitted changes are "
                "lost and no reflog can bring them back",
                REMEDIATION,
            )


RULE = Rule(
    id="git.reset-hard",
    action_class=ActionClass.IRREVERSIBLE,
    summary="git reset --hard (and --merge/--keep): discards uncommitted work.",
    example="git reset --hard HEAD~1",
    evaluate=_evaluate,
)
