"""SHA-256 fingerprints of TLS certificates, the way SSH users check a host key.

A chat run with a certificate of its own (self-signed, for a LAN or a weekend) has none of a
CA that clients trust: ``--tls`` then fails, and ``--insecure`` encrypts but lets anybody on
the way pass for the server. The server says its certificate's fingerprint when it starts;
a client given it (``--tls-fingerprint``) takes that certificate and no other, whoever
issued it. Standard library only: the server and the client need nothing else.
"""

from __future__ import annotations

import hashlib
import re
import ssl

_PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)
_SHA256_HEX = re.compile(r"[0-9A-Fa-f]{64}")


def fingerprint(der: bytes) -> str:
    """``AB:CD:...``: the SHA-256 of a certificate (DER), as ``openssl x509 -fingerprint
    -sha256`` and browsers write it."""
    return ":".join(f"{byte:02X}" for byte in hashlib.sha256(der).digest())


def pem_fingerprint(pem: str) -> str | None:
    """The fingerprint of the first certificate of a PEM file's text (the server's own; a
    chain follows it); None when there is none."""
    found = _PEM_CERTIFICATE.search(pem)
    return fingerprint(ssl.PEM_cert_to_DER_cert(found[0])) if found else None


def parse_fingerprint(text: str) -> str | None:
    """A fingerprint as typed or pasted (colons or not, any case, ``SHA256:`` or
    ``sha256 Fingerprint=`` before it) in the form ``fingerprint`` gives; None if it is
    not one."""
    written = text.split("=", 1)[-1].strip()
    digits = re.sub(r"[\s:]", "", written.removeprefix("SHA256:").removeprefix("sha256:"))
    if not _SHA256_HEX.fullmatch(digits):
        return None
    return ":".join(digits[at : at + 2].upper() for at in range(0, 64, 2))
