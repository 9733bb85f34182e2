"""``git.branch-force-delete``: deleting a local branch whether or not it was merged.

``git branch -D``, ``--delete --force``, ``-df``, and ``git update-ref -d refs/heads/<b>``
(which skips every check) drop a branch even when its commits exist nowhere else.
``git branch -d`` refuses unmerged work, so it is not this rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.cli_options import OptionSpec, names
from agentgov.evaluators.rules.git.git_args import GitCommand, git_commands
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

_BRANCH = OptionSpec(
    short_value="u",
    long_names=names(
        "delete force move copy remotes all list verbose quiet track no-track "
        "set-upstream-to unset-upstream color no-color column no-column sort merged "
        "no-merged contains no-contains points-at format ignore-case omit-empty "
        "edit-description create-reflog show-current abbrev no-abbrev recurse-submodules"
    ),
    long_value=names("set-upstream-to sort merged no-merged contains no-contains points-at format"),
)
_UPDATE_REF = OptionSpec(
    short_value="m", long_names=frozenset({"no-deref", "stdin", "create-reflog"})
)
REMEDIATION = (
    "delete it with git branch -d <name>, which refuses unmerged work, or ask before deleting it"
)


def _deleted(git: GitCommand) -> tuple[str, ...]:
    if git.subcommand == "branch":
        parsed = git.parse(_BRANCH)
        forced = parsed.has("-D") or (parsed.has("-d", "--delete") and parsed.has("-f", "--force"))
        return tuple(word.value for word in parsed.operands) if forced else ()
    if git.subcommand == "update-ref":
        parsed = git.parse(_UPDATE_REF)
        refs = parsed.operands[:1]
        if parsed.has("-d") and refs and refs[0].value.startswith("refs/heads/"):
            return (refs[0].value.removeprefix("refs/heads/"),)
    return ()


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for git in git_commands(analysis):
        branches = _deleted(git)
        if branches:
            yield RULE.hit(
                git.command.text,
                f"force-deletes the branch {', '.join(branches)} whether or not its commits "
                "are merged anywhere",
                REMEDIATION,
            )


RULE = Rule(
    id="git.branch-force-delete",
    action_class=ActionClass.IRREVERSIBLE,
    summary="git branch -D: deletes a branch whether or not it was merged.",
    example="git branch -D feature/old",
    evaluate=_evaluate,
)
