"""``agentgov init --ci github|gitlab``: write the CI gate into a repository.

What is written (docs/ci.md#ci-templates): the workflow from ``templates/github/`` or
``templates/gitlab/``, and beside it the pins it installs agentgov with: its runtime
dependencies by hash (the lock of requirements/runtime.txt), the build backend by hash
(for a git pin, built from source), and agentgov itself, pinned by hash or by git commit.

The pin is checked here and never guessed: pip's ``--require-hashes`` cannot verify a VCS
requirement, so a git pin must name a commit, and anything fetched by name alone carries a
hash. ``check_pin`` and ``pin_from_direct_url`` are pure; ``installed_pin`` reads how the
running agentgov was installed, and ``init_ci`` writes the files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from urllib.parse import urlsplit

from packaging.version import InvalidVersion, Version

from agentgov.errors import UsageError
from agentgov.git_layout import find_repo
from agentgov.resources import resource


class CiPlatform(str, Enum):
    github = "github"
    gitlab = "gitlab"


@dataclass(frozen=True)
class CiLayout:
    """Where a platform's gate lives in a repository, and which template it comes from."""

    workflow: str
    template: str
    pins: str


LAYOUTS = {
    CiPlatform.github: CiLayout(
        ".github/workflows/agentgov.yml", "agentgov.yml", ".github/agentgov"
    ),
    CiPlatform.gitlab: CiLayout(
        ".gitlab/agentgov.gitlab-ci.yml", "agentgov.gitlab-ci.yml", ".gitlab/agentgov"
    ),
}

PIN_TEMPLATES = ("requirements.txt", "build-requirements.txt")
"""The hash-locked pins, the same for every platform (kept in ``templates/github/``)."""
AGENTGOV_PIN_FILE = "agentgov.txt"
TEMPLATE_NOTES_REF = "refs/notes/agentgov"
TEMPLATE_BRANCH = "main"

PIN_FORMS = (
    "agentgov==X.Y.Z --hash=sha256:<64 hex>",
    "agentgov @ git+https://<host>/<repository>@<40-hex commit>",
    "agentgov @ https://<host>/<path>.whl --hash=sha256:<64 hex>",
)

_HASHES = r"(?: --hash=sha256:[0-9a-f]{64})+"
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
_PATH = r"/[A-Za-z0-9._~%+/-]*"
_INDEX = re.compile(rf"agentgov==(?P<version>[0-9A-Za-z.+!-]+){_HASHES}")
_GIT = re.compile(
    rf"agentgov @ git\+https://{_HOST}{_PATH}@[0-9a-f]{{40}}(?:#subdirectory=[A-Za-z0-9._/-]+)?"
)
_ARCHIVE = re.compile(rf"agentgov @ https://{_HOST}{_PATH}\.(?:whl|tar\.gz|zip){_HASHES}")
_NAME = re.compile(r"agentgov(?=[\s=@<>!~;\[]|$)", re.IGNORECASE)
_USERINFO = re.compile(r"//[^/@\s]*@")
_NAME_AT = re.compile(r"^agentgov\s*@\s*")


def ci_platform(name: str) -> CiPlatform:
    """The platform ``--ci`` names; a usage error naming the choices otherwise."""
    try:
        return CiPlatform(name)
    except ValueError:
        choices = " or ".join(platform.value for platform in CiPlatform)
        raise UsageError(f"--ci {name}: give {choices}") from None


def check_pin(spec: str, given_as: str = "--agentgov-pin") -> str:
    """``spec`` as written to the pin file, when it pins agentgov to one verifiable build:
    an exact version with its hash, a git commit, or an https archive with its hash.

    Anything else is a usage error saying what is missing."""
    text = " ".join(spec.split())
    if _NAME.match(text):
        text = "agentgov" + text[len("agentgov") :]
        text = _NAME_AT.sub("agentgov @ ", text, count=1)
    index = _INDEX.fullmatch(text)
    if (index and _exact(index["version"])) or _GIT.fullmatch(text) or _ARCHIVE.fullmatch(text):
        return text
    shown = _USERINFO.sub("//***@", spec)  # a token in the URL is never printed
    raise UsageError(
        f"{given_as} {shown!r}: {_pin_problem(text)}. Give --agentgov-pin one of: "
        + "; ".join(PIN_FORMS)
    )


