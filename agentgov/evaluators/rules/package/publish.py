"""``package.publish``: publishing, yanking or retagging a package, image or release.

Asks at every level: a published version is downloaded by others within minutes and most
registries never let the same version be published twice. Covers ``npm``/``pnpm``/``yarn``/
``bun publish`` (``yarn npm publish``), ``npm unpublish``/``deprecate``/``dist-tag add|rm``,
lerna and changesets, ``twine upload`` (also ``python -m twine``), ``uv``/``poetry``/``flit``/
``hatch``/``pdm``/``maturin publish``, ``cargo publish``/``yank``, ``gem push``/``yank``,
``gh release create|upload|edit|delete``, ``docker``/``podman``/``buildah push`` and
``buildx build --push``, ``helm push``, ``mvn deploy``, ``gradle publish``, ``dotnet nuget
push``, ``vsce``/``ovsx publish``, ``goreleaser release``, ``pod trunk push``, ``mix
hex.publish``, ``dart``/``flutter pub publish``, ``jsr``/``deno publish``. Dry runs
(``--dry-run``, ``goreleaser --snapshot``, ``publishToMavenLocal``) are not publishing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.invocation import (
    Invocation,
    has_flag,
    positionals,
    recognised_actions,
)
from agentgov.evaluators.shell.model import Analysis, Word
from agentgov.policy.model import ActionClass

_DRY = ("--dry-run", "--dryrun", "--help", "-h")


def _values(words: Sequence[Word]) -> list[str]:
    return [word.value for word in words]


def _subcommand(
    value_flags: tuple[str, ...],
    verbs: frozenset[tuple[str, ...]],
    *,
    dry: tuple[str, ...] = _DRY,
) -> Callable[[Invocation], str | None]:
    """A tool that publishes when its leading operands are one of ``verbs``."""
    first_words = frozenset(verb[0] for verb in verbs)

    def recognise(invocation: Invocation) -> str | None:
        if not any(word.value in first_words for word in invocation.args):
            return None  # ``npm run build``: no publishing verb anywhere
        words = tuple(_values(positionals(invocation.args, value_flags)))
        for verb in verbs:
            if words[: len(verb)] == verb:
                if has_flag(invocation.args, dry):
                    return None
                return " ".join((invocation.tool, *verb))
        return None

    return recognise


def _verbs(*phrases: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(phrase.split()) for phrase in phrases)


_NPM_VALUES = ("--tag", "--access", "--otp", "--registry", "-w", "--workspace", "--provenance")
_NPM = _subcommand(
    _NPM_VALUES,
    _verbs("publish", "unpublish", "deprecate", "dist-tag add", "dist-tag rm", "dist-tags add"),
)
_YARN = _subcommand(
    _NPM_VALUES,
    _verbs("publish", "npm publish", "npm tag add", "npm tag remove"),
)


def _docker(invocation: Invocation) -> str | None:
    args = invocation.args
    words = _values(positionals(args, ("--context", "-H", "--host", "--config", "-f", "-t")))
    tool = invocation.tool
    if words[:1] == ["push"]:
        return f"{tool} push"
    if words[:2] in (["image", "push"], ["manifest", "push"]):
        return f"{tool} {words[0]} push"
    building = words[:1] == ["build"] or words[:2] in (["buildx", "build"], ["buildx", "bake"])
    if building and (has_flag(args, ("--push",)) or _outputs_registry(args)):
        verb = "build" if words[0] == "build" else f"buildx {words[1]}"
        return f"{tool} {verb} --push"
    return None


def _outputs_registry(args: Sequence[Word]) -> bool:
    for position, word in enumerate(args):
        value = word.value
        if value.startswith("--output=") or value.startswith("-o="):
            spec = value.split("=", 1)[1]
        elif value in ("--output", "-o") and position + 1 < len(args):
            spec = args[position + 1].value
        else:
            continue
        if "type=registry" in spec or "push=true" in spec:
            return True
    return False


def _maven(invocation: Invocation) -> str | None:
    goals = _values(positionals(invocation.args, ("-f", "--file", "-s", "--settings", "-P", "-pl")))
    for goal in goals:
        if goal in ("deploy", "release:perform") or goal.startswith(
            ("deploy:deploy", "org.apache.maven.plugins:maven-deploy-plugin")
        ):
            return f"{invocation.tool} {goal}"
    return None


def _gradle(invocation: Invocation) -> str | None:
    if has_flag(invocation.args, ("--dry-run", "-m")):
        return None
    tasks = _values(positionals(invocation.args, ("-p", "--project-dir", "-x", "--exclude-task")))
    for task in tasks:
        name = task.rsplit(":", 1)[-1]
        if name.startswith("publish") and not name.endswith("ToMavenLocal"):
            return f"{invocation.tool} {task}"
    return None


def _goreleaser(invocation: Invocation) -> str | None:
    args = invocation.args
    if has_flag(args, ("--snapshot", "--skip-publish", "--help", "-h")):
        return None
    for value in (*_values(args), ""):
        if value.startswith("--skip=") and "publish" in value:
            return None
    words = _values(positionals(args, ("-f", "--config", "-p", "--parallelism", "--timeout")))
    if not words or words[0] == "release":
        return "goreleaser release"
    return None


def _rake(invocation: Invocation) -> str | None:
    # Bundler's gem tasks: ``rake release`` builds, tags and pushes the gem to rubygems.org.
    for value in invocation.values():
        if value in ("release", "release:rubygem_push"):
            return f"rake {value}"
    return None


_RECOGNISERS: dict[str, Callable[[Invocation], str | None]] = {
    "npm": _NPM,
    "pnpm": _NPM,
    "bun": _subcommand(_NPM_VALUES, _verbs("publish")),
    "yarn": _YARN,
    "lerna": _subcommand(("--dist-tag", "--registry"), _verbs("publish")),
    "changeset": _subcommand(("--tag", "--otp"), _verbs("publish")),
    "twine": _subcommand(("-r", "--repository", "--repository-url", "-u", "-p"), _verbs("upload")),
    "uv": _subcommand(("--index", "--publish-url", "--token", "-t", "-u", "-p"), _verbs("publish")),
    "poetry": _subcommand(("-r", "--repository", "-u", "-p"), _verbs("publish")),
    "flit": _subcommand(("--repository",), _verbs("publish")),
    "hatch": _subcommand(("-r", "--repo", "-u", "-a"), _verbs("publish")),
    "pdm": _subcommand(("-r", "--repository", "-u", "-P"), _verbs("publish")),
    "rye": _subcommand(("--repository", "--token"), _verbs("publish")),
    "maturin": _subcommand(("-r", "--repository", "-u", "-p"), _verbs("publish", "upload")),
    "cargo": _subcommand(
        ("--registry", "--token", "-p", "--package", "--index", "--version"),
        _verbs("publish", "yank"),
    ),
    "gem": _subcommand(
        ("--key", "--host", "-k", "--otp", "-v", "--version"), _verbs("push", "yank")
    ),
    "gh": _subcommand(
        ("-R", "--repo", "-t", "--title", "-n", "--notes", "-F", "--notes-file", "--target"),
        _verbs(
            "release create",
            "release upload",
            "release edit",
            "release delete",
            "release delete-asset",
        ),
        dry=("--help", "-h"),
    ),
    "docker": _docker,
    "podman": _docker,
    "buildah": _subcommand(("--creds", "--authfile", "-f", "--format"), _verbs("push")),
    "helm": _subcommand(("--ca-file", "--cert-file", "--key-file"), _verbs("push", "cm-push")),
    "mvn": _maven,
    "mvnw": _maven,
    "gradle": _gradle,
    "gradlew": _gradle,
    "dotnet": _subcommand(("-s", "--source", "-k", "--api-key"), _verbs("nuget push")),
    "nuget": _subcommand(("-Source", "-ApiKey", "-s", "-k"), _verbs("push")),
    "vsce": _subcommand(("-p", "--pat", "--packagePath", "-i"), _verbs("publish")),
    "ovsx": _subcommand(("-p", "--pat", "-i"), _verbs("publish")),
    "goreleaser": _goreleaser,
    "pod": _subcommand((), _verbs("trunk push")),
    "mix": _subcommand((), _verbs("hex.publish")),
    "dart": _subcommand((), _verbs("pub publish")),
    "flutter": _subcommand((), _verbs("pub publish")),
    "jsr": _subcommand(("--token",), _verbs("publish")),
    "deno": _subcommand(("--token", "--config", "-c"), _verbs("publish")),
    "rake": _rake,
}


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for command, action in recognised_actions(analysis, _RECOGNISERS):
        message = (
            f"`{action}` publishes to a registry that others install from; a published "
            "or withdrawn version cannot be taken back."
        )
        remediation = (
            "Check the package first with a dry run (`npm publish --dry-run`, "
            "`cargo publish --dry-run`, `twine check dist/*`, `goreleaser release "
            "--snapshot`) and let a human run the release, or tag it and let the release "
            "pipeline publish."
        )
        yield RULE.hit(command.text, message, remediation)


RULE = Rule(
    id="package.publish",
    action_class=ActionClass.IRREVERSIBLE,
    summary="Publishing, yanking or retagging packages, images and releases: npm publish, "
    "twine upload, cargo publish, gem push, docker push, gh release create.",
    example="npm publish --access public",
    evaluate=_evaluate,
)
