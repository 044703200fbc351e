"""A throwaway certificate authority, and a Neo4j server requiring Bolt TLS with its certificate.

The CA and the server's key live only as long as the test's temporary directory: nothing is
trusted system-wide, so a client that is not handed the CA must refuse the server.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.helpers import free_port

SCRIPT = Path(__file__).resolve().parents[1] / "deploy" / "neo4j" / "local-neo4j.sh"
# The names the server's certificate is valid for: what the tests connect to, and the address
# the server advertises in its routing table (neo4j+s:// reconnects there).
HOSTS = ("localhost",)
IPS = ("127.0.0.1",)


@dataclass(frozen=True)
class Authority:
    """A CA's certificate (what a client trusts) and its key (what signs a server's)."""

    cert_path: Path
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_authority(folder: Path, name: str = "okrsync test CA") -> Authority:
    """A self-signed CA, its certificate written to folder/ca.pem."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ca.pem").write_bytes(_pem(cert))
    return Authority(folder / "ca.pem", cert, key)


def issue_server_certificate(ca: Authority, folder: Path) -> Path:
    """folder/private.key and folder/public.crt, as Neo4j's SSL policy reads them: a server
    certificate for HOSTS and IPS, signed by the CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    names: list[x509.GeneralName] = [x509.DNSName(h) for h in HOSTS]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in IPS]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(HOSTS[0]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "private.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "public.crt").write_bytes(_pem(cert))
    return folder


@dataclass(frozen=True)
class TlsServer:
    port: int  # Bolt's, on localhost
    password: str  # the user neo4j's
    version: str
    started_in: float  # seconds the script took to start it

    def uri(self, scheme: str, host: str = "localhost") -> str:
        return f"{scheme}://{host}:{self.port}"


def _script(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), command], env=env, capture_output=True, text=True)


@contextmanager
def tls_server(certificates: Path) -> Iterator[TlsServer]:
    """The local Neo4j of NEO4J_VERSION, started on free ports with Bolt TLS required and the
    certificate in `certificates`; stopped afterwards."""
    env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_URI", "NEO4J_SCHEME")}
    env.update(
        NEO4J_TLS_DIR=str(certificates),
        NEO4J_BOLT_PORT=str(free_port()),
        NEO4J_HTTP_PORT=str(free_port()),
        OKRSYNC_NEO4J_NO_DOCKER="1",
        # A server for a few small syncs: a smaller heap starts faster and leaves the machine's
        # memory to the servers the rest of the suite uses.
        NEO4J_HEAP="512m",
        NEO4J_PAGECACHE="64m",
    )
    _script("stop", env)  # a TLS server an interrupted run left behind (its ports are unknown)
    started = time.monotonic()
    up = _script("start", env)
    if up.returncode != 0:
        raise RuntimeError(f"the TLS server did not start: {up.stderr.strip()[-1500:]}")
    seconds = time.monotonic() - started
    exports = dict(part.split("=", 1) for part in _script("env", env).stdout.split()[1:])
    version = _script("version", env).stdout.strip()
    try:
        yield TlsServer(int(env["NEO4J_BOLT_PORT"]), exports["NEO4J_PASSWORD"], version, seconds)
    finally:
        _script("stop", env)
