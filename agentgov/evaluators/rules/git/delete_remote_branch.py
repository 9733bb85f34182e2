"""``git.delete-remote-branch``: deleting an unprotected branch on a remote.

``git push origin --delete feature``, ``git push -d origin feature`` and
``git push origin :feature`` remove a branch other people may still use; commits only it
holds become unreachable. Protected branches are ``git.delete-protected-branch``; tags and
other refs are not branches.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.git.git_push import push_plans
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

REMEDIATION = (
    "check that the branch is merged and unused (git branch -r --merged), "
    "and ask before deleting it"
)


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for plan in push_plans(analysis, ctx.branch):
        for target in plan.targets:
            branch = target.branch
            if target.delete and branch and not target.protected(ctx.policy):
                yield RULE.hit(
                    plan.git.command.text,
                    f"deletes the remote branch {branch}: commits only it holds become "
                    "unreachable for everyone who shares the remote",
                    REMEDIATION,
                )
                break


RULE = Rule(
    id="git.delete-remote-branch",
    action_class=ActionClass.IRREVERSIBLE,
    summary="Deletion of an unprotected branch on a remote.",
    example="git push origin --delete feature/old",
    evaluate=_evaluate,
)
