"""Who may change the documents through the page, checked on the server for every change.

Served on this machine only (loopback, the default), the person at the machine may do everything.
Served on any other address, reading and asking stay open, and every change (upload, URL, removal,
rebuild) needs the admin password; without one configured, changes are off. The password comes
from a file or the CHATBOT_ADMIN_PASSWORD variable, never from the command line, and is never
logged or shown.
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from chatbot.errors import ChatbotError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
PASSWORD_VARIABLE = "CHATBOT_ADMIN_PASSWORD"
# A wrong password costs this long, one attempt at a time: guessing stays slow.
FAILED_ATTEMPT_SECONDS = 1.0


class AccessDenied(ChatbotError):
    """A change of the documents without the right to make it."""


def read_password_file(path: Path) -> str:
    """The first line of the file: the admin password.

    Raises:
        ChatbotError: the file cannot be read or is empty.
    """
    try:
        password = Path(path).read_text(encoding="utf-8").splitlines()[0].strip()
    except (OSError, UnicodeDecodeError, IndexError):
        password = ""
    if not password:
        raise ChatbotError(
            f"No admin password in {path}: put it on the file's first line (and nothing else)."
        )
    return password


@dataclass
class Access:
    local_only: bool  # served on a loopback address: whoever reaches the page is at the machine
    admin_password: str | None = None
    _attempts: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def changes_need_password(self) -> bool:
        return not self.local_only and self.admin_password is not None

    @property
    def read_only(self) -> bool:
        return not self.local_only and self.admin_password is None

    def check_change(self, password: str | None) -> None:
        """Raises AccessDenied unless this change may happen."""
        if self.local_only:
            return
        if self.admin_password is None:
            raise AccessDenied(
                "Changes to the documents are off on this page: it is shared on the network "
                "without an admin password (see `chatbot serve --help`)."
            )
        given = (password or "").encode("utf-8", "surrogatepass")
        if hmac.compare_digest(given, self.admin_password.encode("utf-8")):
            return
        with self._attempts:  # one wrong guess at a time, each a second long
            time.sleep(FAILED_ATTEMPT_SECONDS)
        raise AccessDenied("Wrong admin password: nothing was changed.")


def access_for(host: str, password_file: Path | None = None, env=None) -> Access:
    """The access rules for a page served on host, with the password from the file or the
    environment (the file wins)."""
    env = os.environ if env is None else env
    password = read_password_file(password_file) if password_file else env.get(PASSWORD_VARIABLE)
    return Access(local_only=host in LOOPBACK_HOSTS, admin_password=password or None)
