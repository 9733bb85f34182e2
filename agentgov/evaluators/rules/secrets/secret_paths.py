"""Which paths hold credentials: the knowledge both secrets rules and the Claude Code adapter
share.

A path is secret when it names key or credential material: anything under ``~/.ssh`` but
public keys and host lists, ``~/.aws``, the kube, docker, gh, gcloud and azure credential
files, ``.netrc``, ``.git-credentials``, ``~/.npmrc``, ``~/.pypirc``, ``.env`` files (not
their ``.example``/``.sample``/``.template`` siblings), private keys by name (``id_rsa*``,
``*.pem``, ``*.key``, ``*.p12``) and the system's ``/etc/shadow`` and ssh host keys. Home
paths match in any home directory (``/root``, ``/home/<user>``, ``/Users/<user>``), since
``sudo cat /root/.aws/credentials`` leaks as much as the agent's own.

Globs are judged by whether they could match such a path, the way the shell expands them:
``*`` does not match a leading dot, so ``cat ~/*`` reads no dotfile while ``cat ~/.ssh/*``
reads every key.
"""

from __future__ import annotations

import posixpath
import re
from fnmatch import fnmatchcase
from functools import lru_cache

# Paths relative to a home directory.
_HOME_FILES = frozenset(
    {
        ".aws/credentials",
        ".aws/config",
        ".kube/config",
        ".docker/config.json",
        ".config/gh/hosts.yml",
        ".config/hub",
        ".config/gcloud/credentials.db",
        ".config/gcloud/access_tokens.db",
        ".config/gcloud/application_default_credentials.json",
        ".azure/accessTokens.json",
        ".azure/msal_token_cache.json",
        ".npmrc",
        ".pypirc",
        ".git-credentials",
        ".netrc",
        ".pgpass",
        ".gnupg/secring.gpg",
    }
)
# Directories under a home directory whose whole content is credential material.
_HOME_DIRS = (".ssh", ".aws", ".gnupg/private-keys-v1.d")
# Public halves and host lists in ~/.ssh: reading them leaks nothing.
_SSH_PUBLIC = re.compile(r"(?:.*\.pub|known_hosts.*|authorized_keys.*)")
# Basenames that are credentials wherever they sit.
_SECRET_NAMES = frozenset({".netrc", "_netrc", ".git-credentials", ".pgpass", ".env"})
_PRIVATE_KEY_NAME = re.compile(r"id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?(?:[._-].*)?")
_SECRET_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".env")
_TEMPLATE_SUFFIXES = (
    ".example",
    ".sample",
    ".template",
    ".tmpl",
    ".tpl",
    ".dist",
    ".defaults",
)
_TEMPLATE_NAMES = frozenset({"example.env", "sample.env", "template.env", "default.env"})
_SYSTEM_FILES = frozenset({"/etc/shadow", "/etc/gshadow", "/etc/master.passwd"})
_SSH_HOST_KEY = re.compile(r"/etc/ssh/ssh_host_[a-z0-9]+_key")
_HOME_PARENTS = re.compile(r"^(?:/root|/home/[^/]+|/Users/[^/]+)$")
# Names a glob is tried against: the specific credential names above, so that ``c*`` in
# ``~/.aws`` matches ``credentials`` while ``s*`` in a project matches nothing.
_CANDIDATE_NAMES = (
    ".env",
    ".env.local",
    ".env.production",
    ".netrc",
    "_netrc",
    ".git-credentials",
    ".pgpass",
    ".npmrc",
    ".pypirc",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "credentials",
    "config",
    "config.json",
    "hosts.yml",
)
_WILDCARD = re.compile(r"\*+|\?|\[[^\]]*\]")
# Text that every secret path above holds somewhere: in a name (``.env``, ``id_rsa``,
# ``x.pem``, ``.netrc``), a directory (``.ssh``, ``.aws``, ``.config``...) or a system file
# (``/etc/shadow``). Normalising a path only drops whole segments, so a path whose text,
# home and project root hold none of these is not secret, whatever ``..`` it takes: most
# paths a command names are turned away by this one search.
_SECRET_TEXT = re.compile(
    r"\.env|id_|\.pem|\.key|\.p12|\.pfx|netrc|credentials|pgpass|shadow|passwd|ssh|"
    r"\.aws|\.kube|\.docker|\.config|\.azure|\.npmrc|\.pypirc|\.gnupg"
)


def may_hold_secret_text(text: str) -> bool:
    """False when no path built from ``text`` (joined, normalised) can be secret by itself."""
    return _SECRET_TEXT.search(text) is not None


find_secret_text = _SECRET_TEXT.search
"""``may_hold_secret_text`` as the pattern's own search (a match or None), for hot loops."""


@lru_cache(maxsize=64)
def _base_may_hold_secrets(home: str, project_root: str | None) -> bool:
    return _SECRET_TEXT.search(f"{home}\n{project_root or ''}") is not None


