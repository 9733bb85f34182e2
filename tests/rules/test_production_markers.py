"""The shared production markers: which commands target production, and what they say why."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agentgov.evaluators.rules.production.markers import (
    ProductionMarker,
    nonproduction_word,
    platform_default,
    production_marker,
    production_word,
    tokens,
)
from agentgov.evaluators.shell.analyze import analyze
from agentgov.policy.model import ProductionMarkers
from tests.rules.ruletest import context, default_policy


def marker(
    command: str, env: dict[str, str] | None = None, targets: tuple[str, ...] = ()
) -> ProductionMarker | None:
    """The marker for the last command of ``command``."""
    ctx = context(env=env)
    analysis = analyze(command, cwd=ctx.cwd, home=ctx.home)
    last = analysis.commands[-1]
    return production_marker(analysis, last, ctx, targets=targets)


MARKERS = ProductionMarkers(
    words=("prod", "production", "live-site"),
    hosts=("*.db.internal.example.com",),
    env_vars=("PROD_DATABASE_URL",),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prod", "prod"),
        ("prod-db", "prod"),
        ("db.prod.example.com", "prod"),
        ("app_production", "production"),
        ("ProdCluster", "prod"),
        ("eu-prod1", "prod"),
        ("PRODUCTION", "production"),
        ("the-live-site-db", "live-site"),
        ("product", None),
        ("reproduce", None),
        ("productivity", None),
        ("products-api.example.com", None),
        ("prd", None),
        ("pre-prod", None),
        ("non-production", None),
        ("preprod", None),
        ("eu-prod-not-prod", "prod"),
        ("live", None),
    ],
)
def test_production_word_is_a_whole_token(text: str, expected: str | None) -> None:
    assert production_word(text, MARKERS) == expected


def test_tokens_split_punctuation_digits_and_camel_case() -> None:
    assert tokens("db.prod-eu1.example.com") == ("db", "prod", "eu", "1", "example", "com")
    assert tokens("MyAPIProdDB") == ("my", "api", "prod", "db")


def test_nonproduction_words() -> None:
    assert nonproduction_word("shop-staging") == "staging"
    assert nonproduction_word("shop") is None
    assert nonproduction_word("devops-prod") is None  # "devops" is not "dev"


# (command, the marker's evidence, a word its meaning holds)
POSITIVE: list[tuple[str, str, str]] = [
    ("RAILS_ENV=production rails db:migrate", "RAILS_ENV=production", "environment"),
    ("NODE_ENV=production knex migrate:latest", "NODE_ENV=production", "environment"),
    ("env RACK_ENV=production rake db:migrate", "RACK_ENV=production", "environment"),
    ("sudo APP_ENV=prod php artisan migrate", "APP_ENV=prod", "environment"),
    ("MIX_ENV=prod mix ecto.migrate", "MIX_ENV=prod", "environment"),
    ("FLASK_ENV=production flask db upgrade", "FLASK_ENV=production", "environment"),
    (
        "DJANGO_SETTINGS_MODULE=app.settings.production python manage.py migrate",
        "DJANGO_SETTINGS_MODULE=app.settings.production",
        "settings module",
    ),
    (
        "DATABASE_URL=postgres://app:s3cret@prod-db/app prisma migrate deploy",
        "DATABASE_URL",
        "host",
    ),
    (
        "DATABASE_URL=postgres://app@db.internal/app_production rails db:migrate",
        "DATABASE_URL",
        "database",
    ),
    ("PROD_DATABASE_URL=x ./migrate.sh", "PROD_DATABASE_URL=x", "policy lists"),
    ('psql "$PROD_DATABASE_URL" -c "select 1"', "$PROD_DATABASE_URL", "policy lists"),
    ("psql ${PRODUCTION_DB_URL} -c 'select 1'", "$PRODUCTION_DB_URL", "production variable"),
    ("rake db:migrate RAILS_ENV=production", "RAILS_ENV=production", "environment"),
    ("knex migrate:latest --env production", "--env production", "environment"),
    ("sequelize db:migrate --env=production", "--env production", "environment"),
    ("rails db:migrate -e production", "-e production", "environment"),
    ("serverless deploy --stage prod", "--stage prod", "environment"),
    ("sls deploy -s production", "-s production", "environment"),
    ("kubectl --context prod-eu apply -f k8s/", "--context prod-eu", "Kubernetes context"),
    ("kubectl apply --context=gke_acme_prod -f k8s/", "--context gke_acme_prod", "context"),
    ("helm upgrade web ./chart --kube-context prod", "--kube-context prod", "context"),
    ("kubectl apply -n production -f k8s/", "-n production", "namespace"),
    ("helm upgrade web ./chart --namespace=prod", "--namespace prod", "namespace"),
    ("kubectl apply -k overlays/production", "-k overlays/production", "manifest"),
    ("helm upgrade web ./chart -f values-prod.yaml", "-f values-prod.yaml", "manifest"),
    (
        "python manage.py migrate --settings=app.settings.prod",
        "--settings app.settings.prod",
        "settings",
    ),
    ("psql -h prod-db -c 'select 1'", "-h prod-db", "host"),
    ("mysql --host=db.prod.example.com -e 'select 1'", "--host", "host"),
    ("psql postgres://u@prod-db:5432/app -c 'select 1'", "the postgres URL", "host"),
    ("flyway -url=jdbc:postgresql://prod-db:5432/app migrate", "-url", "host"),
    ("goose postgres 'host=prod-db user=app dbname=app' up", "the connection string", "host"),
    ("sqlcmd -S prod-sql.example.com -Q 'select 1'", "-S prod-sql.example.com", "host"),
    ("redis-cli -u redis://prod-cache:6379 ping", "-u", "host"),
    ("TF_WORKSPACE=prod terraform apply", "TF_WORKSPACE=prod", "workspace"),
    (
        "terraform workspace select prod && terraform apply",
        "terraform workspace select prod",
        "earlier",
    ),
    ("terraform apply -var-file=prod.tfvars", "-var-file prod.tfvars", "configuration file"),
    ("pulumi up --stack acme/web/prod", "--stack acme/web/prod", "stack"),
    ("pulumi stack select prod; pulumi up --yes", "pulumi stack select prod", "earlier"),
    (
        "kubectl config use-context prod-eu && kubectl apply -f x.yaml",
        "use-context prod-eu",
        "earlier",
    ),
    ("kubectx prod-eu; kubectl rollout restart deploy/web", "kubectx prod-eu", "context"),
    ("export RAILS_ENV=production; rails db:migrate", "RAILS_ENV=production", "earlier"),
    ("RAILS_ENV=production; rails db:migrate", "RAILS_ENV=production", "earlier"),
    ("source .env.production && knex migrate:latest", "source .env.production", "earlier"),
    ("KUBECONFIG=~/.kube/prod-config kubectl apply -f x.yaml", "KUBECONFIG", "configuration file"),
    ("AWS_PROFILE=prod aws s3 sync dist s3://site", "AWS_PROFILE=prod", "profile"),
    ("aws --profile production s3 sync dist s3://site", "--profile production", "profile"),
    ("gcloud run deploy web --project acme-prod", "--project acme-prod", "project"),
    (
        "ansible-playbook -i inventories/production site.yml",
        "-i inventories/production",
        "inventory",
    ),
    (
        "gh workflow run deploy.yml -f environment=production",
        "-f environment=production",
        "environment",
    ),
    ("fly deploy -a shop-prod", "-a shop-prod", "app"),
    ("kamal deploy -d production", "-d production", "environment"),
    (
        "docker exec -e RAILS_ENV=production web rails db:migrate",
        "RAILS_ENV=production",
        "environment",
    ),
    ("docker run --rm -e RAILS_ENV=production web rails db:migrate", "RAILS_ENV", "environment"),
    ("helm upgrade web ./chart --set global.env=production", "--set global.env", "value"),
    ("skaffold run -p prod", "-p prod", "profile"),
    ("aws-vault exec prod -- terraform apply", "aws-vault exec prod", "profile"),
    ("dotenv -e .env.production -- npx knex migrate:latest", "-e .env.production", "env"),
    ("op run --env-file=.env.production -- rails db:migrate", "--env-file", "file"),
    (
        "kubectl apply -f https://u:s3cret@raw.example.com/prod.yaml?token=s3cret",
        "-f https://raw.example.com/prod.yaml",
        "manifest",
    ),
    (
        "kubectl --context prod-eu exec deploy/api -- rails db:migrate",
        "--context prod-eu",
        "context",
    ),
]


@pytest.mark.parametrize(("command", "evidence", "meaning"), POSITIVE)
def test_production_marker_found(command: str, evidence: str, meaning: str) -> None:
    found = marker(command)
    assert found is not None, command
    assert evidence in found.evidence
    assert meaning in found.meaning
    assert "s3cret" not in found.describe()


@pytest.mark.parametrize(
    ("command", "env", "evidence"),
    [
        (
            "rails db:migrate",
            {"RAILS_ENV": "production"},
            "RAILS_ENV=production in the environment",
        ),
        (
            "prisma migrate deploy",
            {"DATABASE_URL": "postgres://u:pw@prod-db/app"},
            "DATABASE_URL in the environment",
        ),
        ("kubectl apply -f x.yaml", {"KUBECONFIG": "/home/dev/.kube/prod.yaml"}, "KUBECONFIG"),
        ("terraform apply", {"TF_WORKSPACE": "production"}, "TF_WORKSPACE=production"),
        (
            "python manage.py migrate",
            {"DJANGO_SETTINGS_MODULE": "shop.settings.prod"},
            "DJANGO_SETTINGS_MODULE=shop.settings.prod",
        ),
    ],
)
def test_production_marker_from_the_environment(
    command: str, env: dict[str, str], evidence: str
) -> None:
    found = marker(command, env=env)
    assert found is not None
    assert evidence in found.evidence
    assert "pw@" not in found.describe()


def test_hosts_listed_by_the_policy() -> None:
    policy = default_policy()
    listed = replace(policy, production=replace(policy.production, hosts=("*.db.corp",)))
    ctx = context(policy=listed)
    analysis = analyze("psql -h pg1.db.corp -c 'select 1'", cwd=ctx.cwd, home=ctx.home)
    found = production_marker(analysis, analysis.commands[0], ctx)
    assert found == ProductionMarker("-h pg1.db.corp", "names the production host pg1.db.corp")
    assert marker("psql -h pg1.db.corp -c 'select 1'") is None


def test_context_patterns_are_the_policys_globs() -> None:
    # The default ``*prod*`` glob is deliberately broad: it also covers ``pre-prod-eu``.
    found = marker("kubectl apply -f k8s/ --context pre-prod-eu")
    assert found == ProductionMarker(
        "--context pre-prod-eu", "names a production Kubernetes context"
    )


def test_targets_named_by_the_rule_count() -> None:
    found = marker("cap production deploy", targets=("production",))
    assert found == ProductionMarker("production", "names a production target")


NEGATIVE: list[str] = [
    "rails db:migrate",
    "RAILS_ENV=development rails db:migrate",
    "RAILS_ENV=test rake db:reset",
    "NODE_ENV=staging knex migrate:latest",
    "psql -h localhost -c 'select 1'",
    "psql -h product-db.example.com -c 'select 1'",
    "psql -h reproduce.internal -c 'select 1'",
    "kubectl apply -n staging -f k8s/",
    "helm upgrade web ./chart -n product-catalog",
    "kubectl apply -f k8s/productivity/",
    "terraform apply",
    "terraform workspace select staging && terraform apply",
    "serverless deploy --stage dev",
    "DATABASE_URL=postgres://u@localhost/app_development rails db:migrate",
    "mysql -e 'DROP TABLE production_users' -h 127.0.0.1",
    "gh workflow run deploy.yml -f environment=staging",
    "cd infra/prod && terraform apply",
    "terraform -chdir=envs/prod apply",
    "echo prod; terraform apply",
    "psql $PRODUCT_DB_URL -c 'select 1'",
    "helm upgrade web ./chart --set image.tag=1.2,image.repository=acme/products",
    "aws-vault exec dev -- terraform apply",
    "knex migrate:latest --env pre-prod",
    "sls deploy --stage non-prod",
]


@pytest.mark.parametrize("command", NEGATIVE)
def test_no_production_marker(command: str) -> None:
    assert marker(command) is None


def test_paths_in_environment_variables_are_not_targets() -> None:
    env = {"VIRTUAL_ENV": "/home/dev/prod-tools/.venv", "DEPLOY_ENV": "production"}
    found = marker("terraform apply", env=env)
    assert found == ProductionMarker(
        "DEPLOY_ENV=production in the environment", "names a production environment"
    )
    assert marker("terraform apply", env={"VIRTUAL_ENV": "/home/dev/prod-tools/.venv"}) is None


def test_listed_variable_in_the_environment_is_not_evidence_by_itself() -> None:
    policy = default_policy()
    assert "PROD_DATABASE_URL" in policy.production.env_vars
    assert marker("rails db:migrate", env={"PROD_DATABASE_URL": "postgres://x/y"}) is None


def test_platform_default() -> None:
    markers = default_policy().production
    assert platform_default("heroku", (), markers) == ProductionMarker(
        "heroku", "targets the live app when no staging target is named"
    )
    assert platform_default("heroku", ("shop-staging",), markers) is None
    found = platform_default("heroku", ("shop-prod",), markers)
    assert found is not None
    assert found.evidence == "shop-prod"
