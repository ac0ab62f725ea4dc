"""The webhook listener: Telegram POSTs updates here; 200 only once the inbox holds the update.

The secret header is checked as soon as the request's headers arrive, before any of the
body is read, and bodies are capped at MAX_BODY (Telegram's updates are a few kilobytes):
a refused request announcing more than that (or no length) is answered at once and its
connection closed unread; a small one's body is read and dropped, keeping the connection. When the inbox is full
the listener answers 503 and Telegram sends the update again later.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from http import HTTPStatus
from types import TracebackType

import tornado.web
from tornado.httpserver import HTTPServer

from bot.telegram.inbox import Inbox

log = logging.getLogger("bot.webhook")

MAX_BODY = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_AFTER = "5"  # seconds, with a 503 while the inbox is full


@tornado.web.stream_request_body
class UpdateReceiver(tornado.web.RequestHandler):
    """One POSTed update: secret first, then at most MAX_BODY bytes, then the inbox, then 200."""

    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, inbox: Inbox, secret: str) -> None:  # noqa: D401 - tornado's hook
        self.inbox = inbox
        self.secret = secret.encode()
        self.body = bytearray()
        self.refusal: HTTPStatus | None = None

    def prepare(self) -> None:
        length = self.request.headers.get("Content-Length", "")
        small = length.isdigit() and int(length) <= MAX_BODY
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            if small:
                self.refusal = HTTPStatus.FORBIDDEN  # answered once the (discarded) body is in: keep-alive
            else:
                self._refuse(HTTPStatus.FORBIDDEN)   # answered now and the connection closed unread
            return
        if length.isdigit() and not small:
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        self.request.connection.set_max_body_size(MAX_BODY)

    def data_received(self, chunk: bytes) -> None:
        if self._finished or self.refusal:
            return
        self.body += chunk
        if len(self.body) > MAX_BODY:
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    async def post(self) -> None:
        if self._finished:
            return
        if self.refusal:
            self._refuse(self.refusal)
            return
        try:
            update = json.loads(bytes(self.body))
        except ValueError:
            self._refuse(HTTPStatus.BAD_REQUEST)
            return
        self.body = bytearray()
        if self.inbox.room() <= 0:
            self.set_header("Retry-After", RETRY_AFTER)
            self._refuse(HTTPStatus.SERVICE_UNAVAILABLE)
            return
        await self.inbox.accept([update])
        self.set_status(HTTPStatus.OK)
        self.finish()

    def _refuse(self, status: HTTPStatus) -> None:
        """Answer now; tornado closes a connection whose body is not read yet, instead of reading it."""
        self.body = bytearray()
        self.set_status(status)
        self.finish()

    def log_exception(self, typ: type[BaseException] | None, value: BaseException | None,
                      tb: TracebackType | None) -> None:
        # Tornado's own message would include the request; ours names only the failure.
        if not isinstance(value, tornado.web.HTTPError):
            log.error("webhook request failed (%s)", typ.__name__ if typ else "?")


class _Application(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: the bot logs each update itself, without addresses."""


class WebhookServer:
    """The tornado HTTP server for UpdateReceiver at /<path>."""

    def __init__(self, inbox: Inbox, secret: str, *, path: str):
        app = _Application([(rf"/{path.strip('/')}/?", UpdateReceiver, {"inbox": inbox, "secret": secret})])
        self._server = HTTPServer(app, max_body_size=MAX_BODY, max_buffer_size=4 * MAX_BODY,
                                  idle_connection_timeout=120, body_timeout=30)

    def listen(self, address: str, port: int) -> None:
        self._server.listen(port, address=address)

    async def serve_until_cancelled(self) -> None:
        """Serve until cancelled; then stop listening and close the connections."""
        try:
            await asyncio.Event().wait()
        finally:
            self._server.stop()
            await self._server.close_all_connections()
