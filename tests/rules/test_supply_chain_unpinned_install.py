"""supply-chain.unpinned-install: installs judged against the policy's strictness per
ecosystem; and ``judge_requirement_text``, the requirements-file API for file scanners."""

from __future__ import annotations

import dataclasses

import pytest

from agentgov.evaluators.rules.base import ShellContext
from agentgov.evaluators.rules.supply_chain.requirements_files import judge_requirement_text
from agentgov.evaluators.rules.supply_chain.unpinned_install import RULE
from agentgov.policy.model import ECOSYSTEMS, ActionClass, Policy, Strictness
from tests.rules.ruletest import PROJECT, context, default_policy, hits

SHA = "0123456789abcdef0123456789abcdef01234567"
DIGEST = "sha256:" + "ab" * 32
PINNED_REQUIREMENTS = "requests==2.32.3\nflask==3.0.3  # web\n-e .\n./vendor/pkg\n"
FILES = {
    f"{PROJECT}/requirements.txt": PINNED_REQUIREMENTS,
    f"{PROJECT}/loose.txt": "requests==2.32.3\nflask>=3\n",
    f"{PROJECT}/nested.txt": "-r requirements/base.txt\nclick==8.1.7\n",
    f"{PROJECT}/requirements/base.txt": "rich==13.7.1\n--requirement extra.txt\n",
    f"{PROJECT}/requirements/extra.txt": "attrs==23.2.0\n",
    f"{PROJECT}/nested-loose.txt": "-r requirements/loose-base.txt\n",
    f"{PROJECT}/requirements/loose-base.txt": "numpy\n",
    f"{PROJECT}/names.txt": "requests\nflask\n",
    f"{PROJECT}/constraints.txt": "requests==2.32.3\nflask==3.0.3\n",
    f"{PROJECT}/partial-constraints.txt": "requests==2.32.3\n",
    f"{PROJECT}/hashed.txt": (
        "requests==2.32.3 \\\n    --hash=sha256:" + "a" * 64 + "\n"
        "flask==3.0.3 --hash=sha256:" + "b" * 64 + "\n"
    ),
    f"{PROJECT}/sub/requirements.txt": "django\n",
    f"{PROJECT}/missing-nested.txt": "-r nowhere.txt\n",
    f"{PROJECT}/package.json": '{"devDependencies": {"eslint": "^9.0.0"}}',
    f"{PROJECT}/node_modules/.bin/tsc": "#!/usr/bin/env node\n",
    f"{PROJECT}/go.mod": (
        "module example.com/app\n\ngo 1.22\n\nrequire (\n"
        "\tgithub.com/golang/mock v1.6.0\n\tgolang.org/x/text v0.14.0 // indirect\n)\n"
    ),
}

