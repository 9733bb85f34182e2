"""Commands whose arguments are themselves commands: ``bash -c``, ``eval``, ``watch``,
``find -exec``, and shells that read a script from a file or from stdin.

These functions only read argv; the walker in ``analyze.py`` re-parses what they return.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentgov.evaluators.shell.model import Word

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "rbash", "yash"})
"""Programs that run a shell script (the bash grammar reads all of them well enough)."""

# Shell options that take the next word as their value.
_SHELL_LONG_WITH_VALUE = frozenset({"--rcfile", "--init-file"})
_SHELL_SHORT_WITH_VALUE = "oO"


@dataclass(frozen=True)
class ShellRun:
    """What a shell invocation runs.

    ``command`` is the ``-c`` string; ``script`` the script file operand; when both are None
    the shell reads its script from stdin (``curl x | sh``, ``bash -s``, ``bash <<EOF``).
    """

    command: Word | None = None
    script: Word | None = None

    @property
    def reads_stdin(self) -> bool:
        return self.command is None and self.script is None


def shell_run(argv: tuple[Word, ...] | list[Word]) -> ShellRun:
    """Read ``sh [options] [-c STRING | FILE] [args...]``."""
    takes_string = False
    reads_stdin = False
    i = 1
    while i < len(argv):
        word = argv[i]
        value = word.value
        if not word.static:
            break
        if value in ("-", "--"):
            i += 1
            break
        if value.startswith("--"):
            if value == "--command":  # fish
                takes_string = True
            i += 2 if value in _SHELL_LONG_WITH_VALUE else 1
            continue
        if value[:1] in ("-", "+") and len(value) > 1:
            flags = value[1:]
            if value[0] == "-" and "c" in flags:
                takes_string = True
            if value[0] == "-" and "s" in flags:
                reads_stdin = True
            i += 2 if any(flag in _SHELL_SHORT_WITH_VALUE for flag in flags) else 1
            continue
        break
    if i >= len(argv):
        return ShellRun()
    if takes_string:
        return ShellRun(command=argv[i])
    if reads_stdin:
        return ShellRun()
    return ShellRun(script=argv[i])


def joined(words: tuple[Word, ...] | list[Word]) -> Word:
    """Words joined by spaces, as ``eval`` and ``watch`` join their arguments."""
    return Word(
        " ".join(word.value for word in words),
        " ".join(word.raw for word in words),
        all(word.static for word in words),
        any(word.glob for word in words),
    )


_WATCH_WITH_VALUE = "nq"
_WATCH_LONG_WITH_VALUE = frozenset({"--interval", "--equexit"})


def watch_command(argv: tuple[Word, ...] | list[Word]) -> tuple[list[Word], bool] | None:
    """The command ``watch`` repeats, and whether it runs it directly (``-x``) rather
    than through ``sh -c``."""
    direct = False
    i = 1
    while i < len(argv):
        word = argv[i]
        value = word.value
        if not word.static:
            break
        if value == "--":
            i += 1
            break
        if value.startswith("--"):
            name = value.partition("=")[0]
            direct = direct or name == "--exec"
            i += 2 if name in _WATCH_LONG_WITH_VALUE and "=" not in value else 1
            continue
        if value.startswith("-") and len(value) > 1:
            consumed = 1
            for position, char in enumerate(value[1:], start=1):
                if char == "x":
                    direct = True
                if char in _WATCH_WITH_VALUE:
                    if position == len(value) - 1:
                        consumed = 2
                    break
            i += consumed
            continue
        break
    if i >= len(argv):
        return None
    return list(argv[i:]), direct


_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})


def find_exec_commands(
    argv: tuple[Word, ...] | list[Word],
) -> list[tuple[list[Word], bool]]:
    """Each ``-exec``/``-execdir``/``-ok``/``-okdir`` command of a ``find``, with whether it
    runs in the matched file's directory (``-execdir``/``-okdir``)."""
    commands: list[tuple[list[Word], bool]] = []
    i = 1
    while i < len(argv):
        value = argv[i].value
        if value in _FIND_EXEC:
            in_file_dir = value.endswith("dir")
            start = i + 1
            end = start
            while end < len(argv) and not (
                argv[end].value == ";" or (argv[end].value == "+" and argv[end - 1].value == "{}")
            ):
                end += 1
            if end > start:
                commands.append((list(argv[start:end]), in_file_dir))
            i = end + 1
            continue
        i += 1
    return commands


def find_start_paths(argv: tuple[Word, ...] | list[Word]) -> list[Word]:
    """The starting points of a ``find`` (the words before the first expression)."""
    paths: list[Word] = []
    i = 1
    # Leading -H/-L/-P/-D debugopts/-Olevel options come before the paths.
    while i < len(argv):
        value = argv[i].value
        if value in ("-H", "-L", "-P") or (value.startswith("-O") and len(value) > 2):
            i += 1
        elif value == "-D":
            i += 2
        else:
            break
    while i < len(argv):
        value = argv[i].value
        if argv[i].static and (value.startswith("-") or value in ("(", "!", ")")):
            break
        paths.append(argv[i])
        i += 1
    return paths
