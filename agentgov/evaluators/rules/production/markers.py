"""Does a command target production? The evidence, and a short account of it for messages.

Shared by the rules that judge production (``deploy.production``, ``db.production``,
``infra.destroy``) and their non-production counterparts, so that one command gets one answer
everywhere. Evidence is looked for in this order, and the first found is reported:

1. variables set on the command (``RAILS_ENV=production rails db:migrate``), also given as
   rake-style arguments (``rake db:migrate RAILS_ENV=production``);
2. flags that name an environment, host, Kubernetes context or namespace, settings module,
   stack or configuration file (``--env prod``, ``-n production``, ``--context prod-eu``,
   ``-h prod-db``, ``-f values-production.yaml``), read per tool where a short flag means
   different things to different tools (``-n`` is a namespace only to kubectl and helm);
3. URLs and connection strings in the arguments (``postgres://app@prod-db/app``,
   ``host=prod-db dbname=app``);
4. references to a variable the policy lists, or whose name holds a production word
   (``$PROD_DATABASE_URL``);

   1-4 are also read on the commands that launched this one (``SimpleCommand.parent``:
   ``kubectl --context prod-eu exec pod -- ...``, ``docker run -e RAILS_ENV=production
   img sh -c '...'``), innermost first;
5. the targets the calling rule names for its tool (the stage of ``cap production deploy``);
6. earlier commands of the same input that switch the target for later ones
   (``terraform workspace select prod``, ``kubectl config use-context prod-eu``,
   ``export RAILS_ENV=production``, ``source .env.production``);
7. the environment the command runs in (``ShellContext.env``).

A production word counts only as a whole token: text is split on punctuation, digits and
camelCase, so ``prod-db``, ``db.prod.example.com`` and ``app_production`` are production
while ``product``, ``reproduce`` and ``productivity`` are not. Patterns the policy gives for
hosts, contexts, namespaces, workspaces and settings modules are matched with ``match_name``.

A ``cd`` into a directory named ``prod`` and terraform's ``-chdir`` are deliberately not
evidence: directory layouts vary too much to read intent from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from agentgov.evaluators.rules.base import ShellContext
from agentgov.evaluators.rules.invocation import (
    flag_values,
    invocations,
    option_name,
    positionals,
)
from agentgov.evaluators.shell.model import Analysis, SimpleCommand, Word
from agentgov.policy.globs import match_name
from agentgov.policy.model import ProductionMarkers

NONPRODUCTION_WORDS: tuple[str, ...] = (
    "staging",
    "stage",
    "stg",
    "dev",
    "develop",
    "development",
    "test",
    "testing",
    "qa",
    "uat",
    "preview",
    "review",
    "sandbox",
    "local",
)
"""Words that name a non-production target, for platforms whose default is production."""

_TOKEN = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_URL = re.compile(
    r"(?:jdbc:)?(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
    r"(?P<authority>[^/\s?#'\"]*)(?P<path>/[^\s?#'\"]*)?"
)
_OPTION_PREFIX = re.compile(r"-{1,2}[\w.-]+=|[A-Za-z_][A-Za-z0-9_]*=")
_DSN = re.compile(r"(?:\s*[A-Za-z][\w ]*=[^;\s]*\s*;?)+\s*")
_DSN_PAIR = re.compile(r"([A-Za-z][\w ]*?)\s*=\s*([^;\s]*)")
_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SIMPLE_VALUE = re.compile(r"[^\s$]+")  # one word, no unresolved expansion
_DB_SCHEMES = re.compile(
    r"postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|sqlserver|mssql|oracle|"
    r"clickhouse|cockroachdb|cassandra|redshift|snowflake|db2"
)
_HOST_KEYS = ("host", "hostaddr", "server", "data source", "address", "addr")
_DATABASE_KEYS = ("dbname", "database", "initial catalog")


@dataclass(frozen=True)
class ProductionMarker:
    """Why a command counts as targeting production.

    ``evidence`` is what was found, as the user wrote it where that is safe to repeat
    (``RAILS_ENV=production``, ``--context prod-eu``; URLs are reduced to their host so no
    password reaches a message); ``meaning`` says what it shows.
    """

    evidence: str
    meaning: str

    def describe(self) -> str:
        """``--context prod-eu names a production Kubernetes context``."""
        return f"{self.evidence} {self.meaning}"


# ---------------------------------------------------------------- words, hosts, names


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """``db.prod-eu1.example.com`` -> ``db prod eu 1 example com``; ``ProdDB`` -> ``prod db``."""
    return tuple(token.lower() for token in _TOKEN.findall(text))


_NEGATIONS = frozenset({"pre", "non", "not"})


def _holds(found: tuple[str, ...], words: Iterable[str]) -> str | None:
    for word in words:
        wanted = tokens(word)
        size = len(wanted)
        for start in range(len(found) - size + 1 if size else 0):
            # ``pre-prod`` and ``non-production`` name what production is not.
            if found[start : start + size] == wanted and (
                start == 0 or found[start - 1] not in _NEGATIONS
            ):
                return word
    return None


def production_word(text: str, markers: ProductionMarkers) -> str | None:
    """The production word ``text`` holds as a whole token, or None."""
    return _holds(tokens(text), markers.words)


def nonproduction_word(text: str) -> str | None:
    """The non-production word (``staging``, ``dev``...) ``text`` holds, or None."""
    return _holds(tokens(text), NONPRODUCTION_WORDS)


def bare_host(text: str) -> str:
    """``user@prod-db:5432`` -> ``prod-db``; ``[::1]:5432`` -> ``::1``."""
    host = text.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.split(":", 1)[0] if host.count(":") <= 1 else host


def production_host(text: str, markers: ProductionMarkers) -> bool:
    """A host the policy lists, or whose labels hold a production word."""
    host = bare_host(text)
    if not host or "$" in host:
        return False
    return match_name(host, markers.hosts) or production_word(host, markers) is not None


def _url_in(value: str) -> re.Match[str] | None:
    """A URL at the start of ``value`` or right after ``--flag=`` / ``NAME=``."""
    found = _URL.match(value)
    if found is None:
        prefix = _OPTION_PREFIX.match(value)
        if prefix is not None:
            found = _URL.match(value, prefix.end())
    return found


def _url_marker(url: re.Match[str], markers: ProductionMarkers) -> str | None:
    """What a URL's host or database name shows, or None when it is not production."""
    authority = url.group("authority")
    hosts = [bare_host(part) for part in authority.rsplit("@", 1)[-1].split(",")]
    for host in hosts:
        if production_host(host, markers):
            return f"points at the production host {host}"
    if _DB_SCHEMES.fullmatch(url.group("scheme").lower()) and url.group("path"):
        database = url.group("path").strip("/").split("/", 1)[0]
        if production_word(database, markers):
            return f"points at the production database {database}"
    return None