POSITIVE = [
    # pip, and the ways to reach it
    "pip install requests",
    "pip3 install requests",
    "pip3.12 install requests",
    "python -m pip install requests",
    "python3 -m pip install --user requests",
    "python3.11 -I -m pip install -q requests",
    "sudo -H pip3 install requests",
    "sudo pip install --break-system-packages requests",
    "env PIP_INDEX_URL=https://pypi.example pip install requests",
    "/usr/bin/pip install requests",
    "\\pip install requests",
    "'pip' install 'requests'",
    "bash -c 'pip install requests'",
    'sh -c "python3 -m pip install requests"',
    'eval "pip install requests"',
    "timeout 600 pip install requests",
    "echo start && pip install requests",
    "if true; then pip install requests; fi",
    "pip --disable-pip-version-check install requests",
    "pip install 'requests>=2.31'",
    "pip install 'requests~=2.31'",
    "pip install 'requests!=2.0'",
    "pip install -U requests",
    "pip install --upgrade pip",
    "pip install requests==2.32.3 flask",
    "pip install git+https://github.com/psf/requests.git",
    "pip install git+https://github.com/psf/requests.git@main",
    "pip install -e git+https://github.com/psf/requests.git#egg=requests",
    "pip install https://github.com/psf/requests/archive/main.zip",
    "pip install -r loose.txt",
    "pip install -r nested-loose.txt",
    "pip install -r missing.txt",
    "pip install -r missing-nested.txt",
    "pip install -r names.txt -c partial-constraints.txt",
    "cd sub && pip install -r requirements.txt",
    "pip install 'requests==$VERSION' $EXTRA flask",
    "xargs pip install < names.txt",
    "cat names.txt | xargs pip install",
    "xargs -n1 pip install < missing.txt",
    # uv, uvx, pipx, poetry, pdm
    "uv pip install requests",
    "uv pip install --system 'requests>=2'",
    "uv pip install -r requirements.txt -P requests",
    "uv pip sync loose.txt",
    "uv add requests",
    "uv add 'requests>=2'",
    "uv add git+https://github.com/psf/requests --branch main",
    "uv add -r names.txt",
    "uv tool install ruff",
    "uvx ruff check .",
    "uvx ruff@latest check .",
    "uv tool run black .",
    "uvx --from 'ruff>=0.5' ruff check",
    "uv run --with rich python report.py",
    "pipx install black",
    "pipx run cowsay hi",
    "pipx inject tools requests",
    "poetry add requests",
    "poetry add requests@^2.31",
    "poetry add requests@latest",
    "pdm add requests",
    # npm, npx, yarn, pnpm, bun
    "npm install left-pad",
    "npm i left-pad",
    "npm add left-pad",
    "npm install -g typescript",
    "npm install --save-dev jest@^29",
    "npm install left-pad@latest",
    "npm install left-pad@next",
    "npm install lodash@4",
    "npm install github:user/repo",
    "npm install user/repo#main",
    "npm i -E left-pad",
    "npm --prefix web install left-pad",
    "sudo npm install -g @angular/cli",
    "bash -c 'npm i left-pad'",
    "(cd web && npm i left-pad)",
    "nohup npm install left-pad &",
    "npx cowsay hello",
    "npx -y create-react-app my-app",
    "npx --package=cowsay cowsay hi",
    "npx prettier@latest --write .",
    "npm exec -- cowsay hi",
    "yarn add lodash",
    "yarn global add serve",
    "yarn dlx create-next-app",
    "pnpm add lodash",
    "pnpm dlx create-vite",
    "pnpx degit user/repo",
    "bun add zod",
    "bun x cowsay",
    "bunx prettier --write .",
    # cargo, go, gem
    "cargo install ripgrep",
    "cargo install ripgrep --version ^14",
    "cargo install --git https://github.com/BurntSushi/ripgrep",
    "cargo install --git https://github.com/BurntSushi/ripgrep --branch master",
    "go install golang.org/x/tools/gopls@latest",
    "go install golang.org/x/tools/gopls",
    "go get github.com/pkg/errors",
    "go get -u ./...",
    "go run github.com/air-verse/air@main",
    "go install golang.org/x/tools/gopls@v0.16",
    "gem install rails",
    "gem install rails -v '~> 7.1'",
    "sudo gem install bundler",
    # docker, podman, brew
    "docker pull python",
    "docker pull python:latest",
    "docker run --rm python:latest python -V",
    'docker run -it --rm -v "$PWD":/app -w /app node npm test',
    "podman pull alpine",
    "docker image pull nginx",
    "docker container run -d -p 80:80 nginx",
    "docker create redis",
    "docker pull --all-tags alpine",
    "sudo docker run ubuntu",
    "docker --context prod run --name web -e A=1 nginx:latest",
    "brew install jq",
    "brew install --cask firefox",
]

