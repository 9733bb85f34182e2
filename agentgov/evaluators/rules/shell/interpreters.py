"""Which commands run code, and where that code comes from: stdin, a string argument, or a
script file.

``bash`` with no script operand (or ``-s``, ``-``, ``/dev/stdin``) runs its stdin;
``bash -c CODE``, ``python -c CODE``, ``node -e CODE``, ``eval ARGS`` run a word; ``bash
FILE``, ``source FILE``, ``python FILE`` and ``./FILE`` run a file. ``python -m json.tool``
runs a module and reads stdin as data.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentgov.evaluators.shell.model import SimpleCommand, Word


@dataclass(frozen=True)
class CodeInput:
    """Where a command takes the code it runs from.

    - ``stdin``: it runs what it reads on stdin.
    - ``code``: the word it runs as code (``-c`` and ``-e`` strings, ``eval`` arguments).
    - ``script``: the file it runs.
    - ``from_arguments``: its code comes from words appended by ``xargs``.
    """

    stdin: bool = False
    code: tuple[Word, ...] = ()
    script: Word | None = None
    from_arguments: bool = False


SHELLS = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "mksh", "pdksh", "ash", "fish", "yash", "csh", "tcsh"}
)
_PYTHON = re.compile(r"(?:python|pypy)(?:[0-9]+(?:\.[0-9]+)*)?(?:-dbg)?")
STDIN_FILES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
# Inline code that runs its own stdin: python -c "exec(sys.stdin.read())".
_RUNS_STDIN = re.compile(
    r"(?is)\b(?:exec|eval|compile|Function)\b.*(?:stdin|readFileSync\(\s*0\b)"
    r"|stdin.*\b(?:exec|eval)\b"
)

# Per language: options that take the code, options that take some other value, options
# whose value is a module or file to run instead of stdin.
_LANGUAGES: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    "python": (frozenset("c"), frozenset("WXQ"), frozenset("m")),
    "node": (frozenset("ep"), frozenset("rC"), frozenset()),
    "perl": (frozenset("eE"), frozenset("MmIxiCl0"), frozenset()),
    "ruby": (frozenset("e"), frozenset("rICFEK"), frozenset()),
    "php": (frozenset("rBRE"), frozenset("dcz"), frozenset("fF")),
    "lua": (frozenset("e"), frozenset("l"), frozenset()),
}
_NODE_LONG = {"--eval": "e", "--print": "p", "--require": "r", "--import": "r", "--loader": "r"}


def _language(name: str) -> str | None:
    if _PYTHON.fullmatch(name):
        return "python"
    if name in ("node", "nodejs"):
        return "node"
    if re.fullmatch(r"perl[0-9.]*", name):
        return "perl"
    if re.fullmatch(r"ruby[0-9.]*", name):
        return "ruby"
    if re.fullmatch(r"php[0-9.]*(?:-cli)?", name):
        return "php"
    if re.fullmatch(r"lua(?:jit|[0-9.]*)", name):
        return "lua"
    return None


def _shell(words: tuple[Word, ...]) -> CodeInput:
    code_flag = stdin_flag = False
    index = 0
    while index < len(words):
        text = words[index].value
        index += 1
        if text in ("--", "-"):
            break
        if text in ("--rcfile", "--init-file"):
            index += 1
        elif len(text) >= 2 and text[0] in "-+" and not text.startswith("--"):
            cluster = text[1:]
            code_flag = code_flag or "c" in cluster
            stdin_flag = stdin_flag or "s" in cluster
            if "o" in cluster or "O" in cluster:
                index += 1  # -o pipefail, +O extglob
        elif not text.startswith("--"):
            index -= 1
            break
    operands = words[index:]
    if code_flag:
        return CodeInput(code=operands[:1])
    if stdin_flag or not operands or operands[0].value in STDIN_FILES:
        return CodeInput(stdin=True)
    return CodeInput(script=operands[0])


def _scripting(words: tuple[Word, ...], language: str) -> CodeInput:
    code_options, value_options, instead_options = _LANGUAGES[language]
    index = 0
    while index < len(words):
        text = words[index].value
        index += 1
        if text == "--":
            break
        if text == "-" or not text.startswith("-") or len(text) < 2:
            index -= 1
            break
        if text.startswith("--"):
            key, _, attached = text.partition("=")
            short = _NODE_LONG.get(key) if language == "node" else None
            if short in code_options:
                return CodeInput(
                    code=(words[index],) if not attached and index < len(words) else ()
                )
            if short is not None and not attached:
                index += 1
            continue
        for position, char in enumerate(text[1:], start=1):
            rest = text[position + 1 :]
            if char in code_options:
                if rest:
                    return CodeInput(code=(words[index - 1],))
                return CodeInput(code=words[index : index + 1])
            if char in instead_options:
                return CodeInput()
            if char in value_options:
                if not rest and language not in ("perl",):
                    index += 1
                break
    operands = words[index:]
    if not operands or operands[0].value in STDIN_FILES:
        return CodeInput(stdin=True)
    return CodeInput(script=operands[0])


def _prefixes(word: str, shortest: int) -> frozenset[str]:
    """PowerShell accepts any unambiguous prefix of a parameter, after ``-`` or ``/``."""
    return frozenset(
        f"{dash}{word[:length]}" for dash in "-/" for length in range(shortest, len(word) + 1)
    )


_PWSH_COMMAND = _prefixes("command", 1)
_PWSH_ENCODED = _prefixes("encodedcommand", 1) | {"-ec", "/ec"}
_PWSH_FILE = _prefixes("file", 1)
_PWSH_VALUE = (
    (
        _prefixes("executionpolicy", 2)
        | _prefixes("windowstyle", 1)
        | _prefixes("version", 1)
        | _prefixes("inputformat", 1)
        | _prefixes("outputformat", 1)
        | _prefixes("workingdirectory", 2)
        | _prefixes("configurationname", 3)
        | _prefixes("settingsfile", 2)
        | {"-if", "/if", "-of", "/of", "-wd", "/wd"}
    )
    - _PWSH_COMMAND
    - _PWSH_ENCODED
    - _PWSH_FILE
)


def powershell_code(words: tuple[Word, ...]) -> str | None:
    """The code a ``pwsh``/``powershell`` call runs as text (``-EncodedCommand`` decoded),
    or None when it runs a file or stdin."""
    index = 0
    while index < len(words):
        text = words[index].value
        if text.lower() in _PWSH_COMMAND:
            rest = " ".join(word.value for word in words[index + 1 :])
            return None if rest == "-" else rest
        if text.lower() in _PWSH_ENCODED and index + 1 < len(words):
            try:
                return base64.b64decode(words[index + 1].value).decode("utf-16-le")
            except (binascii.Error, UnicodeDecodeError):
                return words[index + 1].value
        if text.lower() in _PWSH_FILE:
            return None
        if text.lower() in _PWSH_VALUE:
            index += 1
        elif not text.startswith(("-", "/")):
            # Windows PowerShell runs its first operand as a command.
            return " ".join(word.value for word in words[index:])
        index += 1
    return None


def _powershell(words: tuple[Word, ...]) -> CodeInput:
    values = [word.value for word in words]
    for index, text in enumerate(values):
        if text.lower() in _PWSH_COMMAND or text.lower() in _PWSH_FILE:
            following = values[index + 1 : index + 2]
            if following in ([], ["-"]):
                return CodeInput(stdin=True)
            if text.lower() in _PWSH_FILE:
                return CodeInput(script=words[index + 1])
            return CodeInput(code=words[index + 1 :])
        if text.lower() in _PWSH_ENCODED:
            return CodeInput(code=words[index + 1 : index + 2])
    operands = [word for word in words if not word.value.startswith(("-", "/"))]
    return CodeInput(code=tuple(operands)) if operands else CodeInput(stdin=True)


def code_input(command: SimpleCommand) -> CodeInput | None:
    """Where ``command`` takes the code it runs from, or None when it runs no code of its
    own choosing (``jq``, ``grep``...)."""
    name = command.name
    lowered = name.lower()
    args = command.args
    result: CodeInput
    if name in SHELLS:
        result = _shell(args)
    elif (language := _language(name)) is not None:
        result = _scripting(args, language)
        if result.code and _RUNS_STDIN.search(result.code[0].value):
            result = CodeInput(stdin=True, code=result.code)
    elif lowered in ("pwsh", "powershell", "pwsh.exe", "powershell.exe"):
        result = _powershell(args)
    elif lowered in ("iex", "invoke-expression"):
        result = CodeInput(stdin=True, code=args)
    elif name in ("source", "."):
        if not args or args[0].value in STDIN_FILES:
            result = CodeInput(stdin=True)
        else:
            result = CodeInput(script=args[0])
    elif name == "eval":
        result = CodeInput(code=args)
    elif name in ("at", "batch"):
        result = CodeInput(stdin="-f" not in command.values())
    elif name == "crontab":
        result = CodeInput(stdin=not args or args[-1].value in STDIN_FILES)
    elif name == "su":
        values = command.values()
        codes = [args[i + 1] for i, text in enumerate(values[:-1]) if text in ("-c", "--command")]
        result = CodeInput(code=tuple(codes)) if codes else CodeInput(stdin=True)
    elif command.argv and "/" in command.argv[0].value:
        result = CodeInput(script=command.argv[0])  # ./install.sh runs itself
    else:
        return None
    if "xargs" in command.wrappers and not result.code and result.script is None:
        return CodeInput(stdin=result.stdin, from_arguments=True)
    return result