def _dsn_marker(value: str, markers: ProductionMarkers) -> str | None:
    """``host=prod-db dbname=app`` or ``Server=prod-sql;Database=app``."""
    if "=" not in value or not _DSN.fullmatch(value):
        return None
    for key, found in _DSN_PAIR.findall(value):
        name = key.strip().lower()
        if name in _HOST_KEYS and production_host(found, markers):
            return f"points at the production host {bare_host(found)}"
        if name in _DATABASE_KEYS and production_word(found, markers):
            return f"points at the production database {found}"
    return None


def _location_marker(value: str, markers: ProductionMarkers) -> str | None:
    """A URL, a connection string or a bare host name that is production."""
    url = _url_in(value)
    if url is not None:
        return _url_marker(url, markers)
    dsn = _dsn_marker(value, markers)
    if dsn is not None:
        return dsn
    if _SIMPLE_VALUE.fullmatch(value) and production_host(value, markers):
        return f"names the production host {bare_host(value)}"
    return None


# ---------------------------------------------------------------- what a value names

Check = Callable[[str, ProductionMarkers], "str | None"]


def _word_check(noun: str) -> Check:
    def check(value: str, markers: ProductionMarkers) -> str | None:
        if _SIMPLE_VALUE.fullmatch(value) and production_word(value, markers):
            return f"names a production {noun}"
        return None

    return check


