"""``deploy.production``: deploying to or changing production, forbidden at every level.

Two sources, one owner each: an infrastructure change (``kubectl apply``/``rollout``/
``scale``/``set image``/``patch``, ``helm install``/``upgrade``, ``terraform apply``, ``pulumi
up``, mutating cloud calls) that carries a production marker (``--context prod-eu``, ``-n
production``, ``TF_WORKSPACE=prod``, ``terraform workspace select prod`` earlier...), and a
platform deploy that reaches production (``vercel --prod``, ``netlify deploy --prod``,
``git push heroku main``, ``sls deploy --stage prod``, ``gh workflow run deploy.yml -f
environment=production``, ``kamal deploy -d production``, ``cap production deploy``, ``eb
deploy prod-env``, ``ansible-playbook -i inventories/production``). See
``deploy/platforms.py`` for how each platform names production.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.deploy.platforms import judged_deployments
from agentgov.evaluators.rules.infra.operations import Effect, judged_operations
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

_REMEDIATION = (
    "Deploy to staging (or a preview) instead, or hand the production step to a human "
    "through your deploy pipeline."
)


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for judged in judged_operations(analysis, ctx):
        if judged.operation.effect is not Effect.CHANGE or judged.production is None:
            continue
        message = f"`{judged.operation.action}` changes production: {judged.production.describe()}."
        yield RULE.hit(judged.command.text, message, _REMEDIATION)
    for deployed in judged_deployments(analysis, ctx):
        if deployed.production is None:
            continue
        message = (
            f"`{deployed.deployment.action}` reaches production: {deployed.production.describe()}."
        )
        yield RULE.hit(deployed.command.text, message, _REMEDIATION)


RULE = Rule(
    id="deploy.production",
    action_class=ActionClass.FORBIDDEN,
    summary="Deploying to production: kubectl/helm/terraform/pulumi against a production "
    "marker, vercel --prod, netlify --prod, heroku, serverless --stage prod, gh workflow run "
    "... production, kamal, capistrano, eb, ansible.",
    example="kubectl --context prod-eu apply -f k8s/",
    evaluate=_evaluate,
)
