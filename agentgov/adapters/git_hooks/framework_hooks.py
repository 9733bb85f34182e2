"""agentgov's hooks as the pre-commit framework sees them, defined once.

``.pre-commit-hooks.yaml`` (for ``repo: <agentgov's repository>`` users and
``pre-commit try-repo``) and the ``repo: local`` block that ``agentgov install git`` adds to
a team's ``.pre-commit-config.yaml`` are both built from ``FRAMEWORK_HOOKS``; a test checks
that the manifest file says the same.

- ``agentgov-validate``: the commit checks (a staged policy must validate; an agent session
  may not commit changes to the guard's files). Its ``files`` pattern covers every guard
  file that can be committed, not only ``.agentgov/``: an agent committing a change to
  ``.claude/settings.json`` must be seen too. It runs on every commit (``always_run``, with
  only the matching files passed), because it also refuses while agentgov's pre-push
  wrapper is missing (``framework_wrapper``).
- ``agentgov-protect``: the pre-push judgement, from pre-commit's ``PRE_COMMIT_*``
  variables. pre-commit runs pre-push hooks for the first ref of a push only, and never for
  a deletion, so ``agentgov install git`` also wraps pre-commit's pre-push script with
  agentgov's own, which judges every ref git reports.
- ``agentgov-audit``: the trail follows commits (post-commit) and rewrites (post-rewrite).
"""

from __future__ import annotations

from dataclasses import dataclass

GUARD_FILES_PATTERN = (
    r"^(\.agentgov/|\.claude/settings(\.local)?\.json$|\.pre-commit-config\.yaml$)"
)


@dataclass(frozen=True)
class FrameworkHook:
    id: str
    name: str
    hook: str
    """The ``agentgov hook pre-commit <hook>`` it runs."""
    stages: tuple[str, ...]
    description: str
    files: str | None = None
    always_run: bool = False
    pass_filenames: bool = True

    @property
    def entry(self) -> str:
        return f"agentgov hook pre-commit {self.hook}"


FRAMEWORK_HOOKS: tuple[FrameworkHook, ...] = (
    FrameworkHook(
        id="agentgov-validate",
        name="agentgov: validate the policy, guard its files",
        hook="validate",
        stages=("pre-commit",),
        description="A staged .agentgov/policy.yaml must validate; an agent session may "
        "not commit changes to agentgov's policy, hooks or settings (guard.tamper).",
        files=GUARD_FILES_PATTERN,
        always_run=True,
    ),
    FrameworkHook(
        id="agentgov-protect",
        name="agentgov: protected branches and tags",
        hook="protect",
        stages=("pre-push",),
        description="Refuse force-pushes to protected branches and rewrites of published "
        "tags (git.force-push-protected); share the audit trail with the remote.",
        always_run=True,
        pass_filenames=False,
    ),
    FrameworkHook(
        id="agentgov-audit",
        name="agentgov: audit trail into git notes",
        hook="audit",
        stages=("post-commit", "post-rewrite"),
        description="Move the agent's pending audit records into the note of the new commit.",
        always_run=True,
        pass_filenames=False,
    ),
)

HOOK_TYPES: tuple[str, ...] = ("pre-commit", "pre-push", "post-commit", "post-rewrite")
"""The git hooks ``pre-commit install --hook-type`` must install for these stages."""

LOCAL_LANGUAGE = "system"
"""In a team's ``repo: local`` block the hooks run the agentgov each developer installed
(on PATH): the same version that writes the journal the audit hook flushes, no network at
commit time, and no machine-specific path in a committed file."""


def local_hook_config(hook: FrameworkHook) -> dict[str, object]:
    """One hook of the ``repo: local`` block, in the order pre-commit's docs list keys."""
    config: dict[str, object] = {
        "id": hook.id,
        "name": hook.name,
        "entry": hook.entry,
        "language": LOCAL_LANGUAGE,
    }
    if hook.files is not None:
        config["files"] = hook.files
    if hook.always_run:
        config["always_run"] = True
    if not hook.pass_filenames:
        config["pass_filenames"] = False
    config["stages"] = list(hook.stages)
    return config
