"""``git.push-protected``: a plain (fast-forward) push straight to a protected branch.

``git push origin main``, ``git push origin HEAD:main``, ``git push --all`` and a bare
``git push`` while the current branch is protected all land commits on the protected branch
without a pull request. Forced pushes are ``git.force-push-protected``; deletions are
``git.delete-protected-branch``.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.git.git_push import push_plans
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

REMEDIATION = (
    "push to a topic branch and open a pull request: git push origin HEAD:refs/heads/<topic>"
)


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for plan in push_plans(analysis, ctx.branch):
        for target in plan.targets:
            if not target.force and not target.delete and target.protected(ctx.policy):
                what = (
                    f"every branch, protected ones included ({target.fragment})"
                    if target.every_branch
                    else f"the protected branch {target.branch}"
                )
                yield RULE.hit(
                    plan.git.command.text,
                    f"pushes straight to {what}, bypassing review",
                    REMEDIATION,
                )
                break


RULE = Rule(
    id="git.push-protected",
    action_class=ActionClass.IRREVERSIBLE,
    summary="A fast-forward push straight to a protected branch, bypassing review.",
    example="git push origin main",
    evaluate=_evaluate,
)