def _pattern_check(noun: str, patterns: Callable[[ProductionMarkers], tuple[str, ...]]) -> Check:
    def check(value: str, markers: ProductionMarkers) -> str | None:
        if not _SIMPLE_VALUE.fullmatch(value):
            return None
        if match_name(value, patterns(markers)) or production_word(value, markers):
            return f"names a production {noun}"
        return None

    return check


def _assign_check(noun: str) -> Check:
    """``KEY=VALUE`` pairs (``-e RAILS_ENV=production``, ``-f environment=production``),
    several to a word for ansible's ``-e "env=prod version=2"``; else a plain name."""
    plain = _word_check(noun)

    def check(value: str, markers: ProductionMarkers) -> str | None:
        if "=" not in value:
            return plain(value, markers)
        for pair in value.split():
            name, _, assigned = pair.partition("=")
            if not _ENV_NAME.fullmatch(name):
                continue
            meaning = _variable_meaning(name, assigned, markers, listed=True)
            if meaning is None and production_word(assigned, markers):
                meaning = f"names a production {noun}"
            if meaning is not None:
                return meaning
        return None

    return check


def _settings_check(value: str, markers: ProductionMarkers) -> str | None:
    """helm's ``--set a.b=x,c=prod-db``: any value that names production."""
    for pair in value.split(","):
        key, sep, assigned = pair.partition("=")
        if sep and "$" not in assigned and production_word(assigned, markers):
            return f"sets {key} to a production value"
    return None


_ENVIRONMENT = _assign_check("environment")
_CONTEXT = _pattern_check("Kubernetes context", lambda markers: markers.kube_contexts)
_NAMESPACE = _pattern_check("namespace", lambda markers: markers.namespaces)
_WORKSPACE = _pattern_check("workspace", lambda markers: markers.terraform_workspaces)
_STACK = _pattern_check("stack", lambda markers: markers.terraform_workspaces)
_SETTINGS = _pattern_check("settings module", lambda markers: markers.settings_modules)
_FILE = _word_check("configuration file")
_MANIFEST = _word_check("manifest")
_PROJECT = _word_check("project")
_PROFILE = _word_check("profile")
_APP = _word_check("app")
_TARGET = _word_check("target")
_DATABASE = _word_check("database")
_INVENTORY = _word_check("inventory")

# Flags that mean the same to every tool. ``-e`` and ``-d`` only count with a one-word value,
# so ``mysql -e "DROP TABLE production"`` is not read as an environment.
_GENERIC_FLAGS: dict[str, Check] = {
    "--env": _ENVIRONMENT,
    "--environment": _ENVIRONMENT,
    "-e": _ENVIRONMENT,
    "--stage": _ENVIRONMENT,
    "--target": _ENVIRONMENT,
    "--destination": _ENVIRONMENT,
    "--config-env": _ENVIRONMENT,
    "--profile": _PROFILE,
    "--aws-profile": _PROFILE,
    "--project": _PROJECT,
    "--project-id": _PROJECT,
    "--subscription": _PROJECT,
    "--context": _CONTEXT,
    "--kube-context": _CONTEXT,
    "--kubecontext": _CONTEXT,
    "--kubeconfig": _FILE,
    "--settings": _SETTINGS,
    "--host": _location_marker,
    "-h": _location_marker,
    "--hostname": _location_marker,
    "--server": _location_marker,
    "--url": _location_marker,
    "--uri": _location_marker,
    "--db-url": _location_marker,
    "--database-url": _location_marker,
    "--dsn": _location_marker,
    "--dbname": _DATABASE,
    "--database": _DATABASE,
    "-d": _TARGET,
    "--config": _FILE,
    "--config-file": _FILE,
    "--env-file": _FILE,
    "--defaults-file": _FILE,
    "--var-file": _FILE,
}

