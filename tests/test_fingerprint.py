"""Certificate fingerprints: the same as openssl's, and read however they are pasted."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest
import trustme

from papo.fingerprint import fingerprint, parse_fingerprint, pem_fingerprint


def test_a_certificates_fingerprint_is_openssls() -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    certificate = trustme.CA().issue_cert("chat.example")
    pem = certificate.private_key_and_cert_chain_pem.bytes().decode()  # the key comes first
    leaf = certificate.cert_chain_pems[0].bytes().decode()
    theirs = subprocess.run(
        [openssl, "x509", "-noout", "-fingerprint", "-sha256"],
        input=leaf, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert theirs.strip() == f"sha256 Fingerprint={pem_fingerprint(pem)}"
    assert pem_fingerprint(pem) == fingerprint(ssl.PEM_cert_to_DER_cert(leaf))
    assert pem_fingerprint("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n") is None


def test_a_fingerprint_is_read_as_pasted() -> None:
    canonical = ":".join(f"{n:02X}" for n in range(32))
    for written in (
        canonical,
        canonical.lower(),
        canonical.replace(":", ""),
        f"  SHA256:{canonical}  ",
        f"sha256 Fingerprint={canonical}",
    ):
        assert parse_fingerprint(written) == canonical, written
    for wrong in ("", "AB:CD", canonical + ":00", canonical.replace("0", "G", 1)):
        assert parse_fingerprint(wrong) is None, wrong
