from __future__ import annotations

import pytest

from agentgov.policy.load import load_template
from agentgov.policy.model import ActionClass, Level, RollbackAction, Verdict


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (1, Level.SUGGEST),
        ("3", Level.EXECUTE_GATED),
        ("autonomous", Level.AUTONOMOUS),
        (" propose ", Level.PROPOSE),
    ],
)
def test_level_parse(value: int | str, level: Level) -> None:
    assert Level.parse(value) is level


@pytest.mark.parametrize("value", [0, 6, "6", "expert", True, ""])
def test_level_parse_rejects(value: int | str) -> None:
    with pytest.raises(ValueError, match="is not a level"):
        Level.parse(value)


@pytest.mark.parametrize("template", ["default", "strict", "progressive-team"])
def test_template_matrices_are_monotonic(template: str) -> None:
    policy = load_template(template)
    for action in ActionClass:
        row = [policy.verdict(action, level).severity for level in Level]
        assert row == sorted(row, reverse=True), action


def test_forbidden_is_deny_at_every_level() -> None:
    policy = load_template("default")
    assert {policy.verdict(ActionClass.FORBIDDEN, level) for level in Level} == {Verdict.DENY}


@pytest.mark.parametrize(
    ("action", "current", "after"),
    [
        (RollbackAction(demote_by=1), Level.AUTONOMOUS, Level.EXECUTE_SANDBOXED),
        (RollbackAction(demote_by=4), Level.PROPOSE, Level.SUGGEST),
        (RollbackAction(demote_to=Level.PROPOSE), Level.EXECUTE_GATED, Level.PROPOSE),
        (RollbackAction(demote_to=Level.PROPOSE), Level.SUGGEST, Level.SUGGEST),
        (RollbackAction(reset_to=Level.PROPOSE), Level.AUTONOMOUS, Level.PROPOSE),
    ],
)
def test_rollback_never_raises(action: RollbackAction, current: Level, after: Level) -> None:
    assert action.target(current) is after


def test_default_template_content() -> None:
    policy = load_template("default")
    levels = {tc.name: tc.level for tc in policy.task_classes}
    assert levels == {
        "default": Level.EXECUTE_GATED,
        "docs": Level.EXECUTE_SANDBOXED,
        "tests": Level.EXECUTE_GATED,
        "infra": Level.PROPOSE,
    }
    approval = policy.criteria(Level.EXECUTE_GATED)[0]
    assert (approval.metric, approval.comparison.value, approval.threshold) == (
        "approval_rate",
        ">=",
        0.95,
    )
    disagreement = policy.criteria(Level.AUTONOMOUS)[0]
    assert (disagreement.metric, disagreement.threshold) == ("audit_disagreement_rate", 0.05)


def test_progressive_team_template() -> None:
    policy = load_template("progressive-team")
    assert policy.audit.review_sample_rate == 0.2
    incident = [t for t in policy.rollback if t.incident == "production"]
    assert incident
    assert incident[0].action.reset_to is Level.PROPOSE
    assert [level.value for level, _ in policy.ladder] == [2, 3, 4, 5]


def test_confidence_and_agent_markers_are_read() -> None:
    from pathlib import Path

    from agentgov.policy.load import load_path
    from agentgov.policy.model import DEFAULT_AGENT_MARKERS

    policy = load_path(Path(__file__).parent / "valid" / "everything.yaml")
    (criterion,) = policy.criteria(Level.EXECUTE_SANDBOXED)
    assert (criterion.metric, criterion.confidence, criterion.min_samples) == (
        "approval_rate",
        0.95,
        50,
    )
    assert policy.criteria(Level.PROPOSE)[0].confidence is None
    assert policy.agent_markers == (*DEFAULT_AGENT_MARKERS, "Co-authored-by: * <bot@example.com>")
    assert load_template("default").agent_markers == DEFAULT_AGENT_MARKERS