_KUBE_FLAGS: dict[str, Check] = {
    "-n": _NAMESPACE,
    "--namespace": _NAMESPACE,
    "-f": _MANIFEST,
    "--filename": _MANIFEST,
    "-k": _MANIFEST,
    "--kustomize": _MANIFEST,
    "--values": _MANIFEST,
    "--cluster": _TARGET,
    "-s": _location_marker,
}
_HELM_FLAGS: dict[str, Check] = {
    **_KUBE_FLAGS,
    "--set": _settings_check,
    "--set-string": _settings_check,
}
_TERRAFORM_FLAGS: dict[str, Check] = {
    "-var-file": _FILE,
    "-backend-config": _FILE,
    "-var": _assign_check("variable"),
}
_ANSIBLE_FLAGS: dict[str, Check] = {
    "-i": _INVENTORY,
    "--inventory": _INVENTORY,
    "-l": _INVENTORY,
    "--limit": _INVENTORY,
    "--extra-vars": _ENVIRONMENT,
}
_APP_FLAGS: dict[str, Check] = {
    "-a": _APP,
    "--app": _APP,
    "-r": _APP,
    "--remote": _APP,
    "-c": _FILE,
}
_GH_FLAGS: dict[str, Check] = {
    "-f": _ENVIRONMENT,
    "-F": _ENVIRONMENT,
    "--field": _ENVIRONMENT,
    "--raw-field": _ENVIRONMENT,
    "--ref": _TARGET,
}

_TOOL_FLAGS: dict[str, dict[str, Check]] = {
    "kubectl": _KUBE_FLAGS,
    "oc": _KUBE_FLAGS,
    "helm": _HELM_FLAGS,
    "helmfile": {"-e": _ENVIRONMENT, "--environment": _ENVIRONMENT},
    "skaffold": {**_KUBE_FLAGS, "-p": _PROFILE},
    "terraform": _TERRAFORM_FLAGS,
    "tofu": _TERRAFORM_FLAGS,
    "terragrunt": _TERRAFORM_FLAGS,
    "pulumi": {"-s": _STACK, "--stack": _STACK},
    "serverless": {"-s": _ENVIRONMENT},
    "sls": {"-s": _ENVIRONMENT},
    "ansible-playbook": _ANSIBLE_FLAGS,
    "ansible": _ANSIBLE_FLAGS,
    "fly": _APP_FLAGS,
    "flyctl": _APP_FLAGS,
    "heroku": _APP_FLAGS,
    "gh": _GH_FLAGS,
    "az": {"-g": _PROJECT, "--resource-group": _PROJECT},
    "firebase": {"-P": _PROJECT},
    "sam": {"--stack-name": _TARGET},
    "sqlcmd": {"-S": _location_marker, "-d": _DATABASE},
    "mysql": {"-D": _DATABASE},
    "mariadb": {"-D": _DATABASE},
    "mysqladmin": {"-D": _DATABASE},
    "redis-cli": {"-u": _location_marker},
    "dbmate": {"-u": _location_marker},
    "migrate": {"-database": _location_marker},
    "alembic": {"-n": _TARGET, "--name": _TARGET, "-c": _FILE, "-x": _ENVIRONMENT},
    "flyway": {"-url": _location_marker, "-configFiles": _FILE, "-environment": _ENVIRONMENT},
    "liquibase": {"--defaultsFile": _FILE, "--defaults-file": _FILE},
    "kamal": {"-d": _ENVIRONMENT},
    "eb": {"--environment": _ENVIRONMENT},
}

# One-letter options whose value may be glued on (``mysql -hprod-db``, ``kubectl -nprod``).
_GLUED = frozenset({"-h", "-n", "-d", "-D", "-S"})

# Variables by the suffix of their name: what a production value in them means.
_ENVIRONMENT_SUFFIXES = ("ENV", "ENVIRONMENT", "STAGE", "TIER", "PROFILES_ACTIVE")
_PROFILE_SUFFIXES = ("PROFILE", "PROJECT", "SUBSCRIPTION", "STACK")
_HOST_SUFFIXES = ("HOST", "HOSTNAME", "SERVER", "ADDR", "ADDRESS")
_DSN_SUFFIXES = ("URL", "URI", "DSN", "DBSTRING", "CONNECTION_STRING", "CONN_STR")
_DATABASE_SUFFIXES = ("DATABASE", "_DB", "DB_NAME")


