"""Secrets never reach the journal: a table of commands and what is written instead."""

from __future__ import annotations

import pytest

from agentgov.audit.redact import redact


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (
            "curl -H 'Authorization: Bearer abc.def' https://x",
            "curl -H 'Authorization: Bearer ***' https://x",
        ),
        ('curl -H "authorization: token ghx" x', 'curl -H "authorization: token ***" x'),
        ("git clone https://bob:s3cr3t@github.com/x/y", "git clone https://bob:***@github.com/x/y"),
        ("psql postgres://app:pw@prod-db:5432/app", "psql postgres://app:***@prod-db:5432/app"),
        ('curl "https://x.com/a?token=abc123&x=1"', 'curl "https://x.com/a?token=***&x=1"'),
        ("wget 'https://s3/x?X-Amz-Signature=deadbeef'", "wget 'https://s3/x?X-Amz-Signature=***'"),
        ("export GITHUB_TOKEN=abc", "export GITHUB_TOKEN=***"),
        ('AWS_SECRET_ACCESS_KEY="abc def" aws s3 ls', "AWS_SECRET_ACCESS_KEY=*** aws s3 ls"),
        ("DB_PASSWORD='x y' ./run", "DB_PASSWORD=*** ./run"),
        ("mysql --password=hunter2 -h db", "mysql --password=*** -h db"),
        ("vault login --token s.abcdef", "vault login --token ***"),
        ('curl -H "X-Api-Key: k123" x', 'curl -H "X-Api-Key: ***" x'),
        ("echo ghp_abcdefghijklmnopqrstuvwxyz0123456789", "echo ***"),
        ("echo github_pat_11ABCDEFG0123456789_abcdefghijk", "echo ***"),
        ("echo sk-ant-api03-abcdefghijklmnopqrstu", "echo ***"),
        ("echo AKIAABCDEFGHIJKLMNOP", "echo ***"),
        ("echo xoxb-1234567890-abcdefghij", "echo ***"),
        ("echo eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.abcdefghijkl", "echo ***"),
        (
            "printf '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----'",
            "printf '-----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----'",
        ),
    ],
)
def test_secrets_are_masked(text: str, written: str) -> None:
    assert redact(text) == written


@pytest.mark.parametrize(
    "text",
    [
        "ls -la",
        "PATH=/usr/bin make",
        "git push origin main",
        "curl https://example.com/a?page=2",
        "python -m pytest -k token_parsing",
        "echo $GITHUB_TOKEN",
        "grep -r password_reset src/",
    ],
)
def test_ordinary_text_is_untouched(text: str) -> None:
    assert redact(text) == text
