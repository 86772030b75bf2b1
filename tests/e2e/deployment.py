"""A real Inkwell deployment for end-to-end tests: its own database, gunicorn, accounts.

Every deployment runs production settings (``tests.e2e.settings``) under
gunicorn, on a database of its own: a fresh database on the PostgreSQL
server named by ``DATABASE_URL`` when there is one, else a temporary SQLite
file. With ``REDIS_URL`` set its instances share that Redis under a key
prefix of their own, so deployments never read each other's entries.
"""

import os
import re
import secrets
import time
from base64 import b32decode
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django_otp.oath import totp
from psycopg import sql

from tests.gunicorn.server import GunicornServer, Response, production_env

API = "/api/v1"


@contextmanager
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty database of this deployment's own; drop it after."""
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
        return
    name = f"inkwell_e2e_{secrets.token_hex(6)}"
    parts = urlsplit(base_url)
    maintenance_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


@dataclass(frozen=True)
class Account:
    id: int | None
    email: str
    password: str
    role: str
    # The TOTP secret (base32) once the account enrolled an authenticator app.
    totp_secret: str | None = None


# The last time step whose code each secret has used: a code works once.
_USED_STEPS: dict[str, int] = {}
TOTP_STEP = 30


def totp_code(secret: str) -> str:
    """Return a code the server accepts now, as an authenticator app computes it.

    Each code works once, so this takes the current step's code, or the
    next step's (the server's tolerance accepts one step ahead) when the
    current one was used, and waits for a new step when both were.
    """
    while True:
        now = int(time.time() // TOTP_STEP)
        step = max(now, _USED_STEPS.get(secret, -1) + 1)
        if step <= now + 1:
            _USED_STEPS[secret] = step
            return f"{totp(b32decode(secret), drift=step - now):06d}"
        time.sleep(TOTP_STEP - time.time() % TOTP_STEP + 0.1)


def bearer(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}"}


def login(server: GunicornServer, account: Account) -> dict[str, str]:
    """Return a fresh {access, refresh} pair for the account.

    An account with two-factor on takes both steps: the password, then a
    TOTP code with the challenge.
    """
    response = server.request(
        "POST",
        f"{API}/auth/token/",
        body={"email": account.email, "password": account.password},
    )
    assert response.status == 200, response.body
    body = response.json()
    if not body.get("mfa_required"):
        return body
    assert account.totp_secret is not None, "the account has two-factor on"
    response = server.request(
        "POST",
        f"{API}/auth/token/mfa/",
        body={"challenge": body["challenge"], "code": totp_code(account.totp_secret)},
    )
    assert response.status == 200, response.body
    return response.json()


def enrol_totp(server: GunicornServer, account: Account) -> Account:
    """Turn two-factor on for the account through the API; return it with its secret."""
    access = login(server, account)["access"]
    started = server.request(
        "POST", f"{API}/users/me/mfa/totp/", headers=bearer(access)
    )
    assert started.status == 201, started.body
    secret = started.json()["secret"]
    confirmed = server.request(
        "POST",
        f"{API}/users/me/mfa/totp/confirm/",
        body={"code": totp_code(secret)},
        headers=bearer(access),
    )
    assert confirmed.status == 200, confirmed.body
    return replace(account, totp_secret=secret)


@dataclass
class Deployment:
    """Instances of one app sharing one environment (database, cache, secrets)."""

    env: dict[str, str]
    log_dir: Path
    servers: list[GunicornServer] = field(default_factory=list)
    admin: Account | None = None
    # The admin's access token of a login with a second factor, and when it
    # was issued: reused for a while, as each login spends a TOTP code.
    _admin_access: tuple[str, float] | None = None

    @property
    def has_shared_cache(self) -> bool:
        """Return whether the instances share a cache (Redis) or each has its own."""
        return bool(self.env.get("REDIS_URL"))

    def prepare(self) -> None:
        """Migrate the database and create the first admin with createsuperuser."""
        email, password = "admin@e2e.example.com", secrets.token_urlsafe(16)
        manage = GunicornServer(self.env)
        manage.migrate()
        manage.manage(
            "createsuperuser",
            "--noinput",
            DJANGO_SUPERUSER_EMAIL=email,
            DJANGO_SUPERUSER_PASSWORD=password,
        )
        self.admin = Account(id=None, email=email, password=password, role="admin")

    def start_instance(self, *, workers: int = 2, threads: int = 2) -> GunicornServer:
        """Start one more gunicorn instance of this deployment on a free port."""
        index = len(self.servers)
        server = GunicornServer(
            self.env,
            workers=workers,
            threads=threads,
            log_path=self.log_dir / f"gunicorn-{index}.log",
        )
        self.servers.append(server)
        server.start()
        return server

    def stop(self) -> None:
        for server in self.servers:
            if server.process is not None:
                server.stop()

    def create_user(self, role: str, *, name: str = "user") -> Account:
        """Create an account with this role through the admin users API."""
        assert self.admin is not None
        assert self.servers
        server = self.servers[0]
        email = f"{name}-{secrets.token_hex(4)}@e2e.example.com"
        password = secrets.token_urlsafe(16)
        response = server.request(
            "POST",
            f"{API}/users/",
            body={
                "email": email,
                "password": password,
                "display_name": name.title(),
                "role": role,
            },
            headers=bearer(self.admin_access()),
        )
        assert response.status == 201, response.body
        return Account(response.json()["id"], email, password, role)

    def admin_access(self) -> str:
        """Return an access token of the first admin, after a second factor.

        The admin enrols a TOTP app through the API on first use (managing
        users needs a second factor); the token is reused for five minutes.
        """
        assert self.admin is not None
        assert self.servers
        server = self.servers[0]
        if self.admin.totp_secret is None:
            self.admin = enrol_totp(server, self.admin)
        if self._admin_access is None or time.time() - self._admin_access[1] > 300:
            self._admin_access = (login(server, self.admin)["access"], time.time())
        return self._admin_access[0]

    def logs(self) -> str:
        """Return what every instance wrote to stderr (for assertion messages)."""
        return "\n".join(
            path.read_text(errors="replace")
            for path in sorted(self.log_dir.glob("gunicorn-*.log"))
        )


def deployment_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Return production settings for an end-to-end deployment."""
    return production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="tests.e2e.settings",
        CACHE_KEY_PREFIX=f"e2e-{secrets.token_hex(4)}",
        # No drain on stop: nothing balances load in front of these instances.
        GUNICORN_DRAIN_SECONDS="0",
        **overrides,
    )


@contextmanager
def deployment(tmp_path: Path, **overrides: str) -> Iterator[Deployment]:
    """Yield a prepared deployment (no instance started yet); stop it after."""
    with fresh_database(tmp_path) as database_url:
        overrides.setdefault("DATABASE_URL", database_url)
        site = Deployment(deployment_env(tmp_path, **overrides), log_dir=tmp_path)
        try:
            site.prepare()
            yield site
        finally:
            site.stop()


def metric_total(server: GunicornServer, name: str) -> float:
    """Return the sum of a Prometheus counter over all its labels and workers."""
    response = server.get("/metrics", headers=bearer(server.env["METRICS_TOKEN"]))
    assert response.status == 200, response.body
    pattern = re.compile(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? (\S+)$", re.MULTILINE)
    return sum(float(value) for value in pattern.findall(response.body.decode()))


def envelope_code(response: Response) -> str | None:
    """Return the error envelope's code, or None when the body is not the envelope."""
    if not response.headers.get("Content-Type", "").startswith("application/json"):
        return None
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return None
    if error.get("request_id") != response.headers.get("X-Request-ID"):
        return None
    return error.get("code")


def create_post(
    server: GunicornServer, access: str, *, title: str, publish: bool = True
) -> dict:
    """Create a post through the API (published unless asked not to); return it."""
    created = server.request(
        "POST",
        f"{API}/posts/",
        body={"title": title, "body": f"The body of {title}.", "tags": ["e2e"]},
        headers=bearer(access),
    )
    assert created.status == 201, created.body
    post = created.json()
    if not publish:
        return post
    published = server.request(
        "POST", f"{API}/posts/{post['id']}/publish/", headers=bearer(access)
    )
    assert published.status == 200, published.body
    return published.json()
