"""Read ``docker|podman|nerdctl pull``, ``run`` and ``create``: which image they fetch.

An untagged image or ``:latest`` is unpinned; any other tag is exact (a tag can still be
moved, so a ``locked`` policy wants the digest); ``@sha256:<digest>`` is locked. An image
built or tagged earlier in the same command (``docker build -t app . && docker run app``),
an image ID, a ``localhost`` registry and ``--pull never`` are local.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.cli_options import OptionSpec, parse_options
from agentgov.evaluators.rules.supply_chain.pin_forms import ANY, EXACT, LOCKED, Install, Requested

if TYPE_CHECKING:
    from agentgov.evaluators.shell.model import Analysis, SimpleCommand, Word

ENGINES = frozenset({"docker", "podman", "nerdctl"})
_GLOBAL = frozenset(
    {
        *("-H", "--host", "--config", "-c", "--context", "-l", "--log-level"),
        *("--tlscacert", "--tlscert", "--tlskey", "--connection", "--url", "--root"),
    }
)
_RUN = OptionSpec(
    short_value="acehlmpuvw",
    long_value=frozenset(
        {
            *("add-host", "annotation", "attach", "blkio-weight", "blkio-weight-device"),
            *("cap-add", "cap-drop", "cgroup-parent", "cgroupns", "cidfile", "cpu-period"),
            *("cpu-quota", "cpu-rt-period", "cpu-rt-runtime", "cpu-shares", "cpus"),
            *("cpuset-cpus", "cpuset-mems", "device", "device-cgroup-rule", "dns"),
            *("device-read-bps", "device-read-iops", "device-write-bps", "detach-keys"),
            *("device-write-iops", "dns-option", "dns-search", "domainname", "entrypoint"),
            *("env", "env-file", "expose", "gpus", "group-add", "health-cmd", "hostname"),
            *("health-interval", "health-retries", "health-start-period", "health-timeout"),
            *("health-start-interval", "ip", "ip6", "ipc", "isolation", "kernel-memory"),
            *("label", "label-file", "link", "link-local-ip", "log-driver", "log-opt"),
            *("mac-address", "memory", "memory-reservation", "memory-swap", "mount", "name"),
            *("memory-swappiness", "network", "network-alias", "oom-score-adj", "pid"),
            *("pids-limit", "platform", "publish", "pull", "restart", "runtime", "user"),
            *("security-opt", "shm-size", "stop-signal", "stop-timeout", "storage-opt"),
            *("sysctl", "tmpfs", "ulimit", "userns", "uts", "volume", "volume-driver"),
            *("volumes-from", "workdir", "arch", "os", "variant", "pod", "secret"),
            *("systemd", "authfile", "creds", "cert-dir", "decryption-key", "retry"),
        }
    ),
)
_PULL = OptionSpec(
    long_value=frozenset({"platform", "authfile", "creds", "cert-dir", "arch", "os", "retry"})
)
_BUILD = OptionSpec(short_value="tf", long_value=frozenset({"tag", "file"}))
_IMAGE_ID = re.compile(r"(?:sha256:)?[0-9a-f]{12,64}")
LOOKUP = "find the digest with docker buildx imagetools inspect IMAGE:TAG"


def _split_image(image: str) -> tuple[str, str, str]:
    """``registry/repo:tag@sha256:x`` -> (``registry/repo``, ``tag``, ``sha256:x``)."""
    rest, _, digest = image.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        return rest[:colon], rest[colon + 1 :], digest
    return rest, "", digest


def _normal(image: str) -> tuple[str, str]:
    repo, tag, _ = _split_image(image)
    repo = repo.removeprefix("docker.io/").removeprefix("library/")
    return repo, tag or "latest"


def _local_images(analysis: Analysis, before: int) -> set[tuple[str, str]]:
    """Images built (``build -t``) or tagged (``tag SRC NAME``) before command ``before``."""
    names: set[tuple[str, str]] = set()
    for command in analysis.commands[:before]:
        if command.name not in ENGINES:
            continue
        words = command.args
        start = _subcommand(words)
        if start is None:
            continue
        verb = words[start].value
        rest = words[start + 1 :]
        if verb in ("image", "buildx", "builder") and rest:
            verb, rest = rest[0].value, rest[1:]
        if verb == "build":
            names.update(_normal(tag) for tag in parse_options(rest, _BUILD).values("-t", "--tag"))
        elif verb == "tag":
            operands = parse_options(rest, OptionSpec()).operands
            if len(operands) == 2:
                names.add(_normal(operands[1].value))
    return names


def _subcommand(words: tuple[Word, ...]) -> int | None:
    index = 0
    while index < len(words):
        text = words[index].value
        if not text.startswith("-"):
            return index
        index += 2 if text in _GLOBAL else 1
    return None


def _is_local(image: str, pull: tuple[str, ...], analysis: Analysis, index: int) -> bool:
    """A digest, an image ID, a localhost registry, ``--pull never`` or an image built or
    tagged earlier in the same command: nothing mutable is fetched."""
    repo, _, digest = _split_image(image)
    return bool(
        digest
        or _IMAGE_ID.fullmatch(image)
        or pull == ("never",)
        or repo.startswith(("localhost/", "localhost:", "127.0.0.1"))
        or _normal(image) in _local_images(analysis, index)
    )


def docker_install(command: SimpleCommand, analysis: Analysis) -> Install | None:
    """The image a pull, run or create fetches, or None."""
    if command.name not in ENGINES:
        return None
    words = command.args
    start = _subcommand(words)
    if start is None:
        return None
    verb = words[start].value
    rest = words[start + 1 :]
    if verb in ("image", "container") and rest:
        verb, rest = rest[0].value, rest[1:]
    if verb not in ("pull", "run", "create"):
        return None
    options = parse_options(rest, _PULL if verb == "pull" else _RUN, operand_ends=True)
    if not options.operands or not options.operands[0].static:
        return None
    text = options.operands[0].value
    repo, tag, _ = _split_image(text)
    pin = EXACT
    if _is_local(text, options.values("--pull"), analysis, command.index):
        pin = LOCKED
    elif options.has("-a", "--all-tags") or tag in ("", "latest"):
        pin = ANY
    form = f"{repo}:<tag>@sha256:<digest>"
    return Install(
        "docker",
        f"{command.name} {verb}",
        (Requested(repo, text, pin, form, form),),
        locked_how=f"{command.name} {verb} {form}",
        lookup=LOOKUP,
    )
