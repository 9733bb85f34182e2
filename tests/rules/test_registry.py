"""One rule, one module, one registry line, one test file, one schema key, one README entry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentgov.evaluators.rules.registry import RULES
from agentgov.policy.model import ActionClass
from agentgov.policy.schema_check import policy_schema

ROOT = Path(__file__).resolve().parent.parent.parent


def module_path(rule_id: str) -> str:
    return rule_id.replace("-", "_").replace(".", "/")


def test_catalogue_matches_the_policy_schema() -> None:
    schema_rules = policy_schema()["properties"]["rules"]["properties"]
    assert set(schema_rules) == set(RULES)
    for rule_id, rule in RULES.items():
        locked = schema_rules[rule_id]["enum"] == ["enforce"]
        assert locked is (not rule.can_disable), rule_id


def test_the_rules_that_protect_the_guard_and_the_machine_cannot_be_disabled() -> None:
    assert {r.id for r in RULES.values() if not r.can_disable} == {
        "guard.tamper",
        "fs.recursive-delete-root",
    }


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_each_rule_has_its_module_and_test_file(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert (ROOT / "agentgov" / "evaluators" / "rules" / f"{module_path(rule_id)}.py").is_file()
    test_name = "test_" + module_path(rule_id).replace("/", "_") + ".py"
    assert (ROOT / "tests" / "rules" / test_name).is_file(), test_name
    assert rule.summary
    assert rule.example
    assert rule.action_class in {ActionClass.FORBIDDEN, ActionClass.IRREVERSIBLE}


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_each_rule_is_documented_in_the_readme(rule_id: str) -> None:
    readme = (ROOT / "README.md").read_text()
    assert re.search(rf"^#### `{re.escape(rule_id)}`$", readme, re.MULTILINE), rule_id


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_each_rules_own_example_triggers_it(rule_id: str) -> None:
    from tests.rules.ruletest import context, hits

    rule = RULES[rule_id]
    found = hits(rule, rule.example, context(branch="main"))
    assert [hit.rule for hit in found][:1] == [rule_id], rule.example