def _absolute(path: str, home: str, project_root: str | None) -> str:
    for prefix in ("${HOME}", "$HOME", "~"):
        if path == prefix or path.startswith(prefix + "/"):
            path = home + path[len(prefix) :]
            break
    if not path.startswith("/") and project_root is not None:
        path = posixpath.join(project_root, path)
    folded = posixpath.normpath(path) if path else path
    return "/" + folded.lstrip("/") if folded.startswith("/") else folded


def _home_relative(path: str, home: str) -> str | None:
    """The part of ``path`` below the user's or any other home directory, or None."""
    own = home.rstrip("/") + "/"
    if path.startswith(own):
        return path[len(own) :]
    parts = path.split("/")
    for cut in (2, 3):  # /root/x, /home/<user>/x, /Users/<user>/x
        if _HOME_PARENTS.match("/".join(parts[:cut])) and len(parts) > cut:
            return "/".join(parts[cut:])
    return None


def _secret_name(name: str) -> bool:
    if name in _TEMPLATE_NAMES or name.endswith(_TEMPLATE_SUFFIXES):
        return False
    if name in _SECRET_NAMES or name.startswith(".env."):
        return True
    if _PRIVATE_KEY_NAME.fullmatch(name):
        return not name.endswith(".pub")
    return name.endswith(_SECRET_SUFFIXES) and len(name) > 4


def _secret_in_home(relative: str) -> bool:
    if relative in _HOME_FILES:
        return True
    for directory in _HOME_DIRS:
        if relative == directory:
            return True
        if relative.startswith(directory + "/"):
            name = relative.rsplit("/", 1)[-1]
            return directory != ".ssh" or not _SSH_PUBLIC.fullmatch(name)
    return False


def is_secret_path(path: str, home: str, project_root: str | None) -> bool:
    """True when ``path`` names key or credential material (or a directory of it).

    ``path`` may be absolute, start with ``~`` or ``$HOME``, or be relative: a relative
    path is taken from ``project_root`` when given, else judged by its name alone.
    """
    if _SECRET_TEXT.search(path) is None and not _base_may_hold_secrets(home, project_root):
        return False
    absolute = _absolute(path, home, project_root)
    if absolute in _SYSTEM_FILES or _SSH_HOST_KEY.fullmatch(absolute):
        return True
    name = absolute.rsplit("/", 1)[-1]
    if _secret_name(name):
        return True
    relative = _home_relative(absolute, home) if absolute.startswith("/") else None
    if relative is not None and _secret_in_home(relative):
        return True
    # A relative path without a root: "x/.ssh/id_rsa" or ".aws/credentials" still says
    # enough about itself.
    return relative is None and not absolute.startswith("/") and _secret_in_home(absolute)


def holds_secrets(path: str, home: str, project_root: str | None) -> bool:
    """True when sending ``path`` recursively would send credentials: a secret path, a
    directory of them, or the home directory or one of its ancestors."""
    if is_secret_path(path, home, project_root):
        return True
    absolute = _absolute(path, home, project_root)
    base = home.rstrip("/") or "/"
    return absolute.startswith("/") and (
        absolute in ("/", base) or base.startswith(absolute.rstrip("/") + "/")
    )


def _component_match(name: str, pattern: str) -> bool:
    if name.startswith(".") and not pattern.startswith("."):
        return False
    return fnmatchcase(name, pattern)


def _has_wildcard(text: str) -> bool:
    return _WILDCARD.search(text) is not None


def glob_may_match_secret(pattern: str, home: str, project_root: str | None) -> bool:
    """True when the shell glob ``pattern`` could expand to a secret path.

    Wildcards are tried as an empty and as a plain filler (``*.pem`` -> ``x.pem``), the
    last component against the credential file names (``~/.aws/cr*`` -> ``credentials``),
    and the whole pattern against the home credential files (``~/.*/credentials``).
    """
    absolute = _absolute(pattern, home, project_root)
    for filler in ("", "x"):
        if is_secret_path(_WILDCARD.sub(filler, absolute), home, project_root):
            return True
    directory, _, last = absolute.rpartition("/")
    concrete_directory = _WILDCARD.sub("x", directory)
    # A last component with next to no literal text (``*``, ``i*``) would match a key name
    # in any directory; only a secret directory (tried above) makes it secret.
    literal = len(_WILDCARD.sub("", last)) >= 2
    for candidate in _CANDIDATE_NAMES if literal else ():
        if _component_match(candidate, last) and is_secret_path(
            f"{concrete_directory}/{candidate}", home, project_root
        ):
            return True
    pattern_parts = absolute.split("/")
    for relative in (*_HOME_FILES, *_HOME_DIRS):
        parts = f"{home.rstrip('/')}/{relative}".split("/")
        if len(parts) == len(pattern_parts) and all(
            _component_match(part, wanted) if _has_wildcard(wanted) else part == wanted
            for part, wanted in zip(parts, pattern_parts, strict=True)
        ):
            return True
    return False
