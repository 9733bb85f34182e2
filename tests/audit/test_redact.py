"""Secrets never reach the journal: a table of commands and what is written instead."""

from __future__ import annotations

import pytest

from agentgov.audit.redact import redact


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (
            "curl -H 'Authorization: Bearer abc.def' https://x",
            "curl -H 'Authorization: Bearer ***' https://x",
        ),
        ('curl -H "authorization: token ghx" x', 'curl -H "authorization: token ***" x'),
        ("git clone https://bob:s3cr3t@github.com/x/y", "git clone https://bob:***@github.com/x/y"),
        ("psql postgres://app:pw@prod-db:5432/app", "psql postgres://app:***@prod-db:5432/app"),
        ('curl "https://x.com/a?token=abc123&x=1"', 'curl "https://x.com/a?token=***&x=1"'),
        ("wget 'https://s3/x?X-Amz-Signature=deadbeef'", "wget 'https://s3/x?X-Amz-Signature=***'"),
        ("export GITHUB_TOKEN=abc", "export GITHUB_TOKEN=***"),
        ('AWS_SECRET_ACCESS_KEY="abc def" aws s3 ls', 'AWS_SECRET_ACCESS_KEY="***" aws s3 ls'),
        ("DB_PASSWORD='x y' ./run", "DB_PASSWORD='***' ./run"),
        ("mysql --password=hunter2 -h db", "mysql --password=*** -h db"),
        ("vault login --token s.abcdef", "vault login --token ***"),
        ('curl -H "X-Api-Key: k123" x', 'curl -H "X-Api-Key: ***" x'),
        ("echo ghp_abcdefghijklmnopqrstuvwxyz0123456789", "echo ***"),
        ("echo github_pat_11ABCDEFG0123456789_abcdefghijk", "echo ***"),
        ("echo sk-ant-api03-abcdefghijklmnopqrstu", "echo ***"),
        ("echo AKIAABCDEFGHIJKLMNOP", "echo ***"),
        ("echo xoxb-1234567890-abcdefghij", "echo ***"),
        ("echo eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.abcdefghijkl", "echo ***"),
        (
            "printf '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----'",
            "printf '-----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----'",
        ),
    ],
)
def test_secrets_are_masked(text: str, written: str) -> None:
    assert redact(text) == written


