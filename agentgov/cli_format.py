"""The ``--format`` choice every reporting command shares: text for people, json (a
versioned document) for tools."""

from __future__ import annotations

from enum import Enum


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
