"""infra.destroy: teardown of shared infrastructure, in any wrapping."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.infra.destroy import RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "terraform destroy",
    "terraform destroy -auto-approve",
    "sudo /usr/local/bin/terraform destroy -target=aws_db_instance.main",
    "terraform -chdir=infra apply -destroy -auto-approve",
    "tofu destroy",
    "terragrunt run-all destroy --terragrunt-non-interactive",
    "\\terraform destroy",
    "'terraform' destroy",
    "env TF_LOG=debug terraform destroy",
    "bash -c 'cd infra && terraform destroy -auto-approve'",
    'eval "terraform destroy"',
    "(cd infra; timeout 600 terraform destroy)",
    "pulumi destroy --yes",
    "pulumi down -s dev",
    "npx cdk destroy --force",
    "kubectl delete namespace payments",
    "kubectl delete ns/payments",
    "kubectl --context staging delete pvc data-postgres-0",
    "kubectl delete pv,pvc --all",
    "kubectl delete pods --all -n default",
    "kubectl delete deploy -A -l app=web",
    "kubectl delete crd certificates.cert-manager.io",
    "kubectl delete node worker-3",
    "oc delete project payments",
    "aws s3 rb s3://assets --force",
    "aws s3 rm s3://assets --recursive",
    "aws --region eu-west-1 cloudformation delete-stack --stack-name web",
    "aws rds delete-db-instance --db-instance-identifier main --skip-final-snapshot",
    "aws dynamodb delete-table --table-name users",
    "aws ec2 terminate-instances --instance-ids i-0abc",
    "gcloud projects delete acme-sandbox",
    "gcloud container clusters delete main --zone europe-west1-b",
    "gcloud beta sql instances delete main",
    "gsutil -m rm -r gs://assets",
    "az group delete --name rg-web --yes",
    "az aks delete -g rg -n main",
    "doctl kubernetes cluster delete main",
    "eksctl delete cluster --name main",
    "heroku apps:destroy --app shop --confirm shop",
    "sls remove --stage dev",
    # A smaller delete is destruction once a production marker points at it.
    "kubectl delete pod web-0 -n production",
    "helm uninstall web --kube-context prod-eu",
    "aws lambda delete-function --function-name web --profile production",
    "kubectl config use-context prod-eu && kubectl delete deploy web",
    # Run in a container: one hit, on the launcher.
    "kubectl exec -it toolbox -- terraform destroy -auto-approve",
]


@pytest.mark.parametrize("command", POSITIVE)
def test_flags(command: str) -> None:
    found = hits(RULE, command)
    assert len(found) == 1, command
    assert found[0].action_class is ActionClass.FORBIDDEN
    assert found[0].rule == "infra.destroy"


NEGATIVE = [
    "terraform plan -destroy",
    "terraform plan",
    "terraform apply",
    "echo terraform destroy",
    "grep -r 'terraform destroy' docs/",
    "git commit -m 'remove terraform destroy from the makefile'",
    "printf 'kubectl delete ns %s\\n' payments",
    "kubectl delete namespace payments --dry-run=client",
    "kubectl get ns",
    "kubectl delete pod web-0",
    "helm uninstall web -n staging",
    "kind delete cluster",
    "minikube delete",
    "k3d cluster delete dev",
    "aws s3 rm s3://assets/old.txt",
    "aws s3 rm s3://assets --recursive --dryrun",
    "aws s3 ls s3://assets",
    "gcloud container clusters list",
    "pulumi preview --diff",
    "docker rm -f web",
]


@pytest.mark.parametrize("command", NEGATIVE)
def test_does_not_flag(command: str) -> None:
    assert hits(RULE, command) == []


@pytest.mark.parametrize(
    "command",
    [
        "su - deploy -c 'terraform destroy -auto-approve'",
        "runuser -u deploy -- terraform destroy",
        "script -qc 'terraform destroy' /dev/null",
        "parallel kubectl delete ns ::: a b",
        "ssh deploy@bastion 'terraform destroy -auto-approve'",
    ],
)
def test_flags_commands_run_by_other_users_shells_and_hosts(command: str) -> None:
    assert len(hits(RULE, command)) == 1


def test_message_names_the_action_and_remediation_is_concrete() -> None:
    [hit] = hits(RULE, "sudo terraform destroy -auto-approve")
    assert hit.fragment == "sudo terraform destroy -auto-approve"
    assert "`terraform destroy` destroys shared infrastructure" in hit.message
    assert "terraform plan -destroy" in hit.remediation


def test_production_delete_names_the_marker() -> None:
    [hit] = hits(RULE, "kubectl delete deploy web", context(env={"KUBECONFIG": "/k/prod.yaml"}))
    assert "deletes production resources" in hit.message
    assert "KUBECONFIG" in hit.message
