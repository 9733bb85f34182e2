"""``disk.device-write``: raw writes to a block device.

Caught: ``dd of=/dev/<device>``; a redirect, ``tee`` or ``cp`` onto a device
(``cat img > /dev/sda``); ``mkfs``/``mkfs.*``/``mke2fs``/``mkswap`` and friends, ``wipefs``
with ``-a``/``-o``, ``shred``, ``blkdiscard``, ``badblocks -w``, ``ddrescue``,
``cryptsetup luksFormat|erase``, ``nvme format|sanitize``, ``hdparm --security-erase``,
partition-table edits with ``sgdisk`` (``--zap-all``, ``-o``, ``-n``...), ``sfdisk``,
``fdisk`` and ``parted`` (``mklabel``, ``rm``, ``mkpart``...) of a device. Listing and dry
runs (``fdisk -l``, ``sgdisk -p``, ``wipefs`` without ``-a``, ``parted print``) are not.

A device is any path under ``/dev/`` except the character devices and pseudo-files that are
safe to write (``/dev/null``, ``/dev/stdout``, ``/dev/tty``, ``/dev/shm/...``,
``/dev/tcp/...``), so LVM volumes (``/dev/vg0/root``) and ``/dev/disk/by-id/...`` count.
Making a file system in an image file (``mkfs.ext4 ./disk.img``) is not a device write.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.cli_options import OptionSpec, names, parse_options
from agentgov.evaluators.rules.file_writes import file_writes
from agentgov.evaluators.rules.path_words import resolve
from agentgov.evaluators.shell.model import Analysis, SimpleCommand, Word
from agentgov.policy.model import ActionClass

_SAFE_DEVICES = names("null zero full random urandom stdin stdout stderr tty console ptmx log kmsg")
_SAFE_PREFIXES = ("tty", "pts/", "fd/", "shm/", "mqueue/", "hugepages/", "tcp/", "udp/")
_MAKE_FS = re.compile(
    r"mkfs(?:\..+)?|mke2fs|mkswap|mkdosfs|mkntfs|mkexfatfs|mkudffs|mkreiserfs|mkbtrfs|mkfs_.+"
)
_WIPEFS = OptionSpec(
    short_value="otpb",
    long_names=names(
        "all backup force noheadings json lock no-act offset output parsable types quiet"
    ),
    long_value=frozenset({"offset", "output", "types"}),
)
_SGDISK_READS = names(
    "-p --print -i --info -v --verify -L --list-types -b --backup -O --print-mbr -V "
    "--version -? --help -D --display-alignment -E --end-of-largest -f "
    "--first-in-largest -F --first-aligned-in-largest -a --set-alignment"
)
_SFDISK_READS = names(
    "-l --list -d --dump -s --show-size -V --verify -J --json -F --list-free -g "
    "--show-geometry -x --list-types -T --list-types -h --help -v --version -n "
    "--no-act"
)
_PARTED_WRITES = names(
    "mklabel mktable mkpart mkpartfs rm resizepart resize move cp mkfs rescue set "
    "toggle disk_set disk_toggle name"
)
REMEDIATION = (
    "work on an image file instead (dd if=... of=./disk.img, mkfs.ext4 ./disk.img), "
    "or ask the user to run disk operations on real devices themselves"
)


def device(path: str | None) -> bool:
    """True when ``path`` (absolute) names a device that writing would damage."""
    if path is None or not path.startswith("/dev/") or len(path) <= len("/dev/"):
        return False
    name = path.removeprefix("/dev/")
    return name not in _SAFE_DEVICES and not name.startswith(_SAFE_PREFIXES)


def _devices(command: SimpleCommand, home: str) -> list[str]:
    """Every device named by any argument (operand or option value) of ``command``."""
    found: list[str] = []
    for word in command.args:
        text = word.value.partition("=")[2] if word.value.startswith("-") else word.value
        path = resolve(Word(text, word.raw, word.static, word.glob), command.cwd, home)
        if path is not None and device(path):
            found.append(path)
    return found


def _option_names(command: SimpleCommand) -> set[str]:
    names: set[str] = set()
    for word in command.args:
        text = word.value
        if text.startswith("--"):
            names.add(text.partition("=")[0])
        elif text.startswith("-") and len(text) > 1:
            names.add(text[:2])
    return names


def _wipefs(command: SimpleCommand) -> bool:
    parsed = parse_options(command.args, _WIPEFS)
    return parsed.has("-a", "--all", "-o", "--offset") and not parsed.has("-n", "--no-act")


def _sgdisk(command: SimpleCommand) -> bool:
    names = _option_names(command)
    return not names & {"-P", "--pretend"} and bool(names - _SGDISK_READS)


def _sfdisk(command: SimpleCommand) -> bool:
    return not _option_names(command) & _SFDISK_READS


def _fdisk(command: SimpleCommand) -> bool:
    return not _option_names(command) & {"-l", "--list", "-x", "--list-details", "-s"}


def _parted(command: SimpleCommand) -> bool:
    return any(word.value in _PARTED_WRITES for word in command.args)


def _subcommand(*actions: str) -> Callable[[SimpleCommand], bool]:
    return lambda command: any(word.value in actions for word in command.args)


def _options(*names: str) -> Callable[[SimpleCommand], bool]:
    return lambda command: bool(_option_names(command) & set(names))


def _always(command: SimpleCommand) -> bool:
    return True


# Tools that write a device named among their arguments, with the test that they write.
_DEVICE_TOOLS: dict[str, Callable[[SimpleCommand], bool]] = {
    "wipefs": _wipefs,
    "shred": _always,
    "blkdiscard": _always,
    "ddrescue": _always,
    "badblocks": _options("-w"),
    "sgdisk": _sgdisk,
    "sfdisk": _sfdisk,
    "fdisk": _fdisk,
    "gdisk": _fdisk,
    "parted": _parted,
    "cryptsetup": _subcommand("luksFormat", "erase", "luksErase", "reencrypt"),
    "nvme": _subcommand("format", "sanitize"),
    "hdparm": _options(
        "--security-erase",
        "--security-erase-enhanced",
        "--trim-sector-ranges",
        "--write-sector",
        "--make-bad-sector",
    ),
}


def _may_name_device(command: SimpleCommand, home: str) -> bool:
    """A cheap test before resolving any path: a device path starts with ``/dev/``, so its
    text has ``dev`` in a word, a redirect target, or the cwd or home it is resolved from
    (normalising only drops whole segments)."""
    if "dev" in f"{command.cwd}\n{home}":
        return True
    for word in command.args:
        if "dev" in word.value:
            return True
    return any(
        redirect.target is not None and "dev" in redirect.target.value
        for redirect in command.redirects
    )


def _device_writes(command: SimpleCommand, home: str) -> Iterator[tuple[str, str]]:
    """``(how, device)`` for each device the command writes."""
    if not _may_name_device(command, home):
        return
    for write in file_writes(command):
        if not write.content:
            continue  # rm, touch, chmod: the name changes, the device is not written
        path = resolve(write.word, command.cwd, home)
        if device(path):
            assert path is not None
            yield write.how, path
    test = _DEVICE_TOOLS.get(command.name)
    if test is None and _MAKE_FS.fullmatch(command.name):
        test = _always
    if test is not None and test(command):
        for path in _devices(command, home):
            yield command.name, path


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for command in analysis.commands:
        for how, path in _device_writes(command, ctx.home):
            yield RULE.hit(
                command.text,
                f"{how} writes to the block device {path}: the partitions and file systems "
                "on that disk would be destroyed",
                REMEDIATION,
            )
            break


RULE = Rule(
    id="disk.device-write",
    action_class=ActionClass.FORBIDDEN,
    summary="Raw writes to a block device: dd of=/dev/..., mkfs, wipefs, shred of a device.",
    example="dd if=/dev/zero of=/dev/sda bs=1M",
    evaluate=_evaluate,
)
