"""Rules that protect agentgov itself: its policy, hooks, audit trail and switches."""
