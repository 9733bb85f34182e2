"""Every rule of the catalogue, listed by hand so grep finds each one.

The key is the rule id: the YAML key under ``rules:``, the audit field, the SARIF ruleId,
the docs anchor, and (with dots and dashes turned into folders and underscores) the module
and its test file. ``tests/rules/test_registry.py`` checks that this list, the policy
schema and the README agree.
"""

from __future__ import annotations

from agentgov.evaluators.rules.base import Rule
from agentgov.evaluators.rules.db import production as db_production
from agentgov.evaluators.rules.deploy import nonproduction as deploy_nonproduction
from agentgov.evaluators.rules.deploy import production as deploy_production
from agentgov.evaluators.rules.disk import device_write
from agentgov.evaluators.rules.fs import recursive_delete_root
from agentgov.evaluators.rules.git import (
    branch_force_delete,
    clean_force,
    delete_protected_branch,
    delete_remote_branch,
    discard_changes,
    force_push_protected,
    history_rewrite,
    no_verify,
    push_protected,
    reset_hard,
    stash_destroy,
)
from agentgov.evaluators.rules.guard import tamper
from agentgov.evaluators.rules.infra import change as infra_change
from agentgov.evaluators.rules.infra import destroy as infra_destroy
from agentgov.evaluators.rules.message import send as message_send
from agentgov.evaluators.rules.package import publish as package_publish
from agentgov.evaluators.rules.secrets import exfiltration as secrets_exfiltration
from agentgov.evaluators.rules.secrets import read as secrets_read
from agentgov.evaluators.rules.shell import pipe_to_interpreter
from agentgov.evaluators.rules.supply_chain import unpinned_install

_CATALOGUE: tuple[Rule, ...] = (
    # forbidden by default
    force_push_protected.RULE,
    delete_protected_branch.RULE,
    no_verify.RULE,
    pipe_to_interpreter.RULE,
    recursive_delete_root.RULE,
    device_write.RULE,
    infra_destroy.RULE,
    deploy_production.RULE,
    db_production.RULE,
    secrets_exfiltration.RULE,
    unpinned_install.RULE,
    tamper.RULE,
    # irreversible by default (asks at every level)
    reset_hard.RULE,
    clean_force.RULE,
    discard_changes.RULE,
    stash_destroy.RULE,
    branch_force_delete.RULE,
    history_rewrite.RULE,
    push_protected.RULE,
    delete_remote_branch.RULE,
    deploy_nonproduction.RULE,
    infra_change.RULE,
    package_publish.RULE,
    message_send.RULE,
    secrets_read.RULE,
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _CATALOGUE}
