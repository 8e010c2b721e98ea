"""MRVRS as the README deploys it, on the loopback address, for the production-shape tests.

gunicorn (2 workers, MRVRS_ENV=production, MRVRS_TRUSTED_PROXIES=1) behind Debian's
nginx running deploy/nginx/mrvrs.conf with a self-signed certificate made here,
rate limits in Redis, the real database, a Celery worker and beat. Every process
is started here and stopped by its own id.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import ipaddress
import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.browser.axe import AXE_PATH, AXE_SCRIPT

ROOT = Path(__file__).resolve().parents[2]
NGINX_SITE = ROOT / "deploy" / "nginx" / "mrvrs.conf"
NGINX = os.environ.get("MRVRS_TEST_NGINX", "/usr/sbin/nginx")

#: nginx's own settings around the site file: in the foreground, everything in one folder,
#: with gzip on as Debian's nginx.conf has it.
NGINX_MAIN = """\
daemon off;
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 128; }}
http {{
    gzip on;  # as Debian's nginx.conf has it: the site file must turn it off
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/mrvrs.conf;
}}
"""


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path
    spki_sha256: str  # base64, as Chromium's --ignore-certificate-errors-spki-list wants it


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "MRVRS test proxy")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "proxy.crt", folder / "proxy.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    return Certificate(cert_path, key_path, base64.b64encode(hashlib.sha256(spki).digest())
                       .decode())


def render_site(template: str, values: dict[str, str]) -> str:
    """The site file with each @NAME@ placeholder filled; a placeholder left over fails."""
    text = template
    for name, value in values.items():
        placeholder = f"@{name}@"
        assert placeholder in text, f"{NGINX_SITE} has no {placeholder}"
        text = text.replace(placeholder, value)
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "@" not in body, f"a placeholder of {NGINX_SITE} was not filled:\n{body}"
    return text


def with_axe(site: str) -> str:
    """The site with axe-core served on its origin, for the accessibility checks (axe.py).

    A location of the tests' copy only: the app and its headers stay as deployed.
    """
    location = (f"    location = {AXE_PATH} {{\n        alias {AXE_SCRIPT};\n"
                "        default_type application/javascript;\n    }\n\n")
    assert site.count("    location / {") == 1, "the site file has one `location /`"
    return site.replace("    location / {", location + "    location / {")


def free_ports(count: int) -> list[int]:
    """Free loopback ports, from MRVRS_TEST_PORT_RANGE (e.g. 8100-8199) when it is set.

    Every probe stays bound until all are chosen: closed one by one, the system could hand
    out the same port again, and the stack would be short of ports."""
    wanted = os.environ.get("MRVRS_TEST_PORT_RANGE")
    if wanted:
        first, _, last = wanted.partition("-")
        candidates: list[int] | range = range(int(first), int(last) + 1)
    else:
        candidates = [0] * count  # the system picks
    with contextlib.ExitStack() as held:
        ports: list[int] = []
        for candidate in candidates:
            probe = held.enter_context(socket.socket())
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            ports.append(probe.getsockname()[1])
            if len(ports) == count:
                return ports
    raise RuntimeError(f"no {count} free ports in {wanted or 'the system range'}")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


@dataclass
class ProductionStack:
    folder: Path
    environ: dict[str, str]
    certificate: Certificate
    https_port: int
    http_port: int
    app_port: int
    processes: list[Process] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def start(self, name: str, argv: list[str], **env: str) -> Process:
        log_path = self.folder / f"{name}.log"
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(argv, cwd=ROOT, env={**self.environ, **env}, stdout=log,
                                     stderr=subprocess.STDOUT)
        process = Process(name, popen, log_path)
        self.processes.append(process)
        return process

    def run(self, name: str, argv: list[str]) -> str:
        """A command that must finish well, such as `mrvrs db init`; returns its output."""
        done = subprocess.run(argv, cwd=ROOT, env=self.environ, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def log(self, name: str) -> str:
        return next(p for p in self.processes if p.name == name).tail(100_000)

    def stop(self) -> None:
        """Stop what was started, newest first, each by its own process id."""
        for process in reversed(self.processes):
            if process.popen.poll() is None:
                process.popen.terminate()
        for process in reversed(self.processes):
            try:
                process.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(timeout=10)

    def failure(self, what: str) -> str:
        logs = "\n".join(f"--- {p.name} (exit {p.popen.poll()}):\n{p.tail()}"
                         for p in self.processes)
        return f"{what}\n{logs}"


def production_environ(mongo_uri: str, broker_url: str, db_name: str,
                       **extra: str) -> dict[str, str]:
    """This process's environment without its MRVRS settings, plus production ones of
    its own: fresh keys, the test database and broker, one trusted proxy (nginx)."""
    from cryptography.fernet import Fernet

    environ = {name: value for name, value in os.environ.items()
               if not name.startswith("MRVRS_") or name.startswith("MRVRS_TEST_")}
    environ.update({
        "MRVRS_ENV": "production", "MRVRS_SECRET_KEY": secrets.token_urlsafe(32),
        "MRVRS_DATA_KEY": Fernet.generate_key().decode(),
        "MRVRS_AUDIT_KEY": secrets.token_urlsafe(32), "MRVRS_MONGO_URI": mongo_uri,
        "MRVRS_DB_NAME": db_name, "MRVRS_BROKER_URL": broker_url,
        "MRVRS_RATE_LIMIT_STORAGE_URI": broker_url, "MRVRS_TRUSTED_PROXIES": "1",
        **extra,
    })
    return environ


@contextlib.contextmanager
def running_stack(folder: Path, environ: dict[str, str]) -> Iterator[ProductionStack]:
    """The stack, ready; afterwards every process stopped and its database dropped.
    Skips (or, with MRVRS_TEST_REQUIRE_SERVICES, fails) where nginx or gunicorn is missing."""
    from pymongo import MongoClient

    from tests.helpers import unavailable

    if not os.access(NGINX, os.X_OK):
        unavailable(f"{NGINX} is not installed (apt-get install nginx)")
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        unavailable("gunicorn is not installed (pip install -e '.[test]')")
    stack = start_stack(folder, environ)
    try:
        wait_until_ready(stack)
        yield stack
    finally:
        stack.stop()
        client: MongoClient = MongoClient(environ["MRVRS_MONGO_URI"])
        client.drop_database(environ["MRVRS_DB_NAME"])
        client.close()


@contextlib.contextmanager
def stack_services(stack: ProductionStack) -> Iterator[tuple[Any, Any]]:
    """The stack's database seen from this process: an app of its own on the stack's
    settings, and its services; the client is closed afterwards."""
    from app import create_app
    from config.settings import load_settings

    app = create_app(load_settings(stack.environ))
    services = app.extensions["mrvrs"]
    try:
        yield app, services
    finally:
        services.db.client.close()


def start_stack(folder: Path, environ: dict[str, str]) -> ProductionStack:
    https_port, http_port, app_port = free_ports(3)
    stack = ProductionStack(folder, environ, make_certificate(folder), https_port, http_port,
                            app_port)
    python = sys.executable
    try:
        stack.start("worker", [python, "-m", "app.cli", "worker", "--concurrency=1"])
        stack.start("beat", [python, "-m", "app.cli", "beat"], TMPDIR=str(folder))
        stack.run("db init", [python, "-m", "app.cli", "db", "init"])
        stack.start("gunicorn", [python, "-m", "gunicorn", "--workers", "2",
                                 "--bind", f"127.0.0.1:{app_port}", "app:create_app()"])
        _start_nginx(stack)
    except BaseException:
        stack.stop()
        raise
    return stack


def _start_nginx(stack: ProductionStack) -> None:
    prefix = stack.folder / "nginx"
    prefix.mkdir()
    site = render_site(NGINX_SITE.read_text(), {
        "HTTPS_LISTEN": f"127.0.0.1:{stack.https_port}",
        "HTTP_LISTEN": f"127.0.0.1:{stack.http_port}",
        "SERVER_NAME": "127.0.0.1 localhost",
        "CERTIFICATE": str(stack.certificate.cert_path),
        "CERTIFICATE_KEY": str(stack.certificate.key_path),
        "UPSTREAM": f"127.0.0.1:{stack.app_port}",
    })
    (prefix / "mrvrs.conf").write_text(with_axe(site))
    # As root, nginx's workers would run as nobody, who cannot enter a private temp folder.
    user = "user root;" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(NGINX_MAIN.format(prefix=prefix, user=user))
    stack.start("nginx", [NGINX, "-p", f"{prefix}/", "-e", f"{prefix}/error.log",
                          "-c", f"{prefix}/nginx.conf"])


def wait_until_ready(stack: ProductionStack, timeout: float = 90) -> None:
    """Until the worker says ready, beat has started and healthz answers through nginx."""
    deadline = time.monotonic() + timeout
    context = ssl.create_default_context(cafile=str(stack.certificate.cert_path))
    waiting = {"worker": "ready.", "beat": "beat: Starting"}
    while time.monotonic() < deadline:
        dead = [p.name for p in stack.processes if p.popen.poll() is not None]
        if dead:
            raise AssertionError(stack.failure(f"{', '.join(dead)} stopped"))
        waiting = {name: text for name, text in waiting.items() if text not in stack.log(name)}
        if not waiting and _healthy(stack.url + "/healthz", context):
            return
        time.sleep(0.3)
    raise AssertionError(stack.failure(f"not ready after {timeout} s (waiting: {waiting})"))


def _healthy(url: str, context: ssl.SSLContext) -> bool:
    try:
        with urllib.request.urlopen(url, context=context, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
