"""``infra.destroy``: destroying shared infrastructure, forbidden at every level.

Flags ``terraform``/``tofu``/``terragrunt destroy`` (and ``apply -destroy``), ``pulumi
destroy``, ``cdk destroy``, ``kubectl delete`` of a namespace, volume, claim, node or CRD or
with ``--all``, ``aws s3 rb`` and ``s3 rm --recursive``, cloud deletes of stacks, databases,
clusters, projects and resource groups, ``eksctl delete cluster``, ``heroku apps:destroy``...
A smaller delete (``kubectl delete pod``, ``helm uninstall``) is ``infra.change`` unless a
production marker is present, when it is destroying production and lands here.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.infra.operations import Effect, judged_operations
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

_REMEDIATION = (
    "Do not destroy shared infrastructure from an agent session. If the teardown is intended, "
    "write it up (what goes, why, how it is restored) and hand it to a human to run through "
    "the team's infrastructure pipeline; to see what would be removed, run "
    "`terraform plan -destroy` or `kubectl get` instead."
)


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for judged in judged_operations(analysis, ctx):
        operation = judged.operation
        if operation.effect is Effect.DESTROY:
            message = (
                f"`{operation.action}` destroys shared infrastructure (and the data in it); "
                "it cannot be undone from here."
            )
        elif operation.effect is Effect.REMOVE and judged.production is not None:
            message = (
                f"`{operation.action}` deletes production resources: "
                f"{judged.production.describe()}."
            )
        else:
            continue
        yield RULE.hit(judged.command.text, message, _REMEDIATION)


RULE = Rule(
    id="infra.destroy",
    action_class=ActionClass.FORBIDDEN,
    summary="Destroying shared infrastructure: terraform/pulumi destroy, kubectl delete "
    "namespace, aws s3 rb, cloud deletes of clusters, databases, stacks and projects.",
    example="terraform destroy -auto-approve",
    evaluate=_evaluate,
)
