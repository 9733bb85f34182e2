"""The paths a shell command writes, read from its analysis, for choosing its task class
(docs/policy.md, "Task classes"). Pure.

A shell write is an edit: ``sed -i ... Dockerfile``, ``echo ... >> Dockerfile`` and
``cat > .github/workflows/ci.yml <<EOF`` touch the files the Edit tool would, so they count
for the task class as the Edit tool's paths do. The writes are those ``guard.tamper`` reads
(``rules/file_writes.py``: redirects, ``tee``, ``sed -i``, ``perl -i``, ``cp``/``mv``/
``install``/``ln`` targets, ``dd of=``, ``truncate``, ``touch``, ``rm``, ``chmod``,
``rsync``, ``curl -o``, ``tar -C``, ``find -delete``...), git's own ``checkout``,
``restore``, ``rm``, ``mv`` and ``clean`` of paths, and a few writers more (``sort -o``,
``sponge``, ``gawk -i inplace``, ``mkdir``, ``patch FILE``).

Each path is absolute when the command's directory is known (the analysis tracks ``cd``
and ``git -C``), else as written (the caller resolves it against where the command
starts); a write that acts on a whole tree (``rm -r``, ``mv``, ``git clean``) ends with
``/``. Commands run on another machine or in a container (``ssh``, ``docker exec``) write
nothing here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.cli_options import OptionSpec, parse_options
from agentgov.evaluators.rules.path_words import expand_home, normalize
from agentgov.evaluators.shell.model import Analysis, SimpleCommand, Word

if TYPE_CHECKING:
    from agentgov.evaluators.rules.git.git_args import GitCommand

# Programs whose arguments may name a file they write (``rules/file_writes.py``'s table and
# the writers below); any other command writes only through its redirects.
_WRITERS = frozenset(
    {
        *("tee", "touch", "truncate", "rm", "unlink", "rmdir", "shred", "chmod", "chown"),
        *("chgrp", "chattr", "setfacl", "cp", "install", "mv", "ln", "sed", "gsed", "perl"),
        *("dd", "curl", "wget", "unzip", "rsync", "tar", "find"),
        *("sort", "sponge", "gawk", "awk", "mkdir", "patch"),
    }
)
_ELSEWHERE = frozenset({"ssh", "docker", "podman", "kubectl", "oc"})
_GIT_WRITES = frozenset({"checkout", "restore", "rm", "mv", "clean"})

_SORT_VALUES = frozenset({"key", "field-separator", "output", "buffer-size", "temporary-directory"})
_SORT = OptionSpec(
    short_value="ktoST", long_value=_SORT_VALUES, long_names=_SORT_VALUES | {"parallel"}
)
_GAWK = OptionSpec(
    short_value="fvFiEeIl",
    long_value=frozenset({"file", "assign", "field-separator", "include", "exec", "source"}),
)
_MKDIR = OptionSpec(short_value="m", long_value=frozenset({"mode", "context"}))
_PATCH = OptionSpec(
    short_value="pioBdDFrVYzgs",
    long_value=frozenset(
        {"strip", "input", "output", "directory", "reject-file", "prefix", "suffix"}
    ),
)
_GIT_CHECKOUT = OptionSpec(
    short_value="bBU",
    long_value=frozenset({"orphan", "conflict", "pathspec-from-file", "source"}),
)
_GIT_RESTORE = OptionSpec(
    short_value="sU", long_value=frozenset({"source", "conflict", "pathspec-from-file"})
)
_GIT_CLEAN = OptionSpec(short_value="e", long_value=frozenset({"exclude"}))
_GIT_PLAIN = OptionSpec()


def written_paths(analysis: Analysis, home: str) -> tuple[str, ...]:
    """Every path the command writes (see the module docstring), each once, in order."""
    found: dict[str, None] = {}
    for command in analysis.commands:
        if not command.redirects and command.name not in _WRITERS and not _is_git(command):
            continue  # the common case, decided without reading the arguments
        if _ELSEWHERE.intersection(command.wrappers):
            continue
        for word, tree in _writes(command):
            path = _path(word, command.cwd, home)
            if path is not None:
                found.setdefault(path + "/" if tree and path != "/" else path, None)
    return tuple(found)


def _is_git(command: SimpleCommand) -> bool:
    return command.name == "git" or command.name.startswith("git-")


def _path(word: Word, cwd: str | None, home: str) -> str | None:
    """The path ``word`` names: absolute where it can be known, else its text (``$D/x``
    still names a file called ``x``; a glob still matches what it can name)."""
    text = expand_home(word, home)
    if text is None:
        text = word.value
    if not text:
        return None
    if not text.startswith("/") and cwd is not None:
        text = cwd.rstrip("/") + "/" + text
    return normalize(text)


def _writes(command: SimpleCommand) -> Iterator[tuple[Word, bool]]:
    # Imported here: most commands write nothing, and the hook pays for every import.
    from agentgov.evaluators.rules.file_writes import file_writes

    for write in file_writes(command):
        # ``find DIR -name X -delete`` deletes a selection, but always beneath DIR.
        yield write.word, write.tree or write.how == "find -delete"
    name = command.name
    if name == "sort":
        parsed = parse_options(command.args, _SORT)
        for value in parsed.values("-o", "--output"):
            yield Word(value, value), False
    elif name == "sponge":
        for word in command.args:
            if not word.value.startswith("-"):
                yield word, False
    elif name in ("gawk", "awk"):
        parsed = parse_options(command.args, _GAWK)
        if "inplace" in parsed.values("-i", "--include"):
            explicit = parsed.has("-f", "--file", "-e", "--source", "-E", "--exec")
            yield from ((word, False) for word in parsed.operands[0 if explicit else 1 :])
    elif name == "mkdir":
        yield from ((word, False) for word in parse_options(command.args, _MKDIR).operands)
    elif name == "patch":
        parsed = parse_options(command.args, _PATCH)
        for value in parsed.values("-o", "--output"):
            yield Word(value, value), False
        if parsed.operands:
            yield parsed.operands[0], False
    elif _is_git(command):
        from agentgov.evaluators.rules.git.git_args import git_command

        git = git_command(command)
        if git is not None:
            yield from git_path_writes(git)


def git_path_writes(
    git: GitCommand, *, ambiguous_as_paths: bool = False
) -> Iterator[tuple[Word, bool]]:
    """Paths git itself overwrites or deletes in the working tree, each with whether it
    acts on a whole tree: ``checkout``/``restore`` of paths, ``rm``/``mv`` (sources and
    targets), ``clean`` (trees). Without ``--``, ``git checkout A B`` reads ``A`` as a
    tree-ish when it names a revision and as a path otherwise: ``ambiguous_as_paths`` (the
    guard, ``guard.tamper``) counts it as a path, the task class does not."""
    if git.subcommand not in _GIT_WRITES:
        return
    sub = git.subcommand
    spec = {"checkout": _GIT_CHECKOUT, "restore": _GIT_RESTORE, "clean": _GIT_CLEAN}
    parsed = git.parse(spec.get(sub, _GIT_PLAIN))
    operands = parsed.operands
    if sub == "rm" and parsed.has("--cached"):
        return
    if sub == "restore" and parsed.has("--staged", "-S") and not parsed.has("--worktree", "-W"):
        return
    if sub == "checkout":
        if parsed.dashdash is not None:
            operands = operands[parsed.dashdash :]
        elif len(operands) > 1 and not ambiguous_as_paths:
            operands = operands[1:]  # ``git checkout main Dockerfile``: a tree-ish, paths
    tree = sub in ("rm", "mv", "clean")
    for word in operands:
        yield word, tree