def _variable_meaning(
    name: str, value: str, markers: ProductionMarkers, *, listed: bool
) -> str | None:
    """What setting ``name=value`` says about the target, or None if nothing production.

    ``listed`` counts a variable the policy lists in ``env_vars`` as evidence by being set
    at all; that is true for a command's own assignments and false for the ambient
    environment, where such a variable is often merely available.
    """
    upper = name.upper()
    if listed and value and match_name(name, markers.env_vars):
        return "sets a production variable the policy lists"
    if upper == "TF_WORKSPACE":
        return _WORKSPACE(value, markers)
    if upper.endswith("SETTINGS_MODULE"):
        return _SETTINGS(value, markers)
    if upper == "KUBECONFIG":
        return _FILE(value, markers)
    if upper.endswith(("CONTEXT", "KUBECONTEXT")):
        return _CONTEXT(value, markers)
    if upper.endswith("NAMESPACE"):
        return _NAMESPACE(value, markers)
    url = _url_in(value)
    if url is not None:
        return _url_marker(url, markers)
    if upper.endswith(_HOST_SUFFIXES) or upper.endswith(_DSN_SUFFIXES):
        return _location_marker(value, markers)
    if "/" in value:
        # A path (VIRTUAL_ENV=~/prod-tools/.venv, CONDA_PREFIX) names a directory, not a target.
        return None
    if upper.endswith(_ENVIRONMENT_SUFFIXES) or upper == "ENV":
        return _word_check("environment")(value, markers)
    if upper.endswith(_PROFILE_SUFFIXES):
        return _word_check(upper.rsplit("_", 1)[-1].lower())(value, markers)
    if upper.endswith(_DATABASE_SUFFIXES):
        return _DATABASE(value, markers)
    return None


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


def _variable_evidence(name: str, value: str, meaning: str) -> str:
    """``RAILS_ENV=production``; only the name when the value is a location, which may
    carry a password."""
    if _url_in(value) is not None or "host" in meaning or "database" in meaning:
        return name
    return f"{name}={_short(value)}"


def _assignment(name: str, value: Word, markers: ProductionMarkers) -> ProductionMarker | None:
    meaning = _variable_meaning(name, value.value, markers, listed=True)
    if meaning is None:
        return None
    return ProductionMarker(_variable_evidence(name, value.value, meaning), meaning)


# ---------------------------------------------------------------- the scan


def production_marker(
    analysis: Analysis,
    command: SimpleCommand,
    ctx: ShellContext,
    *,
    targets: Iterable[str] = (),
) -> ProductionMarker | None:
    """The first evidence that ``command`` targets production, or None.

    ``targets`` are words the calling rule knows name the target for its tool (a stage,
    an app, a database, a playbook), checked for a production word or host.
    """
    markers = ctx.policy.production
    for found in _scan(analysis, command, ctx, markers, tuple(targets)):
        return found
    return None


def _scan(
    analysis: Analysis,
    command: SimpleCommand,
    ctx: ShellContext,
    markers: ProductionMarkers,
    targets: tuple[str, ...],
) -> Iterator[ProductionMarker]:
    yield from _own(command, markers)
    # A command run by another (``kubectl --context prod-eu exec pod -- rails db:migrate``,
    # ``docker run -e RAILS_ENV=production img sh -c '...'``, ``ssh prod-db '...'``) goes
    # where its launchers send it: their variables and flags count as its own.
    for launcher in _launchers(analysis, command):
        yield from _own(launcher, markers)
    for target in targets:
        meaning = _target_meaning(target, markers)
        if meaning is not None:
            yield ProductionMarker(_short(target), meaning)
    for earlier in analysis.commands[: command.index]:
        yield from _switches(earlier, markers)
    for name, text in ctx.env:
        meaning = _variable_meaning(name, text, markers, listed=False)
        if meaning is not None:
            evidence = _variable_evidence(name, text, meaning)
            yield ProductionMarker(f"{evidence} in the environment", meaning)