NEGATIVE = [
    # pinned, locked and local forms
    "pip install requests==2.32.3",
    "pip install 'requests===2.32.3'",
    "pip install 'requests[socks]==2.32.3'",
    "pip install -e .",
    "pip install .",
    "pip install ./dist/pkg-1.0-py3-none-any.whl",
    "pip install ../sibling",
    "pip install /opt/src/pkg",
    "pip install file:///tmp/pkg",
    f"pip install git+https://github.com/psf/requests.git@{SHA}",
    "pip install https://files.example/pkg-1.0.tar.gz#sha256=" + "c" * 64,
    "pip install -r requirements.txt",
    "pip install -r nested.txt",
    "pip install -r names.txt -c constraints.txt",
    "pip install --require-hashes -r hashed.txt",
    "pip install -U 'requests==2.32.3'",
    "python3 -m pip install --no-index --find-links ./wheels requests",
    "pip install $PACKAGES",
    "xargs pip install < requirements.txt",
    "echo $PACKAGES | xargs pip install",
    'npm install "left-pad@$LEFT_PAD_VERSION"',
    'go install "golang.org/x/tools/gopls@$GOPLS_VERSION"',
    'cargo install ripgrep --version "$RG_VERSION"',
    'gem install rails -v "$RAILS_VERSION"',
    'uvx "ruff@$RUFF_VERSION" check .',
    "docker run --rm $IMAGE",
    'pip install "requests==$VERSION"',
    # not installs
    "pip download requests",
    "pip show requests",
    "pip list",
    "pip uninstall -y requests",
    "pip freeze",
    "python -m pip --version",
    "python -m json.tool data.json",
    "echo pip install requests",
    "git commit -m 'pip install requests'",
    "grep 'npm install' README.md",
    "printf 'docker pull python\\n'",
    "npm run install",
    "npm test",
    "yarn build",
    "cargo build --release",
    "go build ./...",
    "go mod download",
    "bundle install",
    "docker ps",
    "docker images",
    "brew list",
    # pinned forms in the other ecosystems
    "npm install",
    "npm ci",
    "npm install left-pad@1.3.0",
    "npm i @scope/pkg@2.0.1",
    "npm install ./local-pkg",
    f"npm install user/repo#{SHA}",
    "npx eslint .",
    "npx tsc --noEmit",
    "npx cowsay@1.5.0 hi",
    "npx --no-install some-tool",
    "yarn install --frozen-lockfile",
    "yarn",
    "pnpm install --frozen-lockfile",
    "bun install",
    "uv sync --locked",
    "uv sync",
    "uv run pytest",
    "uvx ruff@0.5.0 check .",
    "uvx --from 'ruff==0.5.0' ruff check",
    "uv add 'requests==2.32.3'",
    f"uv add git+https://github.com/psf/requests --rev {SHA}",
    "uv tool install ruff==0.5.0",
    "pipx install black==24.1.0",
    "poetry add requests@2.32.3",
    "poetry install",
    "pdm add requests==2.32.3",
    "cargo install ripgrep --version 14.1.0",
    "cargo install ripgrep@14.1.0",
    "cargo install --path .",
    f"cargo install --git https://github.com/BurntSushi/ripgrep --rev {SHA}",
    "go install ./...",
    "go run .",
    "go run main.go --port 8080",
    "go install golang.org/x/tools/gopls@v0.16.1",
    "go install github.com/golang/mock/mockgen",
    "go get github.com/pkg/errors@v0.9.1",
    "gem install rails -v 7.1.3",
    "gem install rails:7.1.3",
    "gem install ./pkg/mygem-1.0.gem",
    "docker pull python:3.12.4",
    f"docker pull python@{DIGEST}",
    "docker run --rm python:3.12-slim python -V",
    "docker build -t app . && docker run --rm app",
    "docker run --pull never myimage",
    "docker run --rm localhost:5000/app",
    "docker tag registry.example/app:dev myapp && docker run myapp",
    "docker buildx build -t app . && docker container run --rm app",
    "cd cmd/tool && go install github.com/golang/mock/mockgen",
    "cd web/src && npx eslint .",
]


def ctx(policy: Policy | None = None) -> ShellContext:
    return context(files=FILES, policy=policy)


def with_strictness(**levels: Strictness) -> Policy:
    base = default_policy()
    table = dict(base.supply_chain)
    for ecosystem, level in levels.items():
        assert ecosystem in ECOSYSTEMS
        table[ecosystem] = level
    return dataclasses.replace(base, supply_chain=tuple(table.items()))


def everywhere(level: Strictness) -> Policy:
    return with_strictness(**dict.fromkeys(ECOSYSTEMS, level))


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 60
    assert len(NEGATIVE) >= 30


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_unpinned_installs(command: str) -> None:
    found = hits(RULE, command, ctx())
    assert [hit.rule for hit in found] == ["supply-chain.unpinned-install"]
    assert found[0].action_class is ActionClass.FORBIDDEN


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_pinned_installs_and_look_alikes(command: str) -> None:
    assert hits(RULE, command, ctx()) == []


@pytest.mark.parametrize("command", POSITIVE)
def test_any_strictness_allows_everything(command: str) -> None:
    assert hits(RULE, command, ctx(everywhere(Strictness.ANY))) == []


# --- messages and remediations ------------------------------------------------------------


