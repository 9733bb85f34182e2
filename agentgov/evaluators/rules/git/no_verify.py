"""``git.no-verify``: skipping the hooks that guard the repository.

``--no-verify`` on ``commit``, ``push``, ``merge``, ``rebase``, ``am`` and ``pull`` (which
hands it to merge or rebase) bypasses pre-commit, commit-msg, pre-push and pre-merge-commit
hooks, agentgov's own among them. ``commit -n`` is the same flag, also inside a cluster
(``-nm msg``, ``-anm``), but ``-n`` means something else elsewhere: a dry run for ``push``,
``--no-stat`` for ``merge``, ``rebase`` and ``pull``, ``--no-utf8`` for ``am``; and in
``commit -mn`` the ``n`` is the message. Each subcommand's options are therefore read with
that subcommand's own grammar.
"""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.cli_options import OptionSpec, names
from agentgov.evaluators.rules.git.git_args import git_commands
from agentgov.evaluators.rules.git.git_push import PUSH_OPTIONS
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.model import ActionClass

_COMMIT = OptionSpec(
    short_value="mFCct",
    short_attached="Su",
    long_names=names(
        "all patch reuse-message reedit-message fixup squash reset-author short branch "
        "porcelain long null file author date message template signoff no-signoff trailer "
        "verify no-verify allow-empty allow-empty-message cleanup edit no-edit amend "
        "no-post-rewrite include only pathspec-from-file pathspec-file-nul "
        "untracked-files verbose quiet dry-run status no-status gpg-sign no-gpg-sign "
        "interactive"
    ),
    long_value=names(
        "reuse-message reedit-message fixup squash file author date message template "
        "trailer cleanup pathspec-from-file"
    ),
)
_MERGE = OptionSpec(
    short_value="mFsX",
    short_attached="S",
    long_names=names(
        "commit no-commit edit no-edit cleanup ff no-ff ff-only gpg-sign no-gpg-sign log "
        "no-log signoff no-signoff stat no-stat squash no-squash verify no-verify "
        "strategy strategy-option verify-signatures no-verify-signatures summary "
        "no-summary quiet verbose progress no-progress autostash no-autostash "
        "allow-unrelated-histories rerere-autoupdate no-rerere-autoupdate "
        "overwrite-ignore no-overwrite-ignore abort quit continue file into-name message"
    ),
    long_value=names("cleanup strategy strategy-option file into-name message"),
)
_REBASE = OptionSpec(
    short_value="sXx",
    short_attached="CS",
    long_names=names(
        "onto keep-base continue skip abort quit edit-todo show-current-patch apply empty "
        "keep-empty no-keep-empty allow-empty-message merge strategy strategy-option "
        "rerere-autoupdate no-rerere-autoupdate gpg-sign no-gpg-sign quiet verbose stat "
        "no-stat verify no-verify force-rebase no-ff fork-point no-fork-point "
        "ignore-whitespace whitespace committer-date-is-author-date ignore-date "
        "reset-author-date signoff interactive rebase-merges no-rebase-merges exec root "
        "autosquash no-autosquash autostash no-autostash reschedule-failed-exec "
        "no-reschedule-failed-exec update-refs no-update-refs trailer"
    ),
    long_value=names("onto strategy strategy-option exec whitespace trailer"),
)
_AM = OptionSpec(
    short_attached="pCS",
    long_names=names(
        "signoff keep keep-non-patch keep-cr no-keep-cr scissors no-scissors quoted-cr "
        "message-id no-message-id quiet utf8 no-utf8 3way no-3way rerere-autoupdate "
        "no-rerere-autoupdate ignore-space-change ignore-whitespace whitespace directory "
        "exclude include reject patch-format interactive verify no-verify "
        "committer-date-is-author-date ignore-date skip gpg-sign no-gpg-sign continue "
        "resolved resolvemsg abort quit retry show-current-patch allow-empty empty"
    ),
    long_value=names("whitespace directory exclude include patch-format resolvemsg"),
)
_PULL = OptionSpec(
    short_value="sXoj",
    short_attached="S",
    long_names=_MERGE.long_names
    | names(
        "rebase no-rebase all append atomic depth deepen shallow-since shallow-exclude "
        "unshallow update-shallow refmap tags no-tags jobs dry-run prune force keep "
        "upload-pack server-option ipv4 ipv6 recurse-submodules no-recurse-submodules "
        "set-upstream negotiation-tip show-forced-updates no-show-forced-updates"
    ),
    long_value=_MERGE.long_value
    | names(
        "depth deepen shallow-since shallow-exclude refmap jobs upload-pack server-option "
        "negotiation-tip"
    ),
)
# Which spelling skips hooks for each subcommand, and which names a harmless dry run.
_SUBCOMMANDS: dict[str, tuple[OptionSpec, tuple[str, ...], tuple[str, ...]]] = {
    "commit": (_COMMIT, ("--no-verify", "-n"), ("--dry-run",)),
    "push": (PUSH_OPTIONS, ("--no-verify",), ("--dry-run", "-n")),
    "merge": (_MERGE, ("--no-verify",), ()),
    "rebase": (_REBASE, ("--no-verify",), ()),
    "am": (_AM, ("--no-verify",), ()),
    "pull": (_PULL, ("--no-verify",), ("--dry-run",)),
}
_HOOKS = {
    "commit": "pre-commit and commit-msg",
    "push": "pre-push",
    "merge": "pre-merge-commit and commit-msg",
    "rebase": "pre-rebase",
    "am": "applypatch-msg and pre-applypatch",
    "pull": "pre-merge-commit and commit-msg",
}
REMEDIATION = (
    "run the hooks: drop --no-verify (or -n) and fix what they report; "
    "if a hook itself is wrong, change it in a reviewed commit"
)


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for git in git_commands(analysis):
        entry = _SUBCOMMANDS.get(git.subcommand)
        if entry is None:
            continue
        spec, skips, dry_runs = entry
        parsed = git.parse(spec)
        found = parsed.last(*skips)
        if found is None or parsed.has(*dry_runs):
            continue
        yield RULE.hit(
            git.command.text,
            f"git {git.subcommand} {found.name} skips the {_HOOKS[git.subcommand]} "
            "hooks that guard this repository, agentgov's checks among them",
            REMEDIATION,
        )


RULE = Rule(
    id="git.no-verify",
    action_class=ActionClass.FORBIDDEN,
    summary="--no-verify (or commit -n) on commit, push, merge, rebase or am: skipping the "
    "hooks that guard the repository.",
    example='git commit --no-verify -m "wip"',
    evaluate=_evaluate,
)
