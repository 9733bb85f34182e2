"""package.publish: publishing, yanking or retagging packages, images and releases."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.package.publish import RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import hits

POSITIVE = [
    "npm publish",
    "npm publish --access public --tag next",
    "sudo -E /usr/local/bin/npm publish",
    "pnpm publish -r --no-git-checks",
    "yarn publish --new-version 1.2.3",
    "yarn npm publish --tolerate-republish",
    "bun publish",
    "npm dist-tag add my-pkg@1.2.3 latest",
    "npm unpublish my-pkg@1.2.3",
    "npm deprecate my-pkg@'<2' 'use v2'",
    "npx lerna publish from-package --yes",
    "npx changeset publish",
    "twine upload dist/*",
    "python -m twine upload --repository pypi dist/*",
    "python3.12 -m twine upload dist/*",
    "uv publish --token $PYPI_TOKEN",
    "uvx twine upload dist/*",
    "poetry publish --build",
    "flit publish",
    "hatch publish",
    "pdm publish",
    "maturin publish",
    "cargo publish",
    "cargo yank --version 1.0.1",
    "gem push pkg/my_gem-1.0.0.gem",
    "bundle exec rake release",
    "gh release create v1.2.3 --generate-notes",
    "gh release upload v1.2.3 dist/app.tar.gz",
    "gh release delete v1.2.2 --yes",
    "docker push registry.example.com/web:1.2.3",
    "podman push quay.io/acme/web:1.2.3",
    "docker buildx build --platform linux/amd64,linux/arm64 -t acme/web:1.2 --push .",
    "docker image push acme/web:1.2",
    "helm push web-1.2.3.tgz oci://registry.example.com/charts",
    "mvn -B clean deploy -DskipTests",
    "./mvnw deploy",
    "./gradlew publish",
    "./gradlew :lib:publishToMavenCentral",
    "dotnet nuget push bin/Release/Web.1.2.3.nupkg --api-key $KEY --source nuget.org",
    "npx @vscode/vsce publish",
    "goreleaser release --clean",
    "goreleaser",
    "pod trunk push Acme.podspec",
    "mix hex.publish --yes",
    "dart pub publish --force",
    "bash -c 'cargo publish --allow-dirty'",
    "make dist && twine upload dist/*",
    "'npm' publish",
    "\\cargo publish",
    "docker exec -w /app web npm publish",
]


@pytest.mark.parametrize("command", POSITIVE)
def test_flags(command: str) -> None:
    found = hits(RULE, command)
    assert len(found) == 1, command
    assert found[0].action_class is ActionClass.IRREVERSIBLE


NEGATIVE = [
    "npm publish --dry-run",
    "npm pack",
    "npm install",
    "npm view my-pkg versions",
    "npm dist-tag ls my-pkg",
    "pnpm publish --dry-run -r",
    "cargo publish --dry-run",
    "cargo build --release",
    "poetry publish --dry-run",
    "poetry build",
    "python -m build",
    "twine check dist/*",
    "uv build",
    "gem build my_gem.gemspec",
    "gh release view v1.2.3",
    "gh release list",
    "docker build -t acme/web:1.2 .",
    "docker pull acme/web:1.2",
    "helm package ./chart",
    "mvn -B verify",
    "./gradlew publishToMavenLocal",
    "./gradlew build",
    "goreleaser release --snapshot --clean",
    "goreleaser check",
    "echo npm publish",
    "git commit -m 'npm publish 1.2.3'",
    "grep -r 'twine upload' .github/",
    "rake test",
]


@pytest.mark.parametrize("command", NEGATIVE)
def test_does_not_flag(command: str) -> None:
    assert hits(RULE, command) == []


def test_message_and_remediation() -> None:
    [hit] = hits(RULE, "python -m twine upload dist/*")
    assert hit.message.startswith("`twine upload` publishes to a registry")
    assert "--dry-run" in hit.remediation