def test_pip_remediation_names_the_pinned_form() -> None:
    [hit] = hits(RULE, "pip install requests", ctx())
    assert hit.fragment == "pip install requests"
    assert hit.message == (
        "pip install installs requests (unpinned): the policy requires exact pins for pip"
    )
    assert hit.remediation == (
        "pin it: pip install requests==<version> (take <version> from your lockfile, or "
        "list them with pip index versions requests)"
    )


def test_remediation_keeps_the_way_pip_was_called() -> None:
    [hit] = hits(RULE, "sudo python3 -m pip install --user requests 'flask>=3'", ctx())
    assert "requests (unpinned), flask>=3 (only a version range)" in hit.message
    assert hit.remediation.startswith(
        "pin them: python3 -m pip install requests==<version> flask==<version> ("
    )


def test_upgrade_of_pip_itself_is_unpinned() -> None:
    [hit] = hits(RULE, "pip install --upgrade pip", ctx())
    assert hit.remediation.startswith("pin it: pip install pip==<version>")


def test_requirement_file_lines_are_named_with_their_place() -> None:
    [hit] = hits(RULE, "pip install -r nested-loose.txt", ctx())
    assert hit.message == (
        "pip install installs numpy (requirements/loose-base.txt:1) (unpinned): the policy "
        "requires exact pins for pip"
    )


def test_unreadable_requirements_file_fails_closed() -> None:
    [hit] = hits(RULE, "pip install -r missing.txt", ctx())
    assert hit.message == (
        "cannot read missing.txt to check its pins: the policy requires exact pins for pip"
    )
    assert hit.remediation.startswith("make the file readable at the path the command gives")
    [nested] = hits(RULE, "pip install -r missing-nested.txt", ctx())
    assert nested.message.startswith("cannot read nowhere.txt to check its pins")


@pytest.mark.parametrize(
    ("command", "remediation"),
    [
        ("npm install left-pad", "pin it: npm install left-pad@<version> ("),
        ("npx cowsay hello", "pin it: npx cowsay@<version> ("),
        ("yarn add lodash", "pin it: yarn add lodash@<version> ("),
        ("uvx ruff check .", "pin it: uvx ruff@<version> ("),
        ("cargo install ripgrep", "pin it: cargo install ripgrep --version <version> ("),
        (
            "go install golang.org/x/tools/gopls@latest",
            "pin it: go install golang.org/x/tools/gopls@<version> (",
        ),
        ("gem install rails", "pin it: gem install rails -v <version> ("),
        ("docker pull python", "pin it: docker pull python:<tag>@sha256:<digest> ("),
        (
            "pip install git+https://github.com/psf/requests.git@main",
            "pin it: pip install git+https://github.com/psf/requests.git@<commit-sha> (",
        ),
        ("brew install jq", "Homebrew cannot pin a version"),
    ],
)
def test_remediation_per_ecosystem(command: str, remediation: str) -> None:
    [hit] = hits(RULE, command, ctx())
    assert hit.remediation.startswith(remediation)


# --- the strictness ladder ------------------------------------------------------------------


def test_any_allows_unpinned_and_brew() -> None:
    policy = with_strictness(pip=Strictness.ANY, brew=Strictness.ANY)
    assert hits(RULE, "pip install requests", ctx(policy)) == []
    assert hits(RULE, "brew install jq", ctx(policy)) == []
    assert len(hits(RULE, "npm install left-pad", ctx(policy))) == 1


def test_constrained_accepts_ranges_but_not_bare_names() -> None:
    policy = with_strictness(pip=Strictness.CONSTRAINED, npm=Strictness.CONSTRAINED)
    assert hits(RULE, "pip install 'requests>=2.31'", ctx(policy)) == []
    assert hits(RULE, "npm install lodash@^4", ctx(policy)) == []
    assert len(hits(RULE, "pip install requests", ctx(policy))) == 1
    assert len(hits(RULE, "pip install 'requests!=2.0'", ctx(policy))) == 1
    assert len(hits(RULE, "npm install lodash@latest", ctx(policy))) == 1


@pytest.mark.parametrize(
    "command",
    [
        "pip install requests==2.32.3",
        "pip install -r requirements.txt",
        "npm install left-pad@1.3.0",
        "npm install",
        "yarn install",
        "uv sync",
        "uvx ruff@0.5.0 check",
        "cargo install ripgrep --version 14.1.0",
        "docker pull python:3.12.4",
        "go install golang.org/x/tools/gopls@v0.16.1",
        "gem install rails -v 7.1.3",
    ],
)
def test_locked_rejects_exact_pins(command: str) -> None:
    assert hits(RULE, command, ctx()) == []
    assert len(hits(RULE, command, ctx(everywhere(Strictness.LOCKED)))) == 1


