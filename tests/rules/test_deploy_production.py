"""deploy.production: deploys and infrastructure changes that reach production."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.deploy.production import RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    # Infrastructure changes with a production marker.
    "kubectl --context prod-eu apply -f k8s/",
    "kubectl apply -f k8s/ -n production",
    "kubectl -nproduction rollout restart deploy/web",
    "sudo kubectl apply -k overlays/production",
    "kubectl rollout restart deployment/web --namespace=prod",
    "kubectl scale deploy/web --replicas=0 --context=gke_acme_prod-west",
    "kubectl set image deploy/web web=registry/web:2.1 -n production",
    'kubectl patch deploy web -n prod -p \'{"spec":{"replicas":1}}\'',
    "kubectl config use-context prod-eu && kubectl apply -f k8s/",
    "helm upgrade --install web ./chart -f values-production.yaml",
    "helm install web ./chart --kube-context prod",
    "terraform workspace select prod && terraform apply -auto-approve",
    "TF_WORKSPACE=production /usr/bin/terraform apply",
    "terraform apply -var-file=envs/prod.tfvars",
    "pulumi up --yes --stack acme/web/prod",
    "AWS_PROFILE=prod aws s3 sync dist s3://www",
    "gcloud run deploy web --image gcr.io/acme/web --project acme-prod",
    # Platform deploys that reach production.
    "vercel --prod",
    "npx vercel deploy --prod --yes",
    "vercel promote https://web-abc123.vercel.app",
    "netlify deploy --prod --dir dist",
    "ntl deploy -p",
    "git push heroku main",
    "git push heroku-prod HEAD:main",
    "heroku releases:rollback v102 -a shop",
    "heroku pg:reset DATABASE_URL --confirm shop",
    "serverless deploy --stage prod",
    "sls deploy -s production",
    "gh workflow run deploy.yml -f environment=production",
    "gh workflow run deploy-production.yml --ref main",
    "kamal deploy -d production",
    "kamal deploy",
    "bundle exec cap production deploy",
    "eb deploy prod-env",
    "ansible-playbook -i inventories/production site.yml",
    "ansible-playbook deploy.yml --limit prod-web",
    "fly deploy -a shop-prod",
    "flyctl deploy --config fly.production.toml",
    "firebase deploy --project acme-prod",
    "wrangler deploy --env production",
    "bash -c 'vercel --prod'",
    "helm upgrade web ./chart --set global.env=production",
    "aws-vault exec prod -- terraform apply",
    "skaffold run -p prod",
    "eval 'netlify deploy --prod'",
    "(cd web && npm run build && vercel --prod)",
    "kubectl exec toolbox -- kubectl --context prod-eu apply -f k8s/",
]


@pytest.mark.parametrize("command", POSITIVE)
def test_flags(command: str) -> None:
    found = hits(RULE, command)
    assert len(found) == 1, command
    assert found[0].action_class is ActionClass.FORBIDDEN


NEGATIVE = [
    "kubectl apply -f k8s/",
    "kubectl apply -f k8s/ -n staging",
    "kubectl diff -f k8s/ --context prod-eu",
    "kubectl get pods -n production",
    "kubectl apply -f k8s/ --context prod-eu --dry-run=server",
    "helm template web ./chart -f values-production.yaml",
    "helm upgrade web ./chart -n product-catalog",
    "terraform plan -var-file=prod.tfvars",
    "terraform workspace select staging && terraform apply",
    "vercel",
    "vercel deploy",
    "vercel build --prod",
    "netlify deploy --dir dist",
    "git push heroku-staging main",
    "git push origin main",
    "sls deploy --stage dev",
    "gh workflow run ci.yml",
    "gh workflow run deploy.yml -f environment=staging",
    "kamal deploy -d staging",
    "cap staging deploy",
    "fly deploy",
    "ansible-playbook -i inventories/production site.yml --check",
    "echo 'vercel --prod'",
    "git commit -m 'kubectl apply -n production'",
    "grep -rn 'netlify deploy --prod' .github/",
    # Teardown is infra.destroy, not a deploy.
    "terraform destroy",
    "kubectl delete ns web -n production",
]


@pytest.mark.parametrize("command", NEGATIVE)
def test_does_not_flag(command: str) -> None:
    assert hits(RULE, command) == []


def test_environment_marks_production() -> None:
    ctx = context(env={"TF_WORKSPACE": "prod"})
    [hit] = hits(RULE, "terraform apply", ctx)
    assert hit.message == (
        "`terraform apply` changes production: TF_WORKSPACE=prod in the environment "
        "names a production workspace."
    )
    assert "deploy pipeline" in hit.remediation


def test_message_names_the_platform_marker() -> None:
    [hit] = hits(RULE, "vercel deploy --prod")
    assert hit.message == "`vercel deploy` reaches production: --prod deploys to production."
    [hit] = hits(RULE, "git push heroku main")
    assert "heroku targets the live app" in hit.message
