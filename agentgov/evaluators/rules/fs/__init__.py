"""Rules for file-system commands."""
