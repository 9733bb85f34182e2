"""What secret a command writes out: a credential file it reads, a token a CLI prints, a
secret variable it echoes, or the whole environment.

Both secrets rules start here: ``secrets.read`` follows a secret to the agent's screen,
``secrets.exfiltration`` follows it to a network sender.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.cli_options import OptionSpec, parse_options
from agentgov.evaluators.rules.path_words import expand_home
from agentgov.evaluators.rules.secrets.secret_paths import (
    find_secret_text,
    glob_may_match_secret,
    holds_secrets,
    is_secret_path,
    may_hold_secret_text,
)
from agentgov.evaluators.shell.model import Origin, Word

if TYPE_CHECKING:
    from agentgov.evaluators.shell.model import Analysis, SimpleCommand


class SecretKind(str, Enum):
    FILE = "file"  # a credential file's content
    COMMAND = "command"  # a token a CLI prints (gh auth token)
    VARIABLE = "variable"  # a secret environment variable ($GITHUB_TOKEN)
    ENVIRONMENT = "environment"  # every variable at once (printenv, /proc/self/environ)


@dataclass(frozen=True)
class Secret:
    """One piece of credential material; ``what`` names it for a message (the path as
    written, the command, ``$NAME``)."""

    kind: SecretKind
    what: str


# --- paths -------------------------------------------------------------------------------


def names_secret(word: Word, cwd: str | None, home: str) -> bool:
    """True when ``word`` (a path operand, possibly a glob) names credential material.

    A word with an unknown expansion is judged by its last component (``$DIR/.env``).
    """
    text = expand_home(word, home)
    if text is None:
        tail = word.value.rsplit("/", 1)[-1]
        return (
            bool(tail) and "$" not in tail and "`" not in tail and is_secret_path(tail, home, None)
        )
    if not text:
        return False
    if not text.startswith("/") and cwd is not None:
        text = posixpath.join(cwd, text)
    if word.glob:
        return glob_may_match_secret(text, home, None)
    return is_secret_path(text, home, None)


def shown_path(path: str, home: str) -> str:
    """A path as a message shows it: the home directory as ``~``."""
    prefix = home.rstrip("/")
    if path == prefix or path.startswith(prefix + "/"):
        return "~" + path[len(prefix) :]
    return path


def holds_secret_word(word: Word, cwd: str | None, home: str) -> bool:
    """Like ``names_secret``, but also true for the home directory and its ancestors: what
    a recursive copy of the word would carry."""
    if names_secret(word, cwd, home):
        return True
    text = expand_home(word, home)
    if not text:
        return False
    if not text.startswith("/"):
        if cwd is None:
            return False
        text = posixpath.join(cwd, text)
    return holds_secrets(text, home, None)


# --- variables ---------------------------------------------------------------------------

_SECRET_SEGMENTS = frozenset(
    {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "PASS", "APIKEY", "PAT"}
)
_SECRET_PAIRS = frozenset(
    {("API", "KEY"), ("ACCESS", "KEY"), ("PRIVATE", "KEY"), ("SECRET", "KEY"), ("AUTH", "KEY")}
)
# Suffixes that make a name about a secret rather than the secret itself.
_NOT_SECRET_SUFFIXES = frozenset(
    {"FILE", "PATH", "DIR", "URL", "URI", "HOST", "ENDPOINT", "NAME", "TYPE", "ID", "LENGTH"}
)
_HARMLESS_KEYS = frozenset({"CACHE", "SORT", "PRIMARY", "PUBLIC", "PARTITION", "LOOKUP", "HASH"})
# Connection strings that carry a password though their names do not say so.
_SECRET_NAMES = frozenset(
    {"DATABASE_URL", "REDIS_URL", "MONGODB_URI", "MONGO_URL", "AMQP_URL", "SLACK_WEBHOOK_URL"}
)
_REFERENCE = re.compile(
    r"\$(?:\{([#!]?)([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))"
)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


def is_secret_variable(name: str) -> bool:
    """True for variable names that hold credentials by convention (``GITHUB_TOKEN``,
    ``AWS_SECRET_ACCESS_KEY``, ``DB_PASSWORD``, ``OPENAI_API_KEY``, ``DATABASE_URL``), and
    false for look-alikes (``TOKENIZERS_PARALLELISM``, ``AWS_ACCESS_KEY_ID``,
    ``SSH_AUTH_SOCK``, ``GITHUB_TOKEN_FILE``)."""
    upper = name.upper()
    if upper in _SECRET_NAMES:
        return True
    segments = [segment for segment in upper.split("_") if segment]
    if len(segments) < 1 or segments[-1] in _NOT_SECRET_SUFFIXES:
        return False
    if any(segment in _SECRET_SEGMENTS for segment in segments):
        return len(segments) > 1 or segments[0] != "PASS"
    if any(pair in _SECRET_PAIRS for pair in itertools.pairwise(segments)):
        return True
    return (
        len(segments) > 1 and segments[-1] in ("KEY", "PWD") and segments[-2] not in _HARMLESS_KEYS
    )


def secret_variables(word: Word) -> tuple[str, ...]:
    """The secret variables whose value the word expands to, in order: ``$GITHUB_TOKEN``
    and ``${NPM_TOKEN:-x}`` count, ``${#TOKEN}`` (a length) and ``${TOKEN:+set}`` do not."""
    if word.static:
        return ()
    found: list[str] = []
    for match in _REFERENCE.finditer(word.value):
        prefix, braced, rest, bare = match.groups()
        name = braced or bare
        if prefix == "#" or (rest or "").startswith((":+", "+")):
            continue
        if is_secret_variable(name) and name not in found:
            found.append(name)
    return tuple(found)


# --- commands that print secrets ---------------------------------------------------------

# Programs that write a file operand's content (or a transform of it) to stdout. The value
# says which leading operand is not a file (a pattern, a script, a filter).
_READERS: dict[str, int] = {
    **dict.fromkeys(
        _names(
            """cat tac nl less more most head tail bat batcat strings xxd od hexdump hd base64
        base32 basenc cut sort uniq rev fold fmt pr expand unexpand column paste join comm
        diff sdiff zcat gzcat bzcat xzcat zstdcat view"""
        ),
        0,
    ),
    **dict.fromkeys(_names("grep egrep fgrep rg ag ack sed awk gawk mawk nawk jq yq gojq"), 1),
}
# Options whose value is the pattern, script or filter, so no operand is one.
_PROGRAM_OPTIONS = frozenset({"-e", "-f", "--regexp", "--file", "--expression"})
# grep options after which only names or counts are printed.
_QUIET_GREP = frozenset(
    {"-c", "-l", "-L", "-q", "--count", "--files-with-matches", "--files-without-match", "--quiet"}
)
_READER_OPTIONS: dict[str, OptionSpec] = {
    "grep": OptionSpec(
        short_value="efABCmdD",
        long_value=_names(
            """regexp file after-context before-context context max-count include exclude
            exclude-dir exclude-from label devices directories binary-files"""
        ),
    ),
    "rg": OptionSpec(
        short_value="efABCmgtTjMr",
        long_value=_names(
            """regexp file after-context before-context context max-count glob type
            type-not threads max-columns replace type-add"""
        ),
    ),
    "sed": OptionSpec(short_value="efl", long_value=frozenset({"expression", "file"})),
    "awk": OptionSpec(short_value="fvF", long_value=frozenset({"file", "assign"})),
    "head": OptionSpec(short_value="nc", long_value=frozenset({"lines", "bytes"})),
    "tail": OptionSpec(short_value="ncs", long_value=frozenset({"lines", "bytes"})),
    "cut": OptionSpec(short_value="bcdf", long_value=_names("bytes characters delimiter fields")),
    "sort": OptionSpec(short_value="ktoST", long_value=frozenset({"key", "output"})),
    "jq": OptionSpec(long_value=frozenset({"arg", "argjson", "slurpfile", "rawfile"})),
    "od": OptionSpec(short_value="AjNtw"),
    "xxd": OptionSpec(short_value="cgls"),
}
for _alias, _base in (("egrep", "grep"), ("fgrep", "grep"), ("gawk", "awk"), ("mawk", "awk")):
    _READER_OPTIONS[_alias] = _READER_OPTIONS[_base]

_ENV_DUMPS = frozenset({"printenv", "env"})
_SHELL_DUMPS = frozenset({"set", "export", "declare", "typeset"})
_OPENSSL_KEY_READERS = frozenset(
    (command,) for command in ("rsa", "pkey", "ec", "dsa", "pkcs12", "pkcs8", "enc", "base64")
)
_FILE_PRINTERS = frozenset({*_READERS, "dd", "cp", "git", "openssl"})
_STDOUT_FILES = frozenset({"/dev/stdout", "/dev/tty", "/dev/stderr", "/dev/fd/1", "-"})
_ENVIRON = re.compile(r"/proc/(?:self|\d+|\$\$|\*)/environ")
_AWS_SECRET_KEY = re.compile(r"(?i)secret|token|password|key")


_NO_OPTIONS = OptionSpec()


def _file_operands(command: SimpleCommand) -> tuple[Word, ...]:
    """The operands a reader reads as files, after its options and program operand."""
    name = command.name
    spec = _READER_OPTIONS.get(name, _NO_OPTIONS)
    parsed = parse_options(command.args, spec)
    if name in ("grep", "egrep", "fgrep", "rg", "ag", "ack") and parsed.has(*_QUIET_GREP):
        return ()
    if name == "sed" and parsed.has("-i", "--in-place"):
        return ()
    if name == "cut" and (
        parsed.values("-d", "--delimiter"),
        parsed.values("-f", "--fields"),
    ) == (("=",), ("1",)):
        return ()  # cut -d= -f1 .env lists the names, not the values
    skip = _READERS.get(name, 0)
    if skip and parsed.has(*_PROGRAM_OPTIONS):
        skip = 0
    return parsed.operands[skip:]


def is_reader(name: str) -> bool:
    """True for programs that print the files they are given (cat, grep, base64...)."""
    return name in _READERS


def _after(word: Word, separator: str) -> Word:
    """The part of ``word`` after ``separator`` (``if=KEY`` -> ``KEY``)."""
    return Word(word.value.split(separator, 1)[1], word.raw, word.static, word.glob)


def reader_files(command: SimpleCommand) -> tuple[Word, ...]:
    """The file words a command writes to stdout: a reader's file operands, ``dd if=``,
    ``cp FILE /dev/stdout``, ``git show REV:PATH`` and ``git diff|log|show -- PATH``,
    ``openssl ... -in FILE``, and any command's ``<`` redirect (what it reads on stdin it
    may print)."""
    name = command.name
    words = [
        redirect.target
        for redirect in command.redirects
        if redirect.op == "<" and redirect.target is not None
    ]
    if name not in _FILE_PRINTERS:
        return tuple(words)
    args = command.args
    values = command.values()
    if name in _READERS:
        words.extend(_file_operands(command))
    elif name == "dd":
        words.extend(_after(word, "=") for word in args if word.value.startswith("if="))
    elif name == "cp" and values and values[-1] in _STDOUT_FILES:
        words.extend(word for word in args[:-1] if not word.value.startswith("-"))
    elif name == "git" and values[:1] in (("show",), ("diff",), ("log",)):
        for word in args[1:]:
            if ":" in word.value and not word.value.startswith("-"):
                words.append(_after(word, ":"))  # git show HEAD:.env
            elif not word.value.startswith("-"):
                words.append(word)  # git diff -- .env, git log -p .env
    elif name == "openssl" and values[:1] in _OPENSSL_KEY_READERS:
        # openssl rsa|pkey|ec -in KEY prints the key; x509/req/crl -in only certificates.
        words.extend(args[i + 1] for i, text in enumerate(values[:-1]) if text == "-in")
    return tuple(words)


def _printed_variables(command: SimpleCommand) -> tuple[str, ...]:
    if command.name in ("echo", "printf", "print"):
        return tuple(name for word in command.args for name in secret_variables(word))
    if command.name in ("printenv", "declare", "typeset"):
        return tuple(word.value for word in command.args if is_secret_variable(word.value))
    return ()


# (program, leading arguments, extra condition on the remaining values) -> prints a secret.
_CLI_SECRETS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("gh", ("auth", "token"), ""),
    ("gh", ("auth", "status"), "--show-token|-t"),
    ("aws", ("configure", "export-credentials"), ""),
    ("aws", ("ecr", "get-login-password"), ""),
    ("aws", ("sts", "get-session-token"), ""),
    ("gcloud", ("auth", "print-access-token"), ""),
    ("gcloud", ("auth", "print-identity-token"), ""),
    ("gcloud", ("auth", "application-default", "print-access-token"), ""),
    ("az", ("account", "get-access-token"), ""),
    ("kubectl", ("config", "view"), "--raw"),
    ("git", ("credential", "fill"), ""),
    ("heroku", ("auth:token",), ""),
    ("security", ("find-generic-password",), "-w|-g"),
    ("security", ("find-internet-password",), "-w|-g"),
)


