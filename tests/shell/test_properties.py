"""Properties of the shell analyser that must hold for every input, checked with hypothesis.

- It never raises and always terminates, on any text (random bytes decoded any way, shell
  metacharacter soup, deep nesting of every kind), and its output is consistent.
- Wrappers (sudo, env, timeout, nice, command, a leading backslash, a full path...) never
  change the program found or its arguments.
- Every quoting of a static word ('a', "a", a, $'a', and mixes of them) gives its value.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentgov.evaluators.rules.base import ShellContext
from agentgov.evaluators.shell.analyze import analyze
from agentgov.evaluators.shell.classify import base_class
from agentgov.evaluators.shell.model import Analysis
from agentgov.policy.load import load_template
from agentgov.policy.model import ActionClass

CWD = "/code/project"
HOME = "/home/dev"
CTX = ShellContext(policy=load_template("default"), cwd=CWD, home=HOME, project_root=CWD)

RELAXED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_consistent(analysis: Analysis) -> None:
    """Indices, parents and flows point at real commands; every command can be classed."""
    count = len(analysis.commands)
    for position, command in enumerate(analysis.commands):
        assert command.index == position
        assert command.argv
        assert command.parent is None or 0 <= command.parent < position
        action, reason = base_class(command, analysis, CTX)
        assert isinstance(action, ActionClass)
        assert reason
    for flow in analysis.flows:
        assert 0 <= flow.source < count
        assert 0 <= flow.sink < count
        assert flow.source != flow.sink


def analyse_timed(source: str) -> Analysis:
    start = time.perf_counter()
    analysis = analyze(source, cwd=CWD, home=HOME)
    assert time.perf_counter() - start < 5
    check_consistent(analysis)
    return analysis


# -- never raises, always terminates -------------------------------------------------------

SHELL_PIECES = [
    "$(",
    ")",
    "`",
    "'",
    '"',
    "$'",
    "\\",
    "<<",
    "<<-",
    "<<<",
    "EOF",
    "'EOF'",
    "\n",
    "|",
    "|&",
    "&&",
    "||",
    ";",
    ";;",
    "&",
    "{",
    "}",
    "(",
    ")",
    "((",
    "))",
    "[[",
    "]]",
    "[",
    "]",
    "${",
    "$",
    "<(",
    ">(",
    ">",
    ">>",
    "<",
    "2>&1",
    "#",
    "*",
    "?",
    "~",
    "=",
    "X=1",
    " ",
    "\t",
    "rm",
    "-rf",
    "/",
    "bash",
    "-c",
    "sh",
    "eval",
    "sudo",
    "env",
    "xargs",
    "find",
    "-exec",
    "{}",
    "\\;",
    "cd",
    "curl",
    "if",
    "then",
    "fi",
    "for",
    "in",
    "do",
    "done",
    "case",
    "esac",
    "while",
    "function",
    "watch",
    "trap",
    "source",
    ".",
    "!",
    ",",
    "{a,b}",
    "..",
]


@RELAXED
@given(st.text(max_size=400))
def test_any_text(source: str) -> None:
    analyse_timed(source)


@RELAXED
@given(st.binary(max_size=400), st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_random_bytes_decoded_any_way(data: bytes, encoding: str) -> None:
    analyse_timed(data.decode(encoding, "surrogateescape" if encoding == "utf-8" else "replace"))


@RELAXED
@given(st.lists(st.sampled_from(SHELL_PIECES), max_size=80).map("".join))
def test_shell_metacharacter_soup(source: str) -> None:
    analyse_timed(source)


OPENERS = [
    ("$(", ")"),
    ("`", "`"),
    ("<(", ")"),
    ("( ", " )"),
    ("{ ", "; }"),
    ("${x:-", "}"),
    ('"$(', ')"'),
    ("bash -c '", "'"),
    ("eval ", ""),
    ("$((", "))"),
    ("[[ $(", ") ]]"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(OPENERS), min_size=1, max_size=6),
    st.integers(min_value=1, max_value=3000),
    st.booleans(),
)
def test_deep_nesting(pattern: list[tuple[str, str]], depth: int, closed: bool) -> None:
    openers = [pattern[level % len(pattern)] for level in range(depth)]
    source = "".join(opener for opener, _ in openers) + "rm -rf /"
    if closed:
        source += "".join(closer for _, closer in reversed(openers))
    analyse_timed(source)


# -- wrappers never change the program or its arguments ------------------------------------

WRAPPERS = [
    "sudo",
    "sudo -u root",
    "sudo -u root --",
    "sudo -E -H",
    "doas",
    "env X=1",
    "env -i",
    "env -u HOME A=b",
    "timeout 5",
    "timeout -s KILL 10s",
    "nice -n 5",
    "nice",
    "command",
    "nohup",
    "time",
    "time -p",
    "stdbuf -oL",
    "setsid",
    "ionice -c3",
    "exec",
]
PROGRAMS = ["rm", "git", "curl", "kubectl", "npm", "pip", "terraform", "dd", "ls", "docker"]
# No leading `=`: tree-sitter-bash reads `==` and `=~` as operators (an unparsed input).
ARGUMENTS = st.from_regex(r"[A-Za-z0-9._/:,+@%-][A-Za-z0-9._/:=,+@%-]{0,11}", fullmatch=True)


@RELAXED
@given(
    st.lists(st.sampled_from(WRAPPERS), max_size=4),
    st.sampled_from(PROGRAMS),
    st.sampled_from(["", "\\", "/usr/bin/", "/bin/", "./"]),
    st.lists(ARGUMENTS, max_size=6),
)
def test_wrappers_never_change_the_command(
    wrappers: list[str], program: str, prefix: str, args: list[str]
) -> None:
    bare = analyze(" ".join([program, *args]), cwd=CWD, home=HOME).commands[-1]
    wrapped_source = " ".join([*wrappers, prefix + program, *args])
    wrapped = analyse_timed(wrapped_source).commands[-1]
    assert wrapped.name == bare.name == program
    assert wrapped.args == bare.args
    assert wrapped.values() == tuple(args)
    assert len(wrapped.wrappers) == len(wrappers)


# -- quoting never changes a static word ---------------------------------------------------

WORD_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    min_size=1,
    max_size=20,
)
_UNQUOTED_SPECIAL = set(" \t\n\\'\"`$&|;<>()[]{}*?~#!=%^,")


def single_quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def double_quoted(text: str) -> str:
    escaped = "".join("\\" + char if char in '"\\$`' else char for char in text)
    return '"' + escaped + '"'


def ansi_c_quoted(text: str) -> str:
    return "$'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def backslashed(text: str) -> str:
    return "".join("\\" + char if char in _UNQUOTED_SPECIAL else char for char in text)


QUOTERS = [single_quoted, double_quoted, ansi_c_quoted, backslashed]


@RELAXED
@given(WORD_TEXT, st.sampled_from(QUOTERS))
def test_every_quoting_gives_the_value(text: str, quote: object) -> None:
    assert callable(quote)
    (command,) = analyse_timed("echo " + quote(text)).commands
    (word,) = command.args
    assert word.value == text
    assert word.static
    assert not word.glob


@RELAXED
@given(st.lists(st.tuples(WORD_TEXT, st.sampled_from(QUOTERS)), min_size=1, max_size=4))
def test_concatenated_quotings_give_the_value(pieces: list[tuple[str, object]]) -> None:
    text = "".join(piece for piece, _ in pieces)
    source = "echo " + "".join(quote(piece) for piece, quote in pieces if callable(quote))
    (command,) = analyse_timed(source).commands
    assert command.values() == (text,)
    assert command.args[0].static


@RELAXED
@given(st.sampled_from(["a", "rm", "-rf", "/", "x.py", "A_B"]), st.sampled_from(QUOTERS))
def test_quoted_program_names_are_found(name: str, quote: object) -> None:
    assert callable(quote)
    (command,) = analyse_timed(quote(name) + " x").commands
    assert command.name == name


@RELAXED
@given(WORD_TEXT)
def test_single_quoted_echo_text_is_one_command(text: str) -> None:
    analysis = analyse_timed("echo " + single_quoted(text))
    assert [command.name for command in analysis.commands] == ["echo"]
    assert base_class(analysis.commands[0], analysis, CTX)[0] is ActionClass.READ
