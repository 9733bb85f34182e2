"""``git.force-push-protected``: a force-push that can rewrite a protected branch.

A force-push replaces the remote branch's history with the local one: commits others pushed
are lost and the review the protected branch stands for is bypassed. Caught forms: ``-f``,
``--force``, ``--force-with-lease[=...]``, ``--force-if-includes``, combined short flags
(``-fu``), a ``+refspec`` (``+main``, ``+HEAD:main``), ``--all`` with force, ``--mirror``
(which forces every ref, so it always counts), and a bare ``git push -f`` while the current
branch is protected. A force-push to an unprotected branch is ordinary publishing.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.git.git_push import PushTarget, push_plans
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

REMEDIATION = (
    "push your commits to a new branch and open a pull request: "
    "git push origin HEAD:refs/heads/<topic>"
)


def _describe(target: PushTarget, mirror: bool) -> str:
    if mirror:
        return "every ref on the remote (--mirror)"
    if target.every_branch:
        return f"every branch, protected ones included ({target.fragment})"
    return f"the protected branch {target.branch}"


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for plan in push_plans(analysis, ctx.branch):
        for target in plan.targets:
            if target.force and (plan.mirror or target.protected(ctx.policy)):
                yield RULE.hit(
                    plan.git.command.text,
                    f"force-push to {_describe(target, plan.mirror)}: it replaces the "
                    "remote history, dropping commits others pushed and bypassing review",
                    REMEDIATION,
                )
                break


RULE = Rule(
    id="git.force-push-protected",
    action_class=ActionClass.FORBIDDEN,
    summary="Force-push (-f, --force, --force-with-lease, +refspec, --mirror) to a protected "
    "branch.",
    example="git push --force origin main",
    evaluate=_evaluate,
)