def _launchers(analysis: Analysis, command: SimpleCommand) -> Iterator[SimpleCommand]:
    """The commands that ran ``command`` from their arguments, innermost first."""
    parent = command.parent
    seen = 0
    while parent is not None and seen < len(analysis.commands):
        launcher = analysis.commands[parent]
        yield launcher
        parent = launcher.parent
        seen += 1


def _own(command: SimpleCommand, markers: ProductionMarkers) -> Iterator[ProductionMarker]:
    """Evidence in the command's own words: assignments, flags, URLs, references."""
    for name, assigned in command.assignments:
        found = _assignment(name, assigned, markers)
        if found is not None:
            yield found
    args = command.args
    for word in args:
        name, sep, value = word.value.partition("=")
        if sep and name.isupper() and _ENV_NAME.fullmatch(name):
            found = _assignment(name, Word(value, value, word.static), markers)
            if found is not None:
                yield found
    yield from _flags(command, markers)
    yield from _launcher_profiles(command, markers)
    for word in args:
        meaning = _location_in_argument(word.value, markers)
        if meaning is not None:
            yield ProductionMarker(_evidence_of(word.value), meaning)
    yield from _references(command, markers)


def _flags(command: SimpleCommand, markers: ProductionMarkers) -> Iterator[ProductionMarker]:
    table = dict(_GENERIC_FLAGS)
    for invocation in invocations(command):
        table.update(_TOOL_FLAGS.get(invocation.tool, {}))
    args = command.args
    for position, word in enumerate(args):
        flag = option_name(word.value)
        check = table.get(flag)
        if check is None and word.value[:2] in _GLUED and len(word.value) > 2:
            # getopt reads ``-hprod-db`` as ``-h prod-db``.
            flag, check = word.value[:2], table.get(word.value[:2])
            value = word.value[2:]
        elif check is None:
            continue
        elif "=" in word.value:
            value = word.value.split("=", 1)[1]
        elif position + 1 < len(args):
            value = args[position + 1].value
            if value.startswith("-"):
                continue
        else:
            continue
        if check is None:
            continue
        meaning = check(value, markers)
        if meaning is not None:
            yield ProductionMarker(_flag_evidence(flag, value), meaning)


def _launcher_profiles(
    command: SimpleCommand, markers: ProductionMarkers
) -> Iterator[ProductionMarker]:
    """``aws-vault exec prod -- ...`` and ``chamber exec prod-app -- ...`` name the
    credentials profile as an operand."""
    for invocation in invocations(command):
        if invocation.tool not in ("aws-vault", "chamber"):
            continue
        operands = [word.value for word in positionals(invocation.args)]
        if operands[:1] == ["exec"] and len(operands) > 1:
            meaning = _PROFILE(operands[1], markers)
            if meaning is not None:
                evidence = f"{invocation.tool} exec {_short(operands[1])}"
                yield ProductionMarker(evidence, meaning)


def _flag_evidence(flag: str, value: str) -> str:
    url = _url_in(value)
    if url is not None:
        # Drop any user:password@ and query string: messages reach the audit trail.
        host = url.group("authority").rsplit("@", 1)[-1]
        return f"{flag} {url.group('scheme')}://{host}{_short(url.group('path') or '')}"
    return f"{flag} {_short(value)}"


def _location_in_argument(value: str, markers: ProductionMarkers) -> str | None:
    url = _url_in(value)
    if url is not None:
        return _url_marker(url, markers)
    return _dsn_marker(value, markers) if " " in value or ";" in value else None


def _evidence_of(value: str) -> str:
    url = _url_in(value)
    if url is not None:
        return f"the {url.group('scheme')} URL"
    return "the connection string"


def _references(command: SimpleCommand, markers: ProductionMarkers) -> Iterator[ProductionMarker]:
    raws = [word.raw for word in command.argv[1:]]
    raws.extend(value.raw for _, value in command.assignments)
    for raw in raws:
        for name in _REFERENCE.findall(raw):
            if match_name(name, markers.env_vars):
                yield ProductionMarker(f"${name}", "is a production variable the policy lists")
            elif production_word(name, markers):
                yield ProductionMarker(f"${name}", "is named as a production variable")


