"""``db.production``: migrations and destructive statements against a production database.

Forbidden at every level. Two kinds of command are judged, and only when a production marker
(``production/markers.py``) points at the target; against a local or staging database they
are ordinary work and this rule says nothing.

- Migrations: ``rails``/``rake db:migrate`` (and ``db:rollback``, ``db:schema:load``,
  ``db:drop``, ``db:reset``...), ``manage.py migrate|flush``, ``alembic upgrade|downgrade``,
  ``prisma migrate deploy|reset`` and ``db push``, ``flyway migrate|clean``, ``liquibase
  update|dropAll``, ``knex migrate:latest``, ``sequelize db:migrate``, ``diesel migration
  run``, ``goose up``, ``migrate ... up``, ``dbmate``, ``atlas``, ``typeorm``, ``mix ecto.*``,
  ``artisan migrate``, doctrine, ``dotnet ef database update``; also through launchers
  (``bundle exec``, ``npx``, ``python -m``, ``kubectl exec ... --``, ``heroku run``).
- Destructive statements sent through a database client (psql, mysql, mariadb, sqlite3,
  sqlcmd, cqlsh, clickhouse-client, snowsql, ``bq query``, redis-cli, mongosh/mongo) in a
  ``-c``/``-e``/``--eval``-style argument, a heredoc or here-string, or piped in from
  ``echo``/``printf``/``cat <<EOF``: ``DROP DATABASE|SCHEMA|TABLE|KEYSPACE``, ``TRUNCATE``,
  ``DELETE`` or ``UPDATE`` without ``WHERE``, ``ALTER TABLE ... DROP``, ``FLUSHALL``/``FLUSHDB``,
  ``dropDatabase()``, ``.drop()``, ``deleteMany({})``; and ``dropdb``, ``mysqladmin drop``.
  A script read from a file (``psql -f x.sql``, ``< x.sql``) is not judged: its content is
  not known here.

``manage.py sqlflush`` only prints SQL and is not flagged; ``migrate --plan``, ``alembic
--sql``, ``db:migrate:status`` and the like change nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.invocation import (
    Invocation,
    flag_values,
    has_flag,
    invocations,
    launched_by,
    may_run,
    positionals,
)
from agentgov.evaluators.rules.production.markers import (
    ProductionMarker,
    platform_default,
    production_marker,
)
from agentgov.evaluators.shell.model import Analysis, SimpleCommand, Word
from agentgov.policy.model import ActionClass


@dataclass(frozen=True)
class _DatabaseAction:
    """``action`` is the migration (``rails db:migrate``) or the client (``psql``);
    ``statement`` the destructive statement it sends (``DROP TABLE``), None for migrations."""

    action: str
    statement: str | None = None
    targets: tuple[str, ...] = ()


def _values(words: Sequence[Word]) -> list[str]:
    return [word.value for word in words]


# ---------------------------------------------------------------- migrations

_RAILS_TASK = re.compile(
    r"db:(?:migrate(?::(?!status$)[\w:]+)?|rollback|forward|schema:load|structure:load|"
    r"drop(?::all)?|reset|setup|prepare|seed(?::replant)?|truncate_all|purge(?::all)?|"
    r"environment:set)"
)


def _rails(invocation: Invocation) -> str | None:
    for value in invocation.values():
        if _RAILS_TASK.fullmatch(value):
            return f"{invocation.tool} {value}"
    return None


_DJANGO_VALUES = ("--settings", "--pythonpath", "--database", "-v", "--verbosity")


def _django(invocation: Invocation) -> str | None:
    words = _values(positionals(invocation.args, _DJANGO_VALUES))
    if not words or words[0] not in ("migrate", "flush", "reset_db", "reset_schema"):
        return None
    if has_flag(invocation.args, ("--plan", "--check")):
        return None
    return f"{invocation.tool} {words[0]}"


def _verbs(
    value_flags: tuple[str, ...],
    verbs: frozenset[str],
    *,
    dry: tuple[str, ...] = (),
    anywhere: bool = False,
    lower: bool = False,
) -> Callable[[Invocation], str | None]:
    """A migration tool whose subcommand (or, with ``anywhere``, any operand) is a verb."""

    def recognise(invocation: Invocation) -> str | None:
        if dry and has_flag(invocation.args, dry):
            return None
        words = _values(positionals(invocation.args, value_flags))
        candidates = words if anywhere else words[:1]
        for word in candidates:
            if (word.lower() if lower else word) in verbs:
                return f"{invocation.tool} {word}"
        return None

    return recognise


def _pairs(
    value_flags: tuple[str, ...], pairs: frozenset[tuple[str, str]]
) -> Callable[[Invocation], str | None]:
    """A tool whose first two operands name the operation (``prisma migrate deploy``)."""

    def recognise(invocation: Invocation) -> str | None:
        words = _values(positionals(invocation.args, value_flags))
        if len(words) >= 2 and (words[0], words[1]) in pairs:
            return f"{invocation.tool} {words[0]} {words[1]}"
        return None

    return recognise


def _dotnet(invocation: Invocation) -> str | None:
    words = _values(positionals(invocation.args, ("--project", "-p", "--context", "-c")))
    if words[:2] == ["ef", "database"] and words[2:3] in (["update"], ["drop"]):
        return f"dotnet ef database {words[2]}"
    return None


def _typeorm(invocation: Invocation) -> str | None:
    verbs = ("migration:run", "migration:revert", "schema:drop", "schema:sync")
    for value in invocation.values():
        if value in verbs:
            return f"typeorm {value}"
    return None


_SEQUELIZE = _verbs(
    ("--env", "--config", "--url", "--migrations-path", "--seeders-path"),
    frozenset(
        {
            *("db:migrate", "db:migrate:undo", "db:migrate:undo:all", "db:seed"),
            *("db:seed:all", "db:seed:undo", "db:seed:undo:all", "db:drop"),
        }
    ),
)

_MIGRATIONS: dict[str, Callable[[Invocation], str | None]] = {
    "rails": _rails,
    "rake": _rails,
    "manage.py": _django,
    "django-admin": _django,
    "django": _django,
    "alembic": _verbs(
        ("-c", "--config", "-n", "--name", "-x"),
        frozenset({"upgrade", "downgrade", "stamp"}),
        dry=("--sql",),
    ),
    "prisma": _pairs(
        ("--schema",),
        frozenset(
            {
                ("migrate", "deploy"),
                ("migrate", "reset"),
                ("migrate", "dev"),
                ("migrate", "resolve"),
                ("db", "push"),
                ("db", "execute"),
            }
        ),
    ),
    "flyway": _verbs(
        (), frozenset({"migrate", "clean", "baseline", "repair", "undo"}), anywhere=True
    ),
    "liquibase": _verbs(
        ("--changelog-file", "--url", "--username", "--password", "--defaults-file"),
        frozenset(
            {
                *("update", "update-count", "updatecount", "update-to-tag", "updatetotag"),
                *("drop-all", "dropall", "rollback", "rollback-count", "rollbackcount"),
                *("rollback-to-date", "rollbacktodate", "rollback-one-changeset"),
            }
        ),
        anywhere=True,
        lower=True,
    ),
    "knex": _verbs(
        ("--env", "--knexfile", "--cwd", "--specific"),
        frozenset({"migrate:latest", "migrate:up", "migrate:down", "migrate:rollback", "seed:run"}),
    ),
    "sequelize": _SEQUELIZE,
    "sequelize-cli": _SEQUELIZE,
    "diesel": _pairs(
        ("--database-url", "--migration-dir", "--config-file"),
        frozenset(
            {
                ("migration", "run"),
                ("migration", "revert"),
                ("migration", "redo"),
                ("database", "reset"),
                ("database", "setup"),
            }
        ),
    ),
    "goose": _verbs(
        ("-dir", "-table", "-env", "-certfile", "-timeout"),
        frozenset({"up", "up-by-one", "up-to", "down", "down-to", "redo", "reset"}),
        anywhere=True,
    ),
    "migrate": _verbs(
        ("-database", "-path", "-source", "-lock-timeout", "-prefetch"),
        frozenset({"up", "down", "drop", "force", "goto"}),
        anywhere=True,
    ),
    "dbmate": _verbs(
        ("-u", "--url", "-d", "--migrations-dir", "-e", "--env", "-s", "--schema-file"),
        frozenset({"up", "migrate", "down", "rollback", "drop", "load"}),
    ),
    "atlas": _pairs(
        ("-u", "--url", "--env", "--dir", "--to", "--dev-url"),
        frozenset(
            {
                ("schema", "apply"),
                ("schema", "clean"),
                ("migrate", "apply"),
                ("migrate", "down"),
            }
        ),
    ),
    "typeorm": _typeorm,
    "typeorm-ts-node-commonjs": _typeorm,
    "typeorm-ts-node-esm": _typeorm,
    "mix": _verbs((), frozenset({"ecto.migrate", "ecto.rollback", "ecto.drop", "ecto.reset"})),
    "artisan": _verbs(
        ("--env", "--database", "--path"),
        frozenset(
            {
                *("migrate", "migrate:fresh", "migrate:refresh", "migrate:reset"),
                *("migrate:rollback", "db:wipe", "db:seed"),
            }
        ),
        dry=("--pretend",),
    ),
    "console": _verbs(
        ("--env", "-e", "--em", "--conn"),
        frozenset(
            {
                "doctrine:migrations:migrate",
                "doctrine:schema:update",
                "doctrine:schema:drop",
                "doctrine:database:drop",
            }
        ),
        dry=("--dump-sql", "--dry-run"),
    ),
    "dotnet": _dotnet,
    "drizzle-kit": _verbs(("--config",), frozenset({"push", "migrate"})),
    "sqitch": _verbs(("--target", "-t", "--db-uri"), frozenset({"deploy", "revert", "rebase"})),
}


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class _Client:
    """How a database client takes statements: option values, operands, or stdin."""

    dialect: str  # "sql", "redis" or "mongo"
    statement_flags: tuple[str, ...] = ()
    value_flags: tuple[str, ...] = ()
    operand_statements: int | None = None  # operands from this index on are statements


_PSQL_VALUES = (
    *("-h", "--host", "-p", "--port", "-U", "--username", "-d", "--dbname", "-f", "--file"),
    *("-v", "--set", "--variable", "-o", "--output", "-P", "--pset", "-F", "-R", "-T", "-L"),
)
_MYSQL_VALUES = (
    *("-h", "--host", "-P", "--port", "-u", "--user", "-D", "--database", "-S", "--socket"),
    *("--defaults-file", "--defaults-extra-file", "--login-path", "--protocol", "-p"),
)
_CLIENTS: dict[str, _Client] = {
    "psql": _Client("sql", ("-c", "--command"), _PSQL_VALUES),
    "mysql": _Client("sql", ("-e", "--execute"), _MYSQL_VALUES),
    "mariadb": _Client("sql", ("-e", "--execute"), _MYSQL_VALUES),
    "sqlite3": _Client("sql", ("-cmd",), ("-separator", "-nullvalue"), operand_statements=1),
    "sqlcmd": _Client(
        "sql", ("-Q", "-q"), ("-S", "-d", "-U", "-P", "-i", "-o", "-s", "-w", "-h", "-l", "-t")
    ),
    "cqlsh": _Client(
        "sql",
        ("-e", "--execute"),
        ("-u", "--username", "-p", "--password", "-k", "--keyspace", "-f", "--file"),
    ),
    "clickhouse-client": _Client(
        "sql",
        ("-q", "--query"),
        ("-h", "--host", "--port", "-u", "--user", "--password", "-d", "--database"),
    ),
    "snowsql": _Client(
        "sql", ("-q", "--query"), ("-a", "--accountname", "-u", "-d", "-s", "-w", "-r", "-c")
    ),
    "redis-cli": _Client(
        "redis",
        (),
        ("-h", "-p", "-a", "-s", "-u", "-n", "-r", "-i", "--user", "--pass", "--cacert"),
        operand_statements=0,
    ),
    "mongosh": _Client(
        "mongo",
        ("--eval",),
        ("--host", "--port", "-u", "--username", "-p", "--password", "-f", "--file"),
    ),
    "mongo": _Client(
        "mongo",
        ("--eval",),
        ("--host", "--port", "-u", "--username", "-p", "--password", "-f", "--file"),
    ),
}
_ECHOES = frozenset({"echo", "printf"})


def _strip_sql(text: str) -> str:
    """SQL with string literals emptied and comments removed, so that text inside quotes
    (``INSERT ... VALUES ('DROP TABLE x')``) and comments never look like statements."""
    out: list[str] = []
    position, size = 0, len(text)
    while position < size:
        char = text[position]
        if char in "'\"`":
            end = position + 1
            while end < size:
                if text[end] == char:
                    if end + 1 < size and text[end + 1] == char:
                        end += 2
                        continue
                    break
                end += 1
            out.append(char * 2)
            position = end + 1
        elif text.startswith("--", position):
            newline = text.find("\n", position)
            position = size if newline == -1 else newline
        elif text.startswith("/*", position):
            close = text.find("*/", position + 2)
            position = size if close == -1 else close + 2
        else:
            out.append(char)
            position += 1
    return "".join(out)


_STATEMENT_START = r"\A\s*(?:\\[^\n]*\n\s*)*"  # psql meta-commands (\c db) may come first
_SQL_CHECKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bDROP\s+(DATABASE|SCHEMA|TABLE|KEYSPACE)\b", re.I), "DROP {0}"),
    (re.compile(_STATEMENT_START + r"TRUNCATE\b(?!\s*\()", re.I), "TRUNCATE"),
    (re.compile(r"\bALTER\s+TABLE\b[^;]*?\bDROP\b", re.I), "ALTER TABLE ... DROP"),
)
_DELETE = re.compile(_STATEMENT_START + r"DELETE\s+FROM\b", re.I)
_UPDATE = re.compile(_STATEMENT_START + r"UPDATE\s+\S+\s+SET\b", re.I)
_WHERE = re.compile(r"\bWHERE\b", re.I)
_REDIS = re.compile(r"(?<![\w-])(FLUSHALL|FLUSHDB)(?![\w-])", re.I)
_MONGO: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bdropDatabase\b"), "dropDatabase()"),
    (re.compile(r"\.drop\s*\(\s*\)"), ".drop()"),
    (re.compile(r"\.(deleteMany|remove)\s*\(\s*\{\s*\}\s*\)"), "{0}({{}})"),
)


def sql_destruction(text: str) -> str | None:
    """The destructive statement in ``text`` (``DROP TABLE``, ``DELETE without WHERE``...)."""
    cleaned = _strip_sql(text)
    for statement in cleaned.split(";"):
        for pattern, label in _SQL_CHECKS:
            found = pattern.search(statement)
            if found is not None:
                return label.format(*(group.upper() for group in found.groups()))
        if _DELETE.search(statement) and not _WHERE.search(statement):
            return "DELETE without WHERE"
        if _UPDATE.search(statement) and not _WHERE.search(statement):
            return "UPDATE without WHERE"
    return None


def _destruction(dialect: str, text: str) -> str | None:
    if dialect == "sql":
        return sql_destruction(text)
    if dialect == "redis":
        found = _REDIS.search(text)
        return found.group(1).upper() if found else None
    for pattern, label in _MONGO:
        match = pattern.search(text)
        if match is not None:
            return label.format(*match.groups())
    return None


def _echoed(command: SimpleCommand) -> str:
    """What ``echo``/``printf`` print, near enough to judge statements."""
    words = [word.value for word in command.args]
    if command.name == "echo":
        while words and re.fullmatch(r"-[neE]+", words[0]):
            words.pop(0)
    return " ".join(words)


def _stdin_texts(analysis: Analysis, command: SimpleCommand) -> list[str]:
    """Heredocs and here-strings given to the command, and what upstream commands print."""
    texts = [
        redirect.body
        for redirect in command.redirects
        if redirect.body is not None and redirect.op.startswith("<<")
    ]
    for source in analysis.upstream(command.index):
        if source.name in _ECHOES:
            texts.append(_echoed(source))
        texts.extend(
            redirect.body
            for redirect in source.redirects
            if redirect.body is not None and redirect.op.startswith("<<")
        )
    return texts


def _statement(
    analysis: Analysis, command: SimpleCommand, invocation: Invocation
) -> _DatabaseAction | None:
    tool = invocation.tool
    args = invocation.args
    if tool == "dropdb":
        names = _values(positionals(args, ("-h", "--host", "-p", "--port", "-U", "--username")))
        return _DatabaseAction("dropdb", "DROP DATABASE", tuple(names))
    if tool == "mysqladmin":
        words = _values(positionals(args, _MYSQL_VALUES))
        if words[:1] == ["drop"]:
            return _DatabaseAction("mysqladmin", "DROP DATABASE", tuple(words[1:2]))
        return None
    client = _CLIENTS.get(tool)
    statements: list[str]
    if tool == "bq":
        words = _values(positionals(args, ("--project_id", "--dataset_id", "--location")))
        if words[:1] != ["query"]:
            return None
        client, statements, operands = _Client("sql"), words[1:], []
    elif client is None:
        return None
    else:
        operands = _values(positionals(args, client.value_flags))
        statements = list(flag_values(args, client.statement_flags, attached=True))
        if client.operand_statements is not None:
            statements += operands[client.operand_statements :]
            operands = operands[: client.operand_statements]
        statements.extend(_stdin_texts(analysis, command))
    if client.dialect == "redis" and statements:
        statements = [" ".join(statements)]
    for text in statements:
        found = _destruction(client.dialect, text)
        if found is not None:
            return _DatabaseAction(tool, found, tuple(operands))
    return None


# ---------------------------------------------------------------- the rule

# Every tool ``_database_action`` recognises (itself or started by a launcher).
_TOOLS = frozenset({*_MIGRATIONS, *_CLIENTS, "dropdb", "mysqladmin", "bq"})

_HEROKU_APP_FLAGS = ("-a", "--app", "-r", "--remote")


def _database_action(analysis: Analysis, command: SimpleCommand) -> _DatabaseAction | None:
    for invocation in invocations(command):
        migrate = _MIGRATIONS.get(invocation.tool)
        action = migrate(invocation) if migrate is not None else None
        if action is not None:
            return _DatabaseAction(action)
        found = _statement(analysis, command, invocation)
        if found is not None:
            return found
    return None


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    markers = ctx.policy.production
    judged: dict[int, tuple[SimpleCommand, _DatabaseAction, ProductionMarker]] = {}
    for command in analysis.commands:
        found = _database_action(analysis, command) if may_run(command, _TOOLS) else None
        if found is None:
            continue
        marker = production_marker(analysis, command, ctx, targets=found.targets)
        if marker is None and command.name == "heroku":
            # ``heroku run`` executes in the app's dyno, against the app's own database.
            apps = flag_values(command.args, _HEROKU_APP_FLAGS)
            marker = platform_default("heroku run", apps, markers)
        if marker is not None:
            judged[command.index] = (command, found, marker)
    for command, found, marker in judged.values():
        if launched_by(analysis, command, judged):
            continue  # ``docker exec web rails db:migrate``: judged once, on docker
        if found.statement is None:
            message = (
                f"`{found.action}` changes the schema or data of a production database: "
                f"{marker.describe()}."
            )
            remediation = (
                "Run the migration against a local or staging database; production "
                "migrations go out through the deploy pipeline, approved by a human, after "
                "a backup."
            )
        else:
            message = (
                f"`{found.action}` sends {found.statement} to a production database: "
                f"{marker.describe()}. The data it destroys only a backup can bring back."
            )
            remediation = (
                "Try the statement on staging or a local copy; to change production data, "
                "write a reviewed migration (with a WHERE clause and a backup) and hand it "
                "to a human."
            )
        yield RULE.hit(command.text, message, remediation)


RULE = Rule(
    id="db.production",
    action_class=ActionClass.FORBIDDEN,
    summary="Migrations and destructive statements (DROP, TRUNCATE, DELETE without WHERE, "
    "FLUSHALL) against a database that production markers identify.",
    example="RAILS_ENV=production bin/rails db:migrate",
    evaluate=_evaluate,
)
