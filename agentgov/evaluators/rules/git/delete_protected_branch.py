"""``git.delete-protected-branch``: deleting a protected branch on a remote.

``git push origin --delete main``, ``git push -d origin main``, ``git push origin :main`` and
``:refs/heads/main`` remove the branch everyone builds on; ``--prune`` with ``--all`` or a
wildcard refspec can do the same to every branch the local clone lacks.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.git.git_push import push_plans
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

REMEDIATION = (
    "leave the protected branch in place; if it really must go, ask a maintainer to change "
    "the branch protection and delete it through a reviewed change"
)


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for plan in push_plans(analysis, ctx.branch):
        for target in plan.targets:
            if target.delete and target.protected(ctx.policy):
                what = (
                    f"every remote branch the local clone lacks ({target.fragment})"
                    if target.every_branch
                    else f"the protected branch {target.branch}"
                )
                yield RULE.hit(
                    plan.git.command.text,
                    f"deletes {what} on the remote: the branch everyone builds on, and the "
                    "review it stands for, would be gone",
                    REMEDIATION,
                )
                break


RULE = Rule(
    id="git.delete-protected-branch",
    action_class=ActionClass.FORBIDDEN,
    summary="Deletion of a protected branch on a remote (--delete, -d, :branch).",
    example="git push origin --delete main",
    evaluate=_evaluate,
)
