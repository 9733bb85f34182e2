"""``git.history-rewrite``: rewriting history or pruning what could restore it.

``git filter-branch`` and ``git filter-repo`` rewrite every commit they touch;
``git reflog expire``/``delete`` drop the entries that make a lost commit findable;
``git gc --prune=now`` (or ``=all``, or a ``gc.pruneExpire`` of now) and ``git prune``
delete unreachable objects at once instead of after the two-week grace period.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.cli_options import OptionSpec, names
from agentgov.evaluators.rules.git.git_args import GitCommand, git_commands
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

_GC = OptionSpec(
    long_names=names("aggressive auto prune no-prune quiet force keep-largest-pack cruft no-cruft"),
)
_PRUNE = OptionSpec(
    long_names=names("dry-run verbose progress expire"),
    long_value=frozenset({"expire"}),
)
_IMMEDIATE = frozenset({"now", "all"})
REMEDIATION = (
    "ask first, and take a backup before rewriting: "
    "git bundle create /tmp/<repo>-backup.bundle --all"
)


def _rewrite(git: GitCommand) -> str | None:
    """What the command rewrites or prunes, or None."""
    sub = git.subcommand
    if sub in ("filter-branch", "filter-repo"):
        return f"git {sub} rewrites every commit it touches"
    if sub == "reflog" and git.args and git.args[0].value in ("expire", "delete"):
        return f"git reflog {git.args[0].value} drops the entries that find lost commits"
    if sub == "gc":
        prune = git.parse(_GC).values("--prune")
        config = (git.config_value("gc.pruneexpire") or "").lower()
        if any(value.lower() in _IMMEDIATE for value in prune) or config in _IMMEDIATE:
            return "git gc prunes unreachable objects at once, with no grace period"
    if sub == "prune" and not git.parse(_PRUNE).has("-n", "--dry-run"):
        return "git prune deletes unreachable objects at once"
    return None


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for git in git_commands(analysis):
        what = _rewrite(git)
        if what is not None:
            yield RULE.hit(
                git.command.text,
                f"{what}: the previous history cannot be recovered afterwards",
                REMEDIATION,
            )


RULE = Rule(
    id="git.history-rewrite",
    action_class=ActionClass.IRREVERSIBLE,
    summary="filter-branch, filter-repo, reflog expire, gc --prune=now: rewrites or prunes "
    "history.",
    example="git gc --prune=now",
    evaluate=_evaluate,
)
