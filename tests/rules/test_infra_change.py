"""infra.change: infrastructure changes that no production marker points at."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.deploy import nonproduction, production
from agentgov.evaluators.rules.infra import destroy
from agentgov.evaluators.rules.infra.change import RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "terraform apply",
    "terraform apply -auto-approve tfplan",
    "/usr/local/bin/terraform apply -var-file=staging.tfvars",
    "sudo -E tofu apply",
    "terraform import aws_s3_bucket.assets assets",
    "terraform state rm module.old",
    "terraform taint aws_instance.web",
    "terraform workspace select staging && terraform apply",
    "TF_WORKSPACE=dev terragrunt apply",
    "pulumi up --yes --stack dev",
    "kubectl apply -f k8s/deployment.yaml",
    "\\kubectl create configmap app --from-file=config/",
    '"kubectl" delete pod web-0',
    'kubectl patch deploy web -p \'{"spec":{"replicas":2}}\'',
    "kubectl scale deploy/web --replicas=0",
    "kubectl rollout restart deployment/web -n staging",
    "kubectl drain node-1 --ignore-daemonsets",
    "kubectl cordon node-1",
    "kubectl set image deploy/web web=registry/web:2.1",
    "kubectl edit cm app",
    "helm install web ./chart -n staging",
    "helm upgrade --install web ./chart -f values-staging.yaml",
    "helm uninstall web",
    "helm rollback web 3",
    "bash -c 'helm upgrade web ./chart'",
    "make build && kubectl apply -k overlays/dev",
    "aws ec2 run-instances --image-id ami-1 --count 1",
    "aws ecs update-service --cluster dev --service web --force-new-deployment",
    "aws iam put-role-policy --role-name r --policy-name p --policy-document file://p.json",
    "aws s3 cp dist/app.js s3://assets-dev/app.js",
    "aws s3 sync ./public s3://site-staging --delete",
    "aws s3 rm s3://assets-dev/old.txt",
    "gcloud compute instances create vm-1 --zone europe-west1-b",
    "gcloud run deploy web --image gcr.io/acme/web --project acme-staging",
    "gcloud storage cp build.tgz gs://artifacts/",
    "az webapp up --name web-dev",
    "az vm create -g rg-dev -n vm1 --image Ubuntu2204",
    "doctl compute droplet create web --size s-1vcpu-1gb",
    "eksctl create nodegroup --cluster dev",
    "watch -n 60 kubectl rollout restart deploy/web",
    "find k8s -name '*.yaml' -exec kubectl apply -f {} \\;",
]


@pytest.mark.parametrize("command", POSITIVE)
def test_flags(command: str) -> None:
    found = hits(RULE, command)
    assert len(found) == 1, command
    assert found[0].action_class is ActionClass.IRREVERSIBLE


NEGATIVE = [
    "terraform plan -out tfplan",
    "terraform init",
    "terraform validate && terraform fmt -check",
    "terraform state list",
    "kubectl diff -f k8s/",
    "kubectl apply -f k8s/ --dry-run=server",
    "kubectl get pods -A",
    "kubectl rollout status deploy/web",
    "kubectl logs deploy/web",
    "helm template web ./chart",
    "helm upgrade web ./chart --dry-run",
    "helm list -A",
    "aws s3 ls s3://assets",
    "aws s3 cp s3://assets/report.csv .",
    "aws ec2 describe-instances",
    "aws ec2 run-instances --dry-run --image-id ami-1",
    "aws eks update-kubeconfig --name dev",
    "aws configure set region eu-west-1",
    "gcloud config set project acme-dev",
    "gcloud container clusters get-credentials dev",
    "az account set --subscription dev",
    "echo kubectl apply -f k8s/",
    "git commit -m 'kubectl apply the new deployment'",
    # Owned by other rules: destruction, and production changes.
    "terraform destroy",
    "kubectl --context prod-eu apply -f k8s/",
    "terraform workspace select prod && terraform apply",
    "aws ses send-email --from a@x.io --to b@x.io --subject hi --text hi",
]


@pytest.mark.parametrize("command", NEGATIVE)
def test_does_not_flag(command: str) -> None:
    assert hits(RULE, command) == []


def test_production_environment_moves_a_change_to_deploy_production() -> None:
    assert hits(RULE, "kubectl apply -f k8s/") != []
    assert hits(RULE, "kubectl apply -f k8s/", context(env={"KUBECONFIG": "/k/prod"})) == []


def test_message_and_remediation() -> None:
    [hit] = hits(RULE, "kubectl delete pod web-0 && echo done")
    assert hit.fragment == "kubectl delete pod web-0"
    assert "`kubectl delete` deletes live infrastructure" in hit.message
    assert "kubectl diff" in hit.remediation


@pytest.mark.parametrize(
    ("command", "owner"),
    [
        ("terraform destroy", "infra.destroy"),
        ("terraform apply", "infra.change"),
        ("TF_WORKSPACE=prod terraform apply", "deploy.production"),
        ("kubectl delete pod web-0", "infra.change"),
        ("kubectl delete pod web-0 -n production", "infra.destroy"),
        ("kubectl delete ns web", "infra.destroy"),
        ("helm upgrade web ./chart", "infra.change"),
        ("helm upgrade web ./chart --kube-context prod", "deploy.production"),
        ("helm uninstall web --kube-context prod", "infra.destroy"),
        ("vercel deploy", "deploy.nonproduction"),
        ("vercel deploy --prod", "deploy.production"),
        ("sls remove --stage prod", "infra.destroy"),
        ("aws s3 sync dist s3://site", "infra.change"),
        ("aws s3 sync dist s3://site --profile prod", "deploy.production"),
    ],
)
def test_each_command_has_one_owner(command: str, owner: str) -> None:
    rules = (destroy.RULE, RULE, production.RULE, nonproduction.RULE)
    assert [rule.id for rule in rules if hits(rule, command)] == [owner]
