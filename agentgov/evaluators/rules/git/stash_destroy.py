"""``git.stash-destroy``: ``git stash drop`` and ``git stash clear`` delete stashed work.

A dropped stash survives only as a dangling commit until the next gc; ``clear`` drops all of
them. ``stash pop`` drops only after applying, so it loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.git.git_args import git_commands
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

REMEDIATION = (
    "look at it first (git stash show -p stash@{<n>}) and keep it as a branch with "
    "git stash branch <name> stash@{<n>}, or ask before deleting it"
)


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for git in git_commands(analysis):
        if git.subcommand != "stash" or not git.args:
            continue
        action = git.args[0].value
        if action in ("drop", "clear"):
            what = "every stash" if action == "clear" else "a stash"
            yield RULE.hit(
                git.command.text,
                f"git stash {action} deletes {what}: stashed work is in no branch and is "
                "gone once git prunes it",
                REMEDIATION,
            )


RULE = Rule(
    id="git.stash-destroy",
    action_class=ActionClass.IRREVERSIBLE,
    summary="git stash drop/clear: deletes stashed work.",
    example="git stash clear",
    evaluate=_evaluate,
)
