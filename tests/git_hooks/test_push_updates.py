"""Parsing git's pre-push stdin and pre-commit's pre-push environment."""

from __future__ import annotations

import pytest

from agentgov.adapters.git_hooks.push_updates import (
    FrameworkPush,
    MalformedPushInput,
    RefUpdate,
    framework_push,
    parse_updates,
)

A = "a" * 40
B = "b" * 40
Z = "0" * 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("\n\n", ()),
        (
            f"refs/heads/main {A} refs/heads/main {B}\n",
            (RefUpdate("refs/heads/main", A, "refs/heads/main", B),),
        ),
        (
            f"(delete) {Z} refs/heads/main {B}\n",
            (RefUpdate("(delete)", Z, "refs/heads/main", B),),
        ),
        (
            # The local side is what the user typed; it may hold spaces.
            f"HEAD@{{1 day ago}} {A} refs/heads/topic {Z}\n",
            (RefUpdate("HEAD@{1 day ago}", A, "refs/heads/topic", Z),),
        ),
        (
            f"refs/heads/a {A} refs/heads/a {Z}\nrefs/tags/v1 {B} refs/tags/v1 {Z}\n",
            (
                RefUpdate("refs/heads/a", A, "refs/heads/a", Z),
                RefUpdate("refs/tags/v1", B, "refs/tags/v1", Z),
            ),
        ),
        (
            f"refs/heads/main {'c' * 64} refs/heads/main {'0' * 64}\n",
            (RefUpdate("refs/heads/main", "c" * 64, "refs/heads/main", "0" * 64),),
        ),
    ],
)
def test_git_lines_parse(text: str, expected: tuple[RefUpdate, ...]) -> None:
    assert parse_updates(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("refs/heads/main\n", "pre-push input line 1 is not '<local ref> <local sha>"),
        (f"refs/heads/main {A} refs/heads/main\n", "pre-push input line 1 is not"),
        (f"x {A} refs/heads/main {B}\nmain {A.upper()} refs/heads/main {B}\n", "line 2: the local"),
        (f"main {A} refs/heads/main {B[:39]}\n", "the remote object id"),
        (f"main {A} heads/main {B}\n", "the remote ref 'heads/main' is not a full ref name"),
        (f"main {A}  refs/heads/main {B}\n", "is not '<local ref>"),
    ],
)
def test_malformed_lines_are_refused_with_their_line_number(text: str, message: str) -> None:
    with pytest.raises(MalformedPushInput, match="the push is refused") as caught:
        parse_updates(text)
    assert message in str(caught.value)


def test_update_kinds() -> None:
    deletion = RefUpdate("(delete)", Z, "refs/heads/main", A)
    creation = RefUpdate("refs/tags/v1", A, "refs/tags/v1", Z)
    notes = RefUpdate("refs/notes/agentgov", A, "refs/notes/agentgov", B)
    assert (deletion.deletion, deletion.creation, deletion.branch) == (True, False, "main")
    assert (creation.creation, creation.tag, creation.branch) == (True, "v1", None)
    assert (notes.notes, notes.branch, notes.tag) == (True, None, None)


def test_pre_commit_environment() -> None:
    env = {
        "PRE_COMMIT_REMOTE_NAME": "origin",
        "PRE_COMMIT_REMOTE_URL": "git@example.com:x.git",
        "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main",
        "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main",
        "PRE_COMMIT_FROM_REF": A,
        "PRE_COMMIT_TO_REF": B,
    }
    assert framework_push(env) == FrameworkPush(
        "origin", "git@example.com:x.git", "refs/heads/main", "refs/heads/main", A, B
    )
    assert framework_push({"PRE_COMMIT_REMOTE_NAME": "origin"}) is None
