"""Redact secrets from text before anything is written to the journal or the notes.

Pure and conservative: it replaces the secret part with ``***`` and keeps every other
byte, quotes included, so the audit trail still shows what was done
(``curl -H 'Authorization: Bearer ***' https://...``). Two passes:

- the words of the command (``secret_arguments``): the password options and operands of
  known clients, which only the words can tell apart (``mysql -pSECRET`` but not ``mkdir
  -pdir``, ``htpasswd -b file user SECRET``);
- patterns that hold anywhere: credentials in URLs, secret query parameters, authorization
  and API-key headers, ``NAME=value`` assignments whose name says secret, ``--password``-
  style long options, ``-storepass``-style single-dash ones, openssl's ``pass:SECRET``, SQL
  ``IDENTIFIED BY '…'`` and ``PASSWORD '…'``, JSON and YAML keys that say secret, and token
  formats with a recognisable prefix (GitHub, GitLab, Slack, OpenAI/Anthropic-style ``sk-``,
  AWS access key ids, npm, PyPI, Stripe, Google API keys, Vault, JWTs, PEM private keys).

The coverage table is in docs/audit-trail.md ("Secrets").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from agentgov.audit.secret_arguments import TRIGGER, Mask, secret_masks

MASK = "***"

_SENSITIVE_VARIABLE = (
    r"[A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_?KEY|"
    r"PRIVATE_?KEY|CREDENTIALS?|AUTH(?!OR)|SESSION_?KEY|CLIENT_?SECRET|DSN)[A-Za-z0-9_]*"
    r"|[A-Za-z0-9_]*(?:_PASS|SSHPASS|_PWD)\b"
)
# A value: quoted (the quotes are kept around the mask) or a bare word.
_VALUE = r"(?P<value>'[^'\n]*'|\"[^\"\n]*\"|[^\s;&|'\"<>]+)"
_JSON_KEY = (
    r"[A-Za-z0-9_.-]*?(?:password|passwd|passphrase|secret|token|api_?key|apikey|"
    r"access_?key|private_?key|auth|credentials?)"
)


class _Lazy:
    """A regular expression compiled when first tried: the hook runs as a fresh process
    per call, and most texts hold the needles of few patterns."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source = source
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return self._compiled


class _Pattern(NamedTuple):
    """A secret's shape. ``needle``: a lowercase string the text must hold for the pattern
    to be tried (most texts hold none, which keeps redaction cheap); ``keep``: the group
    kept in front of the mask; ``value``: a group whose quotes are kept around it."""

    needle: str
    pattern: _Lazy
    replacement: str = MASK


