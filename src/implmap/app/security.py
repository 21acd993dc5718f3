"""The app's door: loopback hosts only, a per-session token on every request, strict headers.

The token works like Jupyter's: ``implmap screen`` prints a URL carrying ``?token=…``; the first
visit sets an HttpOnly, SameSite=Strict cookie and redirects to the same page without the token
(so it does not linger in the address bar or the history). Scripts may send the token in an
``X-Implmap-Token`` header or, for ``/api/`` paths, as the ``token`` query parameter. Any request
without it gets ``403``.

Browsers send a cookie of ``127.0.0.1`` to every port of ``127.0.0.1``, so any other local
server the browser visits sees this app's cookie. The cookie therefore never carries the token:
its value is an HMAC of the token under a key drawn at random for this server (one
:class:`TokenGuard`, alive as long as the app), so it opens this server only, and reveals
nothing that opens another; its name carries the server's port, so that two apps in one
browser keep their cookies apart.

Every response carries a Content-Security-Policy that allows only the app's own static scripts
and styles (no inline script, no CDN, nothing from elsewhere), and ``nosniff``/``no-referrer``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

__all__ = ["CSP", "LOOPBACK_HOSTS", "TokenGuard", "cookie_name", "new_token"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; frame-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
FULL_TEXT_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
# Hosts a browser on this machine uses to reach a loopback server ("testserver" is what
# starlette's TestClient sends). Anything else is refused, which defeats DNS rebinding.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "testserver"})
TOKEN_HEADER = b"x-implmap-token"


def new_token() -> str:
    """A fresh, unguessable session token."""
    return secrets.token_urlsafe(32)


def cookie_name(token: str, port: int) -> str:
    """The name of a session's cookie on ``port``: cookies ignore ports, so each server's
    cookie gets its own name (two apps, one browser). The name reveals nothing of the token."""
    digest = hashlib.sha256(b"implmap-cookie-name\0" + token.encode()).hexdigest()[:12]
    return f"implmap-{port}-{digest}"


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes text a client made up (any characters)."""
    return secrets.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())


def _host_ok(headers: dict[bytes, bytes]) -> bool:
    host = headers.get(b"host", b"").decode("latin-1").lower()
    if host.startswith("["):
        name = host.split("]")[0] + "]"
    else:
        name = host.rsplit(":", 1)[0] if ":" in host else host
    return name in LOOPBACK_HOSTS


class TokenGuard:
    """ASGI middleware: refuse requests without the session token; add security headers.

    ``key`` signs this server's cookie (random when omitted, so that each guard, that is each
    server, accepts only the cookies it issued); the port the request arrived on names it.
    """

    def __init__(self, app: ASGIApp, token: str, key: bytes | None = None):
        self.app = app
        self.token = token
        self._cookie_value = hmac.new(key or secrets.token_bytes(32), token.encode(),
                                      hashlib.sha256).hexdigest()

    def _matches(self, value: str | None) -> bool:
        return bool(value) and _same(str(value), self.token)

    def cookie_for(self, scope: Scope) -> tuple[str, str]:
        """This server's session cookie, ``(name, value)``, for a request's ``scope``."""
        server = scope.get("server")
        port = int(server[1]) if server and server[1] is not None else 0
        return cookie_name(self.token, port), self._cookie_value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":  # no websockets here
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            return
        headers = dict(scope.get("headers") or [])
        if not _host_ok(headers):
            await _plain(send, 403, "Forbidden: this app answers on 127.0.0.1 only.")
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        qtoken = next((v for k, v in query if k == "token"), None)
        path: str = scope.get("path", "/")
        if qtoken is not None and self._matches(qtoken) and not path.startswith("/api/"):
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            where = "/" + path.lstrip("/")  # never "//host": no redirect off this server
            cookie = self.cookie_for(scope)
            await _redirect_with_cookie(send, where + (f"?{rest}" if rest else ""), cookie)
            return
        cookies = SimpleCookie()
        raw_cookie = headers.get(b"cookie", b"").decode("latin-1")
        try:
            cookies.load(raw_cookie)
        except Exception:  # a malformed Cookie header is just no cookie
            cookies = SimpleCookie()
        name, value = self.cookie_for(scope)
        morsel = cookies.get(name)
        ok = (
            (morsel is not None and _same(morsel.value, value))
            or self._matches(headers.get(TOKEN_HEADER, b"").decode("latin-1"))
            or (path.startswith("/api/") and self._matches(qtoken))
        )
        if not ok:
            await _plain(
                send,
                403,
                "Forbidden: open the URL that 'implmap screen' printed; it carries this "
                "session's token.",
            )
            return
        if scope["method"] not in ("GET", "HEAD") and not _origin_ok(headers):
            await _plain(send, 403, "Forbidden: cross-origin request.")
            return

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_security_headers(path)]
            await send(message)

        await self.app(scope, receive, send_secure)


def _origin_ok(headers: dict[bytes, bytes]) -> bool:
    origin = headers.get(b"origin")
    if origin is None:
        return True  # not a browser cross-site request (scripts, curl, TestClient)
    host = headers.get(b"host", b"")
    return origin in (b"http://" + host, b"https://" + host)


def _security_headers(path: str) -> list[tuple[bytes, bytes]]:
    # A full-text PDF opens in the browser's PDF viewer (a plugin); nothing else may run there.
    csp = FULL_TEXT_CSP if path.startswith("/full-text/") else CSP
    out = [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if not path.startswith("/static/"):
        out.append((b"cache-control", b"no-store"))
    return out


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *_security_headers(""),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect_with_cookie(send: Send, location: str, cookie_pair: tuple[str, str]) -> None:
    cookie = f"{cookie_pair[0]}={cookie_pair[1]}; Path=/; HttpOnly; SameSite=Strict"
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", location.encode("latin-1", "replace")),
                (b"set-cookie", cookie.encode()),
                (b"content-length", b"0"),
                *_security_headers(""),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})
