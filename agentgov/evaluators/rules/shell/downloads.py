"""Which commands bring content in from the network, and under which file names they save it.

``curl``, ``wget``, ``fetch``, ``aria2c``, httpie, PowerShell's ``iwr``/``irm``, ``gsutil
cat``, ``aws s3 cp ... -``, ``gh api``, ``nc host port``, and interpreter one-liners that
fetch a URL (``python3 -c "...urlopen(...)..."``) all download. What they download reaches
other commands through the analyser's flows; ``saved_names`` gives the names a download may
have written, so a later ``sh install.sh`` can be tied to ``curl -O .../install.sh``.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from agentgov.evaluators.rules.cli_options import OptionSpec, parse_options

if TYPE_CHECKING:
    from agentgov.evaluators.shell.model import SimpleCommand

_DOWNLOADERS = frozenset(
    {
        *("curl", "wget", "wget2", "fetch", "aria2c", "axel", "http", "https", "xh", "xhs"),
        *("curlie", "lwp-download", "lwp-request", "get", "iwr", "irm", "invoke-webrequest"),
        *("invoke-restmethod", "start-bitstransfer"),
    }
)
_SOCKETS = frozenset({"nc", "ncat", "netcat", "nc.openbsd", "nc.traditional", "telnet"})
_TEXT_BROWSERS = frozenset({"lynx", "w3m", "links", "elinks"})
_INLINE_FETCH = re.compile(
    r"urlopen|urllib|requests\.(?:get|post)|http\.client|httpx|fetch\(|https?\.get\(|"
    r"LWP::|Net::HTTP|open-uri|URI\.open|file_get_contents\(\s*['\"]https?:|"
    r"Invoke-WebRequest|Invoke-RestMethod|DownloadString|DownloadFile|WebClient|\biwr\b|\birm\b",
    re.IGNORECASE,
)
# The programs below that download only with some arguments, and what ``_SCRIPTING`` can
# match once a trailing version is stripped: any other program is turned away by name.
_READ_FURTHER = frozenset({*_TEXT_BROWSERS, "socat", "openssl", "gsutil", "gcloud", "aws", "gh"})
_SCRIPTING_STEMS = frozenset(
    {"python", "pypy", "node", "nodejs", "perl", "ruby", "php", "pwsh", "powershell"}
)
_INLINE_FLAGS = frozenset({"-c", "-e", "-E", "-r", "-p", "--eval", "--print", "-Command"})
_SCRIPTING = re.compile(r"(?:python[0-9.]*|pypy[0-9.]*|node|nodejs|perl|ruby|php|pwsh|powershell)")

_CURL = OptionSpec(
    short_value="AbcCdDeEFHKmoPQrtTuUwxXyYz",
    long_value=frozenset(
        {
            *("data", "data-raw", "data-binary", "data-urlencode", "json", "form", "header"),
            *("output", "user", "request", "user-agent", "referer", "cookie", "cookie-jar"),
            *("config", "cert", "proxy", "range", "max-time", "write-out", "url", "retry"),
            *("connect-timeout", "cacert", "output-dir", "upload-file", "proto", "resolve"),
        }
    ),
)
_WGET = OptionSpec(
    short_value="OoaideEPtTUYwQBlAR",
    long_value=frozenset(
        {
            *("output-document", "output-file", "append-output", "post-file", "post-data"),
            *("header", "input-file", "user", "password", "user-agent", "directory-prefix"),
            *("tries", "timeout", "wait", "referer", "method", "body-data", "body-file"),
        }
    ),
)
_OUTPUT_OPTIONS = frozenset({"-o", "-O", "--output", "--output-document", "--out"})
_ARIA = OptionSpec(short_value="odx", long_value=frozenset({"out", "dir", "split"}))


def is_download(command: SimpleCommand) -> bool:
    """True when ``command`` writes content fetched from the network (to stdout or a file)."""
    name = command.name.lower()
    if name in _DOWNLOADERS or name in _SOCKETS:
        return True
    if name not in _READ_FURTHER and name.rstrip("0123456789.") not in _SCRIPTING_STEMS:
        return False
    values = command.values()
    if name in _TEXT_BROWSERS:
        return any(text in ("-source", "-dump", "-dump_source") for text in values)
    if name == "socat":
        return any(re.match(r"(?i)(?:tcp|udp|ssl|openssl)[46]?[:-]", text) for text in values)
    if name == "openssl":
        return values[:1] == ("s_client",)
    if name == "gsutil":
        return values[:1] in (("cat",), ("cp",))
    if name == "gcloud":
        return values[:2] in (("storage", "cat"), ("storage", "cp"))
    if name == "aws":
        return values[:2] == ("s3", "cp") and any(text.startswith("s3://") for text in values[2:3])
    if name == "gh":
        return values[:1] == ("api",) or values[:2] in (
            ("gist", "view"),
            ("release", "download"),
        )
    if _SCRIPTING.fullmatch(name):
        return any(
            flag in _INLINE_FLAGS and _INLINE_FETCH.search(code)
            for flag, code in itertools.pairwise(values)
        )
    return False


def _basename_of_url(text: str) -> str | None:
    if "://" not in text:
        return None
    try:
        path = urlsplit(text).path
    except ValueError:
        return None
    name = posixpath.basename(path)
    return name or None


def saved_paths(command: SimpleCommand) -> frozenset[str]:
    """The files ``command`` may have written, as written: its ``-o``/``-O`` values, its
    ``>`` redirect targets, the files ``tee`` writes and the destination of ``cp``/``mv``."""
    paths: set[str] = set()
    for redirect in command.redirects:
        if redirect.op in (">", ">>", ">|", "&>", "&>>") and redirect.target is not None:
            paths.add(redirect.target.value)
    name = command.name.lower()
    spec = {"curl": _CURL, "wget": _WGET, "aria2c": _ARIA}.get(name)
    if spec is not None:
        parsed = parse_options(command.args, spec)
        paths.update(
            option.value
            for option in parsed.options
            if option.name in _OUTPUT_OPTIONS and option.value not in (None, "-")
        )
    operands = [word.value for word in command.args if not word.value.startswith("-")]
    if name == "tee":
        paths.update(operands)
    elif name in ("cp", "mv", "install") and operands:
        paths.add(operands[-1])
    paths.discard("")
    return frozenset(paths)


def saved_names(command: SimpleCommand) -> frozenset[str]:
    """Base names of the files ``command`` may have written: those of ``saved_paths`` and
    the last component of every URL it names (``curl -O``, ``wget`` and ``aria2c`` save
    under it)."""
    names = {posixpath.basename(path) for path in saved_paths(command)}
    for word in command.args:
        url_name = _basename_of_url(word.value)
        if url_name:
            names.add(url_name)
    names.discard("")
    return frozenset(names)


def first_url(command: SimpleCommand) -> str | None:
    """The first URL the command names, for a remediation."""
    for word in command.args:
        if "://" in word.value and word.static:
            return word.value
    return None
