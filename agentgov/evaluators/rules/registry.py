"""Every rule of the catalogue, listed by hand so grep finds each one.

The key is the rule id: the YAML key under ``rules:``, the audit field, the SARIF ruleId,
the docs anchor, and (with dots and dashes turned into folders and underscores) the module
and its test file. ``tests/rules/test_registry.py`` checks that this list, the policy
schema and docs/rules.md agree.

Each entry names the rule's module and its triggers (see ``triggers.py``): the programs
and marks without which the rule cannot hit, or None when any command can. A module is
imported only when its rule is needed: the Claude Code hook is a whole process per tool
call, and a typical command concerns a handful of rules. ``RULES`` imports on access, so
``agentgov rules`` and the tests, which read every rule, get them all.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

from agentgov.evaluators.rules.base import Rule
from agentgov.evaluators.rules.triggers import ENVIRONMENT, INLINE_CODE, READS, WRITES


class Entry(NamedTuple):
    """Where a rule lives and what can trigger it (None: any command)."""

    module: str
    triggers: frozenset[str] | None


def _on(*groups: Iterable[str]) -> frozenset[str]:
    return frozenset(name for group in groups for name in group)


# Trigger groups that several rules share. Each mirrors the tables of the modules named;
# test_registry.py checks that every key of those tables is here.
_PUSH = ("git push",)  # git_push.push_plans
_GIT_TAMPER = (  # guard/tamper._git_hits and written_paths.git_path_writes (-c: core.hooksPath)
    *("git -c", "git config", "git notes", "git update-ref", "git push", "git checkout"),
    *("git restore", "git rm", "git mv", "git clean"),
    # guard/ref_moves.ref_moves: the refs the policy in force is read from
    *("git symbolic-ref", "git branch", "git switch", "git fetch", "git pull", "git remote"),
    *("git replace", "git worktree"),
)
_SCRIPTING = (INLINE_CODE,)  # interpreter one-liners, which may fetch, print or send
_DOWNLOADERS = (  # shell/downloads.is_download
    *("curl", "wget", "wget2", "fetch", "aria2c", "axel", "http", "https", "xh", "xhs"),
    *("curlie", "lwp-download", "lwp-request", "get", "iwr", "irm", "invoke-webrequest"),
    *("invoke-restmethod", "start-bitstransfer", "nc", "ncat", "netcat", "nc.openbsd"),
    *("nc.traditional", "telnet", "lynx", "w3m", "links", "elinks", "socat", "openssl"),
    *("gsutil", "gcloud", "aws", "gh"),
)
_FILE_WRITERS = (  # file_writes._WRITERS
    *("tee", "touch", "truncate", "rm", "unlink", "rmdir", "shred", "chmod", "chown"),
    *("chgrp", "chattr", "setfacl", "cp", "install", "mv", "ln", "sed", "gsed", "perl"),
    *("dd", "curl", "wget", "unzip", "rsync", "tar", "find", "gfind"),
)
_DEVICE_TOOLS = (  # disk/device_write._DEVICE_TOOLS and _MAKE_FS
    *("wipefs", "shred", "blkdiscard", "ddrescue", "badblocks", "sgdisk", "sfdisk"),
    *("fdisk", "gdisk", "parted", "cryptsetup", "nvme", "hdparm", "mkfs", "mke2fs"),
    *("mkswap", "mkdosfs", "mkntfs", "mkexfatfs", "mkudffs", "mkreiserfs", "mkbtrfs"),
)
_INFRA = (  # infra/operations._RECOGNISERS
    *("argocd", "aws", "az", "cdk", "cdktf", "doctl", "eb", "eksctl", "fly", "flyctl"),
    *("gcloud", "gsutil", "helm", "helmfile", "heroku", "kubectl", "netlify", "ntl", "oc"),
    *("opentofu", "pulumi", "sam", "serverless", "skaffold", "sls", "terraform"),
    *("terragrunt", "tofu"),
)
_PLATFORMS = (  # deploy/platforms._RECOGNISERS (git only pushes to a platform)
    *("ansible-playbook", "cap", "cf", "eb", "firebase", "fly", "flyctl", "gh", "git push"),
    *("heroku", "kamal", "netlify", "ntl", "railway", "serverless", "sls", "vc", "vercel"),
    "wrangler",
)
_DATABASES = (  # db/production._MIGRATIONS, _CLIENTS and _statement
    *("alembic", "artisan", "atlas", "console", "dbmate", "diesel", "django"),
    *("django-admin", "dotnet", "drizzle-kit", "flyway", "goose", "knex", "liquibase"),
    *("manage.py", "migrate", "mix", "prisma", "rails", "rake", "sequelize"),
    *("sequelize-cli", "sqitch", "typeorm", "typeorm-ts-node-commonjs"),
    *("typeorm-ts-node-esm", "clickhouse-client", "cqlsh", "mariadb", "mongo", "mongosh"),
    *("mysql", "psql", "redis-cli", "snowsql", "sqlcmd", "sqlite3", "dropdb", "mysqladmin"),
    "bq",
)
_SENDERS = (  # secrets/network_senders.sending
    *("tee", "curl", "wget", "http", "https", "xh", "xhs", "nc", "ncat", "netcat"),
    *("nc.openbsd", "nc.traditional", "telnet", "mail", "mailx", "sendmail", "mutt"),
    *("socat", "openssl", "ssh", "scp", "rsync", "aws", "gsutil", "rclone", "gh", "dig"),
    *("nslookup", "host", "ping", "ping6", "traceroute", "whois", "drill", "kdig"),
)
_SECRET_PRINTERS = (  # secrets/secret_sources.emitted_secrets and listed_secret
    *("cat", "tac", "nl", "less", "more", "most", "head", "tail", "bat", "batcat"),
    *("strings", "xxd", "od", "hexdump", "hd", "base64", "base32", "basenc", "cut", "sort"),
    *("uniq", "rev", "fold", "fmt", "pr", "expand", "unexpand", "column", "paste", "join"),
    *("comm", "diff", "sdiff", "zcat", "gzcat", "bzcat", "xzcat", "zstdcat", "view"),
    *("grep", "egrep", "fgrep", "rg", "ag", "ack", "sed", "awk", "gawk", "mawk", "nawk"),
    *("jq", "yq", "gojq", "dd", "cp", "git show", "git diff", "git log", "git credential"),
    *("openssl", "gh", "aws", "gcloud", "az"),
    *("kubectl", "heroku", "security", "gpg", "gpg2", "echo", "printf", "print"),
    *("printenv", "declare", "typeset", "env", "set", "export", "compgen"),
)
_SWITCHES = (  # guard/tamper._switch_hits and _guard_command_hits
    *("export", "declare", "typeset", "local", "readonly", "unset", "python -m agentgov"),
    *("pre-commit", "agentgov", "agentgov.entry", "agentgov.__main__"),
    *("python -m agentgov.entry", "python -m agentgov.__main__"),
)
_PUBLISHERS = (  # package/publish._RECOGNISERS
    *("buildah", "bun", "cargo", "changeset", "dart", "deno", "docker", "dotnet", "flit"),
    *("flutter", "gem", "gh", "goreleaser", "gradle", "gradlew", "hatch", "helm", "jsr"),
    *("lerna", "maturin", "mix", "mvn", "mvnw", "npm", "nuget", "ovsx", "pdm", "pnpm"),
    *("pod", "podman", "poetry", "rake", "rye", "twine", "uv", "vsce", "yarn"),
)
_MESSENGERS = (  # message/send._RECOGNISERS
    *("apprise", "aws", "az", "curl", "gcloud", "http", "https", "mail", "mailx"),
    *("msmtp", "mutt", "neomutt", "s-nail", "sendmail", "slack", "ssmtp", "swaks"),
    *("telegram-send", "twilio", "wget", "xh", "xhs"),
)
_INSTALLERS = (  # supply_chain/unpinned_install._reader
    *("pip", "python -m pip", "uv", "uvx", "pipx", "poetry", "pdm", "npm", "npx", "yarn"),
    *("pnpm", "pnpx", "bun", "bunx", "cargo", "go", "gem", "brew", "docker", "podman"),
    "nerdctl",
)

_RULES = "agentgov.evaluators.rules"
CATALOGUE: dict[str, Entry] = {
    # forbidden by default
    "git.force-push-protected": Entry(f"{_RULES}.git.force_push_protected", _on(_PUSH)),
    "git.delete-protected-branch": Entry(f"{_RULES}.git.delete_protected_branch", _on(_PUSH)),
    "git.no-verify": Entry(
        f"{_RULES}.git.no_verify",
        _on(("git commit", "git push", "git merge", "git rebase", "git am", "git pull")),
    ),
    "shell.pipe-to-interpreter": Entry(
        f"{_RULES}.shell.pipe_to_interpreter",
        _on(_DOWNLOADERS, _SCRIPTING, ("pwsh", "powershell")),
    ),
    "fs.recursive-delete-root": Entry(
        f"{_RULES}.fs.recursive_delete_root", _on(("rm", "find", "gfind", "rsync"))
    ),
    "disk.device-write": Entry(
        f"{_RULES}.disk.device_write", _on(_FILE_WRITERS, _DEVICE_TOOLS, (WRITES,))
    ),
    "infra.destroy": Entry(f"{_RULES}.infra.destroy", _on(_INFRA)),
    "deploy.production": Entry(f"{_RULES}.deploy.production", _on(_INFRA, _PLATFORMS)),
    "db.production": Entry(f"{_RULES}.db.production", _on(_DATABASES)),
    "secrets.exfiltration": Entry(
        f"{_RULES}.secrets.exfiltration", _on(_SENDERS, _SCRIPTING, _PUSH, (WRITES,))
    ),
    "supply-chain.unpinned-install": Entry(
        f"{_RULES}.supply_chain.unpinned_install", _on(_INSTALLERS)
    ),
    "guard.tamper": Entry(
        f"{_RULES}.guard.tamper", _on(_FILE_WRITERS, _GIT_TAMPER, _SWITCHES, (WRITES, ENVIRONMENT))
    ),
    # irreversible by default (asks at every level)
    "git.reset-hard": Entry(f"{_RULES}.git.reset_hard", _on(("git reset",))),
    "git.clean-force": Entry(f"{_RULES}.git.clean_force", _on(("git clean",))),
    "git.discard-changes": Entry(
        f"{_RULES}.git.discard_changes", _on(("git checkout", "git restore", "git switch"))
    ),
    "git.stash-destroy": Entry(f"{_RULES}.git.stash_destroy", _on(("git stash",))),
    "git.branch-force-delete": Entry(
        f"{_RULES}.git.branch_force_delete", _on(("git branch", "git update-ref"))
    ),
    "git.history-rewrite": Entry(
        f"{_RULES}.git.history_rewrite",
        _on(("git filter-branch", "git filter-repo", "git reflog", "git gc", "git prune")),
    ),
    "git.push-protected": Entry(f"{_RULES}.git.push_protected", _on(_PUSH)),
    "git.delete-remote-branch": Entry(f"{_RULES}.git.delete_remote_branch", _on(_PUSH)),
    "deploy.nonproduction": Entry(f"{_RULES}.deploy.nonproduction", _on(_PLATFORMS)),
    "infra.change": Entry(f"{_RULES}.infra.change", _on(_INFRA)),
    "package.publish": Entry(f"{_RULES}.package.publish", _on(_PUBLISHERS)),
    "message.send": Entry(f"{_RULES}.message.send", _on(_MESSENGERS)),
    "secrets.read": Entry(f"{_RULES}.secrets.read", _on(_SECRET_PRINTERS, _SCRIPTING, (READS,))),
}

_LOADED: dict[str, Rule] = {}


def rule(rule_id: str) -> Rule:
    """The rule with this id, its module imported on first use (KeyError when unknown)."""
    found = _LOADED.get(rule_id)
    if found is None:
        module = CATALOGUE[rule_id].module
        found = importlib.import_module(module).RULE
        if not isinstance(found, Rule) or found.id != rule_id:
            raise LookupError(f"{module}.RULE is not the rule {rule_id}")
        _LOADED[rule_id] = found
    return found


class _Rules(Mapping[str, Rule]):
    """The catalogue as ``id -> Rule``, importing each module when its rule is read."""

    def __getitem__(self, rule_id: str) -> Rule:
        return rule(rule_id)

    def __iter__(self) -> Iterator[str]:
        return iter(CATALOGUE)

    def __len__(self) -> int:
        return len(CATALOGUE)


RULES: Mapping[str, Rule] = _Rules()
