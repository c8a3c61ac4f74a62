"""URL -> a web document's bytes and type, refusing private addresses before connecting and on
every redirect, with the response capped in size and time.

Each hop connects to the address that was checked (not to a second DNS answer), so a name that
resolves differently between the check and the connection (DNS rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from chatbot.errors import CorpusError

MAX_BYTES = 20 * 2**20
TIMEOUT_S = 15.0
MAX_REDIRECTS = 5
SUFFIX_BY_TYPE = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    suffix: str  # file type to store it as, from the Content-Type
    data: bytes


def _forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or not ip.is_global
    )


def checked_address(url: str, allow_private: bool) -> str:
    """The IP address to connect to for `url`, after checking every address its host resolves to.

    Raises:
        CorpusError: not http(s), unresolvable, or (unless allow_private) a loopback, private,
            link-local, unspecified, multicast or reserved address.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CorpusError(
            f"{url} is not an http(s) address; only http and https URLs can be added."
        )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise CorpusError(f"{parts.hostname} could not be resolved ({exc}).") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not allow_private and any(_forbidden(ip) for ip in addresses):
        raise CorpusError(
            f"{url} resolves to a private or local address "
            f"({', '.join(sorted({str(a) for a in addresses}))}); "
            "refused. Use --allow-private-urls to index your own intranet."
        )
    return str(addresses[0])


def fetch(url: str, allow_private: bool = False) -> Fetched:
    """Download a document, following at most MAX_REDIRECTS redirects, each one checked.

    Raises:
        CorpusError: a refused address, an HTTP error, a timeout, an unknown type, or a body
            larger than MAX_BYTES.
    """
    import httpx

    for _ in range(MAX_REDIRECTS + 1):
        address = checked_address(url, allow_private)
        parts = urlsplit(url)
        host = f"[{address}]" if ":" in address else address
        netloc = f"{host}:{parts.port}" if parts.port else host
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        headers = {"Host": parts.netloc.rsplit("@", 1)[-1], "User-Agent": "chatbot-indexer"}
        extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
        try:
            with (
                httpx.Client(timeout=TIMEOUT_S, follow_redirects=False) as client,
                client.stream("GET", pinned, headers=headers, extensions=extensions) as response,
            ):
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("location", ""))
                    continue
                if response.status_code >= 400:
                    raise CorpusError(f"{url} answered HTTP {response.status_code}.")
                body = bytearray()
                for block in response.iter_bytes():
                    body.extend(block)
                    if len(body) > MAX_BYTES:
                        raise CorpusError(f"{url} is larger than {MAX_BYTES // 2**20} MB; refused.")
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        except httpx.TimeoutException:
            raise CorpusError(f"{url} did not answer within {TIMEOUT_S:.0f} s.") from None
        except httpx.HTTPError as exc:
            raise CorpusError(f"{url} could not be fetched ({exc}).") from None
        suffix = SUFFIX_BY_TYPE.get(kind)
        if suffix is None:
            raise CorpusError(
                f"{url} is of type {kind or 'unknown'}; only HTML, PDF, text and Word documents."
            )
        return Fetched(url=url, suffix=suffix, data=bytes(body))
    raise CorpusError(f"{url} redirected more than {MAX_REDIRECTS} times; refused.")
