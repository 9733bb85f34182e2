"""What a hook reads and writes, passed in so that the hooks run the same in tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO


@dataclass(frozen=True)
class HookIO:
    """git's stdin (already read: it can be read only once, and a chained hook needs a
    copy), stderr (what git shows the person or agent), and the environment git gave."""

    stdin: bytes
    err: IO[str] = field(compare=False)
    environ: Mapping[str, str] = field(compare=False)

    def warn(self, message: str) -> None:
        self.err.write(f"agentgov: warning: {message}\n")
