"""agentgov: govern AI coding agents from inside the git repository they work on."""

__version__ = "0.1.0"
