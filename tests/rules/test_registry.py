"""One rule, one module, one registry line, one test file, one schema key, one entry in
docs/rules.md (whose anchor is the rule id)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentgov.evaluators.rules.registry import CATALOGUE, RULES
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
def test_each_rule_is_documented_with_its_anchor(rule_id: str) -> None:
    page = (ROOT / "docs" / "rules.md").read_text()
    entry = rf'^<a id="{re.escape(rule_id)}"></a>\n\n### `{re.escape(rule_id)}`$'
    assert re.search(entry, page, re.MULTILINE), rule_id


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_each_rules_own_example_triggers_it(rule_id: str) -> None:
    from tests.rules.ruletest import context, hits

    rule = RULES[rule_id]
    found = hits(rule, rule.example, context(branch="main"))
    assert [hit.rule for hit in found][:1] == [rule_id], rule.example


def _tables() -> list[tuple[str, set[str]]]:
    """(rule id, the program names its module dispatches on), read from the modules."""
    from agentgov.evaluators.rules import file_writes
    from agentgov.evaluators.rules.db import production as db
    from agentgov.evaluators.rules.deploy import platforms
    from agentgov.evaluators.rules.disk import device_write
    from agentgov.evaluators.rules.git import no_verify
    from agentgov.evaluators.rules.guard import ref_moves, tamper
    from agentgov.evaluators.rules.infra import operations
    from agentgov.evaluators.rules.message import send
    from agentgov.evaluators.rules.package import publish
    from agentgov.evaluators.rules.secrets import network_senders, secret_sources
    from agentgov.evaluators.rules.shell import downloads
    from agentgov.evaluators.rules.supply_chain import unpinned_install

    # git only pushes to a platform; git commands' triggers name their subcommand.
    deploys = {"git push" if name == "git" else name for name in platforms._RECOGNISERS}
    secret_printers = {
        *secret_sources._READERS,
        *secret_sources._CLI_PROGRAMS,
        *secret_sources._PRINTERS,
        *secret_sources._ENV_PROGRAMS,
        *(secret_sources._FILE_PRINTERS - {"git"}),
    } - {"git"}
    senders = {
        *network_senders._SENDERS,
        *network_senders._STDIN_SENDERS,
        *network_senders._WORD_SENDERS,
    }
    downloaders = {*downloads._DOWNLOADERS, *downloads._SOCKETS, *downloads._TEXT_BROWSERS}
    return [
        ("infra.destroy", set(operations._RECOGNISERS)),
        ("infra.change", set(operations._RECOGNISERS)),
        ("deploy.production", {*operations._RECOGNISERS, *deploys}),
        ("deploy.nonproduction", deploys),
        ("package.publish", set(publish._RECOGNISERS)),
        ("message.send", set(send._RECOGNISERS)),
        ("db.production", set(db._TOOLS)),
        ("supply-chain.unpinned-install", set(unpinned_install._READERS)),
        ("guard.tamper", set(file_writes._WRITERS)),
        ("disk.device-write", {*file_writes._WRITERS, *device_write._DEVICE_TOOLS}),
        ("secrets.exfiltration", senders),
        ("shell.pipe-to-interpreter", downloaders),
        ("secrets.read", secret_printers),
        ("git.no-verify", {f"git {sub}" for sub in no_verify._SUBCOMMANDS}),
        ("guard.tamper", {f"git {sub}" for sub in ref_moves.SUBCOMMANDS}),
        (
            "guard.tamper",
            {*tamper._AGENTGOV_MODULES, *(f"python -m {m}" for m in tamper._AGENTGOV_MODULES)},
        ),
    ]


@pytest.mark.parametrize(("rule_id", "tools"), _tables(), ids=lambda value: str(value)[:30])
def test_triggers_cover_every_program_a_rule_dispatches_on(rule_id: str, tools: set[str]) -> None:
    """The table tests check the triggers on the cases they have; this checks them against
    the rule modules' own tables, so a program added to a table without a test case is
    still never turned away."""
    triggers = CATALOGUE[rule_id].triggers
    assert triggers is not None
    assert tools <= triggers, sorted(tools - triggers)


def test_rules_are_imported_only_when_read() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import agentgov.engine\n"
        "from agentgov.evaluators.rules.registry import CATALOGUE\n"
        "print(sorted(m for m in sys.modules if m in {e.module for e in CATALOGUE.values()}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
