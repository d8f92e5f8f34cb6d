"""A real IMAP server on loopback for the DPO-mailbox tests: Debian's dovecot-imapd, started by the
test as an unprivileged process (``nobody`` when the tests run as root) with its own configuration
in a temporary folder, a passwd-file user, TLS with a self-signed certificate made here, on a free
port. scripts/bootstrap.sh installs dovecot-imapd."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass
class ImapServer:
    root: Path
    port: int
    user: str
    password: str
    process: subprocess.Popen | None = None

    @property
    def ca_file(self) -> str:
        return str(self.root / "cert.pem")

    def url(self, folder: str = "INBOX") -> str:
        return f"imaps://{self.user}:{self.password}@127.0.0.1:{self.port}/{folder}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def imap_server_start(root: Path) -> ImapServer:
    """Start dovecot in the new folder ``root`` (given to the unprivileged user) and wait until it listens.

    ``root`` must be reachable for that user: a ``tempfile.mkdtemp()`` under /tmp, not pytest's
    own temporary folder (root-only when the tests run as root).
    """
    if not os.path.exists(DOVECOT):
        raise RuntimeError("dovecot-imapd is not installed (scripts/bootstrap.sh installs it)")
    as_root = os.geteuid() == 0
    account = pwd.getpwnam("nobody") if as_root else pwd.getpwuid(os.geteuid())
    group = subprocess.run(
        ["id", "-gn", account.pw_name], capture_output=True, text=True, check=True
    ).stdout.strip()
    server = ImapServer(root=root, port=_free_port(), user="dpo", password="geheim-dpo-wachtwoord")
    for sub in ("run", "state", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(root / "key.pem"),
            "-out",
            str(root / "cert.pem"),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    (root / "passwd").write_text(f"{server.user}:{{PLAIN}}{server.password}\n")
    (root / "dovecot.conf").write_text(
        CONFIG.format(
            root=root,
            port=server.port,
            user=account.pw_name,
            group=group,
            uid=account.pw_uid,
            gid=account.pw_gid,
        )
    )
    command = [DOVECOT, "-F", "-c", str(root / "dovecot.conf")]
    if as_root:
        for path in [root, *root.rglob("*")]:
            shutil.chown(path, account.pw_uid, account.pw_gid)
        command = [
            "setpriv",
            f"--reuid={account.pw_uid}",
            f"--regid={account.pw_gid}",
            "--clear-groups",
            *command,
        ]
    server.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            output = server.process.stdout.read().decode(errors="replace")
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot exited: {output}\n{log}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", server.port)) == 0:
                return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("dovecot did not listen within 20 s")
