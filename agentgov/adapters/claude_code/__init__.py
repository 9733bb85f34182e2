"""Claude Code integration: the hook on every tool call and the settings installer."""