# Issue 9, section 5: the password options and operands of common clients. Each command is
# written with the secret S3cr3t; the record keeps every other byte, quotes included.
CLIENT_SECRETS = [
    # mysql family: -pSECRET attached, --password=, abbreviations, mysqladmin's new password
    ("mysql -u root -pS3cr3t", "mysql -u root -p***"),
    ("mysql -uroot -p'S3cr3t' -h db app", "mysql -uroot -p'***' -h db app"),
    ("mysqldump -pS3cr3t --all-databases > all.sql", "mysqldump -p*** --all-databases > all.sql"),
    ("mariadb --pass=S3cr3t app", "mariadb --pass=*** app"),
    ("mysqladmin -u root -pOld password S3cr3t", "mysqladmin -u root -p*** password ***"),
    ("MYSQL_PWD=S3cr3t mysql -u root", "MYSQL_PWD=*** mysql -u root"),
    # behind wrappers, containers and command strings
    ("docker exec -it db mysql -uroot -pS3cr3t", "docker exec -it db mysql -uroot -p***"),
    ("kubectl exec mysql-0 -- mysql -pS3cr3t", "kubectl exec mysql-0 -- mysql -p***"),
    ("sudo -u mysql /usr/bin/mysql -pS3cr3t", "sudo -u mysql /usr/bin/mysql -p***"),
    (
        "ssh db1 'mysql -uroot -pS3cr3t app < dump.sql'",
        "ssh db1 'mysql -uroot -p*** app < dump.sql'",
    ),
    (
        "bash -c \"mysql -pS3cr3t -e 'show databases'\" && echo ok",
        "bash -c \"mysql -p*** -e 'show databases'\" && echo ok",
    ),
    ("echo $(mysql -pS3cr3t -N -e 'select 1')", "echo $(mysql -p*** -N -e 'select 1')"),
    ("mysql -p'S3c'\"r3t\"", "mysql -p'***'\"\""),
    # postgres: URIs, keyword strings, the environment, SQL
    (
        'psql "postgresql://u:S3cr3t@db.example.com:5432/app?sslmode=require"',
        'psql "postgresql://u:***@db.example.com:5432/app?sslmode=require"',
    ),
    ('psql "host=db user=app password=S3cr3t"', 'psql "host=db user=app password=***"'),
    ("PGPASSWORD=S3cr3t pg_dump -h db app", "PGPASSWORD=*** pg_dump -h db app"),
    (
        "psql -c \"ALTER USER app WITH PASSWORD 'S3cr3t'\"",
        "psql -c \"ALTER USER app WITH PASSWORD '***'\"",
    ),
    (
        "mysql -e \"CREATE USER 'app'@'%' IDENTIFIED BY 'S3cr3t'\"",
        "mysql -e \"CREATE USER 'app'@'%' IDENTIFIED BY '***'\"",
    ),
    # mongo
    ("mongosh -u admin -p S3cr3t --quiet", "mongosh -u admin -p *** --quiet"),
    ("mongodump --password=S3cr3t", "mongodump --password=***"),
    (
        'mongosh "mongodb+srv://admin:S3cr3t@c0.example.net/db"',
        'mongosh "mongodb+srv://admin:***@c0.example.net/db"',
    ),
    ("mongosh mongodb://admin:p@ss@host/db", "mongosh mongodb://admin:***@host/db"),
    # redis
    ("redis-cli -a S3cr3t", "redis-cli -a ***"),
    ("redis-cli -h cache -p 6380 -a S3cr3t ping", "redis-cli -h cache -p 6380 -a *** ping"),
    ("redis-cli --pass S3cr3t", "redis-cli --pass ***"),
    (
        "redis-cli -u redis://default:S3cr3t@cache:6379",
        "redis-cli -u redis://default:***@cache:6379",
    ),
    ("redis-cli -h cache AUTH bob S3cr3t", "redis-cli -h cache AUTH bob ***"),
    # registries
    ("docker login -u bob -p S3cr3t registry.io", "docker login -u bob -p *** registry.io"),
    ("podman login --password S3cr3t quay.io", "podman login --password *** quay.io"),
    (
        "docker login -u bob --password-stdin <<< S3cr3t",
        "docker login -u bob --password-stdin <<< ***",
    ),
    (
        "echo S3cr3t | docker login -u bob --password-stdin",
        "echo *** | docker login -u bob --password-stdin",
    ),
    (
        "helm repo add co https://charts.co --username bob --password S3cr3t",
        "helm repo add co https://charts.co --username bob --password ***",
    ),
    ("helm registry login r.io -u bob -p S3cr3t", "helm registry login r.io -u bob -p ***"),
    # ssh and http
    ("sshpass -p S3cr3t ssh -p 22 bob@host", "sshpass -p *** ssh -p 22 bob@host"),
    ("sshpass -pS3cr3t scp f host:", "sshpass -p*** scp f host:"),
    ("htpasswd -b .htpasswd bob S3cr3t", "htpasswd -b .htpasswd bob ***"),
    ("htpasswd -cbB .htpasswd bob S3cr3t", "htpasswd -cbB .htpasswd bob ***"),
    ("htpasswd -nb bob S3cr3t", "htpasswd -nb bob ***"),
    ("htpasswd -bC 12 .htpasswd bob S3cr3t", "htpasswd -bC 12 .htpasswd bob ***"),
    ("curl -u bob:S3cr3t https://api.co", "curl -u bob:*** https://api.co"),
    ("curl -sSu bob:S3cr3t https://api.co", "curl -sSu bob:*** https://api.co"),
    ("curl --user=bob:S3cr3t https://api.co", "curl --user=bob:*** https://api.co"),
    ("curl -U 'proxy:S3cr3t' https://api.co", "curl -U 'proxy:***' https://api.co"),
    ("wget --user=bob --password=S3cr3t https://x/f", "wget --user=bob --password=*** https://x/f"),
    ("wget --http-password=S3cr3t https://x/f", "wget --http-password=*** https://x/f"),
    ("wget --ftp-password S3cr3t ftp://x/f", "wget --ftp-password *** ftp://x/f"),
    (
        'curl -d \'{"password":"S3cr3t","user":"bob"}\' u',
        'curl -d \'{"password":"***","user":"bob"}\' u',
    ),
    ('curl -d "{\\"token\\": \\"S3cr3t\\"}" u', 'curl -d "{\\"token\\": \\"***\\"}" u'),
    (
        "python -c \"post(u, json={'api_key': 'S3cr3t'})\"",
        "python -c \"post(u, json={'api_key': '***'})\"",
    ),
    # windows and samba shares, ldap
    ("smbclient //srv/share -U bob%S3cr3t", "smbclient //srv/share -U bob%***"),
    ("smbclient -U 'CORP\\bob%S3cr3t' //srv/share", "smbclient -U 'CORP\\bob%***' //srv/share"),
    ("smbclient //srv/share S3cr3t -U bob", "smbclient //srv/share *** -U bob"),
    (
        "net use Z: \\\\srv\\share S3cr3t /user:CORP\\bob",
        "net use Z: \\\\srv\\share *** /user:CORP\\bob",
    ),
    ("ldapsearch -x -D cn=admin -w S3cr3t -b dc=co", "ldapsearch -x -D cn=admin -w *** -b dc=co"),
    ("ldapwhoami -x -wS3cr3t", "ldapwhoami -x -w***"),
    # keys and archives
    ("openssl rsa -in k.pem -passin pass:S3cr3t", "openssl rsa -in k.pem -passin pass:***"),
    (
        "openssl pkcs12 -export -out c.p12 -passout pass:S3cr3t",
        "openssl pkcs12 -export -out c.p12 -passout pass:***",
    ),
    ("openssl enc -aes-256-cbc -k S3cr3t -in f", "openssl enc -aes-256-cbc -k *** -in f"),
    ("openssl passwd -6 -salt ab S3cr3t", "openssl passwd -6 -salt ab ***"),
    ("gpg --batch --passphrase S3cr3t -d f.gpg", "gpg --batch --passphrase *** -d f.gpg"),
    (
        "keytool -list -storepass S3cr3t -keystore k.jks",
        "keytool -list -storepass *** -keystore k.jks",
    ),
    ("zip -P S3cr3t out.zip f.txt", "zip -P *** out.zip f.txt"),
    ("unzip -P S3cr3t in.zip", "unzip -P *** in.zip"),
    ("7z a -pS3cr3t out.7z dir", "7z a -p*** out.7z dir"),
    ("rar a -pS3cr3t out.rar dir", "rar a -p*** out.rar dir"),
    # file transfer
    ("ftp ftp://bob:S3cr3t@ftp.co/", "ftp ftp://bob:***@ftp.co/"),
    ("lftp -u bob,S3cr3t sftp://host", "lftp -u bob,*** sftp://host"),
    (
        "RSYNC_PASSWORD=S3cr3t rsync -a rsync://bob@h/m/ d/",
        "RSYNC_PASSWORD=*** rsync -a rsync://bob@h/m/ d/",
    ),
    ("plink -ssh -pw S3cr3t bob@host", "plink -ssh -pw *** bob@host"),
    # sql server, influx, odbc
    ('sqlcmd -S db -U sa -P S3cr3t -Q "select 1"', 'sqlcmd -S db -U sa -P *** -Q "select 1"'),
    ("bcp dbo.t out t.dat -S db -U sa -PS3cr3t -c", "bcp dbo.t out t.dat -S db -U sa -P*** -c"),
    ("influx -username admin -password S3cr3t", "influx -username admin -password ***"),
    ("isql mydsn bob S3cr3t", "isql mydsn bob ***"),
    # clouds, clusters, tokens
    ("kubectl --token S3cr3t get pods", "kubectl --token *** get pods"),
    (
        "kubectl create secret generic db --from-literal=password=S3cr3t",
        "kubectl create secret generic db --from-literal=password=***",
    ),
    (
        "kubectl create secret docker-registry r --docker-password=S3cr3t",
        "kubectl create secret docker-registry r --docker-password=***",
    ),
    ("gh auth login --with-token <<<S3cr3t", "gh auth login --with-token <<<***"),
    ('gh auth login --with-token <<< "S3cr3t"', 'gh auth login --with-token <<< "***"'),
    ("gh secret set API_KEY --body S3cr3t", "gh secret set API_KEY --body ***"),
    ("vault login S3cr3t", "vault login ***"),
    (
        "vault login -method=userpass username=bob password=S3cr3t",
        "vault login -method=userpass username=bob password=***",
    ),
    ("vault kv put secret/app db=S3cr3t", "vault kv put secret/app db=***"),
    ("az login -u bob@co.com -p S3cr3t", "az login -u bob@co.com -p ***"),
    (
        "aws configure set aws_secret_access_key S3cr3t",
        "aws configure set aws_secret_access_key ***",
    ),
    (
        "npm config set //registry.npmjs.org/:_authToken S3cr3t",
        "npm config set //registry.npmjs.org/:_authToken ***",
    ),
    (
        "npm config set //registry.npmjs.org/:_authToken=S3cr3t",
        "npm config set //registry.npmjs.org/:_authToken=***",
    ),
    ("poetry config http-basic.corp bob S3cr3t", "poetry config http-basic.corp bob ***"),
    ("twine upload -u __token__ -p S3cr3t dist/*", "twine upload -u __token__ -p *** dist/*"),
    (
        "git clone https://x-access-token:S3cr3t@github.com/o/r.git",
        "git clone https://x-access-token:***@github.com/o/r.git",
    ),
    ("echo 'S3cr3t' | sudo -S apt-get update", "echo '***' | sudo -S apt-get update"),
    (
        "docker run -e POSTGRES_PASSWORD=S3cr3t postgres:16",
        "docker run -e POSTGRES_PASSWORD=*** postgres:16",
    ),
    (
        "cat > app.yml <<'END'\npassword: S3cr3t\nuser: bob\nEND",
        "cat > app.yml <<'END'\npassword: ***\nuser: bob\nEND",
    ),
]


