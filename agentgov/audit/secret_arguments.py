"""Passwords that command-line clients take as arguments, found word by word.

A regular expression cannot tell ``mysql -pSECRET`` from ``mkdir -pdir``, nor the password
from the file in ``htpasswd -b file user SECRET``: that needs the words of the command and
the client that reads them. This pass lexes the command (``shell_words``), finds the known
clients among its words (after ``sudo``, ``env``, ``docker exec … --`` or ``ssh host`` as
well, since it looks at every word), reads each client's arguments the way that client
does, and returns the places of the secrets. Strings that hold commands (``bash -c '…'``,
``ssh host "…"``) are read the same way, a few levels deep.

The audit trail is shared and append-only, so a secret written to it cannot be taken back:
for a known client's password option this pass masks when in doubt. A value that is only a
variable (``-p"$DB_PASS"``) is not a secret and is kept.

Pure and fast: a text that names no client costs one regular-expression search.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from agentgov.audit.shell_words import Command, Word, commands


class Mask(NamedTuple):
    """Replace ``start:end`` of the text; ``value`` lists the offsets that were the secret's
    characters, so that quotes between them are kept."""

    start: int
    end: int
    value: tuple[int, ...]


Args = Sequence[Word]
Rule = Callable[[Args], Iterator[Mask]]

# Bounds that keep the pass linear on any input: how deep strings are read as commands,
# how many clients one simple command may name, and how many words a client's rule reads.
MAX_DEPTH = 6
MAX_CLIENTS = 32
MAX_ARGUMENTS = 512
_REFERENCE = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})")
_SENSITIVE_KEY = re.compile(
    r"pass|secret|token|auth(?!or)|api[-_]?key|private[-_]?key|credential", re.IGNORECASE
)
# Flags whose value names a container or host, so that the client name after them is not a
# command (docker run --name mongo -p 27017:27017 mongo).
_NAMING_FLAGS = frozenset({"--name", "--hostname", "-h", "--container-name"})
_STDIN_FEEDERS = frozenset({"echo", "printf"})


def _mask(word: Word, begin: int = 0, end: int | None = None) -> Iterator[Mask]:
    stop = len(word.text) if end is None else end
    if begin >= stop:
        return
    secret = word.text[begin:stop]
    if _REFERENCE.fullmatch(secret):
        return
    value = word.where[begin:stop]
    yield Mask(value[0], value[-1] + 1, value)


def _after(word: Word, separator: str) -> Iterator[Mask]:
    """The part of ``user<separator>secret`` after the first separator."""
    at = word.text.find(separator)
    if at >= 0:
        yield from _mask(word, at + 1)


class Options(NamedTuple):
    """How a client takes its secret options.

    ``separate``: ``-a SECRET``; ``attached``: ``-pSECRET``; ``equals``: long options
    ``--password=SECRET`` (a prefix, ``--pass`` for mysql's abbreviations); ``user``:
    options whose value is ``user<separator>secret``; ``after``: the options count only
    after this word (``docker login``); ``optional``: a separate value that looks like an
    option is the next option, not a password (mongosh ``-p`` prompts)."""

    separate: frozenset[str] = frozenset()
    attached: tuple[str, ...] = ()
    equals: tuple[str, ...] = ()
    user: tuple[tuple[str, str], ...] = ()
    after: str | None = None
    optional: bool = False


def _options(spec: Options) -> Rule:
    def rule(args: Args) -> Iterator[Mask]:
        k = 0
        if spec.after is not None:
            k = next((at + 1 for at, w in enumerate(args) if w.text == spec.after), -1)
            if k < 0:
                return
        while k < len(args):
            word = args[k]
            k += 1
            if word.text in spec.separate:
                if k < len(args) and not (spec.optional and _is_option(args[k].text)):
                    yield from _mask(args[k])
                    k += 1
                continue
            separator = next((sep for flag, sep in spec.user if word.text == flag), None)
            if separator is not None:
                if k < len(args):
                    yield from _after(args[k], separator)
                    k += 1
                continue
            yield from _in_one_word(word, spec)

    return rule


def _is_option(text: str) -> bool:
    return text.startswith("-") and len(text) > 1


def _in_one_word(word: Word, spec: Options) -> Iterator[Mask]:
    """``-uuser:SECRET``, ``--user=user:SECRET``, ``-pSECRET``, ``--password=SECRET``."""
    text = word.text
    for flag, separator in spec.user:
        if flag.startswith("--"):
            if not text.startswith(flag + "="):
                continue
            at = text.find(separator, len(flag) + 1)
        elif text.startswith(flag) and len(text) > len(flag):
            at = text.find(separator, len(flag))
        else:
            continue
        if at >= 0:
            yield from _mask(word, at + 1)
        return
    for flag in spec.attached:
        if text.startswith(flag) and len(text) > len(flag) and text[len(flag) :] != "-":
            yield from _mask(word, len(flag))
            return
    for prefix in spec.equals:
        if text.startswith(prefix) and "=" in text:
            yield from _mask(word, text.index("=") + 1)
            return


def _positionals(args: Args, takes_value: frozenset[str] = frozenset()) -> list[Word]:
    """The operands, leaving out options and the values of ``takes_value`` options."""
    found: list[Word] = []
    k = 0
    while k < len(args):
        text = args[k].text
        if text == "--":
            found.extend(args[k + 1 :])
            break
        if text.startswith("-") and len(text) > 1:
            k += 2 if text in takes_value else 1
            continue
        found.append(args[k])
        k += 1
    return found


def _following(args: Args, *path: str) -> Args | None:
    """The arguments after the words ``path`` (in order, options between them allowed)."""
    k = 0
    for step in path:
        while k < len(args) and args[k].text != step:
            k += 1
        if k == len(args):
            return None
        k += 1
    return args[k:]


# --- clients whose secret is an operand ----------------------------------------------------


def _htpasswd(args: Args) -> Iterator[Mask]:
    """``htpasswd -b[cmBdps…] file user SECRET`` and ``htpasswd -nb user SECRET``: with
    ``-b`` the password is the last operand."""
    flags = "".join(w.text[1:] for w in args if w.text.startswith("-") and len(w.text) > 1)
    if "b" not in flags:
        return
    operands = _positionals(args, frozenset({"-C", "-r"}))
    if len(operands) >= 2:
        yield from _mask(operands[-1])


def _sshpass(args: Args) -> Iterator[Mask]:
    """``sshpass -p SECRET ssh …``: only sshpass's own options, before the command."""
    k = 0
    while k < len(args) and args[k].text.startswith("-"):
        text = args[k].text
        if text == "-p" and k + 1 < len(args):
            yield from _mask(args[k + 1])
        elif text.startswith("-p") and len(text) > 2:
            yield from _mask(args[k], 2)
        k += 2 if text in {"-p", "-f", "-d", "-P"} else 1


def _redis_cli(args: Args) -> Iterator[Mask]:
    yield from _REDIS_OPTIONS(args)
    operands = _positionals(args, _REDIS_TAKES_VALUE)
    for k, word in enumerate(operands):
        if word.text.upper() == "AUTH" and k + 1 < len(operands):
            yield from _mask(operands[-1])  # AUTH [user] SECRET
            break


_REDIS_OPTIONS = _options(
    Options(separate=frozenset({"-a", "--pass"}), attached=("-a",), equals=("--pass=",))
)
_REDIS_TAKES_VALUE = frozenset(
    {"-h", "-p", "-a", "-s", "-u", "-n", "-r", "-i", "--pass", "--user", "-d", "-c"}
)


def _smbclient(args: Args) -> Iterator[Mask]:
    """``-U user%SECRET``, and the password operand after the service: ``smbclient
    //host/share SECRET``."""
    yield from _SMB_OPTIONS(args)
    for k, word in enumerate(args[:-1]):
        if word.text.startswith(("//", "\\\\")) and not args[k + 1].text.startswith("-"):
            yield from _mask(args[k + 1])
            break


_SMB_OPTIONS = _options(Options(user=(("-U", "%"), ("--user", "%"))))


def _net(args: Args) -> Iterator[Mask]:
    """Samba's ``net -U user%SECRET`` and Windows ``net use Z: \\\\host\\share SECRET
    /user:name`` (``*`` prompts)."""
    yield from _SMB_OPTIONS(args)
    used = _following(args, "use")
    if used is None:
        return
    for k, word in enumerate(used[:-1]):
        if word.text.startswith("\\"):  # \\host\share, or \hostshare after the shell
            given = used[k + 1].text
            if not given.startswith("/") and given != "*":
                yield from _mask(used[k + 1])
            break


def _vault(args: Args) -> Iterator[Mask]:
    """``vault login TOKEN`` (``-`` reads stdin; ``key=value`` pairs are handled as
    assignments), and every value of ``vault kv put|patch`` and ``vault write``: what
    vault stores is secret by definition."""
    login = _following(args, "login")
    if login is not None:
        for word in _positionals(login, frozenset({"-method", "-path", "-address"})):
            if "=" not in word.text and word.text != "-":
                yield from _mask(word)
                break
        return
    stored = _following(args, "kv", "put") or _following(args, "kv", "patch")
    stored = stored or _following(args, "write")
    for word in _positionals(stored or ()):
        at = word.text.find("=")
        if at > 0 and not word.text[at + 1 :].startswith(("@", "-")):
            yield from _mask(word, at + 1)


def _config_set(*path: str) -> Rule:
    """``<client> config set KEY VALUE`` or ``KEY=VALUE``, when KEY says secret (npm's
    ``//registry/:_authToken``, aws's ``aws_secret_access_key``)."""

    def rule(args: Args) -> Iterator[Mask]:
        rest = _following(args, *path)
        if rest is None:
            return
        operands = _positionals(rest, frozenset({"--profile", "--location"}))
        if not operands:
            return
        key = operands[0].text
        at = key.find("=")
        if at > 0:
            if _SENSITIVE_KEY.search(key[:at]):
                yield from _mask(operands[0], at + 1)
        elif len(operands) > 1 and _SENSITIVE_KEY.search(key):
            yield from _mask(operands[1])

    return rule


def _poetry(args: Args) -> Iterator[Mask]:
    """``poetry config http-basic.REPO user SECRET`` and ``pypi-token.REPO SECRET``."""
    rest = _following(args, "config")
    operands = _positionals(rest or ())
    if not operands:
        return
    key = operands[0].text
    if key.startswith("http-basic.") and len(operands) > 2:
        yield from _mask(operands[2])
    elif key.startswith("pypi-token.") and len(operands) > 1:
        yield from _mask(operands[1])


def _minio_client(args: Args) -> Iterator[Mask]:
    """``mc alias set NAME URL ACCESS_KEY SECRET_KEY`` (and the older ``config host add``)."""
    rest = _following(args, "alias", "set") or _following(args, "host", "add")
    operands = _positionals(rest or ())
    if len(operands) > 3:
        yield from _mask(operands[3])


def _isql(args: Args) -> Iterator[Mask]:
    """unixODBC ``isql DSN USER SECRET``."""
    operands = _positionals(args)
    if len(operands) > 2:
        yield from _mask(operands[2])


def _mysqladmin(args: Args) -> Iterator[Mask]:
    """``-pSECRET``, and the new password of ``mysqladmin … password NEW``."""
    yield from _MYSQL(args)
    rest = _following(args, "password")
    if rest:
        yield from _mask(rest[0])


def _openssl(args: Args) -> Iterator[Mask]:
    """``openssl enc -k SECRET`` / ``-K HEXKEY``, and ``openssl passwd [-6] [-salt S]
    SECRET``. (``-passin pass:SECRET`` is masked wherever it appears, by redact.)"""
    yield from _OPENSSL_OPTIONS(args)
    rest = _following(args, "passwd")
    if rest is not None:
        for word in _positionals(rest, frozenset({"-salt", "-in"})):
            yield from _mask(word)


_OPENSSL_OPTIONS = _options(Options(separate=frozenset({"-k", "-K"})))


def _dotnet(args: Args) -> Iterator[Mask]:
    """``dotnet nuget add source URL -p SECRET`` and ``dotnet nuget push -k KEY``."""
    rest = _following(args, "nuget")
    if rest is not None:
        yield from _DOTNET_NUGET(rest)


_DOTNET_NUGET = _options(Options(separate=frozenset({"-p", "-k"})))
_MYSQL = _options(Options(attached=("-p",), equals=("--pass",)))
_LOGIN = _options(
    Options(
        separate=frozenset({"-p", "--password"}),
        attached=("-p",),
        equals=("--password=",),
        after="login",
    )
)
_MONGO = _options(
    Options(
        separate=frozenset({"-p", "--password"}),
        attached=("-p",),
        equals=("--password=",),
        optional=True,
    )
)
_CURL_OPTIONS = _options(
    Options(
        separate=frozenset({"--oauth2-bearer"}),
        user=(("-u", ":"), ("-U", ":"), ("--user", ":"), ("--proxy-user", ":")),
    )
)
# Switches that take no value, bundled before -u: curl -su user:SECRET.
_CURL_BUNDLE = re.compile(r"-[sSLkfvIi#]+[uU]")


def _curl(args: Args) -> Iterator[Mask]:
    yield from _CURL_OPTIONS(args)
    for k, word in enumerate(args[:-1]):
        if _CURL_BUNDLE.fullmatch(word.text):
            yield from _after(args[k + 1], ":")


_LDAP = _options(Options(separate=frozenset({"-w"}), attached=("-w",)))
_LDAPPASSWD = _options(Options(separate=frozenset({"-w", "-s", "-a"}), attached=("-w", "-s")))
_CAPITAL_P = _options(Options(separate=frozenset({"-P"}), attached=("-P",)))
_ATTACHED_P = _options(Options(attached=("-p",)))

CLIENTS: dict[str, Rule] = {
    **dict.fromkeys(
        (
            "mysql",
            "mariadb",
            "mysqldump",
            "mariadb-dump",
            "mysqlimport",
            "mysqlshow",
            "mysqlcheck",
            "mysqlpump",
            "mysqlbinlog",
            "mysqlslap",
            "mysql_upgrade",
            "mariadb-admin",
        ),
        _MYSQL,
    ),
    "mysqladmin": _mysqladmin,
    **dict.fromkeys(
        (
            "mongo",
            "mongosh",
            "mongodump",
            "mongorestore",
            "mongoexport",
            "mongoimport",
            "mongostat",
            "mongotop",
            "mongofiles",
        ),
        _MONGO,
    ),
    "redis-cli": _redis_cli,
    "valkey-cli": _redis_cli,
    **dict.fromkeys(
        ("docker", "podman", "nerdctl", "buildah", "skopeo", "helm", "oras", "cosign", "az"),
        _LOGIN,
    ),
    "sshpass": _sshpass,
    "htpasswd": _htpasswd,
    "curl": _curl,
    **dict.fromkeys(("smbclient", "rpcclient", "smbget", "smbcacls", "smbtree"), _smbclient),
    "net": _net,
    **dict.fromkeys(
        (
            "ldapsearch",
            "ldapmodify",
            "ldapadd",
            "ldapdelete",
            "ldapwhoami",
            "ldapcompare",
            "ldapmodrdn",
            "ldapexop",
            "ldapurl",
        ),
        _LDAP,
    ),
    "ldappasswd": _LDAPPASSWD,
    "openssl": _openssl,
    **dict.fromkeys(("zip", "zipcloak", "unzip", "funzip"), _CAPITAL_P),
    **dict.fromkeys(("7z", "7za", "7zr", "7zz"), _ATTACHED_P),
    **dict.fromkeys(("rar", "unrar"), _options(Options(attached=("-p", "-hp")))),
    "lftp": _options(Options(user=(("-u", ","), ("--user", ",")))),
    **dict.fromkeys(("sqlcmd", "bcp", "osql"), _CAPITAL_P),
    "isql": _isql,
    "influx": _options(
        Options(separate=frozenset({"-password", "-p", "-t"}), equals=("-password=",))
    ),
    "gh": _options(
        Options(
            separate=frozenset({"-b", "--body"}),
            attached=("-b",),
            equals=("--body=",),
            after="secret",
        )
    ),
    "vault": _vault,
    "aws": _config_set("configure", "set"),
    **dict.fromkeys(("npm", "pnpm", "yarn"), _config_set("set")),
    "poetry": _poetry,
    "mc": _minio_client,
    "twine": _options(Options(separate=frozenset({"-p"}), attached=("-p",))),
    "dotnet": _dotnet,
    "nuget": _options(
        Options(separate=frozenset({"-Password", "-password", "-ApiKey", "-apikey"}))
    ),
    **dict.fromkeys(
        ("ncftp", "ncftpget", "ncftpput", "ncftpls"), _options(Options(separate=frozenset({"-p"})))
    ),
    **dict.fromkeys(("plink", "pscp", "psftp"), _options(Options(separate=frozenset({"-pw"})))),
    "xfreerdp": _options(Options(attached=("/p:", "/password:"))),
    "ipmitool": _CAPITAL_P,
    **dict.fromkeys(("mosquitto_pub", "mosquitto_sub"), _CAPITAL_P),
    "p4": _CAPITAL_P,
    **dict.fromkeys(
        ("snmpwalk", "snmpget", "snmpset", "snmpbulkwalk", "snmpbulkget", "snmptrap"),
        _options(Options(separate=frozenset({"-A", "-X"}))),
    ),
}


def _always(args: Args) -> bool:
    return True


def _given(*options: str) -> Callable[[Args], bool]:
    def given(args: Args) -> bool:
        return any(w.text in options for w in args)

    return given


def _vault_stdin(args: Args) -> bool:
    return _following(args, "login", "-") is not None


def _htpasswd_stdin(args: Args) -> bool:
    return any(_is_option(w.text) and "i" in w.text[1:] for w in args)


# Clients that read a password or token from their standard input, so that a here-string
# or an ``echo``/``printf`` piped into them carries the secret.
STDIN_READERS: dict[str, Callable[[Args], bool]] = {
    "chpasswd": _always,
    "sudo": _given("-S", "--stdin"),
    "passwd": _given("--stdin"),
    "smbpasswd": _given("-s"),
    "vault": _vault_stdin,
    "htpasswd": _htpasswd_stdin,
    "gh": _given("--with-token"),
    **dict.fromkeys(
        ("docker", "podman", "nerdctl", "buildah", "skopeo", "helm", "oras", "cosign"),
        _given("--password-stdin"),
    ),
}


# Needles: the client names, as whole words, so that a text naming none costs one search.
TRIGGER = re.compile(
    r"(?<![\w.-])(?:"
    + "|".join(sorted(map(re.escape, {*CLIENTS, *STDIN_READERS}), key=len, reverse=True))
    + r")(?![\w.-])"
)


def secret_masks(text: str, depth: int = 0) -> list[Mask]:
    """Where the secrets of known clients' arguments are in ``text``."""
    found: list[Mask] = []
    previous: Command | None = None
    for command in commands(text):
        found.extend(_command_masks(command, previous, depth))
        previous = command
    return found


def _command_masks(command: Command, previous: Command | None, depth: int) -> Iterator[Mask]:
    words = command.words
    clients = 0
    for k, word in enumerate(words):
        name = word.text.rsplit("/", 1)[-1]
        rule = CLIENTS.get(name)
        reads = STDIN_READERS.get(name)
        if (rule is not None or reads is not None) and (
            k == 0 or words[k - 1].text not in _NAMING_FLAGS
        ):
            clients += 1
            if clients > MAX_CLIENTS:
                # Not a command a person types; bound the work, and mask rather than leak.
                for rest in words[k + 1 :]:
                    yield from _mask(rest)
                return
            args = words[k + 1 : k + 1 + MAX_ARGUMENTS]
            if rule is not None:
                yield from rule(args)
            if reads is not None and reads(args):
                yield from _fed(command, previous)
        if depth < MAX_DEPTH and k > 0 and _holds_a_command(word.text):
            for inner in secret_masks(word.text, depth + 1):
                where = word.where
                value = tuple(where[p] for p in inner.value)
                yield Mask(where[inner.start], where[inner.end - 1] + 1, value)


def _fed(command: Command, previous: Command | None) -> Iterator[Mask]:
    """What a command is given on stdin: its here-strings, or the words an ``echo`` or
    ``printf`` before it prints into the pipe."""
    for here in command.here_strings:
        yield from _mask(here)
    if not (command.piped and previous is not None and previous.words):
        return
    if previous.words[0].text.rsplit("/", 1)[-1] in _STDIN_FEEDERS:
        for fed in previous.words[1:]:
            if not _is_option(fed.text):
                yield from _mask(fed)


def _holds_a_command(text: str) -> bool:
    return (" " in text or "\n" in text or "\t" in text) and TRIGGER.search(text) is not None
