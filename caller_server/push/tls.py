"""The hall's self-signed TLS certificate: created by ``yihao init``, pinned by devices.

Devices do not trust a CA: they pin the certificate's SHA-256 fingerprint at pairing
(and read it from the server's mDNS TXT ``fp``), so a self-signed certificate is enough.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import os
import socket
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from caller_server.protocol import fingerprint

log = logging.getLogger(__name__)

CERT_FILE = "tls-cert.pem"
KEY_FILE = "tls-key.pem"
VALID_DAYS = 3650


@dataclass(frozen=True)
class HallCertificate:
    cert: Path
    key: Path

    @property
    def fingerprint(self) -> str:
        return cert_fingerprint(self.cert.read_bytes())


def cert_fingerprint(pem: bytes) -> str:
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    return fingerprint(der)


def paths(home: Path) -> HallCertificate:
    return HallCertificate(home / CERT_FILE, home / KEY_FILE)


def ensure_certificate(home: Path, hall_id: str) -> tuple[HallCertificate, bool]:
    """The hall certificate in ``home``, created (key mode 0600) unless present."""
    found = paths(home)
    if found.cert.exists() and found.key.exists():
        return found, False
    key = ec.generate_private_key(ec.SECP256R1())
    host = socket.gethostname()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"yihao {hall_id}")])
    now = datetime.datetime.now(datetime.UTC)
    alt = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.DNSName(host),
            x509.DNSName(f"{host.split('.')[0]}.local"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(alt, critical=False)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(found.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "wb") as f:
        f.write(pem_key)
    found.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    log.info("created the hall certificate %s", found.cert)
    return found, True
