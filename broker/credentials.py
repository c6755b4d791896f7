"""MQTT credentials Anju issues to devices, home gateways and its own services.

A password is random (32 bytes of `secrets`, URL-safe text), shown once, and kept only as a
PBKDF2-SHA512 hash in the form Mosquitto itself stores (`$7$<iterations>$<salt b64>$<hash b64>`,
the password-file format; the dynamic security plugin keeps the same three parts as JSON). Anju
can therefore hand the broker a hash it can check without ever keeping the password.

The iteration count is Mosquitto's own (101): the broker runs PBKDF2 on every CONNECT, and with
256-bit random passwords the hash does not need stretching to resist guessing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

ITERATIONS = 101  # Mosquitto's PW_DEFAULT_ITERATIONS
SALT_BYTES = 12  # as mosquitto_passwd
PASSWORD_BYTES = 32


@dataclass(frozen=True, slots=True)
class PasswordHash:
    salt: bytes
    digest: bytes
    iterations: int = ITERATIONS

    def encoded(self) -> str:
        """`$7$101$salt$hash`: a line of a Mosquitto password file after `username:`."""
        salt = base64.b64encode(self.salt).decode()
        digest = base64.b64encode(self.digest).decode()
        return f"$7${self.iterations}${salt}${digest}"

    def dynsec(self) -> dict[str, str | int]:
        """The fields of a client in the dynamic security plugin's JSON file."""
        return {
            "salt": base64.b64encode(self.salt).decode(),
            "password": base64.b64encode(self.digest).decode(),
            "iterations": self.iterations,
        }

    def verify(self, password: str) -> bool:
        candidate = _pbkdf2(password, self.salt, self.iterations)
        return hmac.compare_digest(candidate, self.digest)


def _pbkdf2(password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


def hash_password(password: str, *, salt: bytes | None = None) -> PasswordHash:
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    return PasswordHash(salt, _pbkdf2(password, salt, ITERATIONS), ITERATIONS)


def parse_hash(text: str) -> PasswordHash:
    """Read `$7$iterations$salt$hash`; ValueError on anything else."""
    parts = text.split("$")
    if len(parts) != 5 or parts[0] != "" or parts[1] != "7":
        raise ValueError("not a Mosquitto $7$ PBKDF2-SHA512 hash")
    try:
        iterations = int(parts[2])
        salt = base64.b64decode(parts[3], validate=True)
        digest = base64.b64decode(parts[4], validate=True)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"malformed $7$ hash: {exc}") from None
    if iterations < 1 or len(digest) != 64:
        raise ValueError("malformed $7$ hash: bad iterations or digest length")
    return PasswordHash(salt, digest, iterations)