# The same table by program, each condition as the set of words of which one must appear.
_CLI_SECRETS_BY_PROGRAM: dict[str, tuple[tuple[tuple[str, ...], frozenset[str]], ...]] = {
    program: tuple(
        (lead, frozenset(condition.split("|")) if condition else frozenset())
        for name, lead, condition in _CLI_SECRETS
        if name == program
    )
    for program, _, _ in _CLI_SECRETS
}
_CLI_PROGRAMS = frozenset({*_CLI_SECRETS_BY_PROGRAM, "gpg", "gpg2"})
_ENV_PROGRAMS = frozenset({"env", "printenv", "set", "export", "declare", "typeset", "compgen"})
_PRINTERS = frozenset({"echo", "printf", "print", "printenv", "declare", "typeset"})


def _command_secret(command: SimpleCommand) -> str | None:
    """The credential-printing CLI call this command is, as text, or None."""
    name = command.name
    if name not in _CLI_PROGRAMS:
        return None
    values = command.values()
    for lead, wanted in _CLI_SECRETS_BY_PROGRAM.get(name, ()):
        if values[: len(lead)] == lead and (not wanted or not wanted.isdisjoint(values)):
            return " ".join((name, *lead))
    if name == "aws" and values[:2] == ("configure", "get") and len(values) > 2:
        return f"aws configure get {values[2]}" if _AWS_SECRET_KEY.search(values[2]) else None
    if name in ("gpg", "gpg2") and any(text.startswith("--export-secret") for text in values):
        return f"{name} --export-secret-keys"
    return None


