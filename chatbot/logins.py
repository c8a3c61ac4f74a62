"""The optional login in front of the whole page (`chatbot serve --login-file FILE`).

The file holds one `user:password` line per person; blank lines and lines starting with `#` are
skipped. A password is either written as it is, or as the line `chatbot hash-password` prints
(`scrypt:<salt>:<hash>`), so the file need not hold it at all. Checking is constant-time, a wrong
login waits a second, and a user not in the file costs the same work as a wrong password.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from chatbot.errors import ChatbotError

HASH_PREFIX = "scrypt:"
# scrypt's cost: 16 MiB and about 50 ms a check here, far too slow to guess at speed.
SCRYPT_COST = {"n": 2**14, "r": 8, "p": 1}
FAILED_LOGIN_SECONDS = 1.0


def hash_password(password: str, salt: bytes | None = None) -> str:
    """The form of a password to put in a login file instead of the password itself."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, **SCRYPT_COST)
    return f"{HASH_PREFIX}{salt.hex()}:{digest.hex()}"


def _matches(stored: str, given: str) -> bool:
    if stored.startswith(HASH_PREFIX):
        salt = bytes.fromhex(stored[len(HASH_PREFIX) :].split(":", 1)[0])
        return hmac.compare_digest(hash_password(given, salt), stored)
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), stored.encode("utf-8"))


def _checked_hash(stored: str, where: str) -> str:
    parts = stored[len(HASH_PREFIX) :].split(":")
    try:
        salt, digest = (bytes.fromhex(part) for part in parts)
    except ValueError:
        salt = digest = b""
    if not salt or not digest:
        raise ChatbotError(
            f"{where}: a hashed password is `scrypt:<salt>:<hash>` as `chatbot hash-password` "
            "prints it."
        )
    return stored


@dataclass
class Logins:
    passwords: dict[str, str]  # user -> password, as written or hashed
    _failures: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    def matches(self, user: str, password: str) -> bool:
        stored = self.passwords.get(user)
        if stored is None:
            _matches(hash_password("no such user"), password)  # the same work as a wrong password
            return False
        return _matches(stored, password)

    async def check(self, user: str, password: str) -> bool:
        """Gradio's `auth`: run off the event loop, so a check never holds other visitors up."""
        if await asyncio.to_thread(self.matches, user, password):
            return True
        async with self._failures:  # one wrong login at a time, each a second long
            await _wait(FAILED_LOGIN_SECONDS)
        return False


async def _wait(seconds: float) -> None:
    await asyncio.sleep(seconds)


def read_login_file(path: Path) -> Logins:
    """The logins in the file.

    Raises:
        ChatbotError: the file cannot be read, a line is not `user:password`, or it names no user.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ChatbotError(f"Cannot read the login file {path}: {error}") from None
    passwords: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        user, colon, password = line.strip().partition(":")
        where = f"Line {number} of the login file {path}"
        if not colon or not user or not password:
            raise ChatbotError(f"{where} is not `user:password`.")
        if user in passwords:
            raise ChatbotError(f"{where} names the user {user!r} a second time.")
        if password.startswith(HASH_PREFIX):
            password = _checked_hash(password, where)
        passwords[user] = password
    if not passwords:
        raise ChatbotError(f"The login file {path} names no user: add `user:password` lines.")
    return Logins(passwords)
