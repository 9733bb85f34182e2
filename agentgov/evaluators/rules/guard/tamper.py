"""``guard.tamper``: any change to the guard itself. It can never be turned off.

- Writes to the guard's files (see ``guarded_paths``): redirects, ``tee``, ``sed -i``,
  ``perl -i``, ``cp``/``mv``/``install``/``ln``, ``rm``, ``truncate``, ``chmod``/``chattr``,
  ``touch``, ``dd of=``, ``rsync``, ``curl -o``, ``find -delete``, and git's own
  ``checkout``/``restore``/``rm``/``mv``/``clean`` of those paths. Reading them is fine.
- ``core.hooksPath``: set or unset with ``git config`` (any scope), or given for one command
  with ``git -c`` or the ``GIT_CONFIG_*`` environment.
- The audit notes ref: ``git notes --ref <it> remove|edit|prune``, ``add -f``, ``copy -f``;
  ``git update-ref`` of it (``-d`` or a new value, also via ``--stdin``); pushes that delete
  or force it.
- agentgov's switches: setting, exporting or unsetting any ``AGENTGOV_*`` variable (except
  engaging the kill switch), also with ``env -u``; emptying the environment with ``env -i``
  (which drops ``AGENTGOV_AGENT`` and the kill switch); pre-commit's ``SKIP`` naming an
  agentgov hook,
  ``pre-commit uninstall`` and ``agentgov uninstall``.
- The policy in force: moving the refs it is read from, or changing what ``origin`` means
  (``git update-ref``/``symbolic-ref``/``branch -f``/forced fetch refspecs/``remote
  set-url``/``replace``..., and writes into ``.git/refs/``, ``.git/packed-refs``; see
  ``ref_moves``), and ``agentgov policy accept``/``forget`` however it is launched
  (``python -m agentgov``, ``.venv/bin/agentgov``, ``uv run``, ``env``, ``sh -c``).
- Lifting a restriction: ``agentgov kill --release`` and ``agentgov incident resolve``,
  however launched (engaging the kill switch and recording an incident only restrict, and
  stay allowed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.cli_options import OptionSpec, names, parse_options
from agentgov.evaluators.rules.file_writes import FileWrite, file_writes
from agentgov.evaluators.rules.git.git_args import GitCommand, git_commands
from agentgov.evaluators.rules.git.git_push import PushPlan, push_plans
from agentgov.evaluators.rules.guard.guarded_paths import (
    Guarded,
    find_guarded_name,
    guarded_entries,
    guarded_target,
    may_name_guarded,
)
from agentgov.evaluators.rules.guard.ref_moves import (
    alias_moves_refs,
    ref_file,
    ref_moves,
    remote_config_write,
)
from agentgov.evaluators.rules.invocation import LAUNCHERS, invocations, tool_name
from agentgov.evaluators.rules.path_words import resolve
from agentgov.evaluators.shell.model import Analysis, SimpleCommand, Word
from agentgov.evaluators.written_paths import git_path_writes
from agentgov.policy.model import ActionClass

FILES_REMEDIATION = (
    "leave agentgov's policy, hooks and settings as they are; if the policy should change, "
    "tell the user so they can propose the change in a reviewed pull request"
)
HOOKS_PATH_REMEDIATION = (
    "leave core.hooksPath alone and let the hooks run; if a hook fails, fix what it reports"
)
NOTES_REMEDIATION = (
    "leave the audit trail alone: it is append-only evidence that agentgov itself maintains"
)
SWITCH_REMEDIATION = (
    "run the command without touching agentgov's variables; if a verdict looks wrong, "
    "report it to the user instead of switching the guard off"
)
UNINSTALL_REMEDIATION = "leave agentgov and its hooks installed; ask the user if they should go"
REFS_REMEDIATION = (
    "leave the default branch's refs and the origin remote as they are: the policy in force "
    "is read from them; `git fetch` and `git pull` update them from the reviewed remote. If "
    "they must move, ask the user: a person moves them and runs `agentgov policy accept`"
)
POLICY_COMMAND_REMEDIATION = (
    "only a person moves the policy in force: tell the user what you need; they run "
    "`agentgov policy accept` or `agentgov policy forget` in their own terminal"
)
RELEASE_REMEDIATION = (
    "only a person lifts the kill switch or resolves an incident: tell the user what you "
    "need; they run `agentgov kill --release` or `agentgov incident resolve ID` in their "
    "own terminal"
)
EVIDENCE_REMEDIATION = (
    "reviews, CI results and reattached records are evidence a person or CI records: tell "
    "the user which commit needs a review; they run `agentgov audit review SHA --agree` or "
    "`--disagree` in their own terminal"
)
_AGENTGOV_MODULES = frozenset({"agentgov", "agentgov.entry", "agentgov.__main__"})
_POLICY_VERBS = frozenset({"accept", "forget"})

_CONFIG = OptionSpec(
    short_value="f",
    long_names=names(
        "global system local worktree file blob get get-all get-regexp get-urlmatch "
        "get-color get-colorbool replace-all add unset unset-all rename-section "
        "remove-section list edit type bool int bool-or-int path expiry-date null "
        "name-only includes no-includes show-origin show-scope default comment "
        "fixed-value all regexp value url"
    ),
    long_value=names("file blob type default comment"),
)
_CONFIG_READS = ("--get", "--get-all", "--get-regexp", "--get-urlmatch", "--list", "-l")
_CONFIG_VERBS = frozenset(
    {"get", "set", "unset", "list", "edit", "rename-section", "remove-section"}
)
_NOTES_SUB = OptionSpec(
    short_value="mFcC",
    long_names=names(
        "force message file reuse-message reedit-message allow-empty stdin ignore-missing "
        "dry-run verbose strategy commit abort"
    ),
    long_value=names("message file reuse-message reedit-message strategy"),
)
_UPDATE_REF = OptionSpec(
    short_value="m", long_names=frozenset({"no-deref", "stdin", "create-reflog"})
)
_NOTES_DESTROY = frozenset({"remove", "edit", "prune"})
_NOTES_OVERWRITE = frozenset({"add", "copy"})
_DECLARERS = frozenset({"export", "declare", "typeset", "local", "readonly"})
_SETTERS = _DECLARERS | {"unset"}  # the programs ``_assignments`` reads by name
_ENGAGED = frozenset({"1", "true", "yes", "on"})
# Variables that only make agentgov stricter when set to a true value.
_STRICTER = frozenset({"AGENTGOV_KILL", "AGENTGOV_KILL_SWITCH", "AGENTGOV_AGENT"})
_GIT_CONFIG_KEY = re.compile(r"GIT_CONFIG_KEY_\d+\Z")
_HOOKS_PATH = "core.hookspath"


def _hit(command: SimpleCommand, message: str, remediation: str) -> Hit:
    return RULE.hit(command.text, message, remediation)


# --- files -----------------------------------------------------------------------------


def _write_target(
    write: FileWrite, command: SimpleCommand, ctx: ShellContext, entries: tuple[Guarded, ...]
) -> Guarded | None:
    path = resolve(write.word, command.cwd, ctx.home)
    if path is None and command.cwd is None and ctx.project_root is not None:
        # ``cd "$X" && rm -rf .git/hooks``: the cwd is unknown; assume the project, as the
        # guard must not miss its own files.
        path = resolve(write.word, ctx.project_root, ctx.home)
    if path is None:
        return None
    return guarded_target(path, entries, glob=write.word.glob, tree=write.tree)


@lru_cache(maxsize=64)
def _bases_name_guarded(cwd: str | None, project_root: str | None, home: str) -> bool:
    return may_name_guarded(f"{cwd}\n{project_root}\n{home}")


def _may_write_guard(command: SimpleCommand, ctx: ShellContext) -> bool:
    """A cheap test before reading the command's writes: False when neither a word nor a
    redirect target (nor the directories they are resolved against) names anything
    guarded, and no glob could expand to it."""
    if _bases_name_guarded(command.cwd, ctx.project_root, ctx.home):
        return True
    for word in command.argv[1:]:
        if word.glob or find_guarded_name(word.value):
            return True
    for redirect in command.redirects:
        target = redirect.target
        if target is not None and (target.glob or find_guarded_name(target.value)):
            return True
    return False


def _file_hits(
    command: SimpleCommand, git: GitCommand | None, ctx: ShellContext, entries: tuple[Guarded, ...]
) -> Iterator[Hit]:
    if not _may_write_guard(command, ctx):
        return
    writes = list(file_writes(command))
    if git is not None:
        how = f"git {git.subcommand}"
        writes.extend(
            FileWrite(word, how, tree=tree)
            for word, tree in git_path_writes(git, ambiguous_as_paths=True)
        )
    for write in writes:
        entry = _write_target(write, command, ctx, entries)
        if entry is not None:
            yield _hit(
                command,
                f"{write.how} on {write.word.value} changes {entry.label}: agentgov's guard "
                "must not be edited, moved or removed by the agent it governs",
                FILES_REMEDIATION,
            )
            return


def _ref_file_hits(command: SimpleCommand, ctx: ShellContext) -> Iterator[Hit]:
    """Writes into the files of the refs the policy in force is read from, in the project
    and in every repository the command touches (``guard_roots``), whatever the cwd."""
    roots = ctx.guard_roots
    if not roots:
        return
    for write in file_writes(command):
        path = resolve(write.word, command.cwd, ctx.home)
        if path is None and command.cwd is None and ctx.project_root is not None:
            path = resolve(write.word, ctx.project_root, ctx.home)
        if path is None:
            continue
        protected = ctx.policy.protected_branches
        found = next(
            (
                where
                for root in roots
                if (where := ref_file(path, root, protected, glob=write.word.glob, tree=write.tree))
            ),
            None,
        )
        if found is not None:
            yield _hit(
                command,
                f"{write.how} on {write.word.value} changes {found}: the policy in force is "
                "read from the protected branch's refs",
                REFS_REMEDIATION,
            )
            return


# --- git -------------------------------------------------------------------------------


def _config_write(git: GitCommand) -> tuple[str, str, str]:
    """``(verb, key, value)`` of a ``git config`` that writes: the verb is ``set``,
    ``unset``, ``remove-section`` or ``rename-section`` (``""`` for reads), the key
    lowercased, the value as given (``""`` when there is none)."""
    parsed = git.parse(_CONFIG)
    operands = [word.value for word in parsed.operands]
    verb = ""
    if operands and operands[0] in _CONFIG_VERBS:
        verb, operands = operands[0], operands[1:]
    elif parsed.has(*_CONFIG_READS):
        return "", "", ""
    elif parsed.has("--unset", "--unset-all"):
        verb = "unset"
    elif parsed.has("--remove-section", "--rename-section"):
        verb = "remove-section"
    elif parsed.has("--add", "--replace-all") or len(operands) >= 2:
        verb = "set"
    key = operands[0].lower() if operands else ""
    return verb, key, operands[1] if len(operands) > 1 else ""


def _config_changes_hooks_path(verb: str, key: str) -> bool:
    if verb in ("set", "unset"):
        return key == _HOOKS_PATH
    return verb in ("remove-section", "rename-section") and key == "core"


def _full_notes_ref(name: str) -> str:
    if name.startswith("refs/"):
        return name
    if name.startswith("notes/"):
        return "refs/" + name
    return "refs/notes/" + name


def _notes_action(git: GitCommand) -> tuple[str | None, str, tuple[Word, ...]]:
    """``(ref, action, arguments)`` of ``git notes [--ref R] <action> ...``."""
    ref: str | None = None
    words = git.args
    index = 0
    while index < len(words) and words[index].value.startswith("-"):
        name, equals, value = words[index].value.partition("=")
        if name == "--ref":
            if not equals and index + 1 < len(words):
                index += 1
                value = words[index].value
            ref = value
        index += 1
    action = words[index].value if index < len(words) else "list"
    return ref, action, words[index + 1 :]


def _notes_hits(git: GitCommand, notes_ref: str) -> bool:
    ref, action, rest = _notes_action(git)
    environment = {name: word.value for name, word in git.command.assignments}
    ref = (
        ref
        or environment.get("GIT_NOTES_REF")
        or git.config_value("core.notesref")
        or "refs/notes/commits"
    )
    if _full_notes_ref(ref) != notes_ref:
        return False
    if action in _NOTES_DESTROY:
        return True
    return action in _NOTES_OVERWRITE and parse_options(rest, _NOTES_SUB).has("-f", "--force")


def _update_ref_hits(git: GitCommand, analysis: Analysis, notes_ref: str) -> bool:
    parsed = git.parse(_UPDATE_REF)
    if parsed.operands:
        return parsed.operands[0].value in (notes_ref, notes_ref.removeprefix("refs/"))
    if not parsed.has("--stdin"):
        return False
    bodies = [redirect.body or "" for redirect in git.command.redirects]
    for upstream in analysis.upstream(git.command.index):
        bodies.append(" ".join(upstream.values()))
        bodies.extend(redirect.body or "" for redirect in upstream.redirects)
    return any(notes_ref in body for body in bodies)


def _git_hits(
    git: GitCommand, plan: PushPlan | None, analysis: Analysis, ctx: ShellContext
) -> Iterator[Hit]:
    command = git.command
    notes_ref = ctx.policy.audit.notes_ref
    verb, key, value = _config_write(git) if git.subcommand == "config" else ("", "", "")
    if git.config_value(_HOOKS_PATH) is not None:
        yield _hit(
            command,
            "core.hooksPath is overridden for this git command, so the repository's hooks "
            "(agentgov's among them) do not run",
            HOOKS_PATH_REMEDIATION,
        )
    elif verb and _config_changes_hooks_path(verb, key):
        yield _hit(
            command,
            "changes core.hooksPath, which decides whether the repository's hooks "
            "(agentgov's among them) run at all",
            HOOKS_PATH_REMEDIATION,
        )
    if (git.subcommand == "notes" and _notes_hits(git, notes_ref)) or (
        git.subcommand == "update-ref" and _update_ref_hits(git, analysis, notes_ref)
    ):
        yield _hit(
            command,
            f"rewrites or deletes the audit trail on {notes_ref}, the evidence agentgov "
            "keeps of what the agent did",
            NOTES_REMEDIATION,
        )
    if plan is not None and any(
        (target.delete or target.force) and target.matches(notes_ref) for target in plan.targets
    ):
        yield _hit(
            command,
            f"deletes or overwrites the remote audit trail on {notes_ref}",
            NOTES_REMEDIATION,
        )
    if verb == "set" and alias_moves_refs(key, value):
        yield _hit(
            command,
            f"defines the git alias {key.removeprefix('alias.')} as {value!r}, which would "
            "move refs where the guard does not see it",
            REFS_REMEDIATION,
        )
    if verb and remote_config_write(verb, key):
        yield _hit(
            command,
            f"changes {key}, which decides what the remote-tracking refs the policy in force "
            "is read from will hold",
            REFS_REMEDIATION,
        )
    protected = ctx.policy.protected_branches
    for moved in ref_moves(git, plan, analysis, protected, ctx.branch, ctx.project_root):
        yield _hit(
            command,
            f"{moved}: the policy in force is read from the protected branch's refs, and "
            "moving them would swap it",
            REFS_REMEDIATION,
        )


# --- switches --------------------------------------------------------------------------


def _assignments(command: SimpleCommand) -> Iterator[tuple[str, Word | None]]:
    """``(name, value)`` for every variable the command sets, exports or unsets (the value
    is None for ``unset NAME``, ``env -u NAME`` and ``export NAME``)."""
    yield from command.assignments
    for name in command.unsets:
        if name != "*":
            yield name, None
    if command.name in _DECLARERS:
        for word in command.args:
            if word.value.startswith(("-", "+")):
                continue
            name, equals, value = word.value.partition("=")
            yield name, Word(value, value, word.static) if equals else None
    elif command.name == "unset":
        for word in command.args:
            if not word.value.startswith("-"):
                yield word.value, None


def _switch_message(name: str, value: Word | None) -> str | None:
    text = value.value if value is not None else None
    if name.startswith("AGENTGOV_"):
        if name in _STRICTER and text is not None and text.lower() in _ENGAGED:
            return None
        return f"changes {name}, one of agentgov's own switches"
    if name == "SKIP" and text is not None and "agentgov" in text.lower():
        return f"SKIP={text} tells pre-commit to skip agentgov's hooks"
    if text is not None and (
        (name == "GIT_CONFIG_PARAMETERS" and _HOOKS_PATH in text.lower())
        or (_GIT_CONFIG_KEY.match(name) and text.lower() == _HOOKS_PATH)
    ):
        return f"{name} overrides core.hooksPath, so the repository's hooks do not run"
    return None


def _switch_hits(command: SimpleCommand) -> Iterator[Hit]:
    for name in command.unsets:
        if name == "*":
            emptied = (
                "env -i empties the environment, and with it agentgov's own switches "
                "(AGENTGOV_AGENT, AGENTGOV_KILL)"
            )
            yield _hit(command, emptied, SWITCH_REMEDIATION)
            return
    if command.assignments or command.unsets or command.name in _SETTERS:
        for name, value in _assignments(command):
            message = _switch_message(name, value)
            if message is not None:
                yield _hit(command, message, SWITCH_REMEDIATION)
                return
    if command.name in ("pre-commit", "agentgov") or tool_name(command.name) in LAUNCHERS:
        yield from _guard_command_hits(command)


def _guard_command_hits(command: SimpleCommand) -> Iterator[Hit]:
    """``pre-commit uninstall``, ``agentgov uninstall``, ``agentgov policy
    accept|forget``, the commands that write evidence (``audit review``, ``ci record``,
    ``audit reattach``, ``audit flush --commit``), ``agentgov kill --release`` and
    ``agentgov incident resolve``, however agentgov is launched (``python -m agentgov``,
    ``uv run``...)."""
    for invocation in invocations(command):
        every = invocation.values()
        words = every[:2]
        if invocation.tool == "pre-commit" or invocation.tool in _AGENTGOV_MODULES:
            program = "pre-commit" if invocation.tool == "pre-commit" else "agentgov"
            if words[:1] == ("uninstall",):
                yield _hit(
                    command, f"{program} uninstall removes agentgov's hooks", UNINSTALL_REMEDIATION
                )
                return
            if (
                program == "agentgov"
                and words[:1] == ("policy",)
                and words[1:]
                and (words[1] in _POLICY_VERBS)
            ):
                yield _hit(
                    command,
                    f"agentgov policy {words[1]} moves the policy in force, which only a "
                    "person may do",
                    POLICY_COMMAND_REMEDIATION,
                )
                return
            if program == "agentgov" and _writes_evidence(every):
                yield _hit(
                    command,
                    f"agentgov {' '.join(words)} writes the evidence autonomy is earned on, "
                    "which only a person or CI may record",
                    EVIDENCE_REMEDIATION,
                )
                return
            if program == "agentgov" and _lifts_restriction(every, invocation.args):
                what = (
                    "agentgov kill --release lifts the kill switch"
                    if words[:1] == ("kill",)
                    else "agentgov incident resolve lifts the reset an incident caused"
                )
                yield _hit(command, f"{what}, which only a person may do", RELEASE_REMEDIATION)
                return


def _writes_evidence(words: tuple[str, ...]) -> bool:
    """A review or CI result (``audit review``, ``ci record``), records copied onto other
    commits (``audit reattach``), or records attached to a commit named on the command line
    (``audit flush --commit``): each could make commits count as an agent's, or as
    reviewed and passing, that are not (docs/evidence.md)."""
    if words[:2] in (("audit", "review"), ("ci", "record"), ("audit", "reattach")):
        return True
    return words[:2] == ("audit", "flush") and any(
        word == "--commit" or word.startswith("--commit=") for word in words[2:]
    )


def _lifts_restriction(words: tuple[str, ...], args: tuple[Word, ...]) -> bool:
    """``kill`` with ``--release`` among its options, or with a word agentgov cannot read
    (``agentgov kill $FLAG``); ``incident resolve``; or a command name it cannot read
    (``agentgov $(echo kill) --release``)."""
    if args and not args[0].static:
        return True
    if words[:1] == ("kill",):
        return any(
            word == "--release" or word.startswith("--release=") or not arg.static
            for word, arg in zip(words[1:], args[1:], strict=True)
        )
    return words[:2] == ("incident", "resolve") or (
        words[:1] == ("incident",) and len(args) > 1 and not args[1].static
    )


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    entries = guarded_entries(ctx.guard_roots, ctx.home, ctx.policy.audit.notes_ref)
    found = git_commands(analysis)
    gits = {git.command.index: git for git in found} if found else {}
    plans = (
        {plan.git.command.index: plan for plan in push_plans(analysis, ctx.branch)} if found else {}
    )
    for command in analysis.commands:
        git = gits.get(command.index)
        yield from _file_hits(command, git, ctx, entries)
        if _may_write_guard(command, ctx):
            yield from _ref_file_hits(command, ctx)
        if git is not None:
            yield from _git_hits(git, plans.get(command.index), analysis, ctx)
        yield from _switch_hits(command)


RULE = Rule(
    id="guard.tamper",
    action_class=ActionClass.FORBIDDEN,
    summary="Any change to the guard itself: .agentgov/, agent hook settings, .git/hooks, "
    "core.hooksPath, the audit notes ref, agentgov's disable variables.",
    example="git config core.hooksPath /dev/null",
    evaluate=_evaluate,
    can_disable=False,
)