@pytest.mark.parametrize(
    "command",
    [
        "pip install --require-hashes -r hashed.txt",
        "pip install -r hashed.txt",
        "pip install --require-hashes -r requirements.txt",
        "pip install -e .",
        "npm ci",
        "yarn install --immutable",
        "pnpm install --frozen-lockfile",
        "bun install --frozen-lockfile",
        "uv sync --locked",
        "uv sync --frozen",
        "cargo install --locked ripgrep --version 14.1.0",
        f"docker pull python@{DIGEST}",
        f"docker run --rm python:3.12@{DIGEST}",
        "npx eslint .",
        "go install github.com/golang/mock/mockgen",
    ],
)
def test_locked_accepts_hashes_lockfiles_and_digests(command: str) -> None:
    assert hits(RULE, command, ctx(everywhere(Strictness.LOCKED))) == []


def test_locked_remediations_name_the_locking_form() -> None:
    policy = everywhere(Strictness.LOCKED)
    [pip] = hits(RULE, "pip install requests==2.32.3", ctx(policy))
    assert pip.message == (
        "pip install installs requests==2.32.3 (pinned but not locked by a hash or lockfile): "
        "the policy requires locked pins for pip"
    )
    assert "--require-hashes -r requirements.txt" in pip.remediation
    [npm] = hits(RULE, "npm install", ctx(policy))
    assert npm.message == (
        "npm install may update the lockfile: the policy requires locked pins for npm"
    )
    assert npm.remediation == "install from the lockfile without changing it: npm ci"
    [cargo] = hits(RULE, "cargo install ripgrep --version 14.1.0", ctx(policy))
    assert cargo.remediation.startswith(
        "pin it: cargo install --locked ripgrep --version <version> ("
    )


# --- judge_requirement_text: the API for file scanners ----------------------------------------


def test_judge_requirement_text_reports_each_line() -> None:
    text = "requests==2.32.3\nflask>=3\n\n# tools\nblack\n-e .\n"
    findings = judge_requirement_text(text, "pip", Strictness.EXACT, path="requirements.txt")
    assert [(f.path, f.line, f.requirement, f.pin) for f in findings] == [
        ("requirements.txt", 2, "flask>=3", Strictness.CONSTRAINED),
        ("requirements.txt", 5, "black", Strictness.ANY),
    ]
    assert findings[1].message == "black is unpinned; the policy requires exact pins for pip"
    assert findings[1].pinned_form == "black==<version>"


def test_judge_requirement_text_follows_nested_files_and_fails_closed() -> None:
    files = {"reqs/base.txt": "numpy\n"}
    findings = judge_requirement_text(
        "-r base.txt\n-r gone.txt\n",
        "pip",
        Strictness.EXACT,
        path="reqs/dev.txt",
        read_text=files.get,
    )
    assert [(f.path, f.line, f.requirement) for f in findings] == [
        ("reqs/dev.txt", 0, ""),
        ("reqs/base.txt", 1, "numpy"),
    ]
    assert findings[0].message == "cannot read gone.txt to check its pins"


def test_judge_requirement_text_survives_cycles_and_bad_lines() -> None:
    files = {"a.txt": "-r b.txt\nx==1\n", "b.txt": "-r a.txt\ny\n"}
    [cycle] = judge_requirement_text(
        files["a.txt"], "pip", Strictness.EXACT, path="a.txt", read_text=files.get
    )
    assert (cycle.path, cycle.requirement) == ("b.txt", "y")
    [bad] = judge_requirement_text("--bogus-option\nrequests==1\n", "pip", Strictness.EXACT)
    assert bad.message == "requirements.txt:1: pip cannot parse this line"


def test_judge_requirement_text_under_locked_and_any() -> None:
    hashed = FILES[f"{PROJECT}/hashed.txt"]
    assert judge_requirement_text(hashed, "pip", Strictness.LOCKED) == ()
    [finding] = judge_requirement_text("requests==2.32.3\n", "pip", Strictness.LOCKED)
    assert finding.pinned_form == "requests==<version> --hash=sha256:<digest>"
    assert judge_requirement_text("requests\n", "pip", Strictness.ANY) == ()
