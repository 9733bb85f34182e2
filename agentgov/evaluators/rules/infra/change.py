"""``infra.change``: changing infrastructure that no production marker points at.

Flags ``terraform apply``/``import``/``state rm``/``taint``, ``pulumi up``, ``kubectl
apply``/``create``/``delete``/``patch``/``scale``/``rollout restart``/``drain``..., ``helm
install``/``upgrade``/``uninstall``/``rollback``, mutating ``aws``/``gcloud``/``az``/``doctl``
calls and ``s3 cp``/``sync`` into a bucket. These cannot be taken back by the agent, so they
ask at every level. The same command with a production marker belongs to
``deploy.production`` (or to ``infra.destroy`` for deletes); teardown belongs to
``infra.destroy``; so each command has one owner.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.infra.operations import Effect, judged_operations
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

_REMEDIATION = (
    "Show the planned change first (`terraform plan`, `kubectl diff`, `helm diff`, "
    "`--dry-run=server`) and let a human approve the apply."
)


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for judged in judged_operations(analysis, ctx):
        operation = judged.operation
        if operation.effect is Effect.DESTROY or judged.production is not None:
            continue
        verb = "deletes" if operation.effect is Effect.REMOVE else "changes"
        message = (
            f"`{operation.action}` {verb} live infrastructure; no production marker was found, "
            "but the agent cannot take the change back."
        )
        yield RULE.hit(judged.command.text, message, _REMEDIATION)


RULE = Rule(
    id="infra.change",
    action_class=ActionClass.IRREVERSIBLE,
    summary="Applying or deleting infrastructure without a production marker: terraform "
    "apply, kubectl apply/delete, helm upgrade, mutating cloud CLI calls.",
    example="kubectl apply -f k8s/deployment.yaml",
    evaluate=_evaluate,
)
