"""How tightly a package request is pinned, in words every ecosystem shares.

A pin is a ``Strictness``: the strictest policy level the request satisfies. ``ANY`` means
unpinned (a bare name, ``@latest``, an upgrade, a branch); ``CONSTRAINED`` a version range
(``>=2``, ``^1.2``, ``~> 3.0``); ``EXACT`` one version (``==2.32.3``, ``@1.2.3``, ``-v 1.2.3``,
a commit, a non-``latest`` image tag); ``LOCKED`` a hash or lockfile (``--hash``,
``--require-hashes``, ``npm ci``, an image digest) or something local (``.``, ``./dist/x.whl``,
``file:``), which the network cannot change. A request passes when its pin's rank reaches
the policy's strictness for its ecosystem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from agentgov.policy.model import Strictness

if TYPE_CHECKING:
    from agentgov.evaluators.shell.model import Word

ANY = Strictness.ANY
CONSTRAINED = Strictness.CONSTRAINED
EXACT = Strictness.EXACT
LOCKED = Strictness.LOCKED


@dataclass(frozen=True)
class Requested:
    """One package an install asks for.

    - ``name``: the package as a remediation names it (``requests``, ``left-pad``,
      ``python``).
    - ``spec``: the request as written (``requests>=2``, ``left-pad@latest``).
    - ``pin``: the strictest level the request satisfies.
    - ``exact_form`` / ``locked_form``: how to write it pinned exactly / with a lock
      (``requests==<version>`` / ``requests==<version> --hash=sha256:<digest>``).
    """

    name: str
    spec: str
    pin: Strictness
    exact_form: str
    locked_form: str


@dataclass(frozen=True)
class Install:
    """What one command installs, as the rule judges it.

    - ``ecosystem``: the policy key (``pip``, ``npm``, ``uv``, ``cargo``...).
    - ``tool``: the command as a remediation spells it (``pip install``, ``npx``).
    - ``requested``: the packages asked for.
    - ``problems``: what could not be checked (``cannot read FILE to check its pins``);
      each fails closed.
    - ``locked_how``: how this ecosystem installs from a lock, for a ``locked`` policy.
    - ``lookup``: how to find a version (``pip index versions NAME``).
    """

    ecosystem: str
    tool: str
    requested: tuple[Requested, ...] = ()
    problems: tuple[str, ...] = ()
    locked_how: str = ""
    lookup: str = ""


_HEX_COMMIT = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_HASH_FRAGMENT = re.compile(r"(?:^|&)(?:sha256|sha384|sha512|sha224|sha1|md5)=[0-9a-fA-F]+")
_VERSIONED_ARCHIVE = re.compile(
    r"-v?[0-9]+(?:\.[0-9]+)+[^/]*\.(?:whl|tar\.gz|tgz|zip|tar\.bz2|tar\.xz|gem|crate)$"
)
_VCS_PREFIX = re.compile(r"^(?:git|hg|svn|bzr)\+")


def is_commit(ref: str) -> bool:
    """True for a full commit id (40 or 64 hex digits): the only git ref that cannot move."""
    return bool(_HEX_COMMIT.fullmatch(ref.lower()))


def url_pin(url: str, *, ref_separator: str = "@") -> Strictness:
    """The pin of a URL requirement.

    A VCS URL (``git+https://host/x.git@REF``) is exact only at a full commit; a branch, a
    tag or no ref at all is unpinned. An archive URL is locked with a ``#sha256=`` fragment,
    exact when its file name carries a version or its path a commit, else unpinned.
    ``file:`` URLs are local.
    """
    if url.startswith("file:"):
        return LOCKED
    base, _, fragment = url.partition("#")
    if _HASH_FRAGMENT.search(fragment):
        return LOCKED
    if _VCS_PREFIX.match(base) or base.startswith("git:") or base.endswith(".git"):
        try:
            path = urlsplit(_VCS_PREFIX.sub("", base)).path
        except ValueError:
            return ANY
        ref = path.rpartition(ref_separator)[2] if ref_separator in path else ""
        if ref_separator == "#":
            ref = fragment
        return EXACT if is_commit(ref) else ANY
    try:
        path = urlsplit(base).path
    except ValueError:
        return ANY
    if _VERSIONED_ARCHIVE.search(path) or any(is_commit(part) for part in path.split("/")):
        return EXACT
    return ANY


_EXPANSION = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|`[^`]*`|\$[A-Za-z_][A-Za-z0-9_]*")


def spec_texts(words: tuple[Word, ...], placeholder: str = "0.0.0") -> tuple[str, ...]:
    """The package words of an install, as text to judge.

    A word that starts with an expansion (``$PKG``) names an unknown package: the verdict
    depends on it, which is the analyser's ``dynamic`` class, so it is left out here. In a
    word that only ends with one (``requests==$VERSION``) the expansion stands for a
    version (``placeholder``, an exact version in the ecosystem's spelling), and the pin
    the static text spells still counts.
    """
    texts: list[str] = []
    for word in words:
        if word.static:
            texts.append(word.value)
        elif not word.value.startswith(("$", "`")):
            texts.append(_EXPANSION.sub(placeholder, word.value))
    return tuple(text for text in texts if text)


def describe(pin: Strictness) -> str:
    """How a message names a pin that falls short."""
    return {
        ANY: "unpinned",
        CONSTRAINED: "only a version range",
        EXACT: "pinned but not locked by a hash or lockfile",
        LOCKED: "locked",
    }[pin]
