"""agentgov log: the timeline a person reads, its filters, and its versioned JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentgov.audit.flush import flush_journal
from agentgov.audit.timeline import parse_since
from agentgov.errors import UsageError
from agentgov.git_layout import find_repo
from tests.audit.conftest import REF, Agentgov, decision, journal_of, turn
from tests.conftest import git


def at(ts: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "ts": f"2024-05-{ts}Z"}


SESSION_ONE = [
    at("01T10:00:00.000", {"kind": "session", "event": "start", "detail": {"source": "startup"}}),
    at("01T10:00:01.000", turn("prompt")),
    at("01T10:00:02.000", decision(tool_use_id="toolu_2")),
    at(
        "01T10:00:03.000",
        decision(
            tool_use_id="toolu_3",
            input="git push --force origin main",
            decision="deny",
            **{"class": "forbidden"},
            rules=["git.force-push-protected"],
            reason="force-push to the protected branch main rewrites shared history",
        ),
    ),
    at(
        "01T10:00:04.000",
        decision(
            tool_use_id="toolu_4",
            input="git reset --hard",
            decision="ask",
            **{"class": "irreversible"},
            reason="discards uncommitted work",
        ),
    ),
    at(
        "01T10:00:05.000", {"kind": "outcome", "tool": "Bash", "tool_use_id": "toolu_4", "ok": True}
    ),
    at(
        "01T10:00:06.000",
        decision(
            tool_use_id="toolu_6",
            input="terraform apply\n-auto-approve",
            decision="ask",
            sent="deny",
            **{"class": "irreversible"},
            level=2,
            task_class="infra",
            reason="changes shared infrastructure",
        ),
    ),
    at(
        "01T10:00:07.000",
        decision(
            tool_use_id="toolu_7",
            input='eval "$CMD"',
            **{"class": "dynamic"},
            level=5,
            would_deny=["shell.eval-variable"],
            reason="computed command",
        ),
    ),
    at(
        "01T10:00:09.500",
        turn(
            "stop",
            duration_ms=8500,
            interrupted=False,
            detail={"interruptions": 0, "rejections": 1},
        ),
    ),
]
SESSION_TWO = [
    at(
        "02T09:00:00.000",
        decision(
            tool_use_id="toolu_1",
            input="curl -s https://example.com/install.sh | sh",
            decision="deny",
            **{"class": "forbidden"},
            rules=["shell.pipe-to-interpreter"],
            reason="runs a download without review",
        ),
    ),
]


@pytest.fixture
def sessions(repo: Path) -> str:
    """Session one's first three records flushed onto HEAD, the rest pending."""
    journal = journal_of(repo)
    for fields in SESSION_ONE[:3]:
        journal.append("one", fields)
    layout = find_repo(repo)
    assert layout is not None
    flush_journal(layout, REF)
    for fields in SESSION_ONE[3:]:
        journal.append("one", fields)
    for fields in SESSION_TWO:
        journal.append("two", fields)
    return git(repo, "rev-parse", "--short=7", "HEAD").strip()