def _dumps_environment(command: SimpleCommand, files: tuple[Word, ...]) -> bool:
    name = command.name
    values = command.values() if name in _ENV_PROGRAMS else ()
    if name == "env":  # with a program, env is a wrapper the analyser removed
        return True
    if name == "printenv":
        return all(text.startswith("-") for text in values)
    if name == "set":
        return not values
    if name == "export":
        return values in ((), ("-p",))
    if name in ("declare", "typeset"):
        return bool(values) and all(text.startswith("-") for text in values)
    if name == "compgen":
        return "-e" in values or "-v" in values
    return any(_ENVIRON.search(word.value) for word in files)


_SCRIPTING = re.compile(
    r"(?:python|pypy)[0-9.]*|node|nodejs|deno|bun|ruby[0-9.]*|perl[0-9.]*|php[0-9.]*"
)
# What ``_SCRIPTING`` can match once a trailing version is stripped: a set lookup that turns
# away every other program before the pattern runs.
_SCRIPTING_STEMS = frozenset(
    {"python", "pypy", "node", "nodejs", "deno", "bun", "ruby", "perl", "php"}
)
_CODE_FLAGS = frozenset({"-c", "-e", "-E", "-r", "-p", "--eval", "--print"})
_QUOTED = re.compile(r"""(['"])([^'"\n]{1,300})\1""")
_ENV_WHOLE = re.compile(
    r"(?:print|pprint|dumps|stringify|log|puts|p|dict|json)\s*\(?\s*(?:dict\()?"
    r"(?:os\.environ|process\.env|ENV|%ENV)\b\s*\)?\s*(?:\)|$|;)"
)
_ENV_ONE = re.compile(
    r"(?:os\.environ(?:\.get)?\s*[\[(]\s*|os\.getenv\(\s*|ENV\[\s*|\$ENV\{\s*)[\'\"]?"
    r"([A-Za-z_][A-Za-z0-9_]*)|process\.env\.([A-Za-z_][A-Za-z0-9_]*)"
)
_PRINTS = re.compile(r"\b(?:print|pprint|puts|console\.log|echo|printf|say|write)\b|\bp\s")


