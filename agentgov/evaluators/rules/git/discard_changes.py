"""``git.discard-changes``: overwriting uncommitted edits in the working tree.

- ``git checkout -- <path>``, ``git checkout .``, ``git checkout <tree-ish> <path>``,
  ``git checkout -f`` (switching while throwing edits away);
- ``git restore <path>``, which restores the worktree by default (``--staged`` alone only
  touches the index and is not this rule);
- ``git switch --discard-changes`` and ``git switch -f``.

``git checkout <branch>`` switches branches and keeps edits (git refuses when they would be
lost). A single checkout operand is read as a path when it is ``.``, a glob, or a file name
with an extension (``README.md``); ``release/1.0`` stays a branch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.cli_options import OptionSpec, ParsedOptions, names
from agentgov.evaluators.rules.git.git_args import GitCommand, git_commands
from agentgov.evaluators.shell.model import Analysis, Word
from agentgov.policy.model import ActionClass

_CHECKOUT = OptionSpec(
    short_value="bB",
    long_names=names(
        "quiet progress no-progress force ours theirs track no-track guess no-guess "
        "detach orphan ignore-skip-worktree-bits merge conflict patch "
        "ignore-other-worktrees overwrite-ignore no-overwrite-ignore recurse-submodules "
        "no-recurse-submodules overlay no-overlay pathspec-from-file pathspec-file-nul"
    ),
    long_value=frozenset({"orphan"}),
)
_RESTORE = OptionSpec(
    short_value="s",
    long_names=names(
        "source patch worktree staged quiet progress no-progress ours theirs merge "
        "conflict ignore-unmerged ignore-skip-worktree-bits recurse-submodules "
        "no-recurse-submodules overlay no-overlay pathspec-from-file pathspec-file-nul"
    ),
    long_value=frozenset({"source"}),
)
_SWITCH = OptionSpec(
    short_value="cC",
    long_names=names(
        "create force-create detach guess no-guess force discard-changes merge conflict "
        "quiet progress no-progress track no-track orphan ignore-other-worktrees "
        "recurse-submodules no-recurse-submodules"
    ),
    long_value=frozenset({"create", "force-create", "orphan"}),
)
# A file name with an alphabetic extension (``app.py``), which a branch name rarely has.
_FILE_LIKE = re.compile(r"(?:^|/)[^/]*[^./]\.[A-Za-z][A-Za-z0-9]{0,7}$")
REMEDIATION = (
    "save the edits first (git stash push -- <paths>, or git diff > /tmp/<name>.patch), "
    "then ask before discarding them"
)


def _path_like(word: Word) -> bool:
    text = word.value
    return text in (".", ":/", "./") or word.glob or bool(_FILE_LIKE.search(text))


def _checkout_discards(parsed: ParsedOptions) -> bool:
    if parsed.has("-f", "--force", "--pathspec-from-file"):
        return True
    if parsed.dashdash is not None and len(parsed.operands) > parsed.dashdash:
        return True
    if parsed.has("-b", "-B", "--orphan"):
        return False
    operands = parsed.operands
    return len(operands) >= 2 or any(_path_like(word) for word in operands)


def _discards(git: GitCommand) -> bool:
    if git.subcommand == "checkout":
        return _checkout_discards(git.parse(_CHECKOUT))
    if git.subcommand == "restore":
        parsed = git.parse(_RESTORE)
        worktree = parsed.has("-W", "--worktree") or not parsed.has("-S", "--staged")
        return worktree and bool(parsed.operands or parsed.has("--pathspec-from-file"))
    if git.subcommand == "switch":
        return git.parse(_SWITCH).has("-f", "--force", "--discard-changes")
    return False


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for git in git_commands(analysis):
        if _discards(git):
            yield RULE.hit(
                git.command.text,
                f"git {git.subcommand} overwrites uncommitted edits in the working "
                "tree; they are in no commit and cannot be recovered",
                REMEDIATION,
            )


RULE = Rule(
    id="git.discard-changes",
    action_class=ActionClass.IRREVERSIBLE,
    summary="git checkout -- <path>/., git restore of the worktree, git switch "
    "--discard-changes: discards edits.",
    example="git checkout -- src/app.py",
    evaluate=_evaluate,
)
