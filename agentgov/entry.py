"""The console script. Hot paths are dispatched before the CLI framework is imported.

``agentgov hook ...`` runs on every agent tool call, commit and push (and ``hook park`` at
every session's end), so it must not pay for typer (about 50 ms of imports); everything
else goes to the typer app in ``cli.py``.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["hook", "claude-code"]:
        from agentgov.adapters.claude_code.hook import main as claude_code_hook

        return claude_code_hook()
    if len(args) >= 2 and args[0] == "hook" and args[1] in ("git", "pre-commit", "park"):
        from agentgov.adapters.git_hooks.hook_command import main as git_hook

        return git_hook(args[1:])
    from agentgov.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
