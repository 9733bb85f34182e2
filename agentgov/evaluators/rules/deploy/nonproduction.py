"""``deploy.nonproduction``: a platform deploy that no production marker points at.

Flags ``vercel`` (without ``--prod``), ``netlify deploy`` (without ``--prod``), ``fly deploy``
of an app not named as production, ``sls deploy --stage dev``, ``gh workflow run
deploy.yml``, ``kamal deploy -d staging``, ``cap staging deploy``, ``eb deploy``,
``ansible-playbook`` against a staging inventory, ``firebase deploy``, ``wrangler deploy``.
A deploy replaces what others are using and cannot be recalled by the agent, so it asks at
every level. kubectl, helm, terraform and pulumi changes without a production marker are
``infra.change``, not this rule, so no command is counted twice.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.deploy.platforms import judged_deployments
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

_REMEDIATION = (
    "Ask a human to approve this deploy, or build and test locally "
    "(`vercel build`, `netlify build`, `sls package`) without deploying."
)


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for deployed in judged_deployments(analysis, ctx):
        if deployed.production is not None:
            continue
        message = (
            f"`{deployed.deployment.action}` deploys to a shared environment; no production "
            "marker was found, but the deploy cannot be recalled by the agent."
        )
        yield RULE.hit(deployed.command.text, message, _REMEDIATION)


RULE = Rule(
    id="deploy.nonproduction",
    action_class=ActionClass.IRREVERSIBLE,
    summary="Deploying without a production marker: vercel, netlify deploy, fly deploy, "
    "serverless deploy, gh workflow run deploy, kamal -d staging, cap staging deploy.",
    example="vercel deploy",
    evaluate=_evaluate,
)
