"""The class of one command before any rule: read, local, network, install, publish,
dynamic or irreversible (docs/policy.md#levels-and-action-classes).

Rules (written elsewhere) add forbidden and irreversible hits on top; this module only says
what a command is on its face. It is table-driven: ``PROGRAMS`` maps a program to its
class, ``SUBCOMMANDS`` refines tools whose class depends on their subcommand (git, kubectl,
npm...), and a few functions judge what tables cannot (the paths ``rm`` deletes, whether a
shell's script is static). Pure: no I/O.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from agentgov.evaluators.shell import launchers
from agentgov.evaluators.shell.model import Word
from agentgov.policy.model import ActionClass

if TYPE_CHECKING:
    from collections.abc import Callable

    from agentgov.evaluators.rules.base import ShellContext
    from agentgov.evaluators.shell.model import Analysis, SimpleCommand

READ = ActionClass.READ
LOCAL = ActionClass.LOCAL
NETWORK = ActionClass.NETWORK
INSTALL = ActionClass.INSTALL
PUBLISH = ActionClass.PUBLISH
DYNAMIC = ActionClass.DYNAMIC
IRREVERSIBLE = ActionClass.IRREVERSIBLE

Verdict = tuple[ActionClass, str]

TEMP_DIRS = ("/tmp", "/var/tmp", "/private/tmp", "/dev/shm")  # noqa: S108 - only compared
"""Directories whose contents are scratch: deleting there is ``local``. ``$TMPDIR`` too."""

_READ_PROGRAMS = """
    : [ [[ ls ll la dir vdir cat tac head tail less more bat grep egrep fgrep zgrep rg ag ack
    fd fdfind tree wc sort uniq cut tr paste join column nl fold fmt rev expand unexpand
    echo printf pwd which whereis type whence hash file stat du df date cal whoami id groups
    uname hostname arch nproc uptime free ps pgrep pstree top htop lsof env printenv
    true false test basename dirname realpath readlink diff cmp comm sdiff jq yq xq xxd
    hexdump od strings md5sum sha1sum sha256sum sha512sum shasum cksum b2sum seq sleep expr
    exec man info help history jobs tty locale getconf lsblk lscpu lsusb lspci dmesg journalctl
    cd pushd popd dirs export declare typeset local readonly unset set shopt alias unalias
    read mapfile readarray exit return break continue shift wait trap umask ulimit
    times caller let getopts compgen complete tput stty clear reset mawk
    nawk xargs watch iconv base64 numfmt factor bc dc units look zcat bzcat xzcat
    zless git-lfs-status tldr
"""
_LOCAL_PROGRAMS = """
    make cmake ninja meson bazel gradle mvn ant sbt pytest py.test tox nox jest vitest mocha
    ruff mypy black isort flake8 pylint pyright eslint prettier tsc webpack vite esbuild
    rollup babel node deno ruby perl php lua java javac kotlin
    gcc g++ clang clang++ cc c++ ld rustc swift swiftc dotnet tsx ts-node
    mkdir touch cp mv ln chmod chown chgrp install truncate tar zip unzip gzip gunzip bzip2
    bunzip2 xz unxz 7z patch tee code vim vi nvim nano emacs open xdg-open kill pkill killall
    direnv pre-commit shellcheck shfmt hadolint actionlint terraform-docs tflint
    docker-compose podman just task
"""
_NETWORK_PROGRAMS = """
    curl wget ssh scp sftp ftp telnet nc ncat netcat socat dig nslookup host ping ping6
    traceroute tracepath mtr whois http https xh curlie aria2c axel fetch httpie gsutil aws
    gcloud az doctl linode-cli openssl mail mailx sendmail mutt iwr irm invoke-webrequest
    invoke-restmethod grpcurl websocat lftp s3cmd rclone
"""
_INSTALL_PROGRAMS = """
    npx bunx uvx pnpx apt apt-get aptitude yum dnf zypper apk pacman port snap flatpak
    nix-env choco winget scoop
"""
_PUBLISH_PROGRAMS = """
    twine
"""


def _programs(text: str, action: ActionClass) -> dict[str, ActionClass]:
    return dict.fromkeys(text.split(), action)


PROGRAMS: dict[str, ActionClass] = {
    **_programs(_READ_PROGRAMS, READ),
    **_programs(_LOCAL_PROGRAMS, LOCAL),
    **_programs(_NETWORK_PROGRAMS, NETWORK),
    **_programs(_INSTALL_PROGRAMS, INSTALL),
    **_programs(_PUBLISH_PROGRAMS, PUBLISH),
}
"""Programs whose class does not depend on their arguments (tools with subcommands are
refined by ``SUBCOMMANDS``; unknown programs are ``local``)."""


class Tool:
    """A program whose class depends on its subcommand.

    ``options_with_value`` are global options that take the next word (skipped when looking
    for the subcommand); ``subcommands`` maps ``"sub"`` or ``"sub sub2"`` to a class, and
    ``default`` is the class of an unlisted subcommand (``None``: use ``bare``).
    """

    __slots__ = ("bare", "default", "options_with_value", "subcommands")

    def __init__(
        self,
        subcommands: dict[str, ActionClass],
        *,
        default: ActionClass,
        bare: ActionClass = READ,
        options_with_value: str = "",
    ) -> None:
        self.subcommands = subcommands
        self.default = default
        self.bare = bare
        self.options_with_value = frozenset(options_with_value.split())


def _table(**classes: str) -> dict[str, ActionClass]:
    """``read="status log"`` -> ``{"status": READ, "log": READ}``; ``_`` in a name is a space
    (``remote_update`` -> ``remote update``)."""
    table: dict[str, ActionClass] = {}
    for name, subcommands in classes.items():
        action = ActionClass(name)
        for subcommand in subcommands.split():
            table[subcommand.replace("_", " ")] = action
    return table


_GIT = Tool(
    _table(
        read="""status log diff show blame annotate grep ls-files ls-tree rev-parse describe
        shortlog cat-file help version var check-ignore check-attr name-rev merge-base
        count-objects whatchanged range-diff cherry for-each-ref show-ref rev-list
        verify-commit verify-tag show-branch diff-tree diff-index diff-files reflog
        reflog_show --version --help -h stash_list stash_show worktree_list remote_-v
        remote_show remote_get-url
        config_--get config_--list config_-l config_get config_list config_--get-all
        config_--get-regexp lfs_ls-files lfs_status lfs_env submodule_status
        notes_list notes_show bisect_log bisect_view""",
        network="""fetch pull clone ls-remote remote_update submodule_update fetch-pack
        lfs_fetch lfs_pull lfs_clone archive_--remote""",
        publish="push send-email lfs_push request-pull",
        local="reflog_expire reflog_delete",
    ),
    default=LOCAL,
    options_with_value="-C -c --git-dir --work-tree --namespace --config-env --exec-path",
)

_KUBECTL_OPTIONS = (
    "-n --namespace --context --cluster --kubeconfig -s --server --user --token -l "
    "--selector -o --output --as --as-group --request-timeout -f --filename -c --container"
)

TOOLS: dict[str, Tool] = {
    "git": _GIT,
    "kubectl": Tool(
        _table(
            read="""get describe logs explain api-resources api-versions version top
            config_view config_get-contexts config_current-context cluster-info auth_can-i
            auth_whoami events diff wait""",
            local="config_use-context config_set-context completion kustomize plugin",
        ),
        default=NETWORK,
        options_with_value=_KUBECTL_OPTIONS,
    ),
    "oc": Tool(
        _table(read="get describe logs explain version whoami status project projects"),
        default=NETWORK,
        options_with_value=_KUBECTL_OPTIONS,
    ),
    "helm": Tool(
        _table(
            read="""list ls status get history template lint show inspect version env
            search_local verify""",
            install="dependency_update dependency_build dep_update pull fetch",
            network="repo_add repo_update search_hub search_repo registry_login",
            local="create package repo_index completion plugin_list",
        ),
        default=NETWORK,
        options_with_value="-n --namespace --kube-context --kubeconfig",
    ),
    "terraform": Tool(
        _table(
            read="version show output providers graph state_list state_show workspace_list",
            local="fmt validate console workspace_select test",
            install="init get providers_lock",
        ),
        default=NETWORK,
        options_with_value="-chdir",
    ),
    "docker": Tool(
        _table(
            read="""ps images inspect logs version info history top stats diff port
            container_ls container_inspect container_logs image_ls image_inspect
            image_history volume_ls volume_inspect network_ls network_inspect search
            context_ls compose_ps compose_logs compose_config system_df manifest_inspect""",
            install="pull image_pull plugin_install",
            publish="push image_push trust_sign manifest_push",
            network="login logout",
        ),
        default=LOCAL,
        options_with_value="-H --host --context -c --config --log-level",
    ),
    "npm": Tool(
        _table(
            read="""ls list ll la config_get config_list help help-search prefix root bin
            explain why version -v --version get fund doctor""",
            install="""install i in ins inst insta instal isnt isntal add ci update up
            upgrade udpate install-test it install-ci-test cit exec x dedupe create
            rebuild""",
            network="view info show v search find s se outdated audit ping whoami login",
            publish="publish unpublish deprecate dist-tag_add owner_add access star",
        ),
        default=LOCAL,
        options_with_value="--prefix -w --workspace -C",
    ),
    "pnpm": Tool(
        _table(
            read="ls list ll why help config_get -v --version root bin",
            install="add install i update up upgrade dlx create import fetch rebuild",
            network="outdated audit view info",
            publish="publish",
        ),
        default=LOCAL,
        options_with_value="-C --dir --filter -F -w --workspace",
    ),
    "yarn": Tool(
        _table(
            read="list why info help config_get -v --version bin",
            install="add install upgrade up dlx create import global_add",
            network="outdated audit npm_info npm_login",
            publish="publish npm_publish",
        ),
        default=LOCAL,
        bare=INSTALL,
        options_with_value="--cwd",
    ),
    "bun": Tool(
        _table(
            read="pm_ls --version -v --help",
            install="add install i update upgrade x create link",
            publish="publish",
        ),
        default=LOCAL,
        options_with_value="--cwd",
    ),
    "pip": Tool(
        _table(
            read="list freeze show check help config_list config_get debug inspect --version -V",
            install="install wheel",
            network="download search index",
        ),
        default=LOCAL,
        options_with_value="--python --log --proxy --retries --timeout --cert --client-cert",
    ),
    "uv": Tool(
        _table(
            read="""--version version help pip_list pip_freeze pip_show pip_check tree
            python_list python_find tool_list cache_dir""",
            install="""add sync lock pip_install pip_sync pip_compile tool_install
            tool_upgrade tool_run python_install venv export""",
            publish="publish",
        ),
        default=LOCAL,
        options_with_value="--directory --project --python -p --cache-dir --config-file",
    ),
    "pipx": Tool(
        _table(read="list environment --version", install="install run inject upgrade reinstall"),
        default=LOCAL,
    ),
    "poetry": Tool(
        _table(
            read="show check --version about config_--list env_info env_list",
            install="add install update lock self_update self_add",
            publish="publish",
        ),
        default=LOCAL,
        options_with_value="-C --directory -P --project",
    ),
    "pdm": Tool(
        _table(
            read="list show info --version config",
            install="add install update lock sync",
            publish="publish",
        ),
        default=LOCAL,
        options_with_value="-p --project",
    ),
    "conda": Tool(
        _table(read="list info env_list search config_--show", install="install create update"),
        default=LOCAL,
        options_with_value="-n --name -p --prefix",
    ),
    "mamba": Tool(
        _table(read="list info env_list search", install="install create update"),
        default=LOCAL,
        options_with_value="-n --name -p --prefix",
    ),
    "cargo": Tool(
        _table(
            read="--version -V version help tree metadata locate-project verify-project pkgid",
            install="install add update fetch generate-lockfile binstall",
            network="search login owner yank",
            publish="publish",
        ),
        default=LOCAL,
        options_with_value="-C --manifest-path --config -Z",
    ),
    "go": Tool(
        _table(
            read="version env list doc help vet",
            install="install get mod_download mod_tidy work_sync",
        ),
        default=LOCAL,
        options_with_value="-C",
    ),
    "gem": Tool(
        _table(
            read="list search info contents environment help --version which",
            install="install update",
            publish="push yank owner",
        ),
        default=LOCAL,
    ),
    "bundle": Tool(
        _table(read="list show info check outdated --version", install="install update add lock"),
        default=LOCAL,
        bare=INSTALL,
    ),
    "brew": Tool(
        _table(
            read="list ls info desc search config doctor --version deps uses leaves home",
            install="install upgrade reinstall tap bundle update",
        ),
        default=LOCAL,
    ),
    "composer": Tool(
        _table(read="show info licenses outdated --version", install="install require update"),
        default=LOCAL,
        options_with_value="-d --working-dir",
    ),
    "apt-cache": Tool({}, default=READ),
    "dpkg": Tool(_table(read="-l --list -L --listfiles -s --status -S --search"), default=LOCAL),
    "gh": Tool(
        _table(
            read="""auth_status --version version help status completion config_get
            config_list alias_list extension_list""",
            network="""pr_view pr_list pr_diff pr_checks pr_status pr_checkout issue_view
            issue_list issue_status release_view release_list release_download repo_view
            repo_clone repo_list run_view run_list run_watch run_download workflow_view
            workflow_list api search browse auth_login auth_token label_list gist_view
            gist_list secret_list variable_list cache_list codespace_list""",
            publish="""pr_create pr_merge pr_comment pr_review pr_edit pr_close pr_reopen
            pr_ready issue_create issue_comment issue_close issue_edit issue_reopen
            issue_transfer issue_pin release_create release_upload release_edit repo_create
            repo_fork repo_edit repo_rename repo_sync gist_create gist_edit workflow_run
            workflow_enable workflow_disable run_rerun run_cancel secret_set variable_set
            label_create label_edit cache_delete""",
            irreversible="""repo_delete repo_archive release_delete issue_delete gist_delete
            secret_delete variable_delete label_delete run_delete""",
        ),
        default=NETWORK,
        options_with_value="-R --repo",
    ),
    "glab": Tool(
        _table(
            read="--version version help",
            publish="mr_create mr_merge mr_note issue_create issue_note release_create",
        ),
        default=NETWORK,
        options_with_value="-R --repo",
    ),
    "systemctl": Tool(
        _table(
            read="status show list-units list-unit-files is-active is-enabled is-failed cat",
            irreversible="poweroff reboot halt kexec",
        ),
        default=LOCAL,
    ),
}
"""Tools whose class depends on their subcommand."""
TOOLS["pip3"] = TOOLS["pip"]
TOOLS["tofu"] = TOOLS["terraform"]
TOOLS["podman"] = TOOLS["docker"]

_IRREVERSIBLE_PROGRAMS = {
    "shutdown": "shuts the machine down",
    "reboot": "reboots the machine",
    "halt": "halts the machine",
    "poweroff": "powers the machine off",
}

_PYTHON = re.compile(r"python(\d+(\.\d+)?)?\Z|pypy3?\Z")
_DELETERS = frozenset({"rm", "rmdir", "unlink", "srm"})
_PATH_TOUCHERS = frozenset({"mv", "cp", "chmod", "chown", "chgrp", "ln"})
_PRIVILEGE = frozenset({"sudo", "doas", "su", "runuser"})
_NULL_DEVICES = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/fd/")
_REMOTE_PATH = re.compile(r"[^/:]+:")
# Options of rm/mv/cp/chmod... that take a value, so their value is not a path operand.
_VALUE_OPTIONS = {
    "cp": frozenset({"-t", "--target-directory", "-S", "--suffix"}),
    "mv": frozenset({"-t", "--target-directory", "-S", "--suffix"}),
    "ln": frozenset({"-t", "--target-directory", "-S", "--suffix"}),
    "chmod": frozenset({"--reference"}),
    "chown": frozenset({"--reference", "--from"}),
    "chgrp": frozenset({"--reference"}),
}


def base_class(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    """The class of ``cmd`` on its face, with a short reason.

    Anything the analyser could not see through is ``dynamic``: a computed program name,
    ``eval`` or ``bash -c`` of a non-static string, ``source`` of a non-static file, a
    ``rm``/``mv``/``cp``/``chmod`` target that is not static, or input the analyser cut
    short or could not parse. ``rm`` outside the project and the temp directories is
    ``irreversible``. Commands run through ``sudo`` are at least ``local``.
    """
    if analysis.truncated:
        return DYNAMIC, "the command is too large or too deeply nested to analyse fully"
    if analysis.unparsed:
        return DYNAMIC, f"part of the command could not be parsed: {analysis.unparsed[0][:60]}"
    name = cmd.name
    if not name:
        return DYNAMIC, f"the program name is computed at run time: {cmd.argv[0].raw}"
    if cmd.argv[0].glob:
        return DYNAMIC, f"the program name is a glob pattern: {cmd.argv[0].raw}"
    verdict = _by_program(cmd, analysis, ctx)
    if cmd.redirects:  # most commands have none: skip the calls (this runs per command)
        verdict = _at_least(verdict, _redirect_class(cmd, ctx))
    if (
        verdict[0] is READ
        and cmd.wrappers
        and any(wrapper in _PRIVILEGE for wrapper in cmd.wrappers)
    ):
        return LOCAL, f"{name} runs as another user ({cmd.wrappers[0]})"
    return verdict


def _at_least(verdict: Verdict, other: Verdict | None) -> Verdict:
    if other is not None and other[0].severity > verdict[0].severity:
        return other
    return verdict


def _by_program(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    name = cmd.name
    special = _SPECIAL.get(name)
    if special is not None:
        return special(cmd, analysis, ctx)
    if name in launchers.SHELLS:
        return _shell(cmd)
    if _PYTHON.match(name):
        return _python(cmd)
    tool = TOOLS.get(name)
    if tool is not None:
        return _tool(name, tool, cmd)
    if name in _IRREVERSIBLE_PROGRAMS:
        return IRREVERSIBLE, f"{name} {_IRREVERSIBLE_PROGRAMS[name]}"
    action = PROGRAMS.get(name)
    if action is not None:
        return action, f"{name}: {_DESCRIPTIONS[action]}"
    if "/" in cmd.argv[0].value:
        return LOCAL, f"runs the local program {cmd.argv[0].value}"
    return LOCAL, f"{name}: not a known read-only program, treated as a local change"


_DESCRIPTIONS = {
    READ: "reads only",
    LOCAL: "changes local files or runs local code",
    NETWORK: "talks to the network",
    INSTALL: "installs packages",
    PUBLISH: "publishes to a shared service",
    DYNAMIC: "cannot be known before it runs",
    IRREVERSIBLE: "cannot be undone",
}


def subcommand(argv: tuple[Word, ...], options_with_value: frozenset[str]) -> list[str]:
    """The words after the program's global options (``git -C x -c k=v push -f`` ->
    ``["push", "-f"]``): the subcommand and what follows it."""
    i = 1
    while i < len(argv):
        value = argv[i].value
        if not value.startswith("-") or value == "-":
            break
        if value == "--":
            i += 1
            break
        if value in options_with_value:
            i += 2
            continue
        if value.split("=", 1)[0] in options_with_value:
            i += 1
            continue
        # A version or help flag in place of a subcommand is itself the "subcommand".
        if value in ("--version", "-v", "-V", "--help", "-h"):
            break
        i += 1
    return [word.value for word in argv[i:]]


def _tool(name: str, tool: Tool, cmd: SimpleCommand) -> Verdict:
    rest = subcommand(cmd.argv, tool.options_with_value)
    if not rest:
        return tool.bare, f"{name} without a subcommand"
    first = rest[0]
    if len(rest) > 1:
        pair = f"{first} {rest[1]}"
        if pair in tool.subcommands:
            action = tool.subcommands[pair]
            return action, f"{name} {pair}: {_DESCRIPTIONS[action]}"
    if name == "git":
        refined = _git(first, rest[1:])
        if refined is not None:
            return refined
    action = tool.subcommands.get(first, tool.default)
    if name == "gh" and first == "api" and _gh_api_writes(rest):
        action = PUBLISH
    return action, f"{name} {first}: {_DESCRIPTIONS[action]}"


def _git(sub: str, args: list[str]) -> Verdict | None:
    """git subcommands that read or change depending on their arguments."""
    options = [arg for arg in args if arg.startswith("-")]
    operands = [arg for arg in args if not arg.startswith("-")]
    if sub == "branch":
        listing = {"-a", "--all", "-r", "--remotes", "-v", "-vv", "--verbose", "--list", "-l"}
        reading = {"--show-current", "--contains", "--merged", "--no-merged", "--points-at"}
        lists = not operands or set(options) & (reading | {"--list", "-l"})
        if lists and not set(options) - listing - reading - {"--color", "--no-color"}:
            return READ, "git branch (list): reads only"
    if sub == "tag" and (not args or set(options) & {"-l", "--list", "-n"}):
        return READ, "git tag (list): reads only"
    if sub == "remote" and (not args or args in (["-v"], ["--verbose"])):
        return READ, "git remote: reads only"
    if sub == "stash" and args[:1] in (["list"], ["show"]):
        return READ, f"git stash {args[0]}: reads only"
    if sub == "config" and not operands[1:] and not set(options) - {"--global", "--local"}:
        # `git config name` reads a value; `git config name value` sets it.
        return (READ, "git config (get): reads only") if operands else None
    return None


def _gh_api_writes(rest: list[str]) -> bool:
    for position, value in enumerate(rest):
        if value in ("-X", "--method") and position + 1 < len(rest):
            return rest[position + 1].upper() != "GET"
        if value.startswith(("-X", "--method=")) and len(value) > 2:
            return value.rsplit("=", 1)[-1].removeprefix("-X").upper() != "GET"
        if value in ("-f", "-F", "--field", "--raw-field", "--input"):
            return True
    return False


def _shell(cmd: SimpleCommand) -> Verdict:
    run = launchers.shell_run(cmd.argv)
    if run.command is not None:
        if not run.command.static:
            return DYNAMIC, f"{cmd.name} -c runs a string computed at run time"
        return READ, f"{cmd.name} -c: its commands are judged one by one"
    if run.script is not None:
        if not run.script.static:
            return DYNAMIC, f"{cmd.name} runs a script whose name is computed at run time"
        return LOCAL, f"{cmd.name} runs the script {run.script.value}"
    if any(redirect.body is not None for redirect in cmd.redirects):
        return READ, f"{cmd.name} reads a script from a heredoc: its commands are judged"
    return LOCAL, f"{cmd.name} runs the script it reads from stdin"


def _python(cmd: SimpleCommand) -> Verdict:
    args = [word.value for word in cmd.argv[1:]]
    if not args:
        return LOCAL, f"{cmd.name} runs code read from stdin"
    if args[0] in ("--version", "-V", "-VV"):
        return READ, f"{cmd.name} {args[0]}: reads only"
    if "-m" in args:
        module_at = args.index("-m") + 1
        module = args[module_at] if module_at < len(args) else ""
        rest = args[module_at + 1 :]
        if module in ("pip", "pip3"):
            tool = TOOLS["pip"]
            action = tool.subcommands.get(rest[0], tool.default) if rest else READ
            return action, f"{cmd.name} -m pip {rest[0] if rest else ''}".rstrip()
        if module in ("http.server", "SimpleHTTPServer", "smtpd"):
            return NETWORK, f"{cmd.name} -m {module} serves on the network"
        if module in ("venv", "virtualenv", "pytest", "unittest", "mypy", "ruff", "black"):
            return LOCAL, f"{cmd.name} -m {module}: runs locally"
        return LOCAL, f"{cmd.name} -m {module}: runs local code"
    return LOCAL, f"{cmd.name}: runs local code"


def _eval(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    if all(word.static for word in cmd.argv[1:]):
        return READ, "eval of a static string: its commands are judged one by one"
    return DYNAMIC, "eval of a string computed at run time"


def _source(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    if len(cmd.argv) < 2:
        return LOCAL, f"{cmd.name} without a file"
    script = cmd.argv[1]
    if not script.static or script.glob:
        return DYNAMIC, f"{cmd.name} of a file computed at run time: {script.raw}"
    return LOCAL, f"{cmd.name} runs {script.value} in this shell"


def _command_builtin(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    # Only `command -v/-V` reaches here: the analyser unwraps `command prog`.
    return READ, "command -v looks a program up"


def _delete(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    """rm/rmdir: local inside the project or a temp dir, irreversible elsewhere."""
    worst: Verdict | None = None
    for word in _operands(cmd, frozenset()):
        verdict = _deleted_path(cmd, word, analysis, ctx)
        worst = verdict if worst is None else _at_least(worst, verdict)
    if "xargs" in cmd.wrappers:
        verdict = _delete_from_pipe(cmd, analysis, ctx)
        worst = verdict if worst is None else _at_least(worst, verdict)
    return worst or (LOCAL, f"{cmd.name} without a path")


def _delete_from_pipe(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    """``find DIR ... | xargs rm``: the paths come from find, so judge find's start paths."""
    upstream = analysis.upstream(cmd.index)
    finders = [other for other in upstream if other.name == "find"]
    if not finders or len(finders) != len(upstream):
        return DYNAMIC, f"{cmd.name} deletes paths read from stdin (xargs)"
    worst = _under_find(cmd.name, "{}", finders[0], ctx)
    for finder in finders[1:]:
        worst = _at_least(worst, _under_find(cmd.name, "{}", finder, ctx))
    return worst


def _deleted_path(cmd: SimpleCommand, word: Word, analysis: Analysis, ctx: ShellContext) -> Verdict:
    if not word.static:
        return DYNAMIC, f"{cmd.name} of a path computed at run time: {word.raw}"
    value = word.value
    if "{}" in value:
        parent = analysis.commands[cmd.parent] if cmd.parent is not None else None
        if parent is not None and parent.name == "find":
            return _under_find(cmd.name, value, parent, ctx)
        if "xargs" in cmd.wrappers:
            return LOCAL, f"{cmd.name} of paths xargs reads"  # judged by _delete_from_pipe
    if word.glob:
        # The files a glob matches lie in the directory before its first wildcard.
        cut = min(value.index(char) for char in "*?[" if char in value)
        value = value[:cut] + "x"
    path = _resolve(cmd.cwd, value)
    if path is None:
        return DYNAMIC, f"{cmd.name} {word.raw}: the working directory is unknown"
    return _location(cmd.name, path, ctx, deleting=True, shown=word.value)


def _under_find(name: str, value: str, finder: SimpleCommand, ctx: ShellContext) -> Verdict:
    """``find DIR -exec rm {} +``, ``find DIR | xargs rm``: what is deleted lies under
    find's start paths (``{}`` stands for each file found)."""
    worst: Verdict | None = None
    for start in launchers.find_start_paths(finder.argv) or [Word(".", ".")]:
        if not start.static or start.glob:
            return DYNAMIC, f"{name} of files found under {start.raw}"
        path = _resolve(finder.cwd, value.replace("{}", start.value.rstrip("/") + "/x"))
        if path is None:
            return DYNAMIC, f"{name}: the directory find searches is unknown"
        where = f"{value} under {start.value}" if value != "{}" else f"files under {start.value}"
        verdict = _location(name, path, ctx, deleting=True, shown=where)
        worst = verdict if worst is None else _at_least(worst, verdict)
    return worst or (LOCAL, f"{name} of files find selects")


def _location(
    name: str, path: str, ctx: ShellContext, *, deleting: bool, shown: str = ""
) -> Verdict:
    """Where ``path`` lies: inside the project or a temp directory is ``local``, anywhere
    else (and the repository's ``.git``, when deleting) ``irreversible``. ``shown`` is the
    path as the message names it (a glob or a find start path)."""
    shown = shown or path
    root = ctx.project_root
    if root is not None:
        git_dir = posixpath.join(root, ".git")
        if deleting and (path == git_dir or _inside(path, git_dir)):
            return IRREVERSIBLE, f"{name} {shown}: deletes the repository's history"
        if _inside(path, root):
            return LOCAL, f"{name} {shown}: inside the project"
    temp_dirs = list(TEMP_DIRS)
    tmpdir = ctx.getenv("TMPDIR")
    if tmpdir and tmpdir.startswith("/"):
        temp_dirs.append(posixpath.normpath(tmpdir))
    if any(_inside(path, temp) for temp in temp_dirs):
        return LOCAL, f"{name} {shown}: inside a temp directory"
    return IRREVERSIBLE, f"{name} {shown}: outside the project and the temp directories"


def _inside(path: str, directory: str) -> bool:
    """Whether ``path`` is strictly below ``directory``."""
    directory = directory.rstrip("/")
    return path.startswith(directory + "/") and len(path) > len(directory) + 1


def _resolve(cwd: str | None, value: str) -> str | None:
    if not value.startswith("/"):
        if cwd is None:
            return None
        value = posixpath.join(cwd, value)
    normal = posixpath.normpath(value)
    return "/" + normal.lstrip("/")


def _operands(cmd: SimpleCommand, value_options: frozenset[str]) -> list[Word]:
    operands: list[Word] = []
    options_done = False
    skip = False
    for word in cmd.argv[1:]:
        if skip:
            skip = False
            continue
        value = word.value
        if not options_done and word.static and value.startswith("-") and value != "-":
            if value == "--":
                options_done = True
            elif value in value_options:
                skip = True
            continue
        operands.append(word)
    return operands


def _touch_paths(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    """mv/cp/chmod/chown/ln: a path computed at run time makes them dynamic."""
    operands = _operands(cmd, _VALUE_OPTIONS.get(cmd.name, frozenset()))
    if "xargs" in cmd.wrappers:
        return DYNAMIC, f"{cmd.name} of paths read from stdin (xargs)"
    for word in operands:
        if not word.static:
            return DYNAMIC, f"{cmd.name} of a path computed at run time: {word.raw}"
    return LOCAL, f"{cmd.name}: changes local files"


def _find(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    values = [word.value for word in cmd.argv[1:]]
    if "-delete" in values:
        return _under_find("find -delete", "{}", cmd, ctx)
    if any(value in ("-fprint", "-fprint0", "-fprintf", "-fls") for value in values):
        return LOCAL, "find writes a file"
    if any(value in ("-exec", "-execdir", "-ok", "-okdir") for value in values):
        return READ, "find -exec: the commands it runs are judged one by one"
    return READ, "find: reads only"


def _sed(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    for word in cmd.argv[1:]:
        value = word.value
        if value.startswith("--in-place") or (
            value.startswith("-") and not value.startswith("--") and "i" in value
        ):
            return LOCAL, f"{cmd.name} -i edits files in place"
    return READ, f"{cmd.name}: reads only"


def _awk(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    for word in cmd.argv[1:]:
        if "inplace" in word.value or "system(" in word.value or '| "' in word.value:
            return LOCAL, f"{cmd.name} program edits files or runs commands"
    return READ, f"{cmd.name}: reads only"


def _sort(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    if any(word.value.startswith(("-o", "--output")) for word in cmd.argv[1:]):
        return LOCAL, "sort -o writes a file"
    return READ, "sort: reads only"


def _tee(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    files = [word for word in _operands(cmd, frozenset()) if not _is_null_device(word.value)]
    if not files:
        return READ, "tee: copies stdin to stdout"
    for word in files:
        if not word.static:
            return DYNAMIC, f"tee writes a file named at run time: {word.raw}"
    return LOCAL, "tee writes files"


def _tar(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    first = cmd.argv[1].value if len(cmd.argv) > 1 else ""
    if first in ("-t", "--list", "-tf", "-tzf", "-tvf", "-tvzf", "tf", "tzf", "tvf") or (
        first.lstrip("-").startswith("t") and "x" not in first and "c" not in first
    ):
        return READ, "tar lists an archive"
    return LOCAL, "tar writes files"


def _rsync(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    for word in _operands(cmd, frozenset({"-e", "--rsh", "--exclude", "--include"})):
        value = word.value
        if "::" in value or value.startswith("rsync://") or _REMOTE_PATH.match(value):
            return NETWORK, f"rsync with the remote {value}"
    return LOCAL, "rsync between local paths"


def _env_alone(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    return READ, f"{cmd.name} prints the environment"


def _make(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    values = [word.value for word in cmd.argv[1:]]
    if any(value in ("-n", "--dry-run", "--just-print", "--recon") for value in values):
        return READ, "make -n prints what it would do"
    return LOCAL, "make runs the build"


def _wrapper_alone(cmd: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Verdict:
    if launchers.command_string(cmd.argv) is not None:
        return LOCAL, f"{cmd.name} runs a script as another user"
    return LOCAL, f"{cmd.name} without a command to run"


_SPECIAL: dict[str, Callable[[SimpleCommand, Analysis, ShellContext], Verdict]] = {
    "eval": _eval,
    "source": _source,
    ".": _source,
    "command": _command_builtin,
    "find": _find,
    "sed": _sed,
    "gsed": _sed,
    "awk": _awk,
    "gawk": _awk,
    "sort": _sort,
    "tee": _tee,
    "tar": _tar,
    "rsync": _rsync,
    "env": _env_alone,
    "printenv": _env_alone,
    "make": _make,
    "gmake": _make,
    "sudo": _wrapper_alone,
    "doas": _wrapper_alone,
    "su": _wrapper_alone,
    "runuser": _wrapper_alone,
    **dict.fromkeys(_DELETERS, _delete),
    **dict.fromkeys(_PATH_TOUCHERS, _touch_paths),
}


def _is_null_device(path: str) -> bool:
    return path.startswith(_NULL_DEVICES)


def _redirect_class(cmd: SimpleCommand, ctx: ShellContext) -> Verdict | None:
    """A command that writes a file by redirect is at least ``local``; overwriting a file
    outside the project and the temp directories is ``irreversible``."""
    verdict: Verdict | None = None
    for redirect in cmd.redirects:
        target = redirect.target
        operator = redirect.op.lstrip("0123456789")
        if target is None or operator not in (">", ">|", ">>", "&>", "&>>", "<>", ">&"):
            continue
        if operator == ">&" and (target.value.isdigit() or target.value == "-"):
            continue
        if not target.static:
            return DYNAMIC, f"writes to a file named at run time: {target.raw}"
        if _is_null_device(target.value):
            continue
        candidate: Verdict = (LOCAL, f"writes {target.value}")
        if operator in (">", ">|", "&>", ">&"):
            path = _resolve(cmd.cwd, target.value)
            if path is None:
                candidate = (DYNAMIC, f"writes {target.value}: the working directory is unknown")
            elif _location("overwrite", path, ctx, deleting=False)[0] is IRREVERSIBLE:
                candidate = (IRREVERSIBLE, f"overwrites {path}, outside the project")
        verdict = candidate if verdict is None else _at_least(verdict, candidate)
    return verdict
