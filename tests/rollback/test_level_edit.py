"""set_levels changes the level values and not one other byte, whatever the layout."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from agentgov.errors import UsageError
from agentgov.policy.level_edit import set_levels
from agentgov.policy.load import load_bytes
from agentgov.policy.model import Level


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("  default: {level: 3}\n", "  default: {level: 2}\n"),
        ("  default: {level: execute-gated}\n", "  default: {level: propose}\n"),
        (
            "  default:\n    level: 'execute-gated'   # why\n",
            "  default:\n    level: 'propose'   # why\n",
        ),
        ('  default:\n    level: "execute-gated"\n', '  default:\n    level: "propose"\n'),
    ],
)
def test_the_value_keeps_its_style(before: str, after: str) -> None:
    head = "version: 1\ntask_classes:\n"
    raw = (head + before).encode()
    assert set_levels(raw, {"default": Level.PROPOSE}, "p") == (head + after).encode()


def test_crlf_and_a_bom_are_kept() -> None:
    raw = b"\xef\xbb\xbfversion: 1\r\ntask_classes:\r\n  default:\r\n    level: 4\r\n"
    edited = set_levels(raw, {"default": Level.EXECUTE_GATED}, "p")
    assert edited == raw.replace(b"level: 4", b"level: 3")


def test_a_class_without_a_level_value_is_refused() -> None:
    with pytest.raises(UsageError, match=r"task_classes\.docs\.level is not a single value"):
        set_levels(b"version: 1\ntask_classes:\n  default: {level: 3}\n", {"docs": Level(2)}, "p")


@settings(max_examples=60, deadline=None)
@given(
    flow=st.booleans(),
    comment=st.sampled_from(["", "  # a comment", "   # level: 5"]),
    quote=st.sampled_from(["", "'", '"']),
    as_id=st.booleans(),
    crlf=st.booleans(),
    target=st.sampled_from([Level.SUGGEST, Level.PROPOSE, Level.EXECUTE_GATED]),
)
def test_only_the_level_bytes_change(
    flow: bool, comment: str, quote: str, as_id: bool, crlf: bool, target: Level
) -> None:
    assume(as_id or not quote)  # a quoted number is a string, which is no level
    written = "execute-sandboxed" if as_id else "4"
    value = f"{quote}{written}{quote}"
    if flow:
        entry = f"  docs: {{level: {value}, paths: ['docs/**']}}{comment}\n"
    else:
        entry = f"  docs:{comment}\n    level: {value}{comment}\n    paths: ['docs/**']\n"
    text = f"version: 1\n# top\ntask_classes:\n  default: {{level: 3}}\n{entry}"
    if crlf:
        text = text.replace("\n", "\r\n")
    raw = text.encode()
    edited = set_levels(raw, {"docs": target}, "p")
    assert load_bytes(edited, "p").task_class("docs").level is target
    wanted = str(target.value) if not as_id else target.id
    # the docs level is the only "level: 4" (or "level: execute-sandboxed") in the text
    expected = text.replace(f"level: {value}", f"level: {quote}{wanted}{quote}")
    assert edited == expected.encode()
