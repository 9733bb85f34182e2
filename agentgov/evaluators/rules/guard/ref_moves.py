"""Git commands that move the refs the policy in force is read from (part of ``guard.tamper``).

The policy in force is the one committed on the default branch, read from
``refs/remotes/origin/<branch>`` (else the local branch), and the clone remembers it
(docs/policy.md, "The policy in force"). An agent that moves those refs, or changes what
``origin`` means, tries to swap the policy; the memory refuses the result, and these
commands are refused before they run. For every protected branch ``P`` of the policy:

- ``git update-ref`` of ``refs/heads/P``, ``refs/remotes/<remote>/P`` or
  ``refs/remotes/<remote>/HEAD`` (also ``-d``, ``--stdin`` lines, and ``HEAD`` while ``P``
  is checked out), and of ``refs/replace/*``; ``--stdin`` whose input cannot be seen;
- ``git symbolic-ref`` that writes or deletes one of those (reading is fine);
- ``git branch -f``/``-M``/``-m``/``-C``/``-c``/``-d``/``-D`` onto, away from or of ``P``
  (with ``-r``, of ``<remote>/P``); ``git checkout -B P``, ``git switch -C P``;
- ``git fetch``/``git pull`` with a refspec (or ``--refmap``) whose destination is ``P``'s
  local or remote-tracking ref, when it is forced (``+src:dst``, ``-f``/``--force``), comes
  from another branch, or from another remote than the tracking ref's; ``git push`` to the
  repository itself (``.``) onto those refs;
- ``git remote add|rename|remove|set-url|set-head`` of ``origin`` (``set-head --auto`` is
  fine), ``git config`` writes of ``remote.origin.url``/``fetch``/``mirror`` (or the whole
  section) and
  of ``url.<base>.insteadOf``, and the same keys given for one command (``git -c``,
  ``GIT_CONFIG_*``): they change what ``origin/P`` will hold;
- ``git replace`` that creates or deletes a replacement (replace refs and grafts can make
  any commit look like a descendant); ``git worktree add -B P``; ``git config alias.<x>``
  defined as ``update-ref``, ``symbolic-ref`` or ``replace`` (a later ``git x`` hides them);
- writes (redirects, ``rm``, ``mv``, ``cp``, ``tee``, ``sed -i``...) into those refs' files
  under ``.git/refs/``, into ``.git/packed-refs``, ``.git/refs/replace/`` or
  ``.git/info/grafts``, or removals of a directory that holds them (``rm -rf .git/refs``).

Plain ``git fetch``, ``git pull`` and ``git fetch origin P`` stay allowed: the remote is the
reviewed truth, and a fetch only moves ``origin/P`` to what the remote holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from agentgov.evaluators.rules.cli_options import OptionSpec, names
from agentgov.evaluators.rules.git.git_args import GitCommand
from agentgov.evaluators.rules.git.git_push import PUSH_OPTIONS, PushPlan
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.globs import match_branch

POLICY_REMOTE = "origin"
"""The remote whose tracking ref the policy in force is read from (``policy/in_force.py``)."""

_UPDATE_REF = OptionSpec(
    short_value="m", long_names=frozenset({"no-deref", "stdin", "create-reflog", "delete"})
)
_SYMBOLIC_REF = OptionSpec(
    short_value="m", long_names=names("quiet delete short no-recurse recurse")
)
_BRANCH = OptionSpec(
    short_value="u",
    long_names=names(
        "force move copy delete remotes all list track no-track set-upstream-to "
        "unset-upstream color no-color verbose quiet abbrev no-abbrev column no-column "
        "sort merged no-merged contains no-contains points-at format show-current "
        "create-reflog edit-description ignore-case recurse-submodules omit-empty"
    ),
    long_value=names("set-upstream-to sort merged no-merged contains no-contains points-at format"),
)
_CHECKOUT = OptionSpec(
    short_value="bB", long_names=names("orphan track no-track"), long_value=names("orphan")
)
_SWITCH = OptionSpec(
    short_value="cC",
    long_names=names("create force-create orphan track no-track detach"),
    long_value=names("create force-create orphan"),
)
_FETCH = OptionSpec(
    short_value="jo",
    long_names=names(
        "all multiple force refmap depth deepen shallow-since shallow-exclude jobs "
        "upload-pack server-option negotiation-tip filter recurse-submodules "
        "submodule-prefix prune prune-tags tags no-tags append atomic dry-run quiet "
        "verbose progress unshallow update-head-ok keep rebase no-rebase ff-only ff no-ff "
        "strategy strategy-option"
    ),
    long_value=names(
        "refmap depth deepen shallow-since shallow-exclude jobs upload-pack server-option "
        "negotiation-tip filter submodule-prefix strategy strategy-option"
    ),
)
_PULL_SHORT = "jsXo"  # pull's -s/-X (strategy) take a value too
_REMOTE_VERBS = frozenset({"add", "rename", "remove", "rm", "set-url", "set-head"})
_REMOTE_OPTIONS = OptionSpec(
    short_value="tm", long_names=names("fetch tags no-tags mirror push add delete auto")
)
_REPLACE_READS = frozenset({"-l", "--list", "--format"})
_STDIN_PRINTERS = frozenset({"echo", "printf"})
# ``remote.origin.mirror`` fetches the remote's every ref as is, its refs/remotes/ included.
_REMOTE_KEYS = frozenset(f"remote.{POLICY_REMOTE}.{name}" for name in ("url", "fetch", "mirror"))
_WORKTREE = OptionSpec(
    short_value="bB",
    long_names=names("force detach checkout no-checkout lock reason orphan track no-track"),
    long_value=names("reason"),
)
# Subcommands that only move refs: an alias to one of them hides the move from the rules.
_REF_MOVERS = frozenset({"update-ref", "symbolic-ref", "replace"})

_FETCHING = frozenset({"fetch", "pull", "remote"})
SUBCOMMANDS = frozenset(
    {"update-ref", "symbolic-ref", "branch", "checkout", "switch", "replace", "push", "worktree"}
    | _FETCHING
)
"""The git subcommands ``ref_moves`` reads (the registry's triggers must name each)."""


def protected_ref(name: str, protected: tuple[str, ...]) -> bool:
    """Whether ``name`` (a ref as a command names it) is a protected branch's local or
    remote-tracking ref, a remote's ``HEAD``, or a replace ref. A bare name (``main``,
    ``origin/main``) counts too: git resolves it before the full ref."""
    short = name.removeprefix("refs/")
    if short.startswith("replace/"):
        return name.startswith("refs/")
    if short.startswith("heads/"):
        return match_branch(short.removeprefix("heads/"), protected)
    if short.startswith("remotes/"):
        _, _, branch = short.removeprefix("remotes/").partition("/")
        return branch == "HEAD" or match_branch(branch, protected)
    if name.startswith("refs/"):
        return False
    if match_branch(name, protected):
        return True
    _, slash, branch = name.partition("/")
    return bool(slash) and (branch == "HEAD" or match_branch(branch, protected))


def _update_ref(
    git: GitCommand, analysis: Analysis, protected: tuple[str, ...], branch: str | None
) -> str | None:
    parsed = git.parse(_UPDATE_REF)
    if parsed.operands:
        ref = parsed.operands[0].value
        if ref == "HEAD" and not parsed.has("--no-deref"):
            if branch is not None and match_branch(branch, protected):
                return f"moves HEAD, which is the protected branch {branch}"
            return None
        return f"moves {ref}" if protected_ref(ref, protected) else None
    if not parsed.has("--stdin"):
        return None
    bodies: list[str | None] = [
        redirect.body for redirect in git.command.redirects if "<" in redirect.op
    ]
    for command in analysis.upstream(git.command.index):
        # What echo and printf print is known; any other program's output is not.
        bodies.append(" ".join(command.values()) if command.name in _STDIN_PRINTERS else None)
        bodies.extend(redirect.body for redirect in command.redirects if "<" in redirect.op)
    if not bodies or None in bodies:
        return "moves refs read from an input agentgov cannot see (--stdin)"
    for body in bodies:
        for word in (body or "").replace("\\n", " ").split():
            if word.startswith("refs/") and protected_ref(word, protected):
                return f"moves {word} (--stdin)"
    return None


def _symbolic_ref(git: GitCommand, protected: tuple[str, ...]) -> str | None:
    parsed = git.parse(_SYMBOLIC_REF)
    writes = len(parsed.operands) >= 2 or parsed.has("-d", "--delete")
    if not writes or not parsed.operands:
        return None
    ref = parsed.operands[0].value
    return f"points {ref} elsewhere" if protected_ref(ref, protected) else None


def _branch(git: GitCommand, protected: tuple[str, ...], current: str | None) -> str | None:
    parsed = git.parse(_BRANCH)
    operands = [word.value for word in parsed.operands]
    remotes = parsed.has("-r", "--remotes")

    def hit(name: str) -> bool:
        return protected_ref(name, protected) if remotes else match_branch(name, protected)

    if parsed.has("-d", "-D", "--delete"):
        gone = [name for name in operands if hit(name)]
        return f"deletes {gone[0]}" if gone else None
    if parsed.has("-m", "-M", "--move", "-c", "-C", "--copy"):
        moving = parsed.has("-m", "-M", "--move")
        if len(operands) >= 2:
            old, new = operands[0], operands[1]
        elif operands:
            old, new = current or "", operands[0]
        else:
            return None
        if hit(new):
            return f"{'renames' if moving else 'copies'} a branch onto {new}"
        if moving and hit(old):
            return f"renames {old} away"
        return None
    if parsed.has("-f", "--force") and operands and hit(operands[0]):
        return f"resets {operands[0]} (--force)"
    return None


def _checkout(git: GitCommand, protected: tuple[str, ...]) -> str | None:
    if git.subcommand == "checkout":
        parsed = git.parse(_CHECKOUT)
        names_given = parsed.values("-B")
        how = "checkout -B"
    else:
        parsed = git.parse(_SWITCH)
        names_given = parsed.values("-C", "--force-create")
        how = "switch -C"
    for name in names_given:
        if match_branch(name, protected):
            return f"resets {name} ({how})"
    return None


def _destination(spec: str) -> tuple[bool, str, str] | None:
    """``(forced, source, destination)`` of a fetch refspec with a destination."""
    forced = spec.startswith("+")
    source, colon, destination = spec.removeprefix("+").partition(":")
    return (forced, source, destination) if colon and destination else None


def _same_branch(source: str, branch: str) -> bool:
    return source.removeprefix("refs/heads/") == branch


def _fetch_refspec(
    spec: str, remote: str, force_all: bool, protected: tuple[str, ...]
) -> str | None:
    read = _destination(spec)
    if read is None:
        return None
    forced, source, destination = read
    short = destination.removeprefix("refs/")
    if short.startswith("remotes/"):
        tracking_remote, _, branch = short.removeprefix("remotes/").partition("/")
    elif short.startswith("heads/"):
        tracking_remote, branch = POLICY_REMOTE, short.removeprefix("heads/")
    elif destination.startswith("refs/"):
        return None
    else:
        tracking_remote, branch = POLICY_REMOTE, destination
    same = remote == tracking_remote and _same_branch(source, branch)
    if "*" in branch:
        # ``+refs/heads/*:refs/remotes/origin/*`` is what a plain fetch does; a pattern that
        # maps other names (or another remote) onto origin's may land on a protected one.
        return None if same else f"maps {source} from {remote} onto {destination}"
    if branch != "HEAD" and not match_branch(branch, protected):
        return None
    if forced or force_all:
        return f"force-fetches into {destination} ({spec})"
    if not same:
        return f"fetches {source} from {remote} into {destination}"
    return None


def _fetch(git: GitCommand, protected: tuple[str, ...]) -> str | None:
    spec = _FETCH
    if git.subcommand == "pull":
        spec = OptionSpec(_PULL_SHORT, "", _FETCH.long_names, _FETCH.long_value)
    parsed = git.parse(spec)
    if parsed.has("--all", "--multiple"):
        return None
    force_all = parsed.has("-f", "--force")
    operands = [word.value for word in parsed.operands]
    remote = operands[0] if operands else POLICY_REMOTE
    for refspec in (*operands[1:], *parsed.values("--refmap")):
        found = _fetch_refspec(refspec, remote, force_all, protected)
        if found is not None:
            return found
    return None


def _push_to_self(plan: PushPlan, protected: tuple[str, ...], root: str | None) -> str | None:
    operands = plan.git.parse(PUSH_OPTIONS).operands
    remote = (operands[0].value.rstrip("/") or "/") if operands else ""
    own = {".", ".git", "./.git"}
    if root:
        base = root.rstrip("/")
        own |= {base, f"{base}/.git", f"file://{base}", f"file://{base}/.git"}
    if remote not in own:
        return None
    for target in plan.targets:
        if target.every_branch or protected_ref(target.ref, protected):
            return f"pushes into this repository's own {target.ref}"
    return None


def _remote(git: GitCommand) -> str | None:
    parsed = git.parse(_REMOTE_OPTIONS)
    operands = [word.value for word in parsed.operands]
    if not operands or operands[0] not in _REMOTE_VERBS:
        return None
    verb, names_given = operands[0], operands[1:]
    if verb == "set-head" and parsed.has("-a", "--auto"):
        return None
    touched = names_given[:2] if verb == "rename" else names_given[:1]
    if POLICY_REMOTE in touched:
        return f"git remote {verb} changes what {POLICY_REMOTE} is"
    return None


def _remote_key(key: str) -> bool:
    """A configuration key that changes what ``origin``'s tracking refs will hold."""
    if key in _REMOTE_KEYS:
        return True
    return key.startswith("url.") and key.endswith(".insteadof")


def remote_config_write(verb: str, key: str) -> bool:
    """For ``git config``: whether writing ``key`` with ``verb`` (``set``, ``unset``,
    ``remove-section``, ``rename-section``) redirects ``origin``."""
    if verb in ("set", "unset"):
        return _remote_key(key)
    return verb in ("remove-section", "rename-section") and key in (
        f"remote.{POLICY_REMOTE}",
        "remote",
    )


def alias_moves_refs(key: str, value: str) -> bool:
    """For ``git config``: whether defining ``alias.<name>`` as ``value`` makes a later
    ``git <name>`` move refs unseen (``update-ref``, ``symbolic-ref``, ``replace``, also in
    a ``!`` shell alias)."""
    if not key.startswith("alias."):
        return False
    words = value.removeprefix("!").replace(";", " ").replace("&", " ").split()
    if value.startswith("!"):
        return any(word in _REF_MOVERS for word in words)
    return bool(words) and words[0] in _REF_MOVERS


def _worktree(git: GitCommand, protected: tuple[str, ...]) -> str | None:
    parsed = git.parse(_WORKTREE)
    if not parsed.operands or parsed.operands[0].value != "add":
        return None
    for name in parsed.values("-B"):
        if match_branch(name, protected):
            return f"resets {name} (worktree add -B)"
    return None


def _replace(git: GitCommand) -> str | None:
    values = [word.value for word in git.args]
    if not values or any(v in _REPLACE_READS or v.startswith("--format=") for v in values):
        return None
    return "git replace makes git read one object as another"


def ref_moves(
    git: GitCommand,
    plan: PushPlan | None,
    analysis: Analysis,
    protected: tuple[str, ...],
    branch: str | None,
    root: str | None,
) -> Iterator[str]:
    """What ``git`` does to the refs the policy in force is read from, if anything."""
    sub = git.subcommand
    if sub not in SUBCOMMANDS:
        return
    if sub in _FETCHING:
        for key, _ in git.config:
            if _remote_key(key):
                yield f"-c {key} redirects {POLICY_REMOTE} for this command"
                return
    found: str | None = None
    if sub == "update-ref":
        found = _update_ref(git, analysis, protected, branch)
    elif sub == "symbolic-ref":
        found = _symbolic_ref(git, protected)
    elif sub == "branch":
        found = _branch(git, protected, branch)
    elif sub in ("checkout", "switch"):
        found = _checkout(git, protected)
    elif sub in ("fetch", "pull"):
        found = _fetch(git, protected)
    elif sub == "remote":
        found = _remote(git)
    elif sub == "replace":
        found = _replace(git)
    elif sub == "worktree":
        found = _worktree(git, protected)
    elif plan is not None:
        found = _push_to_self(plan, protected, root)
    if found is not None:
        yield found


def ref_file(
    path: str, root: str, protected: tuple[str, ...], *, glob: bool = False, tree: bool = False
) -> str | None:
    """What writing ``path`` (absolute, normalised; a pattern when ``glob``) does to the
    policy's refs in the repository at ``root``, or None."""
    prefix = root.rstrip("/") + "/.git/"
    if not path.startswith(prefix):
        return None
    relative = path.removeprefix(prefix).rstrip("/")
    if glob:
        return _ref_glob(relative, protected, tree)
    if relative in ("packed-refs", "info/grafts") or relative.startswith("refs/replace"):
        return f".git/{relative}"
    if relative.startswith("refs/") and protected_ref(relative, protected):
        return f"the ref {relative}"
    if tree and (
        relative in ("refs", "refs/heads", "refs/remotes", "info")
        or (relative.startswith("refs/remotes/") and relative.count("/") == 2)
    ):
        return f".git/{relative}, which holds the protected branch's refs"
    return None


def _ref_glob(pattern: str, protected: tuple[str, ...], tree: bool) -> str | None:
    names = [name for name in protected if not any(char in name for char in "*?[")]
    candidates = [
        "packed-refs",
        "info/grafts",
        f"refs/remotes/{POLICY_REMOTE}/HEAD",
        *(f"refs/heads/{name}" for name in names),
        *(f"refs/remotes/{POLICY_REMOTE}/{name}" for name in names),
    ]
    depth = pattern.count("/") + 1
    for candidate in candidates:
        if fnmatchcase(candidate, pattern):
            return f".git/{candidate}"
        parts = candidate.split("/")
        if tree and len(parts) > depth and fnmatchcase("/".join(parts[:depth]), pattern):
            return f".git/{candidate}"
    return None