def inline_code(command: SimpleCommand) -> str | None:
    """The code of ``python -c``, ``node -e``, ``ruby -e``, ``perl -e``, ``php -r``."""
    name = command.name
    if name.rstrip("0123456789.") not in _SCRIPTING_STEMS or not _SCRIPTING.fullmatch(name):
        return None
    values = command.values()
    codes = [code for flag, code in itertools.pairwise(values) if flag in _CODE_FLAGS]
    return "\n".join(codes) if codes else None


def inline_secrets(command: SimpleCommand, home: str) -> tuple[Secret, ...]:
    """Secrets a one-liner's code touches: quoted credential paths (``open('.env')``),
    secret variables (``os.environ['GITHUB_TOKEN']``) and the whole environment."""
    code = inline_code(command)
    if code is None:
        return ()
    found: list[Secret] = []
    for _, text in _QUOTED.findall(code):
        path = (
            text
            if text.startswith(("/", "~")) or command.cwd is None
            else posixpath.join(command.cwd, text)
        )
        if "\n" not in text and " " not in text and is_secret_path(path, home, None):
            found.append(Secret(SecretKind.FILE, shown_path(text, home)))
    for match in _ENV_ONE.finditer(code):
        name = match.group(1) or match.group(2)
        if is_secret_variable(name):
            found.append(Secret(SecretKind.VARIABLE, "$" + name))
    if _ENV_WHOLE.search(code):
        found.append(Secret(SecretKind.ENVIRONMENT, "the environment"))
    return tuple(found)