def _target_meaning(target: str, markers: ProductionMarkers) -> str | None:
    url = _url_in(target)
    if url is not None:
        return _url_marker(url, markers)
    location = _dsn_marker(target, markers)
    if location is not None:
        return location
    if production_word(target, markers) or match_name(target, markers.hosts):
        return "names a production target"
    return None


# Earlier commands that change where later ones go: (tool, subcommand words) -> check.
_SWITCHES: tuple[tuple[frozenset[str], tuple[str, ...], Check], ...] = (
    (frozenset({"terraform", "tofu", "terragrunt"}), ("workspace", "select"), _WORKSPACE),
    (frozenset({"terraform", "tofu", "terragrunt"}), ("workspace", "new"), _WORKSPACE),
    (frozenset({"pulumi"}), ("stack", "select"), _STACK),
    (frozenset({"kubectl", "oc"}), ("config", "use-context"), _CONTEXT),
    (frozenset({"kubectl", "oc"}), ("config", "use"), _CONTEXT),
    (frozenset({"kubectx"}), (), _CONTEXT),
    (frozenset({"kubens"}), (), _NAMESPACE),
    (frozenset({"oc"}), ("project",), _NAMESPACE),
    (frozenset({"gcloud"}), ("config", "set", "project"), _PROJECT),
    (frozenset({"gcloud"}), ("config", "configurations", "activate"), _PROJECT),
    (frozenset({"source", "."}), (), _FILE),
)
_EXPORTS = frozenset({"export", "declare", "typeset", "readonly", "local"})


def _switches(earlier: SimpleCommand, markers: ProductionMarkers) -> Iterator[ProductionMarker]:
    for name, assigned in earlier.assignments:
        found = _assignment(name, assigned, markers)
        if found is not None:
            yield ProductionMarker(found.evidence, found.meaning + " earlier in the command")
    if not earlier.argv:
        return
    if earlier.name in _EXPORTS:
        for word in earlier.args:
            name, sep, value = word.value.partition("=")
            if sep and _ENV_NAME.fullmatch(name):
                found = _assignment(name, Word(value, value, word.static), markers)
                if found is not None:
                    yield ProductionMarker(
                        found.evidence, found.meaning + " earlier in the command"
                    )
        return
    words = [word.value for word in positionals(earlier.args)]
    for tools, path, check in _SWITCHES:
        if earlier.name not in tools or tuple(words[: len(path)]) != path:
            continue
        if len(words) > len(path):
            meaning = check(words[len(path)], markers)
            if meaning is not None:
                evidence = " ".join([earlier.name, *path, _short(words[len(path)])])
                yield ProductionMarker(evidence, meaning + " earlier in the command")
    extra: tuple[tuple[str, ...], tuple[str, ...], Check] | None = None
    if earlier.name in ("kubectl", "oc") and words[:2] == ["config", "set-context"]:
        extra = (("--namespace", "-n"), ("config", "set-context"), _NAMESPACE)
    elif earlier.name == "az" and words[:2] == ["account", "set"]:
        extra = (("--subscription", "-s"), ("account", "set"), _PROJECT)
    if extra is not None:
        flags, path, check = extra
        for value in flag_values(earlier.args, flags):
            meaning = check(value, markers)
            if meaning is not None:
                evidence = " ".join([earlier.name, *path, flags[0], _short(value)])
                yield ProductionMarker(evidence, meaning + " earlier in the command")


# ---------------------------------------------------------------- platforms live by default


def platform_default(
    platform: str, names: Iterable[str], markers: ProductionMarkers
) -> ProductionMarker | None:
    """For a platform whose default target serves live traffic (a Heroku app, a Kamal
    deploy without a destination): production unless a name says otherwise.

    ``names`` are the app, remote or destination words given; any production word among
    them is production, any non-production word (``staging``, ``dev``...) is not, and
    with neither the platform's default stands.
    """
    given = [name for name in names if name]
    for name in given:
        if production_word(name, markers):
            return ProductionMarker(_short(name), "names a production app")
    for name in given:
        if nonproduction_word(name):
            return None
    return ProductionMarker(platform, "targets the live app when no staging target is named")
