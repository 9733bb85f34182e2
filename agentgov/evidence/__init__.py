"""Evidence: escalation metrics per task class, measured from the audit trail and git
history, and the three-valued verdicts of exit criteria and rollback triggers
(docs/evidence.md)."""
