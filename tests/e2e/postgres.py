"""A private PostgreSQL cluster that a test may stop, start and restart.

Fault-injection tests take PostgreSQL away from the app; they do it to a
cluster of their own (initdb in a temporary directory, a free loopback
port), never to the shared server other tests and engineers use. A
PrivateStandby is a streaming replica of one (pg_basebackup -R), whose
replay a test may pause.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.gunicorn.server import free_port

# The role initdb creates; trust authentication, loopback only.
SUPERUSER = "inkwell"
DATABASE = "inkwell"


def postgres_bin_dir() -> Path | None:
    """Return the newest PostgreSQL server binaries (Debian's layout, then PATH)."""
    versions = sorted(
        (Path(path) for path in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    for candidate in reversed(versions):
        if (candidate / "initdb").exists():
            return candidate
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class PrivatePostgres:
    """One throwaway cluster, with ``start()``, ``stop()`` and ``restart()``."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        # Not under pytest's tmp_path: the postgres user cannot enter that.
        self.directory = Path(tempfile.mkdtemp(prefix="inkwell-pg-"))
        self.data = self.directory / "data"
        self.url = f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def create(self) -> None:
        """Initialise the cluster, start it and create the app's database."""
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER,
            "--auth=trust", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        self.start()
        maintenance_url = self.url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(maintenance_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        # Durability is pointless for throwaway data; speed is not.
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.directory / "server.log")
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-w", "-t", "30",
            "-o", options, "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the server as an operator would: end every session, shut down."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def is_running(self) -> bool:
        command = self._command("pg_ctl", "-D", str(self.data), "status")
        result = subprocess.run(command, capture_output=True, check=False)  # noqa: S603
        return result.returncode == 0

    def destroy(self) -> None:
        """Stop the server if it runs and delete the cluster."""
        if self.data.exists() and self.is_running():
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = self._command(program, *args)
        result = subprocess.run(  # noqa: S603 - the server's own binaries
            command, capture_output=True, text=True, timeout=60, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed: {result.stderr or result.stdout}")

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:
            runuser = shutil.which("runuser") or "runuser"
            return [runuser, "-u", "postgres", "--", *command]
        return command


@dataclass(frozen=True)
class StreamingStandby:
    """A running standby and its primary, by URL: replay paused, resumed, awaited."""

    url: str
    primary_url: str

    def pause_replay(self) -> None:
        """Stop applying the primary's WAL (it is still received)."""
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("SELECT pg_wal_replay_resume()")

    def wait_until_caught_up(self, timeout: float = 30) -> None:
        """Wait until the standby has replayed all the primary has written so far."""
        with psycopg.connect(self.primary_url, autocommit=True) as connection:
            target = connection.execute("SELECT pg_current_wal_insert_lsn()").fetchone()
        assert target is not None
        wait_until_replayed(self.url, str(target[0]), timeout)


class PrivateStandby(PrivatePostgres):
    """A hot standby streaming from a PrivatePostgres, on a port of its own."""

    def __init__(self, primary: PrivatePostgres) -> None:
        super().__init__(primary.bin_dir)
        self.primary = primary
        self.streaming = StreamingStandby(self.url, primary.url)

    def create(self) -> None:
        """Copy the running primary with pg_basebackup -R and start streaming."""
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port),
            "-U", SUPERUSER, "-D", str(self.data), "-R", "-X", "stream",
            "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        self.start()


def wait_until_replayed(standby_url: str, lsn: str, timeout: float = 30) -> None:
    """Wait until the standby at standby_url has replayed the WAL up to lsn."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(standby_url, autocommit=True) as connection:
        while True:
            row = connection.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)
            ).fetchone()
            if row is not None and row[0]:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the standby did not replay up to {lsn}")
            time.sleep(0.05)
