"""Git hooks: what reaches the remote is judged whoever typed the push, and the audit trail
follows ordinary git use (post-commit flush, post-rewrite copy, pre-push sync).

The installed hooks are shell shims (``hooks/`` at the repository root) that exec
``agentgov hook git <name> -- <git's arguments>``; everything else lives here, tested.
"""
