"""Rules for git: one module per rule, plus the shared readers ``git_args`` (global options,
subcommand, aliases) and ``git_push`` (what a push changes on the remote)."""
