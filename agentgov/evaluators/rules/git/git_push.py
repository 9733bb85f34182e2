"""What a ``git push`` would do to the remote: which refs it updates, forces or deletes.

Four rules read the same plan (force-push and deletion of a protected branch, a plain push
to one, deletion of any other branch) and ``guard.tamper`` reads it for the audit notes ref,
so the refspec grammar lives here once:

- ``+src:dst`` forces that one ref; ``-f``, ``--force``, ``--force-with-lease[=...]`` and
  ``--force-if-includes`` force every ref;
- ``:dst``, and any ref named with ``-d``/``--delete``, deletes;
- ``src`` alone updates the ref of the same name; ``HEAD`` (or ``@``) alone, no refspec at
  all, or a remote only, updates the current branch;
- ``--all``/``--branches``, ``--mirror``, ``:`` (matching) and wildcard refspecs update every
  branch; ``--mirror`` forces, and ``--prune`` with them deletes;
- ``tag v1`` names ``refs/tags/v1``; a dry run (``-n``, ``--dry-run``) changes nothing;
- ``-c remote.<name>.push=<refspec>`` and ``-c remote.<name>.mirror=true`` on the same
  command line count as if given as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from agentgov.evaluators.rules.base import once_per_analysis
from agentgov.evaluators.rules.cli_options import OptionSpec, names
from agentgov.evaluators.rules.git.git_args import GitCommand, git_commands
from agentgov.evaluators.shell.model import Analysis, Word
from agentgov.policy.globs import match_branch
from agentgov.policy.model import Policy

PUSH_OPTIONS = OptionSpec(
    short_value="o",
    long_names=names(
        "all branches prune mirror dry-run porcelain delete tags follow-tags "
        "no-follow-tags signed no-signed atomic no-atomic push-option receive-pack exec "
        "force-with-lease no-force-with-lease force-if-includes no-force-if-includes "
        "force repo set-upstream thin no-thin quiet verbose progress no-progress "
        "recurse-submodules no-recurse-submodules verify no-verify ipv4 ipv6"
    ),
    long_value=frozenset({"push-option", "receive-pack", "exec", "repo", "recurse-submodules"}),
)
_FORCE = ("-f", "--force", "--force-with-lease", "--force-if-includes")
ALL_BRANCHES = "refs/heads/*"


@dataclass(frozen=True)
class PushTarget:
    """One remote ref the push changes. ``ref`` is the destination as written (``main``,
    ``refs/heads/main``, ``refs/notes/agentgov``) or ``refs/heads/*`` for every branch;
    ``fragment`` is the refspec word that named it (``""`` when implied)."""

    ref: str
    force: bool
    delete: bool
    fragment: str = ""

    @property
    def every_branch(self) -> bool:
        return "*" in self.ref and not self.ref.startswith(("refs/tags/", "refs/notes/"))

    @property
    def branch(self) -> str | None:
        """The branch name this ref names, or None for tags, notes and other refs."""
        if self.ref.startswith("refs/heads/"):
            return self.ref.removeprefix("refs/heads/")
        if self.ref.startswith("refs/") or self.ref in ("", "HEAD"):
            return None
        return self.ref

    def matches(self, ref: str) -> bool:
        """True when this target changes ``ref`` (a full ref name such as a notes ref)."""
        return self.ref == ref or ("*" in self.ref and fnmatchcase(ref, self.ref))

    def protected(self, policy: Policy) -> bool:
        """True when the target is, or may include, a protected branch."""
        if self.every_branch:
            return bool(policy.protected_branches)
        branch = self.branch
        return branch is not None and match_branch(branch, policy.protected_branches)


@dataclass(frozen=True)
class PushPlan:
    """The refs one ``git push`` changes; empty for a dry run."""

    git: GitCommand
    targets: tuple[PushTarget, ...]
    mirror: bool = False


def push_plan(git: GitCommand, current_branch: str | None) -> PushPlan | None:
    """Read ``git`` as a push, or return None when it is another subcommand."""
    if git.subcommand != "push":
        return None
    parsed = git.parse(PUSH_OPTIONS)
    if parsed.has("-n", "--dry-run"):
        return PushPlan(git, ())
    force = parsed.has(*_FORCE)
    delete = parsed.has("-d", "--delete")
    prune = parsed.has("--prune")
    mirror_config = any(
        key.startswith("remote.") and key.endswith(".mirror") and value.lower() == "true"
        for key, value in git.config
    )
    if parsed.has("--mirror") or mirror_config:
        return PushPlan(git, (PushTarget(ALL_BRANCHES, True, False, "--mirror"),), mirror=True)
    refspecs = parsed.operands[1:]
    if not refspecs and not parsed.has("--all", "--branches", "--tags"):
        # ``git -c remote.origin.push=+HEAD:main push`` pushes the configured refspecs.
        refspecs = tuple(
            Word(value, value)
            for key, value in git.config
            if key.startswith("remote.") and key.endswith(".push")
        )
    targets: list[PushTarget] = []
    if parsed.has("--all", "--branches"):
        targets.append(PushTarget(ALL_BRANCHES, force, False, "--all"))
    index = 0
    while index < len(refspecs):
        word = refspecs[index]
        index += 1
        if not word.static:
            continue
        if word.value == "tag" and index < len(refspecs):
            tag = refspecs[index].value
            index += 1
            targets.append(PushTarget("refs/tags/" + tag, force, delete, "tag " + tag))
            continue
        target = _refspec_target(word.value, force, delete, current_branch)
        if target is not None:
            targets.append(target)
    implied = not refspecs and not delete and not parsed.has("--tags", "--all", "--branches")
    if implied and current_branch:
        targets.append(PushTarget(current_branch, force, False))
    if prune and any(target.every_branch for target in targets):
        targets.append(PushTarget(ALL_BRANCHES, False, True, "--prune"))
    return PushPlan(git, tuple(targets))


def _refspec_target(
    text: str, force_all: bool, delete_all: bool, current_branch: str | None
) -> PushTarget | None:
    force = force_all or text.startswith("+")
    spec = text.removeprefix("+")
    if delete_all:
        return PushTarget(spec, False, True, text)
    if spec == ":":
        return PushTarget(ALL_BRANCHES, force, False, text)
    if spec.startswith(":"):
        return PushTarget(spec[1:], False, True, text)
    source, colon, destination = spec.partition(":")
    if not colon:
        destination = source
    if destination in ("HEAD", "@"):
        if current_branch is None:
            return None
        destination = current_branch
    if not destination:
        return None
    return PushTarget(destination, force, False, text)


@once_per_analysis  # five rules read the same plans
def push_plans(analysis: Analysis, current_branch: str | None) -> tuple[PushPlan, ...]:
    """The plan of every push in the analysis."""
    return tuple(
        plan
        for plan in (push_plan(git, current_branch) for git in git_commands(analysis))
        if plan is not None
    )
