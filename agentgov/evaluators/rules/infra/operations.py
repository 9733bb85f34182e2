"""Which commands change shared infrastructure, and how badly.

One recogniser serves three rules, so that each command has exactly one owner:

- ``Effect.DESTROY`` (``terraform destroy``, ``kubectl delete namespace``, ``aws s3 rb``):
  always ``infra.destroy``, production or not.
- ``Effect.REMOVE`` (``kubectl delete pod``, ``helm uninstall``, other cloud deletes):
  ``infra.destroy`` when a production marker is present, else ``infra.change``.
- ``Effect.CHANGE`` (``kubectl apply``, ``terraform apply``, ``helm upgrade``, mutating cloud
  API calls): ``deploy.production`` when a production marker is present, else
  ``infra.change``.

Dry runs (``--dry-run=client``, ``terraform plan``, ``kubectl diff``, ``helm template``,
``aws ... --dryrun``) change nothing and are not operations. Messaging calls of the cloud
CLIs (``aws ses send-email``, ``aws sns publish``) belong to ``message.send``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from agentgov.evaluators.rules.base import ShellContext, once_per_analysis
from agentgov.evaluators.rules.invocation import (
    Invocation,
    flag_values,
    has_flag,
    invocations,
    launched_by,
    may_run,
    positionals,
)
from agentgov.evaluators.rules.production.markers import ProductionMarker, production_marker
from agentgov.evaluators.shell.model import Analysis, SimpleCommand, Word


class Effect(str, Enum):
    DESTROY = "destroy"
    REMOVE = "remove"
    CHANGE = "change"


@dataclass(frozen=True)
class InfraOperation:
    """A recognised infrastructure change: ``action`` names it for messages
    (``kubectl delete namespace``); ``targets`` are words naming what it changes, checked
    for production words."""

    action: str
    effect: Effect
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class JudgedOperation:
    """An operation with the production evidence found for it (None: not production)."""

    command: SimpleCommand
    operation: InfraOperation
    production: ProductionMarker | None


@once_per_analysis
def judged_operations(analysis: Analysis, ctx: ShellContext) -> tuple[JudgedOperation, ...]:
    """Every infrastructure operation in the analysis, with its production evidence."""
    found: list[JudgedOperation] = []
    for command in analysis.commands:
        operation = infra_operation(command) if may_run(command, _RECOGNISERS) else None
        if operation is None:
            continue
        marker = production_marker(analysis, command, ctx, targets=operation.targets)
        found.append(JudgedOperation(command, operation, marker))
    return _outermost(analysis, found)


def _outermost(analysis: Analysis, found: list[JudgedOperation]) -> tuple[JudgedOperation, ...]:
    """``kubectl exec pod -- terraform destroy`` is one operation, seen on kubectl."""
    indices = {judged.command.index for judged in found}
    return tuple(judged for judged in found if not launched_by(analysis, judged.command, indices))


def infra_operation(command: SimpleCommand) -> InfraOperation | None:
    """The infrastructure operation ``command`` performs, or None."""
    for invocation in invocations(command):
        recognise = _RECOGNISERS.get(invocation.tool)
        if recognise is not None:
            operation = recognise(invocation)
            if operation is not None:
                return operation
    return None


def _values(words: Sequence[Word]) -> list[str]:
    return [word.value for word in words]


def _dry_run(args: Sequence[Word]) -> bool:
    """kubectl/helm style: ``--dry-run``, ``--dry-run=client|server`` (not ``=none``)."""
    for value in flag_values(args, ("--dry-run",)):
        if value in ("client", "server", "true"):
            return True
    return any(word.value == "--dry-run" for word in args) and not any(
        word.value == "--dry-run=none" for word in args
    )


# ---------------------------------------------------------------- terraform and friends

_TERRAFORM_VALUES = (
    "-var",
    "-var-file",
    "-target",
    "-replace",
    "-state",
    "-state-out",
    "-backup",
    "-lock-timeout",
    "-parallelism",
    "-out",
    "-generate-config-out",
    "-backend-config",
    "--terragrunt-config",
    "--terragrunt-working-dir",
    "--working-dir",
    "--config",
)
_TERRAFORM_STATE_CHANGES = frozenset({"rm", "mv", "push", "replace-provider"})


def _terraform(invocation: Invocation) -> InfraOperation | None:
    tool = invocation.tool
    words = _values(positionals(invocation.args, _TERRAFORM_VALUES))
    if tool == "terragrunt" and words[:1] in (["run-all"], ["run"]):
        words = words[1:]
    if not words:
        return None
    verb = words[0]
    flags = {value.split("=", 1)[0] for value in invocation.values() if value.startswith("-")}
    if verb == "destroy" or (verb == "apply" and flags & {"-destroy", "--destroy"}):
        return InfraOperation(
            f"{tool} {verb}" + (" -destroy" if verb == "apply" else ""), Effect.DESTROY
        )
    if verb in ("apply", "import", "taint", "untaint", "force-unlock"):
        return InfraOperation(f"{tool} {verb}", Effect.CHANGE)
    if verb == "state" and len(words) > 1 and words[1] in _TERRAFORM_STATE_CHANGES:
        return InfraOperation(f"{tool} state {words[1]}", Effect.CHANGE)
    if verb == "workspace" and words[1:2] == ["delete"]:
        return InfraOperation(f"{tool} workspace delete", Effect.REMOVE, tuple(words[2:3]))
    return None


_PULUMI_VALUES = (
    *("-s", "--stack", "-C", "--cwd", "-m", "--message", "-c", "--config"),
    *("--config-file", "-t", "--target", "--parallel", "-p"),
)


def _pulumi(invocation: Invocation) -> InfraOperation | None:
    words = _values(positionals(invocation.args, _PULUMI_VALUES))
    if not words:
        return None
    verb = words[0]
    if verb in ("destroy", "down"):
        return InfraOperation(f"pulumi {verb}", Effect.DESTROY)
    if verb in ("up", "update", "import", "refresh"):
        if has_flag(invocation.args, ("--preview-only",)):
            return None
        return InfraOperation(f"pulumi {verb}", Effect.CHANGE)
    if verb == "stack" and words[1:2] == ["rm"]:
        return InfraOperation("pulumi stack rm", Effect.REMOVE, tuple(words[2:3]))
    if verb == "state" and words[1:2] in (["delete"], ["unprotect"], ["move"]):
        return InfraOperation(f"pulumi state {words[1]}", Effect.CHANGE)
    return None


_CDK_VALUES = ("--profile", "-c", "--context", "--app", "-a", "--require-approval", "-o")


def _cdk(invocation: Invocation) -> InfraOperation | None:
    words = _values(positionals(invocation.args, _CDK_VALUES))
    if words[:1] == ["destroy"]:
        return InfraOperation("cdk destroy", Effect.DESTROY, tuple(words[1:]))
    if words[:1] in (["deploy"], ["import"]):
        return InfraOperation(f"cdk {words[0]}", Effect.CHANGE, tuple(words[1:]))
    return None


_SAM_VALUES = ("--stack-name", "--config-env", "--profile", "--region", "-t", "--template")


def _sam(invocation: Invocation) -> InfraOperation | None:
    words = _values(positionals(invocation.args, _SAM_VALUES))
    stack = flag_values(invocation.args, ("--stack-name",))
    if words[:1] == ["delete"]:
        return InfraOperation("sam delete", Effect.DESTROY, stack)
    if words[:1] in (["deploy"], ["sync"]):
        return InfraOperation(f"sam {words[0]}", Effect.CHANGE, stack)
    return None


# ---------------------------------------------------------------- kubernetes

_KUBECTL_VALUES = frozenset(
    {
        "-n",
        "--namespace",
        "--context",
        "--kubeconfig",
        "--cluster",
        "--user",
        "-s",
        "--server",
        "--token",
        "--as",
        "--as-group",
        "--request-timeout",
        "--certificate-authority",
        "--client-certificate",
        "--client-key",
        "--tls-server-name",
        "-v",
        "-f",
        "--filename",
        "-k",
        "--kustomize",
        "-l",
        "--selector",
        "--field-selector",
        "-o",
        "--output",
        "-c",
        "--container",
        "--grace-period",
        "--timeout",
        "-p",
        "--patch",
        "--patch-file",
        "--type",
        "--replicas",
        "--current-replicas",
        "--image",
        "--port",
        "--field-manager",
        "--for",
        "--max",
        "--min",
        "--cpu-percent",
        "--resource-version",
        "--to-revision",
        "--pod-selector",
        "--prune-allowlist",
        "--subresource",
        "--name",
        "--overrides",
        "--template",
    }
)
_DESTROY_KINDS = frozenset(
    {
        "namespace",
        "namespaces",
        "ns",
        "pv",
        "persistentvolume",
        "persistentvolumes",
        "pvc",
        "persistentvolumeclaim",
        "persistentvolumeclaims",
        "node",
        "nodes",
        "no",
        "crd",
        "crds",
        "customresourcedefinition",
        "customresourcedefinitions",
        "project",
        "projects",
    }
)
_KUBECTL_CHANGES = frozenset(
    {
        "apply",
        "create",
        "replace",
        "patch",
        "edit",
        "scale",
        "autoscale",
        "expose",
        "run",
        "label",
        "annotate",
        "taint",
        "cordon",
        "uncordon",
        "drain",
        "set",
        "new-project",
        "new-app",
    }
)
_ROLLOUT_CHANGES = frozenset({"restart", "undo", "pause", "resume"})
_KUBECTL_VERBS = frozenset({"delete", "rollout", "certificate"})  # besides the changes


def _kubectl(invocation: Invocation) -> InfraOperation | None:
    args = invocation.args
    # Boolean flags that kubectl also accepts as ``--flag=value`` must not eat a word.
    words = _values(positionals(args, _KUBECTL_VALUES))
    if not words or (words[0] not in _KUBECTL_VERBS and words[0] not in _KUBECTL_CHANGES):
        return None  # get, describe, logs...: read before anything else is looked at
    if _dry_run(args) or has_flag(args, ("-h", "--help")):
        return None
    tool, verb = invocation.tool, words[0]
    namespaces = flag_values(args, ("-n", "--namespace"))
    if verb == "delete":
        kinds = _kinds(words[1:])
        every = has_flag(args, ("--all", "-A", "--all-namespaces"))
        destroyed = sorted(kinds & _DESTROY_KINDS)
        if destroyed:
            return InfraOperation(f"{tool} delete {destroyed[0]}", Effect.DESTROY, namespaces)
        if every:
            return InfraOperation(f"{tool} delete --all", Effect.DESTROY, namespaces)
        return InfraOperation(f"{tool} delete", Effect.REMOVE, namespaces)
    if verb in _KUBECTL_CHANGES:
        if verb == "apply" and words[1:2] == ["view-last-applied"]:
            return None
        return InfraOperation(f"{tool} {verb}", Effect.CHANGE, namespaces)
    if verb == "rollout" and len(words) > 1 and words[1] in _ROLLOUT_CHANGES:
        return InfraOperation(f"{tool} rollout {words[1]}", Effect.CHANGE, namespaces)
    if verb == "certificate" and words[1:2] in (["approve"], ["deny"]):
        return InfraOperation(f"{tool} certificate {words[1]}", Effect.CHANGE)
    return None


def _kinds(words: Sequence[str]) -> set[str]:
    """Resource kinds named by ``delete``: ``ns foo``, ``ns/foo``, ``pod,svc x``."""
    kinds: set[str] = set()
    if words:
        first = words[0]
        if "/" not in first:
            kinds.update(kind.split(".", 1)[0].lower() for kind in first.split(","))
    for word in words:
        if "/" in word:
            kinds.add(word.split("/", 1)[0].split(".", 1)[0].lower())
    return kinds


_HELM_VALUES = (
    "-n",
    "--namespace",
    "--kube-context",
    "--kubeconfig",
    "-f",
    "--values",
    "--set",
    "--set-string",
    "--set-file",
    "--set-json",
    "--version",
    "--repo",
    "--timeout",
    "-o",
    "--output",
    "--post-renderer",
    "--description",
    "--history-max",
    "--dry-run",
)


def _helm(invocation: Invocation) -> InfraOperation | None:
    args = invocation.args
    words = _values(positionals(args, _HELM_VALUES[:-1]))
    if not words or _dry_run(args):
        return None
    verb = words[0]
    namespaces = flag_values(args, ("-n", "--namespace"))
    release = tuple(words[1:2])
    if verb in ("install", "upgrade", "rollback"):
        return InfraOperation(f"helm {verb}", Effect.CHANGE, (*namespaces, *release))
    if verb in ("uninstall", "delete", "del", "un"):
        return InfraOperation(f"helm {verb}", Effect.REMOVE, (*namespaces, *release))
    return None


def _helmfile(invocation: Invocation) -> InfraOperation | None:
    args = invocation.args
    words = _values(positionals(args, ("-e", "--environment", "-f", "--file", "-l", "--selector")))
    if words[:1] == ["destroy"]:
        return InfraOperation("helmfile destroy", Effect.DESTROY)
    if words[:1] in (["apply"], ["sync"], ["deploy"]):
        return InfraOperation(f"helmfile {words[0]}", Effect.CHANGE)
    if words[:1] == ["delete"]:
        return InfraOperation("helmfile delete", Effect.REMOVE)
    return None


def _skaffold(invocation: Invocation) -> InfraOperation | None:
    words = _values(positionals(invocation.args, ("-p", "--profile", "--kube-context", "-f")))
    if words[:1] in (["run"], ["deploy"], ["apply"]):
        return InfraOperation(f"skaffold {words[0]}", Effect.CHANGE)
    if words[:1] == ["delete"]:
        return InfraOperation("skaffold delete", Effect.REMOVE)
    return None


def _argocd(invocation: Invocation) -> InfraOperation | None:
    words = _values(positionals(invocation.args, ("--server", "--grpc-web-root-path", "-l")))
    if words[:1] == ["app"] and len(words) > 1:
        apps = tuple(words[2:3])
        if words[1] in ("sync", "rollback", "set", "create", "patch", "terminate-op"):
            return InfraOperation(f"argocd app {words[1]}", Effect.CHANGE, apps)
        if words[1] == "delete":
            return InfraOperation("argocd app delete", Effect.REMOVE, apps)
    return None


def _eksctl(invocation: Invocation) -> InfraOperation | None:
    words = _values(positionals(invocation.args, ("-f", "--config-file", "--name", "--region")))
    names = flag_values(invocation.args, ("--name", "--cluster"))
    if words[:2] == ["delete", "cluster"]:
        return InfraOperation("eksctl delete cluster", Effect.DESTROY, (*names, *words[2:3]))
    if words[:1] == ["delete"]:
        return InfraOperation(f"eksctl delete {' '.join(words[1:2])}".strip(), Effect.REMOVE)
    if words[:1] and words[0] in ("create", "upgrade", "scale", "update", "set", "unset"):
        return InfraOperation(f"eksctl {words[0]}", Effect.CHANGE, names)
    return None


# ---------------------------------------------------------------- cloud CLIs

_AWS_VALUES = (
    "--region",
    "--profile",
    "--output",
    "--endpoint-url",
    "--query",
    "--color",
    "--ca-bundle",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--cli-binary-format",
)
_S3_VALUES = (
    *_AWS_VALUES,
    "--include",
    "--exclude",
    "--acl",
    "--grants",
    "--storage-class",
    "--sse",
    "--sse-c",
    "--sse-c-key",
    "--sse-kms-key-id",
    "--content-type",
    "--cache-control",
    "--content-disposition",
    "--content-encoding",
    "--content-language",
    "--expires",
    "--metadata",
    "--metadata-directive",
    "--website-redirect",
    "--source-region",
    "--page-size",
    "--request-payer",
    "--expected-size",
    "--checksum-algorithm",
)
_AWS_DESTROY = frozenset(
    {
        ("s3api", "delete-bucket"),
        ("cloudformation", "delete-stack"),
        ("rds", "delete-db-instance"),
        ("rds", "delete-db-cluster"),
        ("dynamodb", "delete-table"),
        ("ec2", "terminate-instances"),
        ("ec2", "delete-volume"),
        ("eks", "delete-cluster"),
        ("ecs", "delete-cluster"),
        ("ecr", "delete-repository"),
        ("elasticache", "delete-cache-cluster"),
        ("elasticache", "delete-replication-group"),
        ("redshift", "delete-cluster"),
        ("opensearch", "delete-domain"),
        ("es", "delete-elasticsearch-domain"),
        ("efs", "delete-file-system"),
        ("kms", "schedule-key-deletion"),
        ("route53", "delete-hosted-zone"),
        ("backup", "delete-backup-vault"),
        ("docdb", "delete-db-cluster"),
        ("neptune", "delete-db-cluster"),
    }
)
_AWS_MUTATING = re.compile(
    r"(?:create|delete|put|update|modify|run|start|stop|reboot|terminate|attach|detach|"
    r"associate|disassociate|register|deregister|tag|untag|set|restore|enable|disable|add|"
    r"remove|revoke|authorize|import|publish|replace|reset|send|deploy|invoke|execute|"
    r"cancel|copy|purge|promote|failover|schedule|upload)(?:-.*)?"
)
# Operations that match the verbs above but change nothing remote, or that another rule
# owns (messages go to ``message.send``).
_AWS_EXEMPT = frozenset(
    {
        ("eks", "update-kubeconfig"),
        ("ssm", "start-session"),
        ("logs", "start-query"),
        ("logs", "stop-query"),
        ("logs", "start-live-tail"),
        ("ses", "send-email"),
        ("ses", "send-raw-email"),
        ("ses", "send-templated-email"),
        ("ses", "send-bulk-templated-email"),
        ("sesv2", "send-email"),
        ("sesv2", "send-bulk-email"),
        ("sns", "publish"),
        ("sns", "publish-batch"),
        ("pinpoint", "send-messages"),
        ("pinpoint", "send-users-messages"),
    }
)
_AWS_LOCAL_SERVICES = frozenset({"configure", "sso", "help", "history", "cli"})


def _aws(invocation: Invocation) -> InfraOperation | None:
    args = invocation.args
    words = _values(positionals(args, _AWS_VALUES))
    if len(words) < 2 or words[0] in _AWS_LOCAL_SERVICES:
        return None
    service, operation = words[0], words[1]
    profiles = flag_values(args, ("--profile",))
    if service == "s3":
        return _aws_s3(args, profiles)
    if has_flag(args, ("--dry-run", "--generate-cli-skeleton")) or operation == "help":
        return None
    if (service, operation) in _AWS_DESTROY:
        return InfraOperation(f"aws {service} {operation}", Effect.DESTROY, profiles)
    if (service, operation) in _AWS_EXEMPT or not _AWS_MUTATING.fullmatch(operation):
        return None
    effect = Effect.REMOVE if operation.startswith(("delete-", "terminate-")) else Effect.CHANGE
    return InfraOperation(f"aws {service} {operation}", effect, profiles)


def _aws_s3(args: Sequence[Word], profiles: tuple[str, ...]) -> InfraOperation | None:
    words = _values(positionals(args, _S3_VALUES))
    operation, paths = words[1], words[2:]
    if has_flag(args, ("--dryrun",)):
        return None
    buckets = tuple(path for path in paths if path.startswith("s3://"))
    targets = (*profiles, *buckets)
    recursive = has_flag(args, ("--recursive", "-r"))
    if operation == "rb":
        return InfraOperation("aws s3 rb", Effect.DESTROY, targets)
    if operation == "rm":
        if recursive:
            return InfraOperation("aws s3 rm --recursive", Effect.DESTROY, targets)
        return InfraOperation("aws s3 rm", Effect.REMOVE, targets)
    if operation in ("cp", "sync") and len(paths) >= 2 and paths[1].startswith("s3://"):
        return InfraOperation(f"aws s3 {operation}", Effect.CHANGE, targets)
    if operation == "mv" and buckets:
        return InfraOperation("aws s3 mv", Effect.CHANGE, targets)
    if operation in ("mb", "website"):
        return InfraOperation(f"aws s3 {operation}", Effect.CHANGE, targets)
    return None


_GCLOUD_VALUES = (
    "--project",
    "--region",
    "--zone",
    "--account",
    "--configuration",
    "--format",
    "--filter",
    "--impersonate-service-account",
    "--verbosity",
    "--billing-project",
    "--location",
    "--instance",
    "--cluster",
    "--image",
    "--source",
)
_GCLOUD_DESTROY = frozenset(
    {
        ("projects",),
        ("container", "clusters"),
        ("sql", "instances"),
        ("sql", "databases"),
        ("compute", "instances"),
        ("compute", "disks"),
        ("storage", "buckets"),
        ("spanner", "instances"),
        ("spanner", "databases"),
        ("redis", "instances"),
        ("bigtable", "instances"),
        ("filestore", "instances"),
        ("alloydb", "clusters"),
        ("firestore", "databases"),
    }
)
_GCLOUD_CHANGES = frozenset(
    {
        "create",
        "update",
        "deploy",
        "patch",
        "resize",
        "import",
        "restore",
        "stop",
        "start",
        "reset",
        "upgrade",
        "promote-replica",
        "failover",
        "clone",
        "enable",
        "disable",
        "set-iam-policy",
        "add-iam-policy-binding",
        "remove-iam-policy-binding",
        "rollback",
        "cp",
        "mv",
        "rsync",
    }
)
_GCLOUD_LOCAL = frozenset({"config", "auth", "components", "init", "info", "help", "topic"})


def _gcloud(invocation: Invocation) -> InfraOperation | None:
    args = invocation.args
    words = [w for w in _values(positionals(args, _GCLOUD_VALUES)) if w not in ("alpha", "beta")]
    if not words or words[0] in _GCLOUD_LOCAL:
        return None
    projects = flag_values(args, ("--project",))
    for position, word in enumerate(words):
        groups = tuple(words[:position])
        if word in ("delete", "rm") and groups:
            names = tuple(words[position + 1 : position + 2])
            recursive = groups == ("storage",) and has_flag(args, ("--recursive", "-r"))
            effect = Effect.DESTROY if groups in _GCLOUD_DESTROY or recursive else Effect.REMOVE
            action = f"gcloud {' '.join(groups)} {word}" + (" --recursive" if recursive else "")
            return InfraOperation(action, effect, (*projects, *names))
        if word in _GCLOUD_CHANGES and groups:
            if word in ("cp", "mv", "rsync") and not any(
                w.startswith("gs://") for w in words[position + 2 :]
            ):
                return None
            return InfraOperation(f"gcloud {' '.join(groups)} {word}", Effect.CHANGE, projects)
    return None


def _gsutil(invocation: Invocation) -> InfraOperation | None:
    args = invocation.args
    words = _values(positionals(args, ("-o", "-h", "-u", "-p")))
    if not words:
        return None
    verb, rest = words[0], words[1:]
    buckets = tuple(word for word in rest if word.startswith("gs://"))
    recursive = has_flag(args, ("-r", "-R"))
    if verb == "rb" or (verb == "rm" and recursive):
        return InfraOperation(
            f"gsutil {verb}" + (" -r" if verb == "rm" else ""), Effect.DESTROY, buckets
        )
    if verb == "rm":
        return InfraOperation("gsutil rm", Effect.REMOVE, buckets)
    if verb in ("cp", "mv", "rsync") and rest[-1:] and rest[-1].startswith("gs://"):
        return InfraOperation(f"gsutil {verb}", Effect.CHANGE, buckets)
    if verb in ("mb", "acl", "iam", "setmeta", "lifecycle"):
        return InfraOperation(f"gsutil {verb}", Effect.CHANGE, buckets)
    return None


_AZ_VALUES = (
    *("--subscription", "-g", "--resource-group", "-n", "--name", "-o", "--output"),
    *("--query", "-l", "--location", "--template-file", "--parameters", "-f"),
)
_AZ_DESTROY = frozenset(
    {
        ("group",),
        ("aks",),
        ("sql", "db"),
        ("sql", "server"),
        ("vm",),
        ("storage", "account"),
        ("storage", "container"),
        ("cosmosdb",),
        ("postgres", "server"),
        ("postgres", "flexible-server"),
        ("mysql", "server"),
        ("mysql", "flexible-server"),
        ("keyvault",),
        ("redis",),
        ("webapp",),
    }
)
_AZ_CHANGES = frozenset(
    {"create", "update", "set", "start", "stop", "restart", "scale", "upgrade", "deploy", "up"}
)
_AZ_LOCAL = frozenset(
    {"login", "logout", "account", "config", "extension", "configure", "bicep", "version"}
    | {"upgrade", "find", "interactive"}
)


def _az(invocation: Invocation) -> InfraOperation | None:
    args = invocation.args
    words = _values(positionals(args, _AZ_VALUES))
    if not words or words[0] in _AZ_LOCAL or has_flag(args, ("--what-if",)):
        return None
    targets = (
        *flag_values(args, ("-g", "--resource-group", "--subscription")),
        *flag_values(args, ("-n", "--name")),
    )
    for position, word in enumerate(words):
        groups = tuple(words[:position])
        if not groups:
            continue
        if word in ("delete", "purge", "delete-batch"):
            effect = Effect.DESTROY if groups in _AZ_DESTROY else Effect.REMOVE
            return InfraOperation(f"az {' '.join(groups)} {word}", effect, targets)
        if word in _AZ_CHANGES:
            return InfraOperation(f"az {' '.join(groups)} {word}", Effect.CHANGE, targets)
    return None


_DOCTL_DESTROY = frozenset(
    {
        ("kubernetes", "cluster"),
        ("k8s", "cluster"),
        ("databases",),
        ("compute", "droplet"),
        ("compute", "volume"),
        ("apps",),
    }
)


def _doctl(invocation: Invocation) -> InfraOperation | None:
    words = _values(positionals(invocation.args, ("--context", "-o", "--output", "-t")))
    for position, word in enumerate(words):
        groups = tuple(words[:position])
        if not groups:
            continue
        if word in ("delete", "del", "rm", "d"):
            effect = Effect.DESTROY if groups in _DOCTL_DESTROY else Effect.REMOVE
            return InfraOperation(f"doctl {' '.join(groups)} delete", effect)
        if word in ("create", "update", "create-deployment", "resize", "upgrade"):
            return InfraOperation(f"doctl {' '.join(groups)} {word}", Effect.CHANGE)
    return None


# Platforms whose destroy verbs are not deploys: the deploy rules own their other commands.
def _platform_destroy(invocation: Invocation) -> InfraOperation | None:
    tool = invocation.tool
    words = _values(positionals(invocation.args, ("-a", "--app", "-r", "--remote", "-s")))
    apps = flag_values(invocation.args, ("-a", "--app"))
    if tool == "heroku" and words[:1] in (["apps:destroy"], ["destroy"]):
        return InfraOperation(f"heroku {words[0]}", Effect.DESTROY, apps)
    if tool in ("fly", "flyctl"):
        if words[:2] in (["apps", "destroy"], ["volumes", "destroy"], ["volumes", "delete"]):
            return InfraOperation(f"{tool} {words[0]} {words[1]}", Effect.DESTROY, apps)
        if words[:1] == ["destroy"]:
            return InfraOperation(f"{tool} destroy", Effect.DESTROY, apps)
    if tool in ("serverless", "sls") and words[:1] == ["remove"]:
        return InfraOperation(f"{tool} remove", Effect.DESTROY)
    if tool == "eb" and words[:1] == ["terminate"]:
        return InfraOperation("eb terminate", Effect.DESTROY, tuple(words[1:2]))
    if tool in ("netlify", "ntl") and words[:1] == ["sites:delete"]:
        return InfraOperation("netlify sites:delete", Effect.DESTROY)
    return None


_RECOGNISERS: dict[str, Callable[[Invocation], InfraOperation | None]] = {
    "terraform": _terraform,
    "tofu": _terraform,
    "opentofu": _terraform,
    "terragrunt": _terraform,
    "pulumi": _pulumi,
    "cdk": _cdk,
    "cdktf": _cdk,
    "sam": _sam,
    "kubectl": _kubectl,
    "oc": _kubectl,
    "helm": _helm,
    "helmfile": _helmfile,
    "skaffold": _skaffold,
    "argocd": _argocd,
    "eksctl": _eksctl,
    "aws": _aws,
    "gcloud": _gcloud,
    "gsutil": _gsutil,
    "az": _az,
    "doctl": _doctl,
    "heroku": _platform_destroy,
    "fly": _platform_destroy,
    "flyctl": _platform_destroy,
    "serverless": _platform_destroy,
    "sls": _platform_destroy,
    "eb": _platform_destroy,
    "netlify": _platform_destroy,
    "ntl": _platform_destroy,
}
