"""``secrets.read``: reading key and credential files (or secret variables) into the agent's
context.

What the agent's command prints, the agent reads, and what it reads can leave in its next
message, its logs or a prompt-injected tool call. The rule follows a secret from where it is
printed (``cat ~/.ssh/id_rsa``, ``grep KEY .env``, ``gh auth token``, ``echo $GITHUB_TOKEN``,
``printenv AWS_SECRET_ACCESS_KEY``, ``env | grep TOKEN``) through pipes to the command whose
output reaches the screen. A secret handed to a program that consumes it without printing
(``gh auth token | docker login --password-stdin``, ``export $(cat .env | xargs)``,
``sha256sum .env``), written to a file, or sent over the network (that is
``secrets.exfiltration``) is not read into the context.

Template files (``.env.example``, ``.env.sample``, ``.env.template``) and public keys are
not secrets. A bare ``printenv`` or ``env`` is fine at the agent level: only a filter for
secret names (``env | grep -i token``) makes it this rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TypeVar

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.secrets.network_senders import sending
from agentgov.evaluators.rules.secrets.secret_sources import (
    Secret,
    SecretKind,
    emitted_secrets,
    is_reader,
    listed_secret,
    reader_files,
)
from agentgov.evaluators.shell.model import Analysis, FlowKind, SimpleCommand
from agentgov.policy.model import ActionClass

_T = TypeVar("_T")
# Flows along which printed text stays printed text.
_CARRYING = frozenset({FlowKind.PIPE, FlowKind.STDIN_REDIRECT, FlowKind.PROCESS_SUBSTITUTION})
# Programs that print the words a substitution gives them.
_ECHOING = frozenset({"echo", "printf", "print"})
# Programs that take a secret in without printing it.
_CONSUMERS = frozenset(
    (
        *("ssh-add", "wc", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum"),
        *("sha512sum", "shasum", "cksum", "b2sum", "read", "export", "declare", "typeset"),
        *("local", "readonly", "test", "[", "[[", "true", ":", "pbcopy", "xclip", "xsel"),
        *("wl-copy", "age", "sops"),
    )
)
_CONSUMER_FLAGS = frozenset({"--password-stdin", "--with-token", "--import"})
_CONSUMER_SUBCOMMANDS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("gh", "secret"),
        ("kubectl", "create"),
        ("oc", "create"),
        ("vault", "login"),
        ("vault", "write"),
        ("vault", "kv"),
        ("aws", "configure", "set"),
        ("aws", "secretsmanager"),
        ("aws", "ssm"),
        ("openssl", "enc"),
        ("gpg", "--encrypt"),
        ("gpg", "-e"),
    }
)
_SCREEN_FILES = frozenset({"/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/fd/1", "/dev/fd/2"})
_GREPS = frozenset({"grep", "egrep", "fgrep", "rg", "ag", "ack"})
_SECRET_PATTERN = re.compile(r"(?i)token|secret|pass|pwd|key|credential|auth|aws_")


def _consumes(command: SimpleCommand) -> bool:
    values = command.values()
    if command.name in _CONSUMERS or _CONSUMER_FLAGS & set(values):
        return True
    if values[:1] == ("login",):
        return True
    return any((command.name, *values[: len(lead) - 1]) == lead for lead in _CONSUMER_SUBCOMMANDS)


def _output_kept(command: SimpleCommand, analysis: Analysis) -> bool:
    """True when the command's stdout goes to another command, a file or /dev/null rather
    than to the screen."""
    for redirect in command.redirects:
        target = redirect.target.value if redirect.target is not None else None
        if redirect.op in (">", ">>", ">|", "&>", "&>>") and target not in (None, *_SCREEN_FILES):
            return True
    return any(
        flow.source == command.index and flow.kind is not FlowKind.FILE for flow in analysis.flows
    )


def _secret_filter(command: SimpleCommand) -> str | None:
    """The pattern of a grep that filters stdin for secret names (``env | grep -i token``),
    or None."""
    if command.name not in _GREPS or reader_files(command):
        return None
    values = command.values()
    pattern = ""
    for position, text in enumerate(values):
        if text in ("-e", "--regexp") and position + 1 < len(values):
            pattern = values[position + 1]
            break
        if not text.startswith("-"):
            pattern = text
            break
    return pattern if _SECRET_PATTERN.search(pattern) else None


def _spread(table: dict[int, _T], analysis: Analysis) -> None:
    """Carry each entry along the flows that keep printed text printed."""
    changed = True
    while changed:
        changed = False
        for flow in analysis.flows:
            if flow.source not in table or flow.sink in table:
                continue
            sink = analysis.commands[flow.sink]
            if _consumes(sink):
                continue
            if flow.kind in _CARRYING or (
                flow.kind is FlowKind.SUBSTITUTION and sink.name in _ECHOING
            ):
                table[flow.sink] = table[flow.source]
                changed = True


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    # command index -> (the command that printed the secret, the secret)
    taint: dict[int, tuple[SimpleCommand, Secret]] = {}
    environment: dict[int, SimpleCommand] = {}
    for command in analysis.commands:
        found = list(emitted_secrets(command, ctx.home))
        if not found and is_reader(command.name):
            listed = listed_secret(command, analysis, ctx.home)
            found = [listed] if listed else []
        for secret in found:
            if secret.kind is SecretKind.ENVIRONMENT:
                environment.setdefault(command.index, command)
            else:
                taint.setdefault(command.index, (command, secret))
    if not taint and not environment:
        return
    _spread(taint, analysis)
    _spread(environment, analysis)
    reported: set[int] = set()
    for command in analysis.commands:
        if _consumes(command) or sending(command) is not None or _output_kept(command, analysis):
            continue
        if command.index in taint:
            origin, secret = taint[command.index]
        elif command.index in environment and (pattern := _secret_filter(command)):
            origin = environment[command.index]
            secret = Secret(SecretKind.VARIABLE, f"the variables matching {pattern!r}")
        else:
            continue
        if origin.index not in reported:
            reported.add(origin.index)
            yield RULE.hit(origin.text, *_explain(secret))


_KEY_FILE = re.compile(r"(?:^|/)(?:id_[a-z0-9_]+|[^/]*\.(?:pem|key|p12|pfx))$|/\.ssh(?:/|$)")


def _file_remediation(what: str) -> str:
    if ".env" in what.rsplit("/", 1)[-1]:
        return (
            f"list the variable names without their values (cut -d= -f1 {what}) or check "
            f"that one is set (grep -c '^NAME=' {what}); ask a human if you need a value"
        )
    if _KEY_FILE.search(what):
        return (
            f"check the key without printing it: ssh-keygen -lf {what} shows its "
            f"fingerprint, test -f {what} that it exists; ask a human if you need more"
        )
    return (
        f"check {what} without printing it (test -f {what}), or ask the tool that owns "
        "it (aws configure list, kubectl config get-contexts, gh auth status, docker "
        "system info)"
    )


def _explain(secret: Secret) -> tuple[str, str]:
    if secret.kind is SecretKind.FILE:
        return (
            f"prints the credential file {secret.what} into the agent's context",
            _file_remediation(secret.what),
        )
    if secret.kind is SecretKind.COMMAND:
        return (
            f"prints a live token ({secret.what}) into the agent's context",
            f"pipe it straight to the program that needs it ({secret.what} | docker login "
            "--password-stdin ...) instead of printing it",
        )
    return (
        f"prints {secret.what} into the agent's context",
        'check that it is set without printing it (test -n "$NAME", or '
        "echo ${NAME:+set}), or pipe it straight to the program that needs it",
    )


RULE = Rule(
    id="secrets.read",
    action_class=ActionClass.IRREVERSIBLE,
    summary="Printing key or credential files, tokens or secret variables to the agent.",
    example="cat ~/.aws/credentials",
    evaluate=_evaluate,
)