def _exact(version: str) -> bool:
    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def _pin_problem(text: str) -> str:
    """Why ``text`` (whitespace collapsed) is not a pin ``check_pin`` takes."""
    if not text:
        return "it is empty"
    if "\n" in text or "$" in text or not text.isprintable():
        return "it must be one printable line without environment variables"
    if not _NAME.match(text):
        return "it must name agentgov"
    rest = text[len("agentgov") :]
    if rest.startswith("=="):
        version = rest[2:].split(" ", 1)[0]
        if not _exact(version):
            return f"{version!r} is not an exact version"
        if "--hash=" not in rest:
            return "a version alone is fetched by name: add --hash=sha256:<64 hex> of its file"
        return "each hash must be --hash=sha256:<64 lowercase hex>, and nothing else may follow"
    if not rest.startswith(" @ "):
        return "pin one build (==X.Y.Z with its hash, or @ a URL): a range or a bare name can move"
    url = rest[3:].split(" ", 1)[0]
    if url.startswith("git+") and not url.startswith("git+https://"):
        return "a git pin must be fetched over https"
    if not url.startswith(("git+", "https://")):
        return "the URL must be https"
    if "@" in urlsplit(url.removeprefix("git+")).netloc:
        return "the URL must carry no credentials (the pin is committed)"
    if url.startswith("git+"):
        tail = url.split("#", 1)[0].split("?", 1)[0].rsplit("@", 1)
        if len(tail) < 2 or re.fullmatch(r"[0-9a-f]{40}", tail[1]) is None:
            return "a git pin must end in @<40-hex commit>: a branch or a tag can move"
        return "the URL has characters a pin does not need (only #subdirectory= may follow)"
    if "--hash=" not in rest:
        return "an archive URL is fetched by name: add --hash=sha256:<64 hex> of the file"
    return "an archive URL must end in .whl, .tar.gz or .zip, followed by its sha256 hashes"


def pin_from_direct_url(direct_url: Mapping[str, object] | None, version: str) -> str:
    """The pin of the agentgov described by its ``direct_url.json`` (``None``: there is
    none, it came from a package index), or a usage error saying to pass one."""
    fix = "pass --agentgov-pin with one of: " + "; ".join(PIN_FORMS)
    if direct_url is None:
        raise _refusal(
            f"agentgov {version} came from a package index, which records no hash of its file; "
            f"pass --agentgov-pin 'agentgov=={version} --hash=sha256:<the hash of its wheel>'"
        )
    url = direct_url.get("url")
    if not isinstance(url, str) or not url:
        raise _refusal(f"its direct_url.json names no URL; {fix}")
    vcs = direct_url.get("vcs_info")
    archive = direct_url.get("archive_info")
    if isinstance(vcs, Mapping):
        commit = vcs.get("commit_id")
        if vcs.get("vcs") != "git" or not isinstance(commit, str):
            raise _refusal(f"it came from {vcs.get('vcs')!r} at {url}, not a git commit; {fix}")
        spec = f"agentgov @ git+{url}@{commit}"
        subdirectory = direct_url.get("subdirectory")
        if isinstance(subdirectory, str) and subdirectory:
            spec += f"#subdirectory={subdirectory}"
    elif isinstance(archive, Mapping):
        digest = _sha256(archive)
        if digest is None:
            raise _refusal(f"the archive {url} was installed without a sha256 hash; {fix}")
        spec = f"agentgov @ {url} --hash=sha256:{digest}"
    else:
        raise _refusal(
            f"it was installed from the local directory {url}, which CI cannot fetch; {fix}"
        )
    return check_pin(spec, "the pin derived from how agentgov was installed")


def _sha256(archive: Mapping[str, object]) -> str | None:
    hashes = archive.get("hashes")
    if isinstance(hashes, Mapping) and isinstance(hashes.get("sha256"), str):
        return str(hashes["sha256"])
    legacy = archive.get("hash")
    if isinstance(legacy, str) and legacy.startswith("sha256="):
        return legacy.removeprefix("sha256=")
    return None


def _refusal(why: str) -> UsageError:
    return UsageError(f"cannot pin agentgov from how it was installed: {why}")


