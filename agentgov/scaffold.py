"""``agentgov init``: write a starter policy (and its schema, for editor help) into a repo."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentgov.errors import UsageError
from agentgov.git_layout import find_repo
from agentgov.policy.load import template_bytes
from agentgov.resources import resource

POLICY_DIR = ".agentgov"


@dataclass(frozen=True)
class Scaffolded:
    root: Path
    written: tuple[Path, ...]
    template: str
    in_repo: bool


def init_policy(start: Path, template: str, *, force: bool) -> Scaffolded:
    """Write ``.agentgov/policy.yaml`` from ``template`` and ``.agentgov/policy.schema.json``.

    Refuses to overwrite an existing policy unless ``force``; the template is validated by
    the caller's tests, so what is written always loads.
    """
    layout = find_repo(start)
    root = layout.root if layout else start.resolve()
    policy = root / POLICY_DIR / "policy.yaml"
    if policy.exists() and not force:
        raise UsageError(
            f"{policy.relative_to(root)} already exists; pass --force to overwrite it "
            "(your edits would be lost: commit them first)"
        )
    content = template_bytes(template)
    schema = resource("schemas", "policy.schema.json").read_bytes()
    policy.parent.mkdir(parents=True, exist_ok=True)
    policy.write_bytes(content)
    schema_path = policy.parent / "policy.schema.json"
    schema_path.write_bytes(schema)
    return Scaffolded(root, (policy, schema_path), template, layout is not None)
