"""Deploys through application platforms, and whether each one reaches production.

Shared by ``deploy.production`` and ``deploy.nonproduction`` so that a command has one
answer. Ownership: kubectl, helm, terraform, pulumi and the cloud CLIs are recognised in
``infra/operations.py`` (non-production: ``infra.change``; production: ``deploy.production``);
the platforms here (vercel, netlify, fly, heroku, serverless, GitHub workflow dispatch,
kamal, capistrano, Elastic Beanstalk, ansible, firebase, wrangler, railway, Cloud Foundry)
are ``deploy.production`` or ``deploy.nonproduction``.

How each platform says "production":

- vercel: ``--prod``, ``--target production``; ``promote`` and ``rollback`` act on the
  production deployment. netlify: ``--prod``/``-p``/``--prod-if-unlocked``.
- heroku (``git push heroku main``, ``heroku releases:rollback``, ``heroku pg:reset``...): a
  Heroku app serves live traffic, so production unless the app or remote names a
  non-production word (``heroku-staging``, ``-a shop-dev``).
- kamal: production when the destination names it, or when no destination is given (the
  default ``config/deploy.yml`` is the live one by Kamal's convention).
- fly: production only when the app (``-a``) or config file (``-c fly.production.toml``)
  names a production word. ``fly deploy`` with neither reads ``fly.toml``, which the guard
  cannot see; it asks as a non-production deploy rather than guess.
- everything else: the shared production markers (``--stage prod``, ``-d production``,
  ``cap production deploy``, ``eb deploy prod-env``, ``-f environment=production``...).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
from agentgov.evaluators.rules.production.markers import (
    ProductionMarker,
    platform_default,
    production_marker,
    production_word,
)
from agentgov.evaluators.shell.model import Analysis, SimpleCommand, Word
from agentgov.policy.model import ProductionMarkers


@dataclass(frozen=True)
class Deployment:
    """A recognised platform deploy.

    ``action`` names it for messages; ``targets`` are the app, stage or environment words
    given; ``production`` is the platform's own statement that this is production
    (``vercel --prod``); ``live_by_default`` names a platform whose unnamed target is the
    live one (``heroku``), or is None.
    """

    action: str
    targets: tuple[str, ...] = ()
    production: ProductionMarker | None = None
    live_by_default: str | None = None


@dataclass(frozen=True)
class JudgedDeployment:
    command: SimpleCommand
    deployment: Deployment
    production: ProductionMarker | None


@once_per_analysis
def judged_deployments(analysis: Analysis, ctx: ShellContext) -> tuple[JudgedDeployment, ...]:
    """Every platform deploy in the analysis, with its production evidence (or None)."""
    found: list[JudgedDeployment] = []
    markers = ctx.policy.production
    for command in analysis.commands:
        if not may_run(command, _RECOGNISERS):
            continue
        deployment = platform_deployment(command, markers)
        if deployment is None:
            continue
        marker = deployment.production or production_marker(
            analysis, command, ctx, targets=deployment.targets
        )
        if marker is None and deployment.live_by_default is not None:
            marker = platform_default(deployment.live_by_default, deployment.targets, markers)
        found.append(JudgedDeployment(command, deployment, marker))
    # ``kubectl exec ci -- fly deploy`` is one deploy, seen on kubectl (its invocations
    # reach fly) rather than again on the fly command the analyser reports inside it.
    indices = {judged.command.index for judged in found}
    return tuple(judged for judged in found if not launched_by(analysis, judged.command, indices))


def platform_deployment(command: SimpleCommand, markers: ProductionMarkers) -> Deployment | None:
    """The platform deploy ``command`` performs, or None."""
    for invocation in invocations(command):
        recognise = _RECOGNISERS.get(invocation.tool)
        if recognise is not None:
            deployment = recognise(invocation, markers)
            if deployment is not None:
                return deployment
    return None


def _values(words: Sequence[Word]) -> list[str]:
    return [word.value for word in words]


def _help(args: Sequence[Word]) -> bool:
    return has_flag(args, ("-h", "--help", "--version"))


_VERCEL_VALUES = (
    *("--token", "-t", "--scope", "-S", "--cwd", "-A", "--local-config", "-Q"),
    *("--global-config", "-e", "--env", "-b", "--build-env", "-m", "--meta", "--target"),
    *("--regions", "--archive", "--team"),
)
_VERCEL_OTHER = frozenset(
    {
        *("dev", "build", "env", "login", "logout", "logs", "ls", "list", "inspect", "pull"),
        *("link", "whoami", "domains", "domain", "dns", "certs", "cert", "project"),
        *("projects", "secrets", "secret", "teams", "team", "switch", "help", "init", "git"),
        *("bisect", "integration", "integrations", "alias", "aliases", "remove", "rm"),
        *("telemetry", "completion", "open", "blob", "cache", "whoami", "install", "i"),
    }
)
_VERCEL_DEPLOYS = frozenset({"deploy", "promote", "rollback", "redeploy"})


def _vercel(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    args = invocation.args
    if _help(args):
        return None
    words = _values(positionals(args, _VERCEL_VALUES))
    verb = words[0] if words and words[0] in (_VERCEL_OTHER | _VERCEL_DEPLOYS) else "deploy"
    if verb in _VERCEL_OTHER:
        return None
    action = f"{invocation.tool} {verb}" if words[:1] == [verb] else invocation.tool
    if verb in ("promote", "rollback"):
        marker = ProductionMarker(f"{invocation.tool} {verb}", "changes the production deployment")
        return Deployment(action, production=marker)
    if has_flag(args, ("--prod", "--production")):
        return Deployment(action, production=ProductionMarker("--prod", "deploys to production"))
    for target in flag_values(args, ("--target",)):
        if production_word(target, markers):
            marker = ProductionMarker(f"--target {target}", "deploys to production")
            return Deployment(action, production=marker)
    return Deployment(action)


def _netlify(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    args = invocation.args
    words = _values(positionals(args, ("--alias", "--dir", "-d", "--site", "-s", "--auth")))
    if words[:1] != ["deploy"] or _help(args):
        return None
    for flag in ("--prod", "-p", "--prod-if-unlocked"):
        if has_flag(args, (flag,)):
            marker = ProductionMarker(f"netlify deploy {flag}", "publishes to the live site")
            return Deployment("netlify deploy", production=marker)
    return Deployment("netlify deploy", tuple(flag_values(args, ("--alias",))))


_FLY_VALUES = ("-a", "--app", "-c", "--config", "-r", "--region", "--image", "-i", "--strategy")


def _fly(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    args = invocation.args
    words = _values(positionals(args, _FLY_VALUES))
    targets = (*flag_values(args, ("-a", "--app")), *flag_values(args, ("-c", "--config")))
    tool = invocation.tool
    if _help(args) or has_flag(args, ("--build-only",)):
        return None
    if words[:1] == ["deploy"]:
        return Deployment(f"{tool} deploy", targets)
    if words[:1] == ["secrets"] and words[1:2] in (["set"], ["unset"], ["import"], ["deploy"]):
        return Deployment(f"{tool} secrets {words[1]}", targets)
    if words[:1] == ["scale"] and len(words) > 1:
        return Deployment(f"{tool} scale {words[1]}", targets)
    if words[:2] in (["apps", "restart"], ["releases", "rollback"]):
        return Deployment(f"{tool} {words[0]} {words[1]}", targets)
    return None


_HEROKU_DEPLOYS = frozenset(
    {
        *("releases:rollback", "rollback", "pg:reset", "pg:push", "pg:copy", "pg:promote"),
        *("pg:backups:restore", "pg:backups:restore", "container:release", "container:push"),
        *("builds:create", "config:set", "config:unset", "config:add", "config:remove"),
        *("ps:scale", "scale", "ps:restart", "restart", "maintenance:on", "maintenance:off"),
        *("releases:promote", "pipelines:promote", "features:enable", "features:disable"),
    }
)
_HEROKU_VALUES = ("-a", "--app", "-r", "--remote", "--confirm", "-t", "--team")


def _heroku(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    args = invocation.args
    words = _values(positionals(args, _HEROKU_VALUES))
    if not words or words[0] not in _HEROKU_DEPLOYS or _help(args):
        return None
    targets = (*flag_values(args, ("-a", "--app")), *flag_values(args, ("-r", "--remote")))
    if words[0] == "pg:copy" and len(words) > 2:
        targets += (words[2],)
    return Deployment(f"heroku {words[0]}", targets, live_by_default="heroku")


_GIT_GLOBAL_VALUES = ("-C", "-c", "--git-dir", "--work-tree", "--namespace")
_GIT_PUSH_VALUES = ("--repo", "-o", "--push-option", "--receive-pack", "--exec")
_PAAS_REMOTE = re.compile(r"(heroku|dokku)(?:[-_].*)?", re.IGNORECASE)


def _git(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    words = _values(positionals(invocation.args, (*_GIT_GLOBAL_VALUES, *_GIT_PUSH_VALUES)))
    if words[:1] != ["push"] or len(words) < 2 or has_flag(invocation.args, ("--dry-run", "-n")):
        return None
    remote, refspecs = words[1], tuple(words[2:])
    platform = _PAAS_REMOTE.fullmatch(remote)
    if platform is not None:
        name = platform.group(1).lower()
        return Deployment(f"git push {remote}", (remote, *refspecs), live_by_default=name)
    if production_word(remote, markers):
        marker = ProductionMarker(f"git push {remote}", "pushes to a production deploy remote")
        return Deployment(f"git push {remote}", (remote,), production=marker)
    return None


def _serverless(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    args = invocation.args
    words = _values(positionals(args, ("-s", "--stage", "-r", "--region", "-f", "--function")))
    if _help(args) or has_flag(args, ("--noDeploy", "--package")):
        return None
    if words[:1] == ["deploy"] and words[1:2] != ["list"]:
        return Deployment(f"{invocation.tool} deploy")
    if words[:1] == ["rollback"]:
        return Deployment(f"{invocation.tool} rollback")
    return None


_DEPLOY_WORKFLOW = re.compile(r"deploy|release|rollout|promote|publish|ship|launch", re.I)
_GH_VALUES = ("-f", "-F", "--field", "--raw-field", "--ref", "-r", "-R", "--repo")


def _gh(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    args = invocation.args
    words = _values(positionals(args, _GH_VALUES))
    if words[:2] != ["workflow", "run"] or _help(args):
        return None
    workflow = words[2] if len(words) > 2 else ""
    fields = flag_values(args, ("-f", "-F", "--field", "--raw-field"))
    refs = flag_values(args, ("--ref", "-r"))
    targets = (workflow, *fields, *refs)
    named = any(production_word(target, markers) for target in targets)
    if not named and not _DEPLOY_WORKFLOW.search(workflow):
        return None
    return Deployment(f"gh workflow run {workflow}".strip(), tuple(t for t in targets if t))


def _kamal(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    args = invocation.args
    words = _values(positionals(args, ("-d", "--destination", "-c", "--config-file")))
    if _help(args) or not words:
        return None
    if words[0] not in ("deploy", "redeploy", "rollback", "setup") and words[:2] != [
        "app",
        "boot",
    ]:
        return None
    destinations = flag_values(args, ("-d", "--destination"))
    live = None if destinations else "kamal"
    return Deployment(f"kamal {words[0]}", destinations, live_by_default=live)


def _capistrano(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    words = _values(positionals(invocation.args, ("-f", "--rakefile", "-s", "--set")))
    if len(words) < 2:
        return None
    stage, tasks = words[0], words[1:]
    for task in tasks:
        if task.startswith("deploy") and task not in ("deploy:check", "deploy:log_revision"):
            return Deployment(f"cap {stage} {task}", (stage,))
    return None


def _elastic_beanstalk(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    words = _values(positionals(invocation.args, ("-l", "--label", "-m", "--message")))
    if words[:1] in (["deploy"], ["swap"], ["setenv"], ["scale"]):
        return Deployment(f"eb {words[0]}", tuple(words[1:2]))
    return None


_ANSIBLE_DRY = ("--check", "-C", "--syntax-check", "--list-hosts", "--list-tasks", "--list-tags")
_ANSIBLE_VALUES = (
    *("-i", "--inventory", "-l", "--limit", "-e", "--extra-vars", "-t", "--tags"),
    *("--skip-tags", "-u", "--user", "-f", "--forks", "--vault-password-file"),
    *("--private-key", "--become-user", "-M", "--module-path", "--start-at-task"),
)


def _ansible_playbook(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    args = invocation.args
    if has_flag(args, _ANSIBLE_DRY) or _help(args):
        return None
    playbooks = tuple(_values(positionals(args, _ANSIBLE_VALUES)))
    if not playbooks:
        return None
    return Deployment("ansible-playbook", playbooks)


def _firebase(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    words = _values(positionals(invocation.args, ("-P", "--project", "--only", "--except")))
    if words[:1] in (["deploy"], ["hosting:channel:deploy"], ["hosting:clone"]):
        return Deployment(f"firebase {words[0]}", tuple(words[1:2]))
    return None


def _wrangler(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    words = _values(positionals(invocation.args, ("-e", "--env", "--name", "-c", "--config")))
    if has_flag(invocation.args, ("--dry-run",)):
        return None
    if words[:1] in (["deploy"], ["publish"], ["rollback"]) or words[:2] in (
        ["pages", "deploy"],
        ["versions", "deploy"],
    ):
        branch = flag_values(invocation.args, ("--branch",))
        return Deployment(f"wrangler {' '.join(words[:2])}".strip(), branch)
    return None


def _railway(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    words = _values(positionals(invocation.args, ("-e", "--environment", "-s", "--service")))
    if words[:1] in (["up"], ["redeploy"], ["deploy"]):
        return Deployment(f"railway {words[0]}")
    return None


def _cloud_foundry(invocation: Invocation, markers: ProductionMarkers) -> Deployment | None:
    words = _values(positionals(invocation.args, ("-f", "-p", "-b", "-m", "-i", "-k", "-s")))
    if words[:1] in (["push"], ["restage"], ["rollback"]):
        return Deployment(f"cf {words[0]}", tuple(words[1:2]))
    return None


_RECOGNISERS: dict[str, Callable[[Invocation, ProductionMarkers], Deployment | None]] = {
    "vercel": _vercel,
    "vc": _vercel,
    "netlify": _netlify,
    "ntl": _netlify,
    "fly": _fly,
    "flyctl": _fly,
    "heroku": _heroku,
    "git": _git,
    "serverless": _serverless,
    "sls": _serverless,
    "gh": _gh,
    "kamal": _kamal,
    "cap": _capistrano,
    "eb": _elastic_beanstalk,
    "ansible-playbook": _ansible_playbook,
    "firebase": _firebase,
    "wrangler": _wrangler,
    "railway": _railway,
    "cf": _cloud_foundry,
}
