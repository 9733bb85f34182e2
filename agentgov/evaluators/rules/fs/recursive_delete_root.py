"""``fs.recursive-delete-root``: recursive deletion of ``/``, ``~`` or a system directory.

Caught: ``rm -r``/``-R``/``--recursive`` (any cluster, options anywhere, ``--``) of ``/``,
``/*``, the home directory (``~``, ``$HOME``, ``..`` routes), a directory that holds it
(``/home``), a system directory (``/usr``, ``/etc``...) or one of their direct children
(``/usr/lib``, ``/var/lib``); any recursive ``rm`` with ``--no-preserve-root``;
``find <such a dir> -delete`` or ``-exec rm`` without a test that narrows what it selects;
``rsync --delete`` into such a directory; ``echo / | xargs rm -rf`` and
``find / | xargs rm -rf``.

Temporary directories (``/tmp/x``, ``/var/tmp/x``) and everything inside the home
directory below its top level are not this rule. A target with an unresolved expansion
(``/"$X"``) is left to the ``dynamic`` class. The rule protects the machine, so it can
never be turned off.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from functools import lru_cache

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.cli_options import OptionSpec, names, parse_options
from agentgov.evaluators.rules.find_args import parse_find
from agentgov.evaluators.rules.path_words import glob_parent, is_within, resolve
from agentgov.evaluators.shell.model import Analysis, SimpleCommand, Word
from agentgov.policy.model import ActionClass

SYSTEM_DIRECTORIES = frozenset(
    {
        "/bin",
        "/boot",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/nix",
        "/opt",
        "/proc",
        "/root",
        "/sbin",
        "/snap",
        "/srv",
        "/sys",
        "/usr",
        "/var",
        "/Applications",
        "/Library",
        "/System",
        "/Users",
        "/private",
    }
)
# Names of temporary directories, compared with paths; nothing is created in them.
TEMPORARY_DIRECTORIES = frozenset(
    {"/tmp", "/var/tmp", "/dev/shm", "/private/tmp", "/private/var/tmp"}  # noqa: S108
)
_RM = OptionSpec(
    long_names=names(
        "force interactive one-file-system no-preserve-root preserve-root recursive dir "
        "verbose help version"
    ),
)
_RSYNC = OptionSpec(short_value="e", long_value=frozenset({"rsh"}))
# A glob segment that takes every entry (``*``, ``.*``, ``.[!.]*``), not a selection.
_WHOLE_GLOB = re.compile(r"[*?.\[\]!{},]+")
REMEDIATION = (
    "delete only what you created, by its exact path inside the project or a temporary "
    "directory (for example rm -rf ./build); never a root, home or system directory"
)


def protected(path: str, home: str) -> str | None:
    """What deleting ``path`` recursively would destroy, or None when it is not protected."""
    home = home.rstrip("/") or "/"
    if path == "/":
        return "the root directory /"
    if path == home:
        return f"the home directory {home}"
    if is_within(home, path):
        return f"{path}, which holds the home directory"
    if is_within(path, home) or any(
        path != temp and is_within(path, temp) for temp in TEMPORARY_DIRECTORIES
    ):
        return None
    if path in SYSTEM_DIRECTORIES or posixpath.dirname(path) in SYSTEM_DIRECTORIES:
        return f"the system directory {path}"
    return None


@lru_cache(maxsize=64)
def _safe_base(cwd: str, home: str) -> bool:
    """True when nothing strictly below ``cwd`` is protected: it is neither protected nor
    ``/``, nor a system directory (whose children are), nor an ancestor of the home."""
    home = home.rstrip("/") or "/"
    return (
        cwd != "/"
        and protected(cwd, home) is None
        and cwd not in SYSTEM_DIRECTORIES
        and not is_within(home, cwd)
    )


def _below_cwd(word: Word, cwd: str | None, home: str) -> bool:
    """A cheap test before resolving: ``build/``, ``./dist`` or ``x/y`` (static, no glob,
    no ``..``, not absolute, not ``~``) inside a cwd that is not protected names a path
    strictly below it (or the cwd itself), which cannot be protected either."""
    value = word.value
    return (
        cwd is not None
        and word.static
        and not word.glob
        and value != ""
        and not value.startswith(("/", "~", "-"))
        and ".." not in value
        and _safe_base(cwd, home)
    )


def _protected_word(word: Word, command: SimpleCommand, home: str) -> str | None:
    if _below_cwd(word, command.cwd, home):
        return None
    path = resolve(word, command.cwd, home)
    if path is None:
        return None
    parent = glob_parent(path) if word.glob else None
    if parent is None:
        return protected(path, home)
    directory, segment = parent
    if directory in TEMPORARY_DIRECTORIES:
        return None
    label = protected(directory, home)
    if label is None or (directory == home.rstrip("/") and not _WHOLE_GLOB.fullmatch(segment)):
        return None
    return f"every entry of {label}"


def _rm_targets(command: SimpleCommand, analysis: Analysis) -> tuple[list[Word], bool]:
    parsed = parse_options(command.args, _RM)
    if not parsed.has("-r", "-R", "--recursive"):
        return [], False
    operands = list(parsed.operands)
    if "xargs" in command.wrappers:
        # ``echo / | xargs rm -rf``: xargs appends what the upstream printed; after
        # ``find / -print0 | xargs -0 rm -rf`` that is the whole tree find walked.
        for upstream in analysis.upstream(command.index):
            if upstream.name in ("echo", "printf"):
                operands.extend(word for word in upstream.args if not word.value.startswith("-"))
            found = parse_find(upstream)
            if found is not None and not found.narrowed:
                operands.extend(found.starts)
    return operands, parsed.has("--no-preserve-root")


def _deletions(command: SimpleCommand, analysis: Analysis) -> tuple[str, list[Word], bool]:
    """``(how, targets, unconditional)`` for one command."""
    if command.name == "rm":
        targets, no_preserve = _rm_targets(command, analysis)
        return "rm -r", targets, no_preserve
    found = parse_find(command)
    if found is not None:
        whole = found.deletes and not found.narrowed
        return "find -delete", list(found.starts) if whole else [], False
    if command.name == "rsync":
        parsed = parse_options(command.args, _RSYNC)
        deleting = any(option.name.startswith("--del") for option in parsed.options)
        if deleting and len(parsed.operands) >= 2:
            return "rsync --delete", [parsed.operands[-1]], False
    return "", [], False


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for command in analysis.commands:
        how, targets, unconditional = _deletions(command, analysis)
        labels = [_protected_word(word, command, ctx.home) for word in targets]
        found = next((label for label in labels if label is not None), None)
        if found is None and unconditional:
            found = "whatever it is given, / included (--no-preserve-root)"
        if found is not None:
            yield RULE.hit(
                command.text,
                f"{how} deletes {found}, with everything beneath it; neither the system nor "
                "the user's files could be restored",
                REMEDIATION,
            )


RULE = Rule(
    id="fs.recursive-delete-root",
    action_class=ActionClass.FORBIDDEN,
    summary="Recursive deletion of /, ~, or a system directory (rm -rf /, find / -delete).",
    example="rm -rf ~/",
    evaluate=_evaluate,
    can_disable=False,
)