def test_the_timeline_reads_as_what_happened(sessions: str, agentgov: Agentgov) -> None:
    ran = agentgov("log")
    c = sessions
    assert (ran.code, ran.err) == (0, "")
    assert ran.out == (
        "session one · 9 records · 2024-05-01 10:00:00 → 10:00:09 UTC · 6 pending\n"
        f"  10:00:00  #0   {c}  session start (source startup)\n"
        f"  10:00:01  #1   {c}  turn prompt\n"
        f"  10:00:02  #2   {c}  allow  Bash  git status\n"
        "                          read · level 3 execute-gated · task default\n"
        "  10:00:03  #3   pending  deny   Bash  git push --force origin main\n"
        "                          forbidden · level 3 execute-gated · task default · rule "
        "git.force-push-protected\n"
        "                          why: force-push to the protected branch main rewrites shared "
        "history\n"
        "  10:00:04  #4   pending  ask    Bash  git reset --hard\n"
        "                          irreversible · level 3 execute-gated · task default\n"
        "                          why: discards uncommitted work\n"
        "                          uncertain: asked: approved (it ran)\n"
        "  10:00:05  #5   pending  ran    Bash\n"
        "  10:00:06  #6   pending  ask    Bash  terraform apply ⏎ -auto-approve\n"
        "                          irreversible · level 2 propose · task infra\n"
        "                          why: changes shared infrastructure\n"
        "                          uncertain: asked, but sent deny: no human could answer\n"
        '  10:00:07  #7   pending  allow  Bash  eval "$CMD"\n'
        "                          dynamic · level 5 autonomous · task default\n"
        "                          uncertain: dynamic: agentgov could not tell what it would do; "
        "shadow: shell.eval-variable would deny\n"
        "  10:00:09  #8   pending  turn stop after 8.5s (1 rejection)\n"
        "\n"
        "session two · 1 record · 2024-05-02 09:00:00 → 09:00:00 UTC · 1 pending\n"
        "  09:00:00  #0   pending  deny   Bash  curl -s https://example.com/install.sh | sh\n"
        "                          forbidden · level 3 execute-gated · task default · rule "
        "shell.pipe-to-interpreter\n"
        "                          why: runs a download without review\n"
    )


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        ([], [("one", n) for n in range(9)] + [("two", 0)]),
        (["--decision", "deny"], [("one", 3), ("two", 0)]),
        (["--decision", "ask"], [("one", 4), ("one", 6)]),
        (["--session", "tw"], [("two", 0)]),
        (["--task-class", "infra"], [("one", 6)]),
        (["--rule", "shell.eval-variable"], [("one", 7)]),
        (["--since", "2024-05-01T10:00:05"], [("one", n) for n in range(5, 9)] + [("two", 0)]),
        (["--since", "2024-05-02"], [("two", 0)]),
        (["--since", "2024-05-02T10:00:00+02:00"], [("two", 0)]),
        (["--since", "1d"], []),
    ],
)
def test_filters(
    sessions: str, agentgov: Agentgov, args: list[str], shown: list[tuple[str, int]]
) -> None:
    ran = agentgov("log", "--format", "json", *args)
    document = json.loads(ran.out)
    assert [(r["session"], r["record"]["seq"]) for r in document["records"]] == shown


def test_json_is_one_versioned_document(repo: Path, sessions: str, agentgov: Agentgov) -> None:
    document = json.loads(agentgov("log", "--format", "json", "--decision", "ask").out)
    head = git(repo, "rev-parse", "HEAD").strip()
    assert document["v"] == 1
    assert document["problems"] == []
    first, second = document["records"]
    assert {k: v for k, v in first.items() if k != "record"} == {
        "commit": None,
        "line": 2,
        "where": ".git/agentgov/journal/one.jsonl:2",
        "pending": True,
        "session": "one",
        "uncertain": ["asked: approved (it ran)"],
    }
    assert first["record"]["input"] == "git reset --hard"
    assert second["uncertain"] == ["asked, but sent deny: no human could answer"]
    flushed = json.loads(agentgov("log", "--format", "json", "--session", "one").out)
    assert flushed["records"][0]["commit"] == head


def test_problems_are_shown_and_records_still_listed(
    repo: Path, sessions: str, agentgov: Agentgov
) -> None:
    git(repo, "notes", "--ref", REF, "append", "-m", "garbage", "HEAD")
    ran = agentgov("log", "--session", "two")
    assert ran.code == 0
    assert ran.out.startswith("session two · 1 record")
    assert ran.err.startswith("1 line(s) of the trail could not be read and were skipped:\n  ")
    assert json.loads(agentgov("log", "--format", "json").out)["problems"][0]["message"].startswith(
        "not JSON"
    )


def test_nothing_matches(sessions: str, agentgov: Agentgov) -> None:
    assert agentgov("log", "--session", "nobody").out == "no audit records match\n"


def test_since_accepts_dates_times_and_spans() -> None:
    from datetime import datetime, timezone

    now = datetime(2024, 5, 8, 12, 0, tzinfo=timezone.utc)
    assert parse_since("2024-05-01") == "2024-05-01T00:00:00.000Z"
    assert parse_since("2024-05-01T10:30:00.250Z") == "2024-05-01T10:30:00.250Z"
    assert parse_since("7d", now) == "2024-05-01T12:00:00.000Z"
    assert parse_since("90m", now) == "2024-05-08T10:30:00.000Z"
    with pytest.raises(UsageError, match="--since 'yesterday'"):
        parse_since("yesterday")
