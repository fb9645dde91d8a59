"""A throwaway PostgreSQL server for the tests: started once per session from the installed
server binaries, as an unprivileged user (PostgreSQL refuses to run as root), on a unix socket
in its own temporary directory (no port to collide with). Each test gets a clean migrated
database: a copy of a migrated template, or one an earlier test used, emptied (its rows
deleted, identities restarted, what the test added dropped), which is ~5x quicker.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.db import Database
from tests.anonymity_scan import Hit, needles

INSTALL_HINT = ("PostgreSQL server binaries not found: install them (Debian/Ubuntu: "
                "apt-get install -y postgresql) or set PG_BIN to their folder")
TEMPLATE = "fmg_template"
#: what `give_back` runs: drop the views and tables a test added (the template lists the
#: migrations' tables in a schema of its own, out of the tests' sight), empty the rest
_RESET = """
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT viewname FROM pg_views WHERE schemaname = current_schema() LOOP
        EXECUTE format('DROP VIEW %I CASCADE', r.viewname);
    END LOOP;
    FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
             AND tablename NOT IN (SELECT name FROM fmg_test.keep) LOOP
        EXECUTE format('DROP TABLE %I CASCADE', r.tablename);
    END LOOP;
    -- DELETE, not TRUNCATE: the tables hold a few rows, and TRUNCATE makes new files for each.
    SET LOCAL session_replication_role = replica;  -- no foreign-key order needed
    FOR r IN SELECT name FROM fmg_test.keep WHERE name <> 'fmg_schema' LOOP
        EXECUTE format('DELETE FROM %I', r.name);
    END LOOP;
    FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
        EXECUTE format('ALTER SEQUENCE %I RESTART', r.sequencename);
    END LOOP;
END $$;
"""
SUPERUSER = "fmg"
#: the unprivileged account the server runs as when the tests run as root
SERVER_USER = "nobody"


def find_bin() -> Path | None:
    """The folder of initdb/pg_ctl: $PG_BIN, then PATH, then Debian's versioned folders."""
    candidates = [os.environ.get("PG_BIN", "")]
    on_path = shutil.which("initdb")
    candidates.append(str(Path(on_path).parent) if on_path else "")
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


class PgServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="fmg-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._names = itertools.count(1)
        self._as_other = os.geteuid() == 0
        self._clean: list[str] = []

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if self._as_other:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if self._as_other:
            user = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.root.chmod(0o755)  # the tests (root) reach the socket; the data dir stays 0700
        self._run(self.bin / "initdb", "-D", self.data, "-U", SUPERUSER, "--auth=trust",
                  "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-c listen_addresses='' -k {self.root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w",
                  "start")

    async def checkpoint(self) -> None:
        """Write every changed page to the data files now."""
        await self._admin("CHECKPOINT")

    def scan_bytes(self, needle: bytes) -> list[str]:
        """The files under the server's folder (data directory, WAL, log) holding ``needle``."""
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*")
                      if p.is_file() and not p.is_socket() and needle in p.read_bytes())

    def scan(self, user_id: int) -> list[Hit]:
        """Every file holding ``user_id`` in any form the anonymity scan knows."""
        return [Hit(where, name) for name, needle in needles(user_id).items()
                for where in self.scan_bytes(needle)]

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.root}"

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    async def _admin(self, sql: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.url("postgres"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def prepare_template(self) -> None:
        """The template every test database copies: migrated to the latest version."""
        async def build() -> None:
            await self._admin(f"CREATE DATABASE {TEMPLATE}")
            db = await Database.open(self.url(TEMPLATE))
            try:
                await db.migrate()
                await db.execute("CREATE SCHEMA fmg_test")
                await db.execute("CREATE TABLE fmg_test.keep AS SELECT tablename AS name "
                                 "FROM pg_tables WHERE schemaname = current_schema()")
            finally:
                await db.close()

        # A thread of its own: the session fixture may be set up inside a running loop.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, build()).result()

    async def checkout(self) -> str:
        """A clean migrated database for one test; `give_back` it afterwards."""
        return self._clean.pop() if self._clean else await self.new_database()

    async def give_back(self, url: str) -> None:
        """Empty the database for the next test (or leave it be when that fails). It is also
        renamed: what is keyed on a database's URL starts afresh."""
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            await conn.execute("SET lock_timeout = '5s'")
            await conn.execute(_RESET)
        except asyncpg.PostgresError:
            return
        finally:
            await conn.close()
        name = f"t{os.getpid()}_{next(self._names)}"
        try:
            await self._admin(f"ALTER DATABASE {url.rsplit('/', 1)[1].split('?')[0]} RENAME TO {name}")
        except asyncpg.PostgresError:
            return
        self._clean.append(self.url(name))

    async def new_database(self, *, migrated: bool = True) -> str:
        """The URL of a new database: a copy of the migrated template, or empty."""
        name = f"t{os.getpid()}_{next(self._names)}"
        template = TEMPLATE if migrated else "template0"
        await self._admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url(name)
