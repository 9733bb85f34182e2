"""The CI gate: ``agentgov check``, ``diff`` and ``rollback`` (docs/ci.md)."""
