"""Ed25519 keys for access tokens: the issuer's signing key and the public keys every verifier accepts.

A key's id (`kid`) is its RFC 7638 thumbprint, so every process names a key
the same way without being told. A setting holds PEM or JWKS text inline,
or names files (comma-separated) that hold it.
"""

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"
SIGNING_KEY_FILE = "jwt-signing-key.pem"  # under CHIRP_DATA_DIR: the one-process mesh's key, when none is configured


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class PublicKey:
    kid: str
    key: Ed25519PublicKey

    @classmethod
    def of(cls, key: Ed25519PublicKey) -> "PublicKey":
        x = _b64url(_raw(key))
        thumbprint = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
        return cls(_b64url(hashlib.sha256(thumbprint.encode()).digest())[:16], key)

    def jwk(self) -> dict[str, str]:
        return {"kid": self.kid, "kty": "OKP", "crv": "Ed25519", "x": _b64url(_raw(self.key)), "alg": ALGORITHM, "use": "sig"}


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public: PublicKey

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls.of(Ed25519PrivateKey.generate())

    @classmethod
    def of(cls, private: Ed25519PrivateKey) -> "SigningKey":
        return cls(private, PublicKey.of(private.public_key()))

    @classmethod
    def from_pem(cls, pem: bytes) -> "SigningKey":
        private = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError("the signing key is not an Ed25519 private key")
        return cls.of(private)

    def pem(self) -> bytes:
        return self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    def public_pem(self) -> bytes:
        return self.public.key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def read_setting(value: str) -> list[bytes]:
    """Inline PEM or JWKS text, or the contents of the comma-separated files it names."""
    text = value.strip()
    if not text:
        return []
    if text.startswith(("-----BEGIN", "{")):
        return [text.encode()]
    return [Path(path.strip()).read_bytes() for path in text.split(",") if path.strip()]


def public_keys_from(texts: list[bytes]) -> list[PublicKey]:
    """Every Ed25519 key in PEM blocks (public or private) or JWKS documents."""
    keys: list[PublicKey] = []
    for text in texts:
        keys += _from_jwks(text) if text.lstrip().startswith(b"{") else _from_pem(text)
    return keys


def _from_pem(text: bytes) -> list[PublicKey]:
    keys = []
    for block in text.split(b"-----BEGIN ")[1:]:
        pem = b"-----BEGIN " + block
        if b"PRIVATE KEY" in block.split(b"\n", 1)[0]:
            keys.append(SigningKey.from_pem(pem).public)
            continue
        public = serialization.load_pem_public_key(pem)
        if not isinstance(public, Ed25519PublicKey):
            raise ValueError("a public key is not Ed25519")
        keys.append(PublicKey.of(public))
    return keys


def _from_jwks(text: bytes) -> list[PublicKey]:
    keys = []
    for jwk in json.loads(text)["keys"]:
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise ValueError(f"key {jwk.get('kid')!r} is not an Ed25519 JWK")
        raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
        keys.append(PublicKey.of(Ed25519PublicKey.from_public_bytes(raw)))
    return keys


def load_or_create(path: Path) -> SigningKey:
    """The signing key kept in a file (0600), made there first when the file is missing."""
    if path.exists():
        return SigningKey.from_pem(path.read_bytes())
    key = SigningKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        file.write(key.pem())
    return key
