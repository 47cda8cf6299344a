"""A private PostgreSQL cluster for the team-history tests: no system service, no root server.

One cluster per test session in a temp folder (initdb, pg_ctl, a free loopback port), with
TLS on (a CA and a server certificate made here with openssl) and two users: `postgres`
(trust, for the fixtures) and `clerk` (password, as a team's clerks connect). One database
per test. As root (CI, sessions) the server runs as the `postgres` system user through
runuser; without the binaries the tests skip and say so.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CLERK_PASSWORD = "clerk-secret-7"


@dataclass(frozen=True)
class Cluster:
    """A running cluster: where it listens and the files a TLS client needs."""

    port: int
    root: Path
    ca_file: Path
    other_ca_file: Path
    bin_dir: Path

    def admin_url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def clerk_url(self, db: str, host: str = "127.0.0.1") -> str:
        return f"postgresql://clerk@{host}:{self.port}/{db}"

    def create_db(self) -> str:
        """A fresh, empty database the clerk may use; its name."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} OWNER clerk")
        return name

    def drop_db(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def find_bin_dir() -> Path | None:
    """The newest PostgreSQL's binaries (Debian's layout), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent
                   .name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str], root: Path) -> list[str]:
    if os.getuid() != 0:
        return cmd
    if shutil.which("runuser") is None:
        pytest.skip("PostgreSQL refuses to run as root, and runuser is missing")
    return ["runuser", "-u", "postgres", "--", *cmd]


def _make_certs(root: Path) -> tuple[Path, Path, Path, Path]:
    """A CA, a server certificate it signed (localhost, 127.0.0.1), and a second, unrelated CA."""
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=root, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        "/CN=PacSpace test CA", "-keyout", "ca.key", "-out", "ca.pem")
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        "/CN=Somebody else's CA", "-keyout", "other.key", "-out", "other-ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "server.key", "-out", "server.csr")
    (root / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.crt")
    return root / "ca.pem", root / "other-ca.pem", root / "server.crt", root / "server.key"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One private cluster for the session (TLS on, users `postgres` and `clerk`)."""
    if find_bin_dir() is None:
        pytest.skip("PostgreSQL's initdb/pg_ctl are not installed (apt-get install postgresql)")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (it makes the test cluster's TLS certificates)")
    if os.getuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("as root the cluster runs as the 'postgres' user, which is missing")
    with private_cluster() as cluster:
        yield cluster


@contextlib.contextmanager
def private_cluster(fsync: bool = False) -> Iterator[Cluster]:
    """Start a private cluster in a temp folder; stop it and remove the folder at the end.

    `fsync` off (the tests' default) trades durability after a power cut for speed; a
    benchmark turns it on, as a real server has it."""
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    # Not under pytest's own temp folder: every pytest run (parallel ones too) sets that back
    # to 0700, which would lock the server user out of its data folder.
    root = Path(tempfile.mkdtemp(prefix="pacspace-test-pg-"))
    data = root / "data"
    if os.getuid() == 0:
        server_user = pwd.getpwnam("postgres")
        os.chown(root, server_user.pw_uid, server_user.pw_gid)
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "--auth=trust",
                                    "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"], root),
                   check=True, capture_output=True)
    certs = root / "certs"
    certs.mkdir()
    ca, other_ca, crt, key = _make_certs(certs)
    for src in (crt, key):
        shutil.copy(src, data / src.name)
        (data / src.name).chmod(0o600)
        if os.getuid() == 0:
            os.chown(data / src.name, server_user.pw_uid, server_user.pw_gid)
    (data / "pg_hba.conf").write_text(
        "local all all trust\n"
        "host all postgres 127.0.0.1/32 trust\n"
        "host all all 127.0.0.1/32 scram-sha-256\n"
        "host all all ::1/128 scram-sha-256\n")
    port = _free_port()
    log = root / "server.log"
    opts = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c ssl=on "
            f"-c fsync={'on' if fsync else 'off'} -c max_connections=200")
    start = subprocess.run(
        _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", opts,
                         "-w", "-t", "60", "start"], root), capture_output=True, text=True)
    if start.returncode != 0:
        raise RuntimeError(f"pg_ctl start failed: {start.stdout}{start.stderr}"
                           f"{log.read_text() if log.exists() else ''}")
    cluster = Cluster(port, root, ca, other_ca, bin_dir)
    try:
        import psycopg

        with psycopg.connect(cluster.admin_url(), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE clerk LOGIN PASSWORD '{CLERK_PASSWORD}'")
        yield cluster
    finally:
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m",
                                        "immediate", "-w", "stop"], root), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def team_db(pg_cluster: Cluster) -> Iterator[str]:
    """A fresh database for one test; its name."""
    name = pg_cluster.create_db()
    try:
        yield name
    finally:
        pg_cluster.drop_db(name)


@pytest.fixture
def team_url(pg_cluster: Cluster, team_db: str) -> str:
    """The clerk's address of a fresh team database (the password is `CLERK_PASSWORD`)."""
    return pg_cluster.clerk_url(team_db)
