"""db.production: migrations and destructive statements against a production database."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.db.production import RULE, sql_destruction
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    # Migrations, production named by environment, flags, URLs or earlier commands.
    "RAILS_ENV=production bin/rails db:migrate",
    "sudo -u deploy env RAILS_ENV=production bundle exec rake db:migrate",
    "bundle exec rake db:schema:load RAILS_ENV=production",
    "rails db:drop -e production",
    "export RAILS_ENV=production && rails db:reset",
    "DJANGO_SETTINGS_MODULE=shop.settings.production python manage.py migrate",
    "python3 manage.py flush --settings=shop.settings.prod --no-input",
    "./manage.py migrate --settings shop.settings.production",
    "poetry run alembic -n production upgrade head",
    "DATABASE_URL=postgres://app:pw@prod-db.internal:5432/app npx prisma migrate deploy",
    "DATABASE_URL=$PROD_DATABASE_URL yarn prisma db push",
    "flyway -url=jdbc:postgresql://prod-db:5432/app migrate",
    "liquibase --url=jdbc:mysql://db.prod.example.com/app update",
    "NODE_ENV=production npx knex migrate:latest",
    "npx sequelize-cli db:migrate --env production",
    "diesel migration run --database-url postgres://prod-db/app",
    "goose postgres 'host=prod-db user=app dbname=app' up",
    "migrate -database postgres://prod-db:5432/app -path db/migrations up",
    "MIX_ENV=prod mix ecto.migrate",
    "php artisan migrate --env=production --force",
    "kubectl --context prod-eu exec deploy/api -- bin/rails db:migrate",
    "heroku run rails db:migrate -a shop",
    "heroku run 'python manage.py migrate' --app shop",
    "docker run --rm -e RAILS_ENV=production registry/web:1.2 bin/rails db:migrate",
    "docker compose exec -e RAILS_ENV=production web bin/rails db:migrate",
    "dotenv -e .env.production -- npx knex migrate:latest",
    "bash -c 'RAILS_ENV=production rails db:rollback'",
    # Destructive statements, through arguments, heredocs, here-strings and pipes.
    "psql -h prod-db -c 'DROP TABLE users'",
    "psql postgres://app@prod-db/app -c 'TRUNCATE sessions'",
    'psql "$PROD_DATABASE_URL" -c "DELETE FROM users"',
    "psql -h db.prod.example.com <<'SQL'\nBEGIN;\nDELETE FROM orders;\nCOMMIT;\nSQL",
    "psql -d app_production <<< 'ALTER TABLE users DROP COLUMN email'",
    'echo "DROP DATABASE shop;" | psql -h prod-db',
    "printf 'TRUNCATE TABLE events;\\n' | sudo -u postgres psql -h prod-db",
    "cat <<EOF | psql -h prod-db app\nUPDATE users SET admin = true;\nEOF",
    "mysql -h prod-db -e 'DELETE FROM sessions'",
    "mysql -hprod-db -e'TRUNCATE sessions'",
    "mariadb --host=mysql.prod.internal shop -e 'DROP SCHEMA shop'",
    "sqlcmd -S prod-sql.example.com -Q 'DROP DATABASE shop'",
    "cqlsh prod-cassandra -e 'DROP KEYSPACE shop'",
    "redis-cli -h prod-cache FLUSHALL",
    "redis-cli -u redis://prod-cache:6379 flushdb",
    "echo FLUSHALL | redis-cli -h prod-cache",
    "mongosh 'mongodb+srv://prod.abc12.mongodb.net/shop' --eval 'db.dropDatabase()'",
    "mongosh --host prod-mongo --eval 'db.users.deleteMany({})'",
    "dropdb -h prod-db shop",
    "dropdb shop_production",
    "mysqladmin -h prod-db drop shop",
    "\\psql -h prod-db -c 'DROP TABLE users'",
    "kubectl exec -n production deploy/db -- psql -c 'TRUNCATE audit_log'",
]


@pytest.mark.parametrize("command", POSITIVE)
def test_flags(command: str) -> None:
    found = hits(RULE, command)
    assert len(found) == 1, command
    assert found[0].action_class is ActionClass.FORBIDDEN


NEGATIVE = [
    "rails db:migrate",
    "RAILS_ENV=test bin/rails db:reset",
    "RAILS_ENV=production rails db:migrate:status",
    "python manage.py migrate",
    "python manage.py showmigrations --settings=shop.settings.production",
    "python manage.py migrate --plan --settings=shop.settings.production",
    "python manage.py sqlflush --settings=shop.settings.production",
    "alembic -n production upgrade head --sql",
    "npx prisma migrate deploy",
    "DATABASE_URL=postgres://app@localhost/app_dev npx prisma migrate reset",
    "psql -h localhost -c 'DROP TABLE users'",
    "psql -hlocalhost -c 'DROP TABLE users'",
    'psql -h prod-db -c "$(cat cleanup.sql)"',
    "psql -h prod-db -c 'SELECT count(*) FROM users'",
    "psql -h prod-db -c 'DELETE FROM users WHERE id = 42'",
    "psql -h prod-db -c \"INSERT INTO audit VALUES ('DROP TABLE users')\"",
    "psql -h prod-db -f migrations/001.sql",
    "psql -h product-db.example.com -c 'TRUNCATE sessions'",
    "mysql -h prod-db -e 'SELECT TRUNCATE(1.55, 1)'",
    "redis-cli -h prod-cache GET session:1",
    "redis-cli FLUSHALL",
    "echo 'DROP TABLE users' > notes.sql",
    "echo 'RAILS_ENV=production rails db:migrate'",
    "git commit -m 'DROP TABLE users on prod-db'",
    "grep -rn 'DROP TABLE' db/ --include=*.sql",
    "heroku run rails db:migrate -a shop-staging",
    "docker compose run --rm web rails db:migrate",
    "mongosh --host prod-mongo --eval 'db.users.find({})'",
]


@pytest.mark.parametrize("command", NEGATIVE)
def test_does_not_flag(command: str) -> None:
    assert hits(RULE, command) == []


@pytest.mark.parametrize(
    "command",
    [
        "kubectl exec -n production db-0 -- sh -c \"psql -c 'DROP TABLE users'\"",
        "docker exec web sh -c 'RAILS_ENV=production rails db:migrate'",
    ],
)
def test_flags_through_container_shells(command: str) -> None:
    assert len(hits(RULE, command)) == 1


def test_flags_a_timed_command_with_an_assignment() -> None:
    assert len(hits(RULE, "time RAILS_ENV=production rails db:migrate")) == 1


def test_environment_marks_the_database() -> None:
    ctx = context(env={"RAILS_ENV": "production"})
    [hit] = hits(RULE, "bin/rails db:migrate", ctx)
    assert hit.message == (
        "`rails db:migrate` changes the schema or data of a production database: "
        "RAILS_ENV=production in the environment names a production environment."
    )
    assert "staging" in hit.remediation


def test_statement_message_names_the_statement_and_host() -> None:
    [hit] = hits(RULE, "psql -h prod-db -c 'DROP TABLE users'")
    assert hit.message == (
        "`psql` sends DROP TABLE to a production database: -h prod-db names the production "
        "host prod-db. The data it destroys only a backup can bring back."
    )


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("drop table if exists users", "DROP TABLE"),
        ("BEGIN; TRUNCATE users, orders; COMMIT", "TRUNCATE"),
        ("DELETE FROM users", "DELETE without WHERE"),
        ("delete from users where id = 1; delete from orders", "DELETE without WHERE"),
        ("UPDATE users SET admin = true", "UPDATE without WHERE"),
        ("ALTER TABLE users DROP CONSTRAINT users_pkey", "ALTER TABLE ... DROP"),
        ("\\c shop\nDELETE FROM users", "DELETE without WHERE"),
        ("SELECT 'DROP TABLE x' -- DROP TABLE y\n", None),
        ("/* TRUNCATE users */ SELECT 1", None),
        ("UPDATE users SET name = 'x' WHERE id = 1", None),
        ("ALTER TABLE users ADD COLUMN age int", None),
        ("SELECT TRUNCATE(2.5, 0)", None),
    ],
)
def test_sql_destruction(sql: str, expected: str | None) -> None:
    assert sql_destruction(sql) == expected
