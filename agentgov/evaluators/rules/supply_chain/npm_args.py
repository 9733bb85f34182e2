"""Read a JavaScript install: npm, npx, yarn, pnpm, bun and bunx.

``npm install left-pad`` asks for the ``latest`` tag: unpinned. ``left-pad@^1.3`` is a range,
``left-pad@1.3.0`` exact, ``user/repo#<commit>`` exact, ``./local`` and ``file:`` local.
``npm install``, ``yarn``, ``pnpm install`` and ``bun install`` without packages install
what the lockfile says (exact; ``npm ci`` and ``--frozen-lockfile``/``--immutable`` are
locked). ``npx eslint`` runs the project's own ``eslint`` when ``package.json`` lists it
or ``node_modules/.bin/eslint`` exists; otherwise it downloads the newest one.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.cli_options import OptionSpec, ParsedOptions, parse_options
from agentgov.evaluators.rules.supply_chain.pin_forms import (
    ANY,
    CONSTRAINED,
    EXACT,
    LOCKED,
    Install,
    Requested,
    is_commit,
    spec_texts,
    url_pin,
)
from agentgov.evaluators.rules.supply_chain.pip_args import subcommand

if TYPE_CHECKING:
    from agentgov.evaluators.rules.base import ShellContext
    from agentgov.evaluators.shell.model import SimpleCommand, Word

_EXACT_VERSION = re.compile(r"=?v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")
_TAG = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")
_GIT_HOSTS = ("github:", "gitlab:", "bitbucket:", "gist:", "git+", "git:")
_SHORTHAND = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+(?:#.*)?")
_LOCAL_PREFIXES = ("./", "../", "/", "~/", "file:", "link:", "workspace:", "portal:")
LOOKUP = "take <version> from your lockfile, or list them with npm view NAME versions"


def _split(spec: str) -> tuple[str, str]:
    """``@scope/name@range`` -> (``@scope/name``, ``range``)."""
    at = spec.find("@", 1)
    return (spec, "") if at < 0 else (spec[:at], spec[at + 1 :])


def version_pin(version: str) -> tuple[str, bool]:
    """The pin of an npm version or range: (``any``/``constrained``/``exact``, is a tag)."""
    text = version.strip()
    if text in ("", "*", "x", "X", "latest"):
        return "any", text == "latest"
    if _EXACT_VERSION.fullmatch(text):
        return "exact", False
    if _TAG.fullmatch(text) and not re.match(r"v?\d", text) and text not in ("x", "X"):
        return "any", True
    return "constrained", False


def judge_npm_spec(spec: str) -> Requested:
    """The pin of one package argument of npm, yarn, pnpm, bun or npx."""
    text = spec.strip()
    if text.startswith(_LOCAL_PREFIXES) or (
        text.endswith((".tgz", ".tar.gz")) and "://" not in text
    ):
        return Requested(text, spec, LOCKED, text, text)
    name, version = _split(text)
    if version.startswith("npm:"):  # alias@npm:real@range
        inner = judge_npm_spec(version[4:])
        return Requested(name, spec, inner.pin, f"{name}@npm:{inner.exact_form}", inner.locked_form)
    target = version or ""
    if text.startswith(_GIT_HOSTS) or "://" in text or (not version and _SHORTHAND.fullmatch(text)):
        return _git_or_url(text, spec)
    if "://" in target or target.startswith(_GIT_HOSTS):
        return _git_or_url(target, spec, name)
    pin = {"any": ANY, "constrained": CONSTRAINED, "exact": EXACT}[version_pin(version)[0]]
    return Requested(name, spec, pin, f"{name}@<version>", f"{name}@<version>")


def _git_or_url(url: str, spec: str, name: str = "") -> Requested:
    base, _, ref = url.partition("#")
    if "://" in base and not base.startswith("git") and not base.endswith(".git"):
        pin = url_pin(url)  # a tarball URL
        form = f"{base}#sha512=<integrity>" if pin is ANY else url
        return Requested(name or base, spec, pin, form, form)
    if ref.startswith("semver:"):
        pin = CONSTRAINED if version_pin(ref[7:])[0] != "any" else ANY
    else:
        pin = EXACT if is_commit(ref) else ANY
    form = f"{base}#<commit-sha>"
    return Requested(name or base, spec, pin, form, form)


_NPM_GLOBAL = frozenset(
    {
        *("--prefix", "-w", "--workspace", "--registry", "--userconfig", "--cache"),
        *("--loglevel", "--filter", "-F", "-C", "--dir", "--cwd"),
    }
)
_NPM = OptionSpec(
    short_value="w",
    long_value=frozenset(
        {
            *("registry", "prefix", "workspace", "tag", "omit", "include", "cache"),
            *("install-strategy", "userconfig", "loglevel", "before", "otp", "scope"),
        }
    ),
)
_NPX = OptionSpec(
    short_value="pcw",
    long_value=frozenset(
        {"package", "call", "registry", "prefix", "cache", "userconfig", "workspace"}
    ),
)
_INSTALL_VERBS = frozenset(
    {
        *("install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta"),
        *("isntal", "isntall", "add", "install-test", "it"),
    }
)
_CI_VERBS = frozenset(
    {"ci", "clean-install", "install-clean", "isntall-clean", "cit", "install-ci-test", "sit"}
)
_FROZEN = ("--frozen-lockfile", "--immutable", "--frozen")
_BIN_PACKAGES: dict[str, tuple[str, ...]] = {
    "tsc": ("typescript",),
    "tsserver": ("typescript",),
    "ng": ("@angular/cli",),
    "nest": ("@nestjs/cli",),
    "playwright": ("@playwright/test", "playwright"),
    "vue-cli-service": ("@vue/cli-service",),
}


def _until_operand(
    words: tuple[Word, ...], spec: OptionSpec
) -> tuple[ParsedOptions, tuple[Word, ...]]:
    """Options before the first operand, and the words from that operand on: npx and dlx
    pass everything after the command to it."""
    parsed = parse_options(words, spec)
    if not parsed.operands:
        return parsed, ()
    first = parsed.operands[0]
    index = next(i for i, word in enumerate(words) if word is first)
    return parse_options(words[:index], spec), words[index:]


def _lockfile(tool: str, frozen: bool, locked_how: str) -> Install:
    pin = LOCKED if frozen else EXACT
    return Install(
        "npm",
        tool,
        (Requested("the lockfile", tool, pin, "", ""),),
        locked_how=locked_how,
        lookup=LOOKUP,
    )


def _install(tool: str, specs: tuple[str, ...], locked_how: str) -> Install | None:
    if not specs:
        return None
    return Install(
        "npm",
        tool,
        tuple(judge_npm_spec(spec) for spec in specs),
        locked_how=locked_how,
        lookup=LOOKUP,
    )


def _package_dirs(command: SimpleCommand, ctx: ShellContext) -> list[str]:
    cwd = command.cwd or ctx.cwd
    dirs = [cwd]
    root = ctx.project_root
    while root and cwd != root and cwd.startswith(root.rstrip("/") + "/") and len(dirs) < 12:
        cwd = posixpath.dirname(cwd)
        dirs.append(cwd)
    return dirs


def _project_has(package: str, binary: str, command: SimpleCommand, ctx: ShellContext) -> bool:
    """True when the project provides ``binary`` itself: ``package.json`` lists its package
    or ``node_modules/.bin`` holds it, in the cwd or a parent up to the project root."""
    wanted = {package, *_BIN_PACKAGES.get(binary, ())}
    for directory in _package_dirs(command, ctx):
        if ctx.read_text(posixpath.join(directory, "node_modules", ".bin", binary)) is not None:
            return True
        text = ctx.read_text(posixpath.join(directory, "package.json"))
        if text is None:
            continue
        try:
            manifest = json.loads(text)
        except ValueError:
            continue
        if not isinstance(manifest, dict):
            continue
        for section in ("dependencies", "devDependencies", "optionalDependencies"):
            listed = manifest.get(section)
            if isinstance(listed, dict) and wanted & set(listed):
                return True
    return False


def _runner(
    tool: str,
    words: tuple[Word, ...],
    command: SimpleCommand,
    ctx: ShellContext,
    *,
    uses_local: bool,
) -> Install | None:
    """npx, npm exec, bunx, yarn dlx, pnpm dlx: fetch a package and run its binary."""
    parsed, rest = _until_operand(words, _NPX)
    if parsed.has("--no-install", "--no", "--offline"):
        return None
    packages = parsed.values("-p", "--package")
    if not packages:
        if not rest or parsed.has("-c", "--call"):
            return None
        packages = spec_texts(rest[:1])
    if not packages:
        return None
    requested = []
    for spec in packages:
        judged = judge_npm_spec(spec)
        name, version = _split(spec)
        binary = (
            rest[0].value if rest and parsed.values("-p", "--package") else name.rsplit("/", 1)[-1]
        )
        if uses_local and not version and _project_has(name, binary, command, ctx):
            judged = Requested(name, spec, LOCKED, judged.exact_form, judged.locked_form)
        requested.append(judged)
    return Install(
        "npm",
        tool,
        tuple(requested),
        locked_how=(
            "add it to package.json (npm install --save-dev --save-exact NAME@<version>), "
            "install from the lockfile with npm ci, then run the project's copy"
        ),
        lookup=LOOKUP,
    )


# Every other verb the readers below act on, for any of npm, yarn, pnpm and bun.
_OTHER_VERBS = frozenset(
    {"exec", "x", "global", "add", "a", "up", "upgrade", "dlx", "install", "i"}
)


def node_install(command: SimpleCommand, ctx: ShellContext) -> Install | None:
    """What an npm, npx, yarn, pnpm, bun or bunx command installs, or None."""
    name = command.name
    if name == "npx":
        return _runner("npx", command.args, command, ctx, uses_local=True)
    if name == "bunx":
        return _runner("bunx", command.args, command, ctx, uses_local=True)
    if name == "pnpx":
        return _runner("pnpm dlx", command.args, command, ctx, uses_local=False)
    if name not in ("npm", "yarn", "pnpm", "bun"):
        return None
    words = command.args
    start = subcommand(words, _NPM_GLOBAL)
    values = tuple(word.value for word in words)
    if start is None:
        if name == "yarn" and not any(text == "--help" for text in values):
            return _lockfile(
                "yarn", any(text in _FROZEN for text in values), "yarn install --immutable"
            )
        return None
    verb = values[start]
    if verb not in _CI_VERBS and verb not in _INSTALL_VERBS and verb not in _OTHER_VERBS:
        return None  # run, test, build...: nothing below reads them
    rest = words[start + 1 :]
    parsed = parse_options(rest, _NPM)
    specs = spec_texts(parsed.operands)
    frozen = parsed.has(*_FROZEN)
    if name == "npm":
        if verb in _CI_VERBS:
            return _lockfile("npm ci", True, "npm ci")
        if verb in ("exec", "x"):
            return _runner("npm exec", rest, command, ctx, uses_local=True)
        if verb in _INSTALL_VERBS:
            how = "add it to package.json at an exact version and install with npm ci"
            return _install(f"npm {verb}", specs, how) or _lockfile("npm install", False, "npm ci")
        return None
    if name == "yarn":
        if verb == "global" and specs[:1] == ("add",):
            return _install("yarn global add", specs[1:], "yarn install --immutable")
        if verb in ("add", "up", "upgrade"):
            return _install(
                f"yarn {verb}", specs, "add it to package.json, then yarn install --immutable"
            )
        if verb == "dlx":
            return _runner("yarn dlx", rest, command, ctx, uses_local=False)
        if verb == "install":
            return _lockfile("yarn install", frozen, "yarn install --immutable")
        return None
    if name == "pnpm":
        if verb in ("add", "install", "i") and specs:
            return _install(
                f"pnpm {verb}", specs, "add it to package.json, then pnpm install --frozen-lockfile"
            )
        if verb in ("install", "i"):
            return _lockfile("pnpm install", frozen, "pnpm install --frozen-lockfile")
        if verb == "dlx":
            return _runner("pnpm dlx", rest, command, ctx, uses_local=False)
        return None
    if verb in ("add", "a", "install", "i") and specs:
        return _install(
            f"bun {verb}", specs, "add it to package.json, then bun install --frozen-lockfile"
        )
    if verb in ("install", "i"):
        return _lockfile("bun install", frozen, "bun install --frozen-lockfile")
    if verb == "x":
        return _runner("bunx", rest, command, ctx, uses_local=True)
    return None