_PATTERNS: tuple[_Pattern, ...] = (
    # -----BEGIN ... PRIVATE KEY----- blocks, whole.
    _Pattern(
        "-----begin",
        _Lazy(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)",
            re.DOTALL,
        ),
        "-----BEGIN PRIVATE KEY-----" + MASK + "-----END PRIVATE KEY-----",
    ),
    # scheme://user:password@host (a password may hold '@': the last one before the host)
    _Pattern("://", _Lazy(r"(?P<keep>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@'\"]*:)[^\s'\"/]+(?=@)")),
    # ?token=...&api_key=...
    _Pattern(
        "=",
        _Lazy(
            r"(?P<keep>[?&;](?:access_?token|token|api_?key|key|secret|password|passwd|"
            r"signature|sig|auth|client_secret|X-Amz-Signature|X-Amz-Credential)=)[^&\s'\"#]+",
            re.IGNORECASE,
        ),
    ),
    # Authorization: Bearer x / Basic x / token x ; X-Api-Key: x ; Private-Token: x
    _Pattern(
        "authorization",
        _Lazy(
            r"(?P<keep>\b(?:Proxy-)?Authorization\s*:\s*(?:Bearer|Basic|token|Token|Digest)?\s*)"
            r"[^\s'\"]+",
            re.IGNORECASE,
        ),
    ),
    _Pattern(
        ":",
        _Lazy(
            r"(?P<keep>(?<!/)\b(?:X-[A-Za-z-]*(?:Key|Token|Secret)|Private-Token|Api-Key|Cookie)"
            r"\s*:\s*)[^'\"\n]+",
            re.IGNORECASE,
        ),
    ),
    # NAME=value and export NAME=value, where NAME says secret (PGPASSWORD, MYSQL_PWD, ...)
    _Pattern("=", _Lazy(rf"(?P<keep>\b(?:{_SENSITIVE_VARIABLE})\s*=\s*){_VALUE}", re.I)),
    # --password x, --password=x, --http-password=x, --docker-password x, --token x, --pass x
    _Pattern(
        "--",
        _Lazy(
            r"(?P<keep>--(?!no-|ask-)(?:[a-z0-9]+[-_])*(?:password|passwd|passphrase|pass|dbpass|"
            r"token|secret|api[-_]?key|apikey|access[-_]?key|secret[-_]?key|body-secret)"
            rf"(?:=|\s+))(?![-<>]){_VALUE}",
            re.IGNORECASE,
        ),
    ),
    # Java keytool/jarsigner -storepass x -keypass x; influx -password x; nuget -ApiKey x
    _Pattern(
        "pass",
        _Lazy(
            r"(?P<keep>(?<![\w-])-(?:(?:src|dest|new)?(?:store|key)pass|password)"
            rf"(?:=|\s+))(?![-<>]){_VALUE}",
            re.IGNORECASE,
        ),
    ),
    _Pattern(
        "apikey",
        _Lazy(rf"(?P<keep>(?<![\w-])-apikey(?:=|\s+))(?![-<>]){_VALUE}", re.IGNORECASE),
    ),
    # openssl -passin pass:x, -passout pass:x, -pass pass:x, -password pass:x
    _Pattern("pass:", _Lazy(r"(?P<keep>\bpass:)[^\s'\"]+")),
    # kubectl create secret generic x --from-literal=key=VALUE
    _Pattern(
        "from-literal",
        _Lazy(r"(?P<keep>--from-literal[=\s]+['\"]?[^=\s'\"]+=)[^\s'\"]+"),
    ),
    # SQL: IDENTIFIED BY 'x'; CREATE USER u WITH PASSWORD 'x'; SET PASSWORD FOR u = 'x'
    _Pattern(
        "identified",
        _Lazy(r"(?P<keep>\bIDENTIFIED\s+(?:WITH\s+\S+\s+)?BY\s+')[^'\n]*(?=')", re.I),
    ),
    _Pattern(
        "password",
        _Lazy(
            r"(?P<keep>\b(?:WITH|LOGIN|SET|USER\s+\S+|ROLE\s+\S+)\s+(?:ENCRYPTED\s+)?"
            r"PASSWORD\s*(?:FOR\s+\S+\s*)?=?\s*(?:PASSWORD\s*\(\s*)?')[^'\n]*(?=')",
            re.I,
        ),
    ),
    # JSON and Python literals: {"password": "x"}, \"token\":\"x\", {'api_key': 'x'}
    _Pattern(
        ":",
        _Lazy(
            rf"(?P<keep>(?P<q>\\?[\"']){_JSON_KEY}(?P=q)\s*:\s*(?P=q))(?:(?!(?P=q))[^\n])*",
            re.I,
        ),
    ),
    # YAML lines in a here-document: password: x, api_key: x
    _Pattern(
        "\n",
        _Lazy(
            r"(?P<keep>^[ \t-]*[\w.-]*(?:password|passwd|passphrase|secret|token|api_?key)"
            r"[ \t]*:[ \t]*)(?![\s|>]|$)[^\n#]*[^\s#]",
            re.I | re.M,
        ),
    ),
    # Token formats with known prefixes.
    _Pattern(
        "",
        _Lazy(
            r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,}"
            r"|xox[abposr]-[A-Za-z0-9-]{10,}|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}"
            r"|(?:AKIA|ASIA)[A-Z0-9]{16}|npm_[A-Za-z0-9]{30,}|pypi-[A-Za-z0-9_-]{30,}"
            r"|[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|AIza[A-Za-z0-9_-]{35}"
            r"|hv[sbr]\.[A-Za-z0-9_-]{24,})"
        ),
    ),
    # JSON Web Tokens: three base64url parts, the first an encoded JSON header.
    _Pattern("eyj", _Lazy(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
)


def redact(text: str) -> str:
    """``text`` with every recognised secret replaced by ``***``."""
    if TRIGGER.search(text) is not None:
        text = _apply(text, secret_masks(text))
    lower = text.lower()  # masking never adds a needle, so this stays good enough
    for shape in _PATTERNS:
        if shape.needle in lower:
            text = shape.pattern.compiled.sub(_replacer(shape), text)
    return text


def _replacer(shape: _Pattern) -> Callable[[re.Match[str]], str]:
    groups = shape.pattern.compiled.groupindex

    def replace(match: re.Match[str]) -> str:
        keep = match.group("keep") if "keep" in groups else ""
        value = match.group("value") if "value" in groups else None
        if value and value[0] in "'\"" and len(value) > 1 and value[-1] == value[0]:
            return keep + value[0] + shape.replacement + value[0]
        return keep + shape.replacement

    return replace


def _apply(text: str, masks: list[Mask]) -> str:
    """Replace each mask's span by ``***``, keeping the quotes that sat between the secret's
    characters (``-p'ab'"cd"`` becomes ``-p'***'""``) so the record stays balanced."""
    if not masks:
        return text
    pieces: list[str] = []
    done = 0
    for mask in sorted(masks):
        start = max(mask.start, done)
        if mask.end <= start:
            continue
        pieces.append(text[done:start])
        inside = set(mask.value)
        kept = "".join(
            char
            for at, char in enumerate(text[start : mask.end], start)
            if char in "'\"" and at not in inside
        )
        pieces.append(MASK + kept)
        done = mask.end
    pieces.append(text[done:])
    return "".join(pieces)
