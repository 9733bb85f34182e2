"""The issue's reproductions (issue 9, section 5) through the real hook: the commands that
were recorded verbatim reach the journal with the secret masked and the rest kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.claude_code.test_hook import governed, journal, payload, run_hook

__all__ = ["governed"]  # the shared fixture, used by parameter name


@pytest.mark.parametrize(
    ("command", "recorded"),
    [
        ("mysql -u root -pHunter2x app", "mysql -u root -p*** app"),
        ("mysqldump -pHunter2x app > app.sql", "mysqldump -p*** app > app.sql"),
        ("docker login -u bob -p Hunter2x", "docker login -u bob -p ***"),
        ("sshpass -p Hunter2x ssh bob@host", "sshpass -p *** ssh bob@host"),
        ("redis-cli -a Hunter2x ping", "redis-cli -a *** ping"),
        ("htpasswd -b .htpasswd bob Hunter2x", "htpasswd -b .htpasswd bob ***"),
        (
            'psql "postgresql://u:Hunter2x@db.example.com/app"',
            'psql "postgresql://u:***@db.example.com/app"',
        ),
    ],
)
def test_the_journal_never_holds_the_secret(governed: Path, command: str, recorded: str) -> None:
    run_hook(governed, payload("pre-bash", governed, command=command))
    raw = (governed / ".git" / "agentgov" / "journal" / "abc123.jsonl").read_text()
    assert "Hunter2x" not in raw
    assert journal(governed)[-1]["input"] == recorded