def installed_pin() -> str:
    """The pin of the running agentgov, from its distribution's ``direct_url.json``."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("agentgov")
    except PackageNotFoundError:
        raise _refusal("no agentgov distribution is installed; pass --agentgov-pin") from None
    text = dist.read_text("direct_url.json")
    if text is None:
        return pin_from_direct_url(None, dist.version)
    try:
        data = json.loads(text)
    except ValueError:
        raise _refusal("its direct_url.json is not JSON; pass --agentgov-pin") from None
    if not isinstance(data, dict):
        raise _refusal("its direct_url.json is not an object; pass --agentgov-pin")
    return pin_from_direct_url(data, dist.version)


def resolve_pin(given: str | None) -> tuple[str, str]:
    """The pin to write and where it came from: ``given`` checked, else derived."""
    if given is not None:
        return check_pin(given), "--agentgov-pin"
    return installed_pin(), "how this agentgov was installed"


def pin_file_text(pin: str) -> str:
    return (
        "# agentgov itself, installed by the CI gate with --no-deps after requirements.txt\n"
        "# (docs/ci.md#ci-templates). Change it with agentgov init --ci ... --force\n"
        "# --agentgov-pin SPEC, together with the two files beside it.\n"
        f"{pin}\n"
    )


@dataclass(frozen=True)
class ScaffoldedCi:
    root: Path
    platform: CiPlatform
    written: tuple[Path, ...]
    pin: str


def ci_files(platform: CiPlatform, pin: str) -> dict[str, bytes]:
    """Every file of the gate, by repository-relative path, as it is written."""
    layout = LAYOUTS[platform]
    files = {layout.workflow: resource("templates", platform.value, layout.template).read_bytes()}
    for name in PIN_TEMPLATES:
        files[f"{layout.pins}/{name}"] = resource("templates", "github", name).read_bytes()
    files[f"{layout.pins}/{AGENTGOV_PIN_FILE}"] = pin_file_text(pin).encode("utf-8")
    return files


def init_ci(start: Path, platform: CiPlatform, pin: str, *, force: bool) -> ScaffoldedCi:
    """Write the gate of ``platform`` with agentgov pinned to ``pin`` (checked by the
    caller: ``resolve_pin``) into the repository at ``start``.

    Refuses to overwrite any of its files unless ``force``."""
    layout = find_repo(start)
    if layout is None:
        raise UsageError("not inside a git repository: the CI gate is written into one")
    files = ci_files(platform, pin)
    present = [name for name in files if (layout.root / name).exists()]
    if present and not force:
        raise UsageError(
            f"{', '.join(present)} already {'exists' if len(present) == 1 else 'exist'}; "
            "pass --force to overwrite (your edits would be lost: commit them first)"
        )
    written = []
    for name, content in files.items():
        path = layout.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return ScaffoldedCi(layout.root, platform, tuple(written), pin)


def template_mismatches(protected_branches: tuple[str, ...], notes_ref: str) -> tuple[str, ...]:
    """What the workflow assumes that the policy says otherwise (the templates gate ``main``
    and fetch ``refs/notes/agentgov``)."""
    problems = []
    if TEMPLATE_BRANCH not in protected_branches:
        named = ", ".join(protected_branches) or "none"
        problems.append(
            f"the workflow runs on pushes to {TEMPLATE_BRANCH}, but the policy's protected "
            f"branches are {named}: change the branch in the workflow"
        )
    if notes_ref != TEMPLATE_NOTES_REF:
        problems.append(
            f"the workflow fetches {TEMPLATE_NOTES_REF}, but the policy's audit.notes_ref is "
            f"{notes_ref}: change it in the workflow"
        )
    return tuple(problems)


def policy_mismatches(root: Path) -> tuple[str, ...]:
    """``template_mismatches`` against the policy in force at ``root`` (none when it does
    not load: that is ``agentgov validate``'s to report)."""
    from agentgov.errors import PolicyError
    from agentgov.policy.in_force import policy_in_force

    try:
        policy = policy_in_force(root).policy
    except PolicyError:
        return ()
    return template_mismatches(policy.protected_branches, policy.audit.notes_ref)


def init_ci_text(done: ScaffoldedCi, pin_source: str) -> str:
    """What ``agentgov init --ci`` prints: the files, the pin, what to do next."""
    lines = [f"wrote {path.relative_to(done.root)}" for path in done.written]
    lines.append(f"agentgov pinned to: {done.pin} (from {pin_source})")
    lines.extend(f"note: {problem}" for problem in policy_mismatches(done.root))
    if done.platform is CiPlatform.github:
        lines.append(
            'Next: commit them, then make the "agentgov check" job a required status check '
            "of the protected branch (docs/ci.md#ci-templates)."
        )
    else:
        workflow = LAYOUTS[CiPlatform.gitlab].workflow
        lines.extend(
            [
                "Next: include it from .gitlab-ci.yml:",
                "  include:",
                f"    - local: {workflow}",
                "then add AGENTGOV_PUSH_TOKEN (a project access token with write_repository) as "
                "a masked, protected CI/CD variable, commit, and require the pipeline to "
                "succeed before merging (docs/ci.md#ci-templates).",
            ]
        )
    return "\n".join(lines)
