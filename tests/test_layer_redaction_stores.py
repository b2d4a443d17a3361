"""Redaction of secrets handed to a secrets store and of argument lists written as text.

Session 53's hostile review: a secrets store's command (Vault's ``kv put``, ``write``;
Kubernetes' ``create secret ... --from-literal``) after a label, by a quoted path or as an
argument list; an argument list whose items are long or nested; and their neighbours that must
stay as they are (a store's plain settings, placeholders, prose).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.layer_support import Layer, RecordingSink, rendered_layer


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layer]:
    with rendered_layer(tmp_path_factory.mktemp("stores")) as rendered:
        yield rendered


@pytest.fixture
def logger(layer: Layer) -> Any:
    """A fresh enabled event logger of the rendered layer, recording what it would send."""
    return layer.event_logger.EventLogger(RecordingSink(), enabled=True)


# Passwords as people choose them: a word and a digit, a random string, symbols.
VALUES = ["hunter2", "Zq8wR3xk9", "s3cr3t-Pa55!"]

# A secrets store's command after what starts a command line in a log or a guide (a label, a
# step's number, a prompt, a runner), by a quoted Windows path holding spaces, and written as an
# argument list with no path among its items: each ``key=value`` it is given is a secret's.
STORE_TEXTS = [
    "run: vault kv put secret/x value={v}",
    "Step 3: vault kv put secret/x value={v}",
    "cmd: vault write secret/x data={v}",
    "[ci] run: vault kv patch app note={v}",
    "$ vault kv put secret/x value={v}",
    "sudo vault kv put secret/x value={v}",
    '"C:\\Program Files\\Vault\\vault.exe" kv put secret/x value={v}',
    "& 'C:\\Program Files\\HashiCorp\\Vault.EXE' write secret/x value={v}",
    "['vault', 'kv', 'put', 'x', 'value={v}']",
    "('vault', 'write', 'app', 'value={v}')",
    "Command '['vault', 'kv', 'put', 'app', 'api={v}']' returned non-zero exit status 2.",
    "kubectl create secret generic db --from-literal=value={v}",
    "kubectl -n prod create secret generic db --from-literal value={v}",
    "oc create secret generic db --from-literal=api={v} --dry-run=client",
    "['kubectl', 'create', 'secret', 'generic', 'db', '--from-literal=value={v}']",
    "run: setx API_KEY {v}",
    "Step 3: redis-cli CONFIG SET requirepass {v}",
    "step 2: aws configure set aws_secret_access_key {v}",
    "1. vault kv put secret/x value={v}",
    "2) setx API_KEY {v}",
    "xargs vault kv put secret/x value={v}",
    "vault kv put secret/x 'value={v}'",
    'vault kv put secret/x "data={v}"',
    # A command line continued past its line's end (``\\`` ending it), a run of spaces or tabs.
    "kubectl create secret generic db \\\n  --from-literal=value={v}",
    "vault kv put secret/x \\\n  value={v}",
    "vault kv put \\\r\n  secret/x note={v}",
    "kubectl create  secret\tgeneric db --from-literal=value={v}",
]
# Their neighbours: a label before prose, a store given a plain setting under a key naming what
# it is (a region, a host, a user's name, a duration), a placeholder pair, a file, a reference.
STORE_KEPT = [
    "run: vault kv put secret/x value=@value.txt",
    "Step 3: vault kv put secret/x value=$APP_VALUE",
    "Note: please vault kv put secret/x value=hunter2",
    "Step 3: use vault kv put to store the key=value pairs",
    "vault kv put secret/app region=us-east-1",
    "vault kv put secret/app host=db1.example.com port=5432",
    "vault kv put secret/app endpoint=https://api.example.com/v1",
    "vault kv put secret/app ttl=30m max_ttl=2h",
    "vault kv put secret/web key=value",
    "['vault', 'kv', 'put', 'app', 'region=us-east-1']",
    "kubectl create secret generic db --from-literal=key=value",
    "kubectl create secret generic db --from-literal=region=eu-west-1",
    "kubectl create secret generic db --from-file=password.txt",
    "kubectl create configmap app --from-literal=value=Zq8wR3xk9",
    "Result: secret set DEPLOY v2",
    "Update: new secret set NAME abc12345",
    "Step 3: setx EDITOR vim",
    "1. setx EDITOR vim",
    "In 2024. setx token abc",
    "vault kv put secret/x 'region=us-east-1'",
    "vault kv put secret/app zone=us-east-1a db_host=10.0.0.5:5432",
    "kubectl create secret generic db --from-literal=api_url=https://api.example.com",
]

# A key naming a plain setting keeps its value only when the value has that setting's shape:
# the key alone says nothing of what was put under it (a password under ``url``, ``port``), and
# a word inside a longer key names no plain setting (``admin_user``, ``db_path``).
STORE_SHAPED_KEYS = [
    "url",
    "endpoint",
    "address",
    "port",
    "db_host",
    "region",
    "ttl",
    "user",
    "username",
    "admin_user",
    "admin_name",
    "db_path",
    "auth_method",
    "key_algorithm",
    "signing_key_type",
    "stripe_setting",
]


@pytest.mark.parametrize("value", [*VALUES, "admin:Zq8wR3xk9"])
@pytest.mark.parametrize("key", STORE_SHAPED_KEYS)
@pytest.mark.parametrize(
    "template",
    [
        "vault kv put secret/app {k}={v}",
        "kubectl create secret generic app --from-literal={k}={v}",
    ],
)
def test_a_store_value_without_its_keys_plain_shape_is_redacted(
    logger: Any, template: str, key: str, value: str
) -> None:
    text = template.format(k=key, v=value)
    assert logger.record("error_event", {"command": text}).payload == {"command": "[redacted]"}


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("template", STORE_TEXTS)
def test_a_secret_given_a_store_or_setting_command_is_redacted(
    logger: Any, template: str, value: str
) -> None:
    text = template.format(v=value)
    assert logger.record("error_event", {"command": text}).payload == {"command": "[redacted]"}


@pytest.mark.parametrize("text", STORE_KEPT)
def test_a_store_or_setting_command_without_a_secret_is_kept(logger: Any, text: str) -> None:
    assert logger.record("error_event", {"command": text}).payload == {"command": text}


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize(
    "items",
    [
        ["vault", "kv", "put", "app", "value={v}"],
        ["vault.exe", "write", "app", "data={v}"],
        ["kubectl", "create", "secret", "generic", "db", "--from-literal=value={v}"],
    ],
)
def test_a_store_argument_list_payload_is_redacted(
    logger: Any, items: list[str], value: str
) -> None:
    payload = [item.format(v=value) for item in items]
    recorded = logger.record("error_event", {"argv": payload}).payload["argv"]
    assert value not in repr(recorded)
    assert recorded[:3] == payload[:3]


# An argument list written as text whose items are long (a query, a JSON argument), nested two
# deep, or calls within calls: the items after them are still read.
_LONG = "'" + "a" * 600 + "'"
LIST_TEXTS = [
    "['x', " + _LONG + ", '--password', '{v}']",
    "['x', b" + _LONG + ", 'mysql', '-p{v}']",
    "[" + _LONG + ", '--password', '{v}']",
    "Command '['psql', '-c', '" + "SELECT 1; " * 80 + "', '--password', '{v}']' returned 1.",
    "['x', [['a']], '--password', '{v}']",
    "['x', [['a', 'b'], 'c'], '--password', '{v}']",
    "['x', {{'a': {{'b': 1}}}}, '--token', '{v}']",
    "['x', ('a', ('b',)), '--password', '{v}']",
    "['x', f(g('a')), '--password', '{v}']",
    "['deploy', Path(Path('a')), '--api-key', '{v}']",
    "[['a', 'b'], '--password', '{v}']",
    "[('mysql', '-u', 'root'), 'mysql', '-p{v}']",
    "[\n  ['a', 'b'],\n  '--password',\n  '{v}',\n]",
    # A list of argument lists: each inner list is read on its own, whatever comes before it.
    "[['git', 'pull'], ['mysql', '-u', 'root', '-p{v}']]",
    "[['ls'], ['psql', '--password', '{v}']]",
    "(['ls'], ['mysql', '-p{v}'])",
    "[('ls',), ('mysql', '-p{v}')]",
    "[['make'], ['x', '--token', '{v}']]",
    "[['a'], 'b', ['mysql', '-p{v}']]",
    "steps = [['git', 'pull'],\n         ['sshpass', '-p', '{v}', 'ssh', 'host']]",
]
LIST_KEPT = [
    "['x', " + _LONG + ", '--password', 'NEW_PASSWORD']",
    "['x', [['a']], '--limit', '50']",
    "[['a', 'b'], '--limit', '50']",
    "[[see the docs], --password is required]",
    "['x', f(g('a')), '--password', '--verbose']",
    "[see the docs, [nested [notes]], --password is required]",
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("template", LIST_TEXTS)
def test_a_secret_after_a_long_or_nested_list_item_is_redacted(
    logger: Any, template: str, value: str
) -> None:
    text = template.format(v=value)
    assert logger.record("error_event", {"command": text}).payload == {"command": "[redacted]"}


@pytest.mark.parametrize("text", LIST_KEPT)
def test_a_long_or_nested_list_without_a_secret_is_kept(logger: Any, text: str) -> None:
    assert logger.record("error_event", {"command": text}).payload == {"command": text}


# A password a tool takes with the user's name in one argument, as a share's password, or piped
# to a command that reads its secret from its input; Vault's login token as its argument.
TOOL_TEXTS = [
    "lftp -u deploy,{v} ftp.example.com",
    "lftp --user=deploy,{v} sftp://files.example.com",
    "net use \\\\files\\share /user:CORP\\ada {v}",
    "net use Z: \\\\files\\share {v} /user:ada",
    "echo {v} | docker login -u ci --password-stdin registry.example.com",
    "echo -n '{v}' | helm registry login r.example.com -u ci --password-stdin",
    "printf '%s' {v} | gh auth login --with-token",
    "vault login {v}",
    "VAULT_ADDR=https://vault:8200 vault login -no-print {v}",
    "['vault', 'login', '{v}']",
    "vault login hvs.CAES{v}",
    "curl --proxy-user ada:{v} https://example.com",
    "curl -x http://proxy:3128 -U ada:{v} https://example.com",
    "etcdctl --endpoints=https://etcd:2379 --user root:{v} get /k",
    "isql -S db -U sa -P {v}",
    "osql -S db -U sa -P{v}",
    "ipmitool -I lanplus -H bmc1 -U admin -P {v} power status",
    "mosquitto_pub -h broker -u ada -P {v} -t t -m hi",
    "vsql -h db -U dbadmin -w {v}",
    "security add-generic-password -a ada -s svc -w {v}",
    "echo {v} | sudo -S apt-get update",
    "echo '{v}' | passwd --stdin ada",
    "echo 'ada:{v}' | chpasswd",
    "echo -n {v} | cryptsetup luksOpen /dev/sdb1 vault",
    "echo {v} | kinit ada@EXAMPLE.COM",
    '$ echo "{v}" | podman login --username ci --password-stdin quay.io',
    "echo {v} | docker login -u ci \\\n  --password-stdin registry.example.com",
    "echo '{v}' \\\n  | gh auth login --with-token",
    # Vault's options before the token, one with a value of its own as the next word.
    "vault login -address https://vault.example.com:8200 {v}",
    "vault login -ns admin -no-print {v}",
    "security unlock-keychain -p {v} build.keychain",
    "security create-keychain -p '{v}' ci.keychain",
]
TOOL_KEPT = [
    "lftp -u deploy ftp.example.com",
    "net use Z: \\\\files\\share /persistent:yes",
    "net use \\\\files\\share * /user:ada",
    'echo "$CI_TOKEN" | docker login -u ci --password-stdin registry.example.com',
    "cat token.txt | docker login --password-stdin",
    "echo done | tee build.log",
    "echo <password> | docker login --password-stdin",
    "vault login -method=userpass username=ada",
    "vault login -",
    "vault login $VAULT_TOKEN",
    "please vault login to continue",
    "curl -U ada https://example.com",
    "docker run --user 1000:1000 app",
    "ipmitool -I lanplus -H bmc1 -U admin power status",
    "echo 3 | sudo tee /proc/sys/vm/drop_caches",
    'echo "$PASSWORD" | sudo -S apt-get update',
    "echo hello | sudo -S true",
    "echo done | kinit-helper --check",
    # A variable's reference where the password would stand is no password.
    'lftp -u "$FTP_USER,$FTP_PASS" ftp.example.com',
    "lftp -u ada,$PW ftp.example.com",
    'etcdctl --user "$ETCD_USER:$ETCD_PASS" get /k',
    "curl -U ada:$PROXY_PW https://example.com",
    'echo "ada:$PW" | chpasswd',
    "echo ada:${NEW_PASSWORD} | chpasswd",
    'security unlock-keychain -p "$KEYCHAIN_PASSWORD" build.keychain',
    "vault login -address https://vault.example.com:8200",
    "vault login -ns admin -method=oidc role=dev",
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("template", TOOL_TEXTS)
def test_a_tools_combined_shared_or_piped_password_is_redacted(
    logger: Any, template: str, value: str
) -> None:
    text = template.format(v=value)
    assert logger.record("error_event", {"command": text}).payload == {"command": "[redacted]"}


@pytest.mark.parametrize("text", TOOL_KEPT)
def test_a_tool_without_a_combined_shared_or_piped_password_is_kept(logger: Any, text: str) -> None:
    assert logger.record("error_event", {"command": text}).payload == {"command": text}


# More tools' passwords: Windows' switches naming one, MySQL Shell's user:password@host (any
# host), Poetry's http-basic credentials, a here-string or ``yes``/``printf`` feeding a command
# that reads its password from its input, Net-SNMP's v3 passphrases, unzip's glued -P, options
# before macOS security's command, and a tool's arguments continued on the next line.
MORE_TOOL_TEXTS = [
    "cmdkey /add:server01 /user:ada /pass:{v}",
    'cmdkey /generic:TERMSRV/host /user:ada /pass:"{v}"',
    "mysqlsh ada:{v}@db:3306",
    "mysqlsh --uri ada:{v}@db:33060 --sql",
    "mysqlsh -u ada -p{v} -h db",
    "poetry config http-basic.pypi ada {v}",
    "poetry config --local http-basic.private ada '{v}'",
    'passwd --stdin ada <<< "{v}"',
    "docker login -u ada --password-stdin <<< '{v}'",
    "yes {v} | passwd ada",
    "printf '{v}\\n{v}\\n' | passwd ada",
    'printf "{v}\\n{v}" | sudo passwd',
    "snmpget -v3 -u ops -l authPriv -a SHA -A {v} -x AES host sysUpTime.0",
    "snmpwalk -v3 -l authPriv -u ops -x DES -X{v} 10.0.0.1",
    "unzip -P{v} secrets.zip",
    "security -v unlock-keychain -p {v} login.keychain",
    "security -q add-generic-password -a ada -s svc -w {v}",
    "vault login \\\n  -no-print \\\n  {v}",
    "lftp \\\n  -u ada,{v} sftp://files.example.com",
    "security add-generic-password -a ada -s svc \\\n  -w {v}",
    "net use Z: \\\\files\\share \\\n  {v} /user:ada",
    "mysql -u root \\\n  -p{v} shop",
    "['cmdkey', '/add:srv', '/user:ada', '/pass:{v}']",
    # A Windows user switch, then a password's (FreeRDP, the remote options of schtasks and kin).
    "xfreerdp /u:ada /p:{v} /v:host",
    "wfreerdp /v:host /u:CORP\\ada /p:{v}",
    "schtasks /create /tn job /tr x.exe /ru ada /rp {v}",
    "tasklist /s srv /u corp\\ada /p {v}",
    # The password switch before the user's, or after a tab.
    "xfreerdp /p:{v} /u:ada /v:host",
    "xfreerdp\t/u:ada\t/p:{v}",
    # More options saying the tool reads its secret from its input.
    "gpg --batch --passphrase-fd 0 -d f.gpg <<< {v}",
    "echo {v} | gpg --batch --passphrase-fd 0 -d f.gpg",
    "echo {v} | openssl rsa -in k.pem -passin stdin",
    "echo {v} | tool --password stdin",
    # A password beside other "%" (a batch file's %1, %%i, a URL's %20) or a real escape.
    "cmdkey /add:%1 /user:ada /pass:{v}",
    "xfreerdp /u:ada /p:{v} /v:host /size:80%",
    "echo {v} | sudo -u root passwd ada",
]
# Already redacted before (guards): Windows' /password: and a MySQL Shell URI with a scheme.
MORE_TOOL_GUARDS = [
    "wmic /node:srv /user:ada /password:{v} os get caption",
    "mysqlsh --uri=mysqlx://ada:{v}@db",
]
# Their neighbours: a reference (a shell's, or Windows' ``%NAME%``) where the password would
# stand, a switch without a value, a here-string or a pipe into a command reading no password,
# Vault's login given an auth method's name, a MySQL Shell URI without a password.
MORE_TOOL_KEPT = [
    "cmdkey /add:srv /user:ada /pass",
    "cmdkey /add:srv /user:ada /pass:%PASSWORD%",
    "cmdkey /add:srv /user:ada /pass:%ADMIN_PW%",
    "curl -u ada:%DB_PASS% https://example.com",
    "curl -u ada:%FTP_PASS% https://example.com",
    "curl -u ada:$DB_PASS https://example.com",
    'curl -u "ada:${DB_PASS}" https://example.com',
    "mysqlsh ada:$PW@db",
    "mysqlsh --uri ada@db:3306",
    "poetry config http-basic.pypi ada",
    "passwd ada <<< $NEWPW",
    "tr a-z A-Z <<< 'hunter2x'",
    "cat <<< 'hello' | grep h",
    "yes | apt-get install nginx",
    'printf "%s\\n" "$PW" | passwd',
    "snmpwalk -v3 -A $AUTH -X $PRIV host",
    "snmpwalk -v2c -c public 10.0.0.1 system",
    'security -v unlock-keychain -p "$KEYCHAIN_PW" login.keychain',
    "unzip -o archive.zip -d out",
    "vault login ldap2",
    "vault login okta-corp",
    "vault login \\\n  -method=ldap username=ada",
    "msbuild app.sln /p:Configuration=Release /m",
    "robocopy C:\\src D:\\dst /MIR /R:3 /W:5",
    "tasklist /s srv /u corp\\ada /p",
    "schtasks /create /u ada /p /ru SYSTEM",
    "xfreerdp /u:ada /p:$RDP_PW /v:host",
    'echo "$PW" | tool --password stdin',
    "gpg --batch --passphrase-fd 0 -d f.gpg < pass.txt",
    # A Windows reference beside other "%" is not percent-decoded (``%AD`` is no character).
    "cmdkey /add:%1 /user:ada /pass:%ADMIN_PW%",
    "xfreerdp /u:ada /p:%ADMIN_PW% /v:host /size:80%",
    "for %%h in (a b) do cmdkey /add:%%h /user:ada /pass:%ADMIN_PW%",
    "cmdkey /add:srv /user:ada /pass:%DEPLOY_PW% & start https://x/a%20b",
    "tasklist /s srv /u ada /p %ADMIN_PW% | findstr %1",
    "cmdkey /add:%~dp0 /user:ada /pass:%DBADMIN%",
    # Only a piped command that is passwd itself, changing a password, reads it.
    "echo ada2 | xargs getent passwd",
    "echo ada99 | xargs -n1 passwd -l",
    "echo node42 | xargs -I{} ssh {} sudo passwd -S root",
    "xargs passwd -l <<< ada99",
    "echo ada99 | sudo passwd -l",
    "passwd -S ada <<< ada99",
    # Make expands its reference even in single quotes.
    "zip -P '$(ZIP_PW)' out.zip secrets.txt",
    # A user switch then a /p switch of a tool that takes no password so.
    "mytool /u:ada /p:Win32",
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("template", MORE_TOOL_TEXTS + MORE_TOOL_GUARDS)
def test_more_tools_passwords_are_redacted(logger: Any, template: str, value: str) -> None:
    text = template.format(v=value)
    assert logger.record("error_event", {"command": text}).payload == {"command": "[redacted]"}


@pytest.mark.parametrize("text", MORE_TOOL_KEPT)
def test_more_tools_without_a_password_are_kept(logger: Any, text: str) -> None:
    assert logger.record("error_event", {"command": text}).payload == {"command": text}


# A launcher's option repeated before passwd (``-u sudo`` reads as an option and its value, or
# as an option alone and another launcher) is judged in one pass: trying each reading of each
# one would take twice as long per repeat and never end here (a hang guard, not a timing;
# a piped command is read to its 512th character).
REPEATED_LAUNCHER_KEPT = [
    "echo ada99 | sudo" + " -u sudo" * 60 + " passwd -l",
    "echo ada99 | sudo" + " -u sudo" * 40 + " passwd -l" + " x" * 40,
    "echo ada99 | sudo" + " -u sudo" * 60 + " passwd -l" + " x" * 200,
]


@pytest.mark.parametrize("text", REPEATED_LAUNCHER_KEPT)
def test_repeated_launcher_options_are_judged_in_one_pass(logger: Any, text: str) -> None:
    assert logger.record("error_event", {"command": text}).payload == {"command": text}


def test_repeated_launcher_options_still_give_passwd_its_input(logger: Any) -> None:
    text = "echo hunter2 | sudo" + " -u sudo" * 60 + " passwd ada"
    assert logger.record("error_event", {"command": text}).payload == {"command": "[redacted]"}


# A launcher option that takes no value (``command -p``; ``sudo -p`` takes a prompt) is never
# given ``passwd`` as its value: the one-pass reading must not swallow the command itself.
LAUNCHER_FLAG_BEFORE_PASSWD = [
    "echo {v} | command -p passwd ada",
    "echo {v} | sudo -u root -p passwd ada",
    "echo {v} | sudo -n passwd ada",
    "echo {v} | doas -n passwd ada",
]


@pytest.mark.parametrize("template", LAUNCHER_FLAG_BEFORE_PASSWD)
def test_a_launcher_flag_before_passwd_leaves_it_its_input(logger: Any, template: str) -> None:
    text = template.format(v="Xk9mq2Lz")
    assert logger.record("error_event", {"command": text}).payload == {"command": "[redacted]"}


# A single-quoted password is literal whatever it starts with (the shell expands nothing there),
# and a port-like number under a flag that is a password's for its tool (isql's, sqlcmd's -P;
# mysql's -P is a port) is a password: a PIN is one.
LITERAL_PASSWORD_TEXTS = [
    "security unlock-keychain -p '$ecretPw1' login.keychain",
    # Already redacted before (guards).
    "curl -u 'ada:$ecretPw1' https://example.com",
    "mysql -u root -p'$ecretPw1' shop",
    "isql -S srv -U sa -P 5000",
    "sqlcmd -S db -U sa -P 4711",
]


@pytest.mark.parametrize("text", LITERAL_PASSWORD_TEXTS)
def test_a_single_quoted_or_numeric_password_is_redacted(logger: Any, text: str) -> None:
    assert logger.record("error_event", {"command": text}).payload == {"command": "[redacted]"}
