"""Redact secrets from text before anything is written to the journal or the notes.

Pure and conservative: it replaces the secret part with ``***`` and keeps the rest, so the
audit trail still shows what was done (``curl -H 'Authorization: Bearer ***' https://...``).
Covered: credentials in URLs, secret query parameters, authorization and API-key headers,
``NAME=value`` assignments whose name says secret, ``--password``-style flags, and token
formats with a recognisable prefix (GitHub, GitLab, Slack, OpenAI/Anthropic-style ``sk-``,
AWS access key ids, npm, PyPI, Stripe, Google API keys, JWTs, PEM private key blocks).
"""

from __future__ import annotations

import re

MASK = "***"

_SENSITIVE_VARIABLE = (
    r"[A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_?KEY|"
    r"PRIVATE_?KEY|CREDENTIALS?|AUTH|SESSION_?KEY|CLIENT_?SECRET|DSN)[A-Za-z0-9_]*"
)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # -----BEGIN ... PRIVATE KEY----- blocks, whole.
    (
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)",
            re.DOTALL,
        ),
        "-----BEGIN PRIVATE KEY-----" + MASK + "-----END PRIVATE KEY-----",
    ),
    # scheme://user:password@host
    (re.compile(r"(?P<keep>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@'\"]*:)[^@\s'\"/]+(?=@)"), MASK),
    # ?token=...&api_key=...
    (
        re.compile(
            r"(?P<keep>[?&;](?:access_?token|token|api_?key|key|secret|password|passwd|"
            r"signature|sig|auth|client_secret|X-Amz-Signature|X-Amz-Credential)=)[^&\s'\"#]+",
            re.IGNORECASE,
        ),
        MASK,
    ),
    # Authorization: Bearer x / Basic x / token x ; X-Api-Key: x ; Private-Token: x
    (
        re.compile(
            r"(?P<keep>\b(?:Proxy-)?Authorization\s*:\s*(?:Bearer|Basic|token|Token|Digest)?\s*)"
            r"[^\s'\"]+",
            re.IGNORECASE,
        ),
        MASK,
    ),
    (
        re.compile(
            r"(?P<keep>\b(?:X-[A-Za-z-]*(?:Key|Token|Secret)|Private-Token|Api-Key|Cookie)"
            r"\s*:\s*)[^'\"\n]+",
            re.IGNORECASE,
        ),
        MASK,
    ),
    # NAME=value and export NAME=value, where NAME says secret
    (
        re.compile(
            rf"(?P<keep>\b{_SENSITIVE_VARIABLE}\s*=\s*)(?:'[^']*'|\"[^\"]*\"|[^\s;&|]+)", re.I
        ),
        MASK,
    ),
    # --password x, --password=x, --token x, -p'x' is too ambiguous to touch
    (
        re.compile(
            r"(?P<keep>--(?:password|passwd|token|api-key|apikey|secret|client-secret|"
            r"access-key|secret-key|auth-token)(?:=|\s+))(?:'[^']*'|\"[^\"]*\"|[^\s;&|]+)",
            re.IGNORECASE,
        ),
        MASK,
    ),
    # Token formats with known prefixes.
    (
        re.compile(
            r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,}"
            r"|xox[abposr]-[A-Za-z0-9-]{10,}|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}"
            r"|(?:AKIA|ASIA)[A-Z0-9]{16}|npm_[A-Za-z0-9]{30,}|pypi-[A-Za-z0-9_-]{30,}"
            r"|[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|AIza[A-Za-z0-9_-]{35})"
        ),
        MASK,
    ),
    # JSON Web Tokens: three base64url parts, the first an encoded JSON header.
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), MASK),
)


def redact(text: str) -> str:
    """``text`` with every recognised secret replaced by ``***``."""
    for pattern, replacement in _PATTERNS:
        if "keep" in pattern.groupindex:
            text = pattern.sub(rf"\g<keep>{_escape(replacement)}", text)
        else:
            text = pattern.sub(_escape(replacement), text)
    return text


def _escape(replacement: str) -> str:
    return replacement.replace("\\", "\\\\")