def prints(code: str) -> bool:
    """True when inline code writes to stdout."""
    return bool(_PRINTS.search(code))


# Programs ``emitted_secrets`` reads by name; any other program prints a secret only from a
# ``<`` redirect or as an interpreter one-liner.
_EMITTERS = _FILE_PRINTERS | _CLI_PROGRAMS | _PRINTERS | _ENV_PROGRAMS


@lru_cache(maxsize=64)
def _base_may_name_secret(cwd: str | None, home: str) -> bool:
    return may_hold_secret_text(f"{cwd}\n{home}")


def may_name_secret_file(command: SimpleCommand, home: str) -> bool:
    """False when none of the command's words or redirect targets can name a credential
    file or the process environment: no glob, and no text a secret path or ``environ``
    holds, in the words, the cwd they are read from or the home directory."""
    if _base_may_name_secret(command.cwd, home):
        return True
    for word in command.args:
        if word.glob or "environ" in word.value or find_secret_text(word.value):
            return True
    for redirect in command.redirects:
        target = redirect.target
        if target is not None and (
            target.glob or "environ" in target.value or find_secret_text(target.value)
        ):
            return True
    return False


def emitted_secrets(command: SimpleCommand, home: str) -> tuple[Secret, ...]:
    """Every secret ``command`` writes to stdout, in the order found."""
    name = command.name
    code = inline_code(command)
    if (
        name not in _EMITTERS
        and code is None
        and not any(redirect.op == "<" for redirect in command.redirects)
    ):
        return ()
    files = reader_files(command) if may_name_secret_file(command, home) else ()
    if not files and code is None and name not in _BY_NAME:
        return ()  # a reader of files that cannot be secret: nothing else below applies
    found: list[Secret] = [
        Secret(SecretKind.FILE, shown_path(word.value, home))
        for word in files
        if names_secret(word, command.cwd, home)
    ]
    cli = _command_secret(command)
    if cli is not None:
        found.append(Secret(SecretKind.COMMAND, cli))
    if name in _PRINTERS:
        found.extend(Secret(SecretKind.VARIABLE, "$" + n) for n in _printed_variables(command))
    if _dumps_environment(command, files):
        found.append(Secret(SecretKind.ENVIRONMENT, "the environment"))
    if code is not None and prints(code):
        found.extend(inline_secrets(command, home))
    return tuple(found)


# Programs that print a secret by what they are, whatever files they are given.
_BY_NAME = _CLI_PROGRAMS | _PRINTERS | _ENV_PROGRAMS


_LISTERS = frozenset({"find", "fd", "ls", "echo", "printf", "locate"})


def listed_secret(command: SimpleCommand, analysis: Analysis, home: str) -> Secret | None:
    """``find ~/.ssh -type f | xargs cat``, ``find ~/.ssh -exec tar cz {} +``: a reader or
    archiver whose operands come from a listing of secret paths (the secret listed)."""
    listings = [
        analysis.commands[flow.source] for flow in analysis.flows if flow.sink == command.index
    ]
    if command.origin is Origin.EXEC:
        listings.extend(c for c in analysis.commands[: command.index] if c.name in ("find", "fd"))
    for listing in listings:
        if listing.name not in _LISTERS:
            continue
        for word in listing.args:
            if not word.value.startswith("-") and names_secret(word, listing.cwd, home):
                return Secret(SecretKind.FILE, word.value)
    return None


_ARCHIVERS = frozenset(
    {
        "tar",
        "bsdtar",
        "zip",
        "7z",
        "7za",
        "gzip",
        "bzip2",
        "xz",
        "zstd",
        "cpio",
        "gpg",
        "openssl",
        "age",
    }
)


def is_archiver(name: str) -> bool:
    """True for programs that pack or encode the files they are given (tar, zip, gpg...)."""
    return name in _ARCHIVERS


def archived_secrets(command: SimpleCommand, home: str) -> tuple[Secret, ...]:
    """Secrets an archiver or encoder packs into its output (``tar cz ~/.ssh``,
    ``zip -r k.zip ~/.aws``): they leave by whatever carries that output."""
    if command.name not in _ARCHIVERS:
        return ()
    return tuple(
        Secret(SecretKind.FILE, shown_path(word.value, home))
        for word in command.args
        if not word.value.startswith("-") and holds_secret_word(word, command.cwd, home)
    )
