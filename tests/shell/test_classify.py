"""The class of each command before any rule: a table per class, and the reasons."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.base import ShellContext
from agentgov.evaluators.shell.analyze import analyze
from agentgov.evaluators.shell.classify import base_class
from agentgov.policy.load import load_template
from agentgov.policy.model import ActionClass

PROJECT = "/code/project"
HOME = "/home/dev"


@pytest.fixture(scope="module")
def ctx() -> ShellContext:
    return ShellContext(
        policy=load_template("default"),
        cwd=PROJECT,
        home=HOME,
        project_root=PROJECT,
        env=(("TMPDIR", "/var/folders/tmp"),),
    )


def classes(source: str, ctx: ShellContext) -> list[ActionClass]:
    analysis = analyze(source, cwd=ctx.cwd, home=ctx.home)
    return [base_class(command, analysis, ctx)[0] for command in analysis.commands]


def worst(source: str, ctx: ShellContext) -> ActionClass:
    return max(classes(source, ctx), key=lambda action: action.severity)


READ = [
    "ls -la",
    "cat README.md",
    "head -n 5 a.txt | grep foo | sort -u",
    "rg -n TODO src",
    "find . -name '*.py'",
    "find . -type f -exec grep -l foo {} +",
    "git status",
    "git log --oneline -5",
    "git diff HEAD~1 -- src",
    "git show HEAD",
    "git branch",
    "git branch -a",
    "git branch --show-current",
    "git remote -v",
    "git tag",
    "git stash list",
    "git config user.name",
    "git config --get user.email",
    "git -C sub status",
    "git --no-pager log",
    "kubectl get pods -n prod",
    "kubectl -n prod describe deploy web",
    "kubectl logs web-1",
    "echo hello > /dev/null",
    "printf '%s\\n' x",
    "pwd",
    "which python",
    "command -v git",
    "env",
    "printenv PATH",
    "cd /tmp",
    "sed -n 1,5p file",
    "awk '{print $1}' f",
    "wc -l *.py",
    "jq .name package.json",
    "tar -tzf a.tgz",
    "python --version",
    "npm ls",
    "pip list",
    "make -n",
    "X=1",
    "sh -c 'ls'",
    "eval 'ls -l'",
    "echo 'rm -rf /'",
    "watch -n 1 'git status'",
    "docker ps",
    "helm list",
    "terraform show",
    "sleep 1",
    "true && false",
    "test -f x",
]


@pytest.mark.parametrize("source", READ)
def test_read(source: str, ctx: ShellContext) -> None:
    assert worst(source, ctx) is ActionClass.READ


LOCAL = [
    "pytest -q tests/",
    "python -m pytest",
    "python script.py",
    "python3 -c 'print(1)'",
    "make",
    "make build",
    "npm test",
    "npm run build && npm test",
    "cargo build",
    "cargo test",
    "go test ./...",
    "go build",
    "git add -A",
    "git commit -m 'fix: x'",
    "git checkout -b feature",
    "git switch main",
    "git merge feature",
    "git rebase main",
    "git stash",
    "git branch new-feature",
    "git config user.name me",
    "mkdir -p build",
    "cp a b",
    "mv a b",
    "chmod +x run.sh",
    "touch x",
    "rm x",
    "rm -rf build/ dist/",
    "rm -rf ./node_modules",
    "rm -rf /code/project/build",
    "rm -rf /tmp/x",
    "rm -rf /var/tmp/cache",
    "rm -rf /var/folders/tmp/x",
    "cd /tmp && rm -rf x",
    "cd /tmp && rm -rf *",
    "rm *.pyc",
    "rmdir empty",
    "find . -name '*.pyc' -delete",
    "find . -name '*.pyc' -exec rm -f {} +",
    "find /tmp/x -type f -exec rm {} \\;",
    "find . -name '*.pyc' | xargs rm",
    "find . -name '*.o' -print0 | xargs -0 -I{} rm {}",
    "echo x > out.txt",
    "echo x >> /etc/profile",
    "sed -i 's/a/b/' f",
    "sort -o out.txt in.txt",
    "tee out.log",
    "./run.sh",
    "bash run.sh",
    "source .venv/bin/activate",
    ". ./env.sh",
    "some-unknown-tool --flag",
    "sudo ls",
    "tar -xzf a.tgz",
    "docker build -t x .",
    "rsync -a src/ dst/",
    "cat <<'EOF' > notes.md\nhello\nEOF",
    "git reflog expire --expire=now --all",
    "su - deploy -c 'ls'",
    "runuser -u deploy -- ls",
    "exec > build.log 2>&1",
    "docker run --rm -w /app img npm test",
    "time make",
]


@pytest.mark.parametrize("source", LOCAL)
def test_local(source: str, ctx: ShellContext) -> None:
    assert worst(source, ctx) is ActionClass.LOCAL


NETWORK = [
    "curl -sSL https://example.com",
    "wget https://example.com/x.tgz",
    "ssh host uptime",
    "scp a host:/tmp/",
    "rsync -a src/ host:/srv/",
    "git fetch origin",
    "git pull",
    "git clone https://github.com/a/b",
    "git ls-remote origin",
    "nc -z host 80",
    "dig example.com",
    "http GET example.com",
    "gh pr view 12",
    "gh api repos/a/b",
    "aws s3 ls",
    "kubectl apply -f x.yaml",
    "npm view react",
    "pip download requests",
    "python -m http.server",
    "helm repo update",
    "terraform plan",
    "kubectl exec pod -- ls",
    "ssh host 'ls /srv'",
]


@pytest.mark.parametrize("source", NETWORK)
def test_network(source: str, ctx: ShellContext) -> None:
    assert worst(source, ctx) is ActionClass.NETWORK


INSTALL = [
    "pip install requests",
    "pip3 install -r requirements.txt",
    "python -m pip install requests==2.32.3",
    "python3.12 -m pip install x",
    "uv pip install x",
    "uv add httpx",
    "uv sync --locked",
    "uvx ruff",
    "pipx install black",
    "poetry add x",
    "npm install",
    "npm i react",
    "npm ci",
    "npx create-react-app x",
    "pnpm add x",
    "yarn",
    "yarn add x",
    "bun add x",
    "cargo install ripgrep",
    "go install golang.org/x/tools/gopls@latest",
    "go get example.com/x",
    "gem install rails",
    "bundle install",
    "brew install jq",
    "apt-get install -y curl",
    "sudo apt install jq",
    "docker pull ubuntu",
    "helm dependency update",
    "terraform init",
]


@pytest.mark.parametrize("source", INSTALL)
def test_install(source: str, ctx: ShellContext) -> None:
    assert worst(source, ctx) is ActionClass.INSTALL


PUBLISH = [
    "git push",
    "git push origin feature",
    "git -C sub push",
    "gh pr create --fill",
    "gh pr merge 12",
    "gh issue create -t x",
    "gh pr comment 3 -b hi",
    "gh release create v1",
    "gh api -X POST repos/a/b/issues",
    "gh api repos/a/b/issues -f title=x",
    "npm publish",
    "cargo publish",
    "twine upload dist/*",
    "docker push me/x",
    "gh workflow run deploy.yml",
]


@pytest.mark.parametrize("source", PUBLISH)
def test_publish(source: str, ctx: ShellContext) -> None:
    assert worst(source, ctx) is ActionClass.PUBLISH


DYNAMIC = [
    "$CMD",
    "$CMD arg",
    "${TOOL:-ls} x",
    "$(echo rm) -rf x",
    "`which rm` x",
    'eval "$X"',
    "eval $(ssh-agent)",
    'bash -c "$SCRIPT"',
    'sh -c "$(cat x)"',
    'source "$F"',
    ". $ENV_FILE",
    "source <(cat x)",
    'rm -rf "$DIR"',
    "rm -rf $DIR/build",
    'mv "$A" b',
    'cp a "$B"',
    "chmod 777 $F",
    "ls | xargs rm",
    "cat list | xargs -I{} rm {}",
    "cd $X && rm -rf build",
    'echo x > "$OUT"',
    'tee "$LOG"',
    'bash "$SCRIPT"',
    "/bin/r? x",
    "ls (",
    "echo 'unterminated",
    "echo " + "$(" * 5000 + "x" + ")" * 5000,
]


@pytest.mark.parametrize("source", DYNAMIC)
def test_dynamic(source: str, ctx: ShellContext) -> None:
    assert worst(source, ctx) is ActionClass.DYNAMIC


IRREVERSIBLE = [
    "rm -rf /",
    "rm -rf ~",
    "rm -rf ~/projects",
    "rm -rf /etc/nginx",
    "rm -rf ..",
    "rm -rf ../other-project",
    "rm /code/project",
    "rm -rf /tmp",
    "rm -rf /*",
    "rm -rf .git",
    "rm -rf .git/refs",
    "cd / && rm -rf usr",
    "cd ~ && rm -rf *",
    "sudo rm -rf /var/lib/docker",
    "X=/etc; rm -rf $X",
    "bash -c 'rm -rf /opt/app'",
    "find / -name core -delete",
    "find ~ -name '*.log' -exec rm {} +",
    "find /var/log | xargs rm",
    "echo x > /etc/hosts",
    "cat > ~/.bashrc <<EOF\nx\nEOF",
    "rmdir /opt/empty",
    "shutdown -h now",
    "gh repo delete a/b --yes",
    "rm -rf /{etc,usr}",
    "ssh host 'rm -rf /var/www'",
    "docker exec web rm -rf /srv/data",
]


@pytest.mark.parametrize("source", IRREVERSIBLE)
def test_irreversible(source: str, ctx: ShellContext) -> None:
    assert worst(source, ctx) is ActionClass.IRREVERSIBLE


def test_outside_a_repository_every_delete_outside_temp_is_irreversible() -> None:
    outside = ShellContext(policy=load_template("default"), cwd="/srv/app", home=HOME)
    assert classes("rm x", outside) == [ActionClass.IRREVERSIBLE]
    assert classes("rm /tmp/x", outside) == [ActionClass.LOCAL]


REASONS = [
    ("git status", "git status: reads only"),
    ("rm -rf /etc", "rm /etc: outside the project and the temp directories"),
    ("cd /tmp && rm -rf x", "rm x: inside a temp directory"),
    ("rm -rf build", "rm build: inside the project"),
    ('rm -rf "$D"', 'rm of a path computed at run time: "$D"'),
    ("$CMD", "the program name is computed at run time: $CMD"),
    ('eval "$(a)"', "eval of a string computed at run time"),
    ("sudo ls", "ls runs as another user (sudo)"),
    ("curl x", "curl: talks to the network"),
    (
        "find ~ -delete",
        "find -delete files under /home/dev: outside the project and the temp directories",
    ),
]


@pytest.mark.parametrize(("source", "reason"), REASONS)
def test_reasons(source: str, reason: str, ctx: ShellContext) -> None:
    analysis = analyze(source, cwd=ctx.cwd, home=ctx.home)
    assert base_class(analysis.commands[-1], analysis, ctx)[1] == reason


def test_every_command_of_an_unparsed_input_is_dynamic(ctx: ShellContext) -> None:
    assert classes("ls; git status; )", ctx) == [ActionClass.DYNAMIC, ActionClass.DYNAMIC]
