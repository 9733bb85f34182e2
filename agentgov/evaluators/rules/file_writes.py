"""Which files a command writes, moves away, re-permissions or deletes.

Read by ``guard.tamper`` (is a guarded file written?) and ``disk.device-write`` (is a block
device written?). Reading a file is never a write: ``cat f``, ``cp f /tmp`` (the source),
``grep x f``. Each ``FileWrite`` names the word as written; the caller resolves it against
the command's cwd. ``tree`` is true when the command acts on everything beneath a directory
too (``rm -r``, ``mv``, ``chmod``, ``find -delete``), so writing an ancestor of a guarded file
counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from agentgov.evaluators.rules.cli_options import OptionSpec, parse_options
from agentgov.evaluators.rules.find_args import parse_find
from agentgov.evaluators.shell.model import SimpleCommand, Word


@dataclass(frozen=True)
class FileWrite:
    """``word`` names a file the command changes; ``how`` says how (for messages).
    ``content`` is false when only the name, mode or existence changes (``rm``, ``chmod``,
    ``touch``), so a device named that way is not written to."""

    word: Word
    how: str
    tree: bool = False
    content: bool = True


Writer = Callable[[SimpleCommand], Iterator[FileWrite]]


def _redirect_writes(command: SimpleCommand) -> Iterator[FileWrite]:
    for redirect in command.redirects:
        target = redirect.target
        if target is None or ">" not in redirect.op:
            continue
        # ``2>&1`` and ``>&-`` duplicate or close a descriptor; they name no file.
        if redirect.op.endswith("&") and (target.value.isdigit() or target.value == "-"):
            continue
        yield FileWrite(target, f"redirect {redirect.op}")


def _word_after(word: Word, prefix: str) -> Word:
    return Word(word.value[len(prefix) :], word.raw, word.static, word.glob)


def _inside(directory: Word, source: Word) -> Word:
    name = source.value.rstrip("/").rsplit("/", 1)[-1]
    value = directory.value.rstrip("/") + "/" + name
    return Word(value, value, directory.static and source.static, source.glob)


def _operands(command: SimpleCommand, spec: OptionSpec) -> tuple[Word, ...]:
    return parse_options(command.args, spec).operands


_TEE = OptionSpec(long_names=frozenset({"append", "ignore-interrupts", "output-error"}))
_TOUCH = OptionSpec(short_value="rdt", long_value=frozenset({"reference", "date"}))
_TRUNCATE = OptionSpec(short_value="sr", long_value=frozenset({"size", "reference"}))
_SHRED = OptionSpec(short_value="ns", long_value=frozenset({"iterations", "size", "random-source"}))
_PLAIN = OptionSpec()
_COPY = OptionSpec(
    short_value="tSmog",
    long_names=frozenset({"target-directory", "suffix", "mode", "owner", "group", "backup"}),
    long_value=frozenset({"target-directory", "suffix", "mode", "owner", "group"}),
)
_SED = OptionSpec(
    short_value="efl",
    short_attached="i",
    long_names=frozenset({"expression", "file", "line-length", "in-place", "separate"}),
    long_value=frozenset({"expression", "file", "line-length"}),
)
_PERL = OptionSpec(short_value="eE", short_attached="iIMmlx0")
_CURL = OptionSpec(short_value="o", long_value=frozenset({"output"}))
_WGET = OptionSpec(short_value="O", long_value=frozenset({"output-document"}))
_RSYNC = OptionSpec(short_value="e", long_value=frozenset({"rsh"}))
_TAR = OptionSpec(short_value="Cf", long_value=frozenset({"directory", "file"}))
_UNZIP = OptionSpec(short_value="d")


def _each(how: str, spec: OptionSpec, *, tree: bool = False, content: bool = True) -> Writer:
    def writes(command: SimpleCommand) -> Iterator[FileWrite]:
        for word in _operands(command, spec):
            yield FileWrite(word, how, tree, content)

    return writes


def _every_word(how: str) -> Writer:
    # chmod/chown/chattr: the mode or owner is an operand too, and ``chmod -x f`` looks like
    # an option; every non-option word is a candidate, and a mode names no guarded file.
    def writes(command: SimpleCommand) -> Iterator[FileWrite]:
        for word in command.args:
            if not word.value.startswith("-"):
                yield FileWrite(word, how, tree=True, content=False)

    return writes


def _copy_like(how: str, *, moves: bool) -> Writer:
    def writes(command: SimpleCommand) -> Iterator[FileWrite]:
        parsed = parse_options(command.args, _COPY)
        targets = parsed.values("-t", "--target-directory")
        operands = parsed.operands
        if parsed.has("-d", "--directory") and command.name == "install":
            for word in operands:
                yield FileWrite(word, how)
            return
        destinations = [Word(target, target) for target in targets]
        sources = operands
        if not destinations and operands:
            sources = operands[:-1]
            destinations = [operands[-1]]
        for destination in destinations:
            yield FileWrite(destination, how)
            # Into a directory, each source lands under its own name (``cp -r hooks .git/``).
            for source in sources:
                yield FileWrite(_inside(destination, source), how)
        if moves:
            for word in sources:
                yield FileWrite(word, how, tree=True, content=False)

    return writes


def _ln(command: SimpleCommand) -> Iterator[FileWrite]:
    parsed = parse_options(command.args, _COPY)
    for target in parsed.values("-t", "--target-directory"):
        yield FileWrite(Word(target, target), "ln", content=False)
    if not parsed.has("-t", "--target-directory") and len(parsed.operands) >= 2:
        yield FileWrite(parsed.operands[-1], "ln", content=False)


def _sed(command: SimpleCommand) -> Iterator[FileWrite]:
    parsed = parse_options(command.args, _SED)
    if not parsed.has("-i", "--in-place"):
        return
    operands = parsed.operands
    if not parsed.has("-e", "-f", "--expression", "--file"):
        operands = operands[1:]  # the first operand is the script
    for word in operands:
        yield FileWrite(word, "sed -i")


def _perl(command: SimpleCommand) -> Iterator[FileWrite]:
    parsed = parse_options(command.args, _PERL)
    if not parsed.has("-i"):
        return
    operands = parsed.operands if parsed.has("-e", "-E") else parsed.operands[1:]
    for word in operands:
        yield FileWrite(word, "perl -i")


def _dd(command: SimpleCommand) -> Iterator[FileWrite]:
    for word in command.args:
        if word.value.startswith("of="):
            yield FileWrite(_word_after(word, "of="), "dd of=")


def _option_values(how: str, spec: OptionSpec, names: tuple[str, ...]) -> Writer:
    def writes(command: SimpleCommand) -> Iterator[FileWrite]:
        for value in parse_options(command.args, spec).values(*names):
            yield FileWrite(Word(value, value), how)

    return writes


def _rsync(command: SimpleCommand) -> Iterator[FileWrite]:
    operands = parse_options(command.args, _RSYNC).operands
    if len(operands) >= 2:
        yield FileWrite(operands[-1], "rsync", tree=True)


def _tar(command: SimpleCommand) -> Iterator[FileWrite]:
    words = command.args
    parsed = parse_options(words, _TAR)
    first = words[0].value if words else ""
    # ``tar xf a.tar`` takes its first word as clustered options without a dash.
    extracting = parsed.has("-x", "--extract", "--get") or (
        not first.startswith("-") and "x" in first
    )
    if extracting:
        for value in parsed.values("-C", "--directory"):
            yield FileWrite(Word(value, value), "tar -x -C", tree=True)


def _find(command: SimpleCommand) -> Iterator[FileWrite]:
    found = parse_find(command)
    if found is not None and found.deletes:
        # With a test such as ``-name '*.lock'`` find deletes a selection, not the tree.
        for word in found.starts:
            yield FileWrite(word, "find -delete", tree=not found.narrowed, content=False)


_WRITERS: dict[str, Writer] = {
    "tee": _each("tee", _TEE),
    "touch": _each("touch", _TOUCH, content=False),
    "truncate": _each("truncate", _TRUNCATE),
    "rm": _each("rm", _PLAIN, tree=True, content=False),
    "unlink": _each("unlink", _PLAIN, tree=True, content=False),
    "rmdir": _each("rmdir", _PLAIN, tree=True, content=False),
    "shred": _each("shred", _SHRED, tree=True),
    "chmod": _every_word("chmod"),
    "chown": _every_word("chown"),
    "chgrp": _every_word("chgrp"),
    "chattr": _every_word("chattr"),
    "setfacl": _every_word("setfacl"),
    "cp": _copy_like("cp", moves=False),
    "install": _copy_like("install", moves=False),
    "mv": _copy_like("mv", moves=True),
    "ln": _ln,
    "sed": _sed,
    "gsed": _sed,
    "perl": _perl,
    "dd": _dd,
    "curl": _option_values("curl -o", _CURL, ("-o", "--output")),
    "wget": _option_values("wget -O", _WGET, ("-O", "--output-document")),
    "unzip": _option_values("unzip -d", _UNZIP, ("-d",)),
    "rsync": _rsync,
    "tar": _tar,
    "find": _find,
}


def file_writes(command: SimpleCommand) -> Iterator[FileWrite]:
    """Every file ``command`` would change, through redirects or its own arguments."""
    yield from _redirect_writes(command)
    writer = _WRITERS.get(command.name)
    if writer is not None:
        yield from writer(command)
