"""deploy.nonproduction: platform deploys that no production marker points at."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.deploy.nonproduction import RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "vercel",
    "vercel deploy",
    "vercel --yes --token $VERCEL_TOKEN",
    "npx vercel@latest deploy",
    "vc deploy --target preview",
    "netlify deploy --dir dist",
    "netlify deploy --alias pr-42",
    "fly deploy",
    "flyctl deploy -a shop-staging",
    "fly secrets set STRIPE_KEY=sk_test_1 -a shop-dev",
    "sls deploy --stage dev",
    "npx serverless deploy -s staging",
    "serverless deploy function -f web",
    "gh workflow run deploy.yml",
    "gh workflow run release.yml -f version=1.2.3",
    "gh workflow run deploy.yml -f environment=staging",
    "kamal deploy -d staging",
    "cap staging deploy",
    "bundle exec cap staging deploy:rollback",
    "eb deploy web-staging",
    "ansible-playbook -i inventories/staging site.yml",
    "git push heroku-staging main",
    "heroku config:set FEATURE_X=1 -a shop-staging",
    "firebase deploy --only hosting",
    "firebase hosting:channel:deploy preview-42",
    "wrangler deploy",
    "railway up",
    "cf push web-dev",
    "sudo -u deploy env HOME=/srv kamal deploy -d staging",
    "bash -c 'netlify deploy'",
    "make build && vercel deploy",
]


@pytest.mark.parametrize("command", POSITIVE)
def test_flags(command: str) -> None:
    found = hits(RULE, command)
    assert len(found) == 1, command
    assert found[0].action_class is ActionClass.IRREVERSIBLE


NEGATIVE = [
    "vercel dev",
    "vercel build",
    "vercel env pull .env.local",
    "vercel --help",
    "netlify build",
    "netlify status",
    "fly status -a shop-staging",
    "fly deploy --build-only",
    "sls package --stage dev",
    "sls deploy list",
    "gh workflow run ci.yml",
    "gh workflow list",
    "kamal app logs -d staging",
    "ansible-playbook site.yml --check -i inventories/staging",
    "echo vercel deploy",
    "git commit -m 'netlify deploy'",
    # Production deploys belong to deploy.production; infrastructure to infra.change.
    "vercel --prod",
    "sls deploy --stage prod",
    "kubectl apply -f k8s/",
    "terraform apply",
    "helm upgrade web ./chart",
]


@pytest.mark.parametrize("command", NEGATIVE)
def test_does_not_flag(command: str) -> None:
    assert hits(RULE, command) == []


def test_production_in_the_environment_moves_the_deploy() -> None:
    assert hits(RULE, "sls deploy") != []
    assert hits(RULE, "sls deploy", context(env={"STAGE": "production"})) == []


def test_message() -> None:
    [hit] = hits(RULE, "netlify deploy --dir dist")
    assert hit.message.startswith("`netlify deploy` deploys to a shared environment")
    assert "approve" in hit.remediation