@pytest.mark.parametrize(("text", "written"), CLIENT_SECRETS)
def test_client_passwords_are_masked_and_the_rest_kept(text: str, written: str) -> None:
    assert redact(text) == written
    assert "S3cr3t" not in redact(text)


def test_the_table_covers_at_least_40_forms() -> None:
    assert len(CLIENT_SECRETS) >= 40


@pytest.mark.parametrize(
    "text",
    [
        "ls -la",
        "PATH=/usr/bin make",
        "git push origin main",
        "curl https://example.com/a?page=2",
        "python -m pytest -k token_parsing",
        "echo $GITHUB_TOKEN",
        "grep -r password_reset src/",
        # look-alikes of the password options above
        "mysql -p",
        "mysql -u root -p app_db",  # -p takes no separate argument: it prompts, app_db is a db
        'mysql -uroot -p"$DB_PASS"',
        "mysql -uroot -p${DB_PASS} app",
        "mkdir -p dir/sub",
        "mkdir -p mysql/data",
        "docker run -p 8080:80 nginx",
        "docker run -d --name mongo -p 27017:27017 mongo:7",
        "docker login ghcr.io",
        "ssh -p 22 host",
        "scp -P 2222 f host:",
        "grep -a pattern file",
        'grep -r "mysql -p" docs/',
        "redis-cli -h host",
        "redis-cli -h cache -p 6380 ping",
        "htpasswd -c .htpasswd bob",
        "htpasswd .htpasswd bob",
        'git commit -m "password rotation"',
        "git commit -m 'fix password' -m 'details'",
        "git log --author=bob",
        "mongosh -u admin -p --authenticationDatabase admin",
        "curl -u bob https://api.co",
        "curl -sSL https://example.com/install.sh | sh",
        "ldapsearch -x -W -b dc=co",
        "openssl rsa -in k.pem -passin env:KEYPASS",
        "gpg --batch --passphrase-fd 0 -d f.gpg",
        "zip -r out.zip dir",
        "unzip -l in.zip",
        "7z x in.7z -p",
        "rar a -p- out.rar dir",
        'sqlcmd -S db -Q "select 1"',
        "psql -h db -U app -W app",
        "psql --no-password app",
        "ansible-playbook site.yml --ask-pass inventory",
        "smbclient -L //srv -N",
        "net use Z: \\\\srv\\share * /user:CORP\\bob",
        "aws configure set region eu-west-1",
        "npm config set init-author-name 'Bob Smith'",
        'gh pr create -b "fix the password reset"',
        "vault kv get secret/app",
        'echo "token: $TOKEN"',
        "kubectl get secret db -o jsonpath='{.data.password}'",
        "man mysql",
    ],
)
def test_ordinary_text_is_untouched(text: str) -> None:
    assert redact(text) == text
