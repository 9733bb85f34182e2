"""What the shell analyser finds in a command string: frozen values for the rules to read.

The analyser (``analyze.py``) walks a tree-sitter-bash parse and produces one
``SimpleCommand`` for every command that would run, wherever it sits (pipelines, lists,
subshells, substitutions, control-flow bodies, ``bash -c`` strings, ``eval`` arguments,
``find -exec``, ``xargs``...), with wrappers (``sudo``, ``env``, ``timeout``...) removed.
Rules never see tree-sitter nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property


@dataclass(frozen=True)
class Word:
    """One shell word.

    ``value`` is the word after quote removal when ``static`` is true. When the word holds
    an expansion the analyser cannot resolve (``$VAR``, ``$(...)``, backticks, arithmetic),
    ``static`` is false and ``value`` is the literal text with the expansion kept in place
    (``"$HOME/x"`` stays ``$HOME/x``), so rules can still match around it. ``glob`` is true
    for unquoted ``*``, ``?`` or ``[...]``.
    """

    value: str
    raw: str
    static: bool = True
    glob: bool = False


class Origin(str, Enum):
    """Where a simple command was found."""

    TOP = "top"  # a command of the input itself (lists, pipelines, groups, bodies)
    SUBSTITUTION = "substitution"  # inside $( ) or backticks
    PROCESS_SUBSTITUTION = "process-substitution"  # inside <( ) or >( )
    SHELL_C = "shell-c"  # the string of bash/sh/zsh/dash/ksh -c, re-parsed
    EVAL = "eval"  # the arguments of eval, re-parsed
    STDIN_SCRIPT = "stdin-script"  # a heredoc/here-string fed to a shell, re-parsed
    EXEC = "exec"  # find -exec/-execdir/-ok, xargs, watch, busybox
    SCRIPT_FILE = "script-file"  # a file the same input wrote, then ran (sh x.sh, source x.sh)


@dataclass(frozen=True)
class Redirect:
    """``op`` is the operator as written (``>``, ``>>``, ``<``, ``&>``, ``2>``, ``<<``,
    ``<<<``...). ``target`` is the file word (None for heredocs); ``body`` is the heredoc or
    here-string text. ``body_static`` is false when the body holds expansions the shell
    performs first (``$X``, ``$(...)`` in an unquoted heredoc or a here-string); the body
    then keeps their text."""

    op: str
    target: Word | None = None
    body: str | None = None
    body_static: bool = True


@dataclass(frozen=True)
class SimpleCommand:
    """One command that would run.

    - ``name`` is the program's basename with a leading backslash and directories removed
      (``/usr/bin/git`` -> ``git``); it is ``""`` when the name is not static.
    - ``argv`` holds every word after the wrappers, ``argv[0]`` the program as written.
    - ``assignments`` are the leading ``VAR=value`` words, including those given to ``env``.
    - ``unsets`` are the variables ``env -u NAME`` removes from the command's environment
      (``"*"`` when ``env -i`` empties it).
    - ``wrappers`` lists the wrappers removed, outermost first (``("sudo", "timeout")``).
    - ``cwd`` is the working directory the analyser tracked through ``cd`` and ``git -C``
      (an absolute path), or None when a ``cd`` target was not static.
    - ``index`` is this command's position in ``Analysis.commands``.
    - ``text`` is the source fragment, for messages and the audit trail (for a re-parsed
      string, the fragment of that string).
    - ``depth`` counts the re-parsed strings around the command (``bash -c``, ``eval``, a
      heredoc fed to a shell, ``watch``): 0 for commands written in the input itself.
    - ``parent`` is the index of the command that ran this one from its arguments, stdin
      or a file (the shell of a ``-c`` string, heredoc or script written earlier, ``eval``,
      ``trap``, ``alias``, ``watch``, ``find -exec``, ``ssh``, ``docker``/``kubectl exec``,
      ``su -c``, ``parallel``), None for commands written directly in the input. Commands
      run by ``ssh`` or in a container carry that program in ``wrappers`` and ``cwd`` None
      (or the container's ``-w`` directory).
    - A statement without a program (``X=1``, ``> file``) is reported as the no-op ``:``
      (``argv[0].raw`` is empty) carrying its assignments and redirects, so every
      assignment and every redirect is on some command.
    """

    index: int
    name: str
    argv: tuple[Word, ...]
    text: str
    origin: Origin = Origin.TOP
    depth: int = 0
    assignments: tuple[tuple[str, Word], ...] = ()
    wrappers: tuple[str, ...] = ()
    redirects: tuple[Redirect, ...] = ()
    cwd: str | None = None
    background: bool = False
    parent: int | None = None
    unsets: tuple[str, ...] = ()

    @property
    def args(self) -> tuple[Word, ...]:
        """The arguments after the program name."""
        return self.argv[1:]

    def values(self) -> tuple[str, ...]:
        """Every argument's value (static or not), for quick scans."""
        return tuple(word.value for word in self.argv[1:])


class FlowKind(str, Enum):
    """How data gets from one command to another."""

    PIPE = "pipe"  # source | sink (also through |&)
    SUBSTITUTION = "substitution"  # sink's words contain $(source) or `source`
    PROCESS_SUBSTITUTION = "process-substitution"  # sink reads <(source) as a file
    STDIN_REDIRECT = "stdin-redirect"  # sink < file that source wrote, or heredoc to a shell
    FILE = "file"  # source wrote a file that a later command ran or read


@dataclass(frozen=True)
class Flow:
    """Data produced by command ``source`` reaches command ``sink``."""

    source: int
    sink: int
    kind: FlowKind


@dataclass(frozen=True)
class Analysis:
    """The result of analysing one command string.

    ``upstream(i)`` gives every command whose output reaches command ``i``, transitively
    through pipes and substitutions (``curl x | tee f | sudo sh``: curl is upstream of sh).
    ``truncated`` is true when a size or depth limit cut the analysis short: the verdict for
    such input is at least ``dynamic``. ``unparsed`` holds fragments tree-sitter could not
    parse (ERROR nodes), which also make the input ``dynamic``. ``trace`` lists what the
    analyser did, for ``agentgov explain``.
    """

    source: str
    commands: tuple[SimpleCommand, ...]
    flows: tuple[Flow, ...] = ()
    truncated: bool = False
    unparsed: tuple[str, ...] = ()
    trace: tuple[str, ...] = field(default=(), compare=False)

    def upstream(self, index: int) -> tuple[SimpleCommand, ...]:
        """Every command whose output reaches command ``index``, in order."""
        seen: set[int] = set()
        stack = [index]
        sources = self._sources
        while stack:
            current = stack.pop()
            for source in sources.get(current, ()):
                if source not in seen:
                    seen.add(source)
                    stack.append(source)
        return tuple(self.commands[i] for i in sorted(seen))

    @cached_property
    def _sources(self) -> dict[int, list[int]]:
        # Built once: rules ask for the upstream of many commands, and flows can number
        # in the thousands.
        sources: dict[int, list[int]] = {}
        for flow in self.flows:
            sources.setdefault(flow.sink, []).append(flow.source)
        return sources
