"""A fake Telegram Bot API server on 127.0.0.1 that records every call, for tests and benchmarks.

It speaks just enough HTTP/1.1 (keep-alive, Content-Length) for httpx and answers the
methods the bot uses with realistic objects. Like the real API it rejects HTML that
Telegram could not parse, texts over 4096 characters and callback data over 64 bytes,
so a bot that would fail in production fails here too.

It can also misbehave the way the real API and the network do (`Faults`): an outage
(connections dropped unanswered), a 5xx on every Nth call of a method, single dropped
connections, a window of 429 Too Many Requests with retry_after, answers that arrive
only after the client gave up (the message was delivered all the same), and a fixed
latency per request (a distant server).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from html.parser import HTMLParser
from typing import Any, Callable
from urllib.parse import parse_qsl

BOT_ID = 7000001
BOT_USERNAME = "TanyaNetralTestBot"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
# Parameters PTB sends as raw strings; everything else arrives JSON-encoded.
STRING_PARAMS = {"text", "parse_mode", "callback_query_id", "inline_query_id", "url", "secret_token",
                 "next_offset", "caption", "description", "short_description", "name", "language_code"}
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
             "tg-emoji", "code", "pre", "blockquote"}
ENTITY_RE = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class ApiError(Exception):
    """A request the real Bot API would refuse."""

    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict:
        body = {"ok": False, "error_code": self.code, "description": self.description}
        return body | {"parameters": self.parameters} if self.parameters else body


@dataclass
class Faults:
    """How the server misbehaves; times are time.perf_counter() values."""

    outage_until: float = 0.0                  # every request dropped unanswered until then
    flood_until: dict[str, float] = field(default_factory=dict)   # method -> 429 until then
    fail_every: dict[str, tuple[int, int]] = field(default_factory=dict)  # method -> (n, status)
    drop_next: dict[str, int] = field(default_factory=dict)       # method -> connections to drop
    stall_next: dict[str, tuple[int, float]] = field(default_factory=dict)  # method -> (count, seconds)
    latency: float = 0.0                       # seconds before every answer
    seen: dict[str, int] = field(default_factory=dict)            # calls per method, for fail_every
    dropped: int = 0


@dataclass
class Call:
    """One recorded request."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)
    result: Any = None  # what the server answered, e.g. the sent Message

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int | str | None:
        return self.params.get("chat_id")

    @property
    def buttons(self) -> list[dict]:
        """Every inline keyboard button of the request, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    @property
    def ok(self) -> bool:
        """Whether the server carried the call out (a refused one is recorded with its ApiError)."""
        return not isinstance(self.result, ApiError)

    @property
    def reply_to(self) -> int | None:
        params = self.params.get("reply_parameters") or {}
        return params.get("message_id") or self.params.get("reply_to_message_id")


class _HtmlChecker(HTMLParser):
    """Telegram's HTML subset: known tags only, properly nested, text length measured."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in HTML_TAGS:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unexpected end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def plain_text(html: str) -> str:
    """The text Telegram would show for an HTML message; ApiError when it cannot be parsed."""
    if ENTITY_RE.search(html):
        raise ApiError(400, "Bad Request: can't parse entities: unescaped '&'")
    checker = _HtmlChecker()
    checker.feed(html)
    checker.close()
    if checker.stack:
        raise ApiError(400, f'Bad Request: can\'t parse entities: Can\'t find end tag "{checker.stack[-1]}"')
    return "".join(checker.chunks)


class FakeBotAPI:
    """Serve /bot<token>/<method>; queue updates for getUpdates; record every call."""

    def __init__(self, token: str, *, username: str = BOT_USERNAME, bot_id: int = BOT_ID,
                 max_poll: float = 1.0):
        self.token = token
        self.me = {"id": bot_id, "is_bot": True, "first_name": "Tanya Netral", "username": username,
                     "can_join_groups": True, "can_read_all_group_messages": False,
                     "supports_inline_queries": True}
        self.max_poll = max_poll
        self.calls: list[Call] = []
        self.updates: list[dict] = []
        self.served_at: dict[int, float] = {}
        self.webhook: dict[str, Any] = {}
        self.commands: list[dict] = []
        self.refusals: dict[str, list[ApiError]] = {}
        self.messages: dict[tuple[int, int], dict] = {}
        self.chats: dict[int, dict] = {}
        self.blocked: set[int] = set()  # users who blocked the bot (or never started it): 403 on send
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._arrived = asyncio.Event()
        self._recorded = asyncio.Event()
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0
        self.faults = Faults()

    # ------------------------------------------------------------ lifecycle

    async def start(self, port: int = 0) -> FakeBotAPI:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()
            self._server = None

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL should be: PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    # ------------------------------------------------------------ assertions

    def calls_to(self, *methods: str, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method in methods]

    @property
    def sent_texts(self) -> list[str]:
        return [c.text for c in self.calls_to("sendMessage", "editMessageText")]

    async def wait_for(self, method: str, *, since: int = 0, count: int = 1, timeout: float = 5.0,
                       where: Callable[[Call], bool] | None = None) -> list[Call]:
        """Wait until `count` calls of `method` (matching `where`) were recorded after index `since`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        found: list[Call] = []
        seen = since
        while True:
            found += [c for c in self.calls[seen:] if c.method == method and (where is None or where(c))]
            seen = len(self.calls)
            if len(found) >= count:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                methods = ", ".join(c.method for c in self.calls[since:]) or "nothing"
                raise AssertionError(f"no {method} within {timeout} s (saw: {methods})")
            self._recorded.clear()
            try:
                await asyncio.wait_for(self._recorded.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def delivered(self, method: str = "sendMessage") -> list[Call]:
        """The calls of `method` the server carried out (what users would see)."""
        return [c for c in self.calls if c.method == method and c.ok]

    # ------------------------------------------------------------ faults

    def outage(self, seconds: float) -> None:
        """Drop every request unanswered for the next `seconds`, as when the API is unreachable."""
        self.faults.outage_until = time.perf_counter() + seconds

    def flood_for(self, method: str, seconds: float) -> None:
        """Answer `method` with 429 (retry_after: the seconds left, at least 1) for the next `seconds`."""
        self.faults.flood_until[method] = time.perf_counter() + seconds

    def fail_every(self, method: str, n: int, status: int = 500) -> None:
        """Answer every `n`th call of `method` with `status`, without carrying it out."""
        self.faults.fail_every[method] = (n, status)
        self.faults.seen[method] = 0

    def drop_next(self, method: str, count: int) -> None:
        """Close the connection of the next `count` calls of `method` before carrying them out."""
        self.faults.drop_next[method] = count

    def stall_next(self, method: str, count: int, seconds: float) -> None:
        """Carry out the next `count` calls of `method`, then answer only after `seconds`."""
        self.faults.stall_next[method] = (count, seconds)

    def _fault(self, method: str) -> tuple[str, Any]:
        """What to do with this call: ("drop"|"refuse"|"stall"|"ok", detail)."""
        f = self.faults
        now = time.perf_counter()
        if now < f.outage_until:
            return "drop", None
        if f.drop_next.get(method, 0) > 0:
            f.drop_next[method] -= 1
            return "drop", None
        if now < f.flood_until.get(method, 0.0):
            seconds = max(1, round(f.flood_until[method] - now))
            return "refuse", ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
        if method in f.fail_every:
            n, status = f.fail_every[method]
            f.seen[method] += 1
            if f.seen[method] % n == 0:
                return "refuse", ApiError(status, "Internal Server Error" if status == 500 else "Bad Gateway")
        count, seconds = f.stall_next.get(method, (0, 0.0))
        if count > 0:
            f.stall_next[method] = (count - 1, seconds)
            return "stall", seconds
        return "ok", None

    def flood_wait(self, method: str, seconds: int = 1) -> None:
        """Answer the next `method` call with 429 Too Many Requests, as Telegram does."""
        self.refusals.setdefault(method, []).append(
            ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}))

    # ------------------------------------------------------------ updates

    def enqueue(self, update: dict) -> int:
        """Queue an update (its update_id is assigned here) for the next getUpdates."""
        update = {"update_id": next(self._update_ids), **update}
        self.updates.append(update)
        self._arrived.set()
        return update["update_id"]

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def private_chat(self, user_id: int) -> dict:
        chat = {"id": user_id, "type": "private", "first_name": f"User{user_id}"}
        self.chats[user_id] = chat
        return chat

    def group_chat(self, chat_id: int, title: str = "ASN Kabupaten") -> dict:
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self.chats[chat_id] = chat
        return chat

    @staticmethod
    def person(user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "id"}

    def message(self, text: str | None, *, user_id: int, chat: dict, **extra: Any) -> dict:
        msg = {"message_id": self.next_message_id(), "from": self.person(user_id), "chat": chat,
               "date": int(time.time())}
        if text is not None:
            msg["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        msg.update(extra)
        return msg

    def private_text(self, text: str, *, user_id: int = 501) -> int:
        return self.enqueue({"message": self.message(text, user_id=user_id, chat=self.private_chat(user_id))})

    def edited_text(self, message: dict, new_text: str) -> int:
        edited = {**message, "text": new_text, "edit_date": int(time.time())}
        return self.enqueue({"edited_message": edited})

    def group_text(self, text: str, *, chat_id: int = -100501, user_id: int = 601, **extra: Any) -> int:
        return self.enqueue({"message": self.message(text, user_id=user_id, chat=self.group_chat(chat_id), **extra)})

    def mention(self, before: str, after: str, *, chat_id: int = -100501, user_id: int = 601) -> int:
        """A group message '<before>@bot<after>' with a mention entity at the right UTF-16 offset."""
        handle = "@" + self.me["username"]
        text = f"{before}{handle}{after}"
        offset = len(before.encode("utf-16-le")) // 2
        entities = [{"type": "mention", "offset": offset, "length": len(handle)}]
        return self.group_text(text, chat_id=chat_id, user_id=user_id, entities=entities)

    def bot_message(self, chat_id: int, text: str = "Halo") -> dict:
        """A message the bot sent earlier in a chat, to reply to."""
        chat = self.chats.get(chat_id) or self.group_chat(chat_id)
        msg = {"message_id": self.next_message_id(), "from": dict(self.me), "chat": chat,
               "date": int(time.time()), "text": text}
        self.messages[(chat_id, msg["message_id"])] = msg
        return msg

    def reply_to(self, original: dict, text: str, *, user_id: int = 601) -> int:
        chat = original["chat"]
        return self.enqueue({"message": self.message(text, user_id=user_id, chat=chat, reply_to_message=original)})

    def media(self, kind: str, *, user_id: int = 501) -> int:
        """A private message without text: sticker, photo, voice, document or location."""
        file = {"file_id": "AgACAgIAAxk", "file_unique_id": "AQAD"}
        payload = {
            "sticker": {**file, "type": "regular", "width": 512, "height": 512, "is_animated": False,
                        "is_video": False, "emoji": "👍"},
            "photo": [{**file, "width": 90, "height": 90}],
            "voice": {**file, "duration": 3},
            "document": {**file, "file_name": "surat-edaran.pdf"},
            "location": {"latitude": -6.2, "longitude": 106.8},
        }[kind]
        return self.enqueue({"message": self.message(None, user_id=user_id, chat=self.private_chat(user_id),
                                                     **{kind: payload})})

    def callback(self, data: str, message: dict, *, user_id: int = 501) -> int:
        query = {"id": f"cb{self.next_message_id()}", "from": self.person(user_id), "message": message,
                 "chat_instance": "42", "data": data}
        return self.enqueue({"callback_query": query})

    def inline_query(self, query: str, *, user_id: int = 501) -> int:
        return self.enqueue({"inline_query": {"id": f"iq{self.next_message_id()}", "from": self.person(user_id),
                                              "query": query, "offset": ""}})

    def chosen_inline_result(self, result_id: str, query: str, *, user_id: int = 501) -> int:
        return self.enqueue({"chosen_inline_result": {"result_id": result_id, "from": self.person(user_id),
                                                      "query": query}})

    def added_to_group(self, chat_id: int, *, by: int = 601) -> tuple[int, int]:
        """What Telegram sends when someone adds the bot: my_chat_member, then new_chat_members."""
        chat = self.group_chat(chat_id)
        now = int(time.time())
        first = self.enqueue({"my_chat_member": {
            "chat": chat, "from": self.person(by), "date": now,
            "old_chat_member": {"status": "left", "user": dict(self.me)},
            "new_chat_member": {"status": "member", "user": dict(self.me)}}})
        second = self.enqueue({"message": self.message(None, user_id=by, chat=chat,
                                                       new_chat_members=[dict(self.me)])})
        return first, second

    # ------------------------------------------------------------ HTTP

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line.strip():
                    break
                verb, target, _version = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    key, _, value = line.decode("latin-1").partition(":")
                    headers[key.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", 0) or 0))
                action, detail = self._fault(target.split("?", 1)[0].rpartition("/")[2])
                if action == "drop":
                    self.faults.dropped += 1
                    break
                status, payload = await self._dispatch(target, headers, body, refusal=detail if action == "refuse" else None)
                delay = self.faults.latency + (detail if action == "stall" else 0.0)
                if delay:
                    await asyncio.sleep(delay)
                data = json.dumps(payload).encode()
                writer.write(f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                             f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                             "Connection: keep-alive\r\n\r\n".encode() + data)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _dispatch(self, target: str, headers: dict[str, str], body: bytes,
                        refusal: ApiError | None = None) -> tuple[int, dict]:
        path = target.split("?", 1)[0]
        prefix, _, method = path.rpartition("/")
        if prefix != f"/bot{self.token}":
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        params = _parse_params(headers.get("content-type", ""), body)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        call = Call(method, params)
        self.calls.append(call)
        self._recorded.set()  # a long poll is visible while it waits; the result is added below
        try:
            if refusal is not None:
                raise refusal
            if self.refusals.get(method):
                raise self.refusals[method].pop(0)
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
            call.result = result
            return 200, {"ok": True, "result": result}
        except ApiError as exc:
            call.result = exc
            return exc.code, exc.payload()
        finally:
            self._recorded.set()

    # ------------------------------------------------------------ methods

    def _m_getme(self, params: dict) -> dict:
        return dict(self.me)

    async def _m_getupdates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = min(float(params.get("timeout") or 0), self.max_poll)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and timeout > 0:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout)
            except asyncio.TimeoutError:
                pass
        batch = self.updates[:limit]
        now = time.perf_counter()
        for update in batch:
            self.served_at.setdefault(update["update_id"], now)
        return batch

    def _chat(self, chat_id: Any) -> dict:
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = int(chat_id)
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self.chats:
            kind = {"type": "private", "first_name": "User"} if chat_id > 0 else {"type": "group", "title": "Grup"}
            self.chats[chat_id] = {"id": chat_id, **kind}
        return self.chats[chat_id]

    def _check_markup(self, params: dict) -> None:
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")

    def _shown(self, params: dict) -> str:
        text = str(params.get("text", ""))
        shown = plain_text(text) if params.get("parse_mode") == "HTML" else text
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(shown) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        return shown

    def _m_sendmessage(self, params: dict) -> dict:
        chat = self._chat(params.get("chat_id"))
        shown = self._shown(params)
        self._check_markup(params)
        msg = {"message_id": self.next_message_id(), "from": dict(self.me), "chat": chat,
               "date": int(time.time()), "text": shown}
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        self.messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def _stored(self, params: dict) -> dict:
        key = (int(params.get("chat_id") or 0), int(params.get("message_id") or 0))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    def _m_senddocument(self, params: dict) -> dict:
        """A file upload: `params["document"]` is {"filename", "data"} as the bot posted it."""
        chat = self._chat(params.get("chat_id"))
        document = params.get("document")
        if not isinstance(document, dict) or not document.get("data"):
            raise ApiError(400, "Bad Request: file must be non-empty")
        caption = params.get("caption")
        if caption:
            shown = plain_text(caption) if params.get("parse_mode") == "HTML" else caption
            if len(shown) > CAPTION_LIMIT:
                raise ApiError(400, "Bad Request: message caption is too long")
        self._check_markup(params)
        msg = {"message_id": self.next_message_id(), "from": dict(self.me), "chat": chat,
               "date": int(time.time()),
               "document": {"file_id": "BQACAgIAAxk", "file_unique_id": "AgADdoc",
                            "file_name": document["filename"], "file_size": len(document["data"])}}
        if caption:
            msg["caption"] = shown
        self.messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def _m_editmessagetext(self, params: dict) -> dict:
        msg = self._stored(params)
        shown = self._shown(params)
        self._check_markup(params)
        markup = params.get("reply_markup")
        if shown == msg.get("text") and markup == msg.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        msg.update(text=shown, edit_date=int(time.time()))
        msg.pop("reply_markup", None)
        if markup:
            msg["reply_markup"] = markup
        return msg

    def _m_editmessagereplymarkup(self, params: dict) -> dict:
        msg = self._stored(params)
        self._check_markup(params)
        markup = params.get("reply_markup")
        if markup == msg.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        msg.pop("reply_markup", None)
        if markup:
            msg["reply_markup"] = markup
        return msg

    def _m_answercallbackquery(self, params: dict) -> bool:
        if len(str(params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _m_answerinlinequery(self, params: dict) -> bool:
        results = params.get("results") or []
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        for result in results:
            if not 1 <= len(str(result.get("id", "")).encode()) <= 64:
                raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
            content = result.get("input_message_content") or {}
            self._shown({"text": content.get("message_text", ""), "parse_mode": content.get("parse_mode")})
        return True

    def _m_setmycommands(self, params: dict) -> bool:
        self.commands = params.get("commands") or []
        return True

    def _m_deletemycommands(self, params: dict) -> bool:
        self.commands = []
        return True

    def _m_getmycommands(self, params: dict) -> list[dict]:
        return self.commands

    def _m_setwebhook(self, params: dict) -> bool:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token")}
        return True

    def _m_deletewebhook(self, params: dict) -> bool:
        self.webhook = {}
        return True

    def _m_getwebhookinfo(self, params: dict) -> dict:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.updates)}

    def _m_close(self, params: dict) -> bool:
        return True

    def _m_logout(self, params: dict) -> bool:
        return True


def _parse_params(content_type: str, body: bytes) -> dict[str, Any]:
    """PTB posts form fields whose non-string values are JSON; other clients may post JSON.

    File uploads arrive as multipart/form-data; each file becomes {"filename", "data"}.
    """
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return json.loads(body)
    if content_type.startswith("multipart/form-data"):
        return _parse_multipart(content_type, body)
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        params[key] = _field(key, value)
    return params


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    form = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    params: dict[str, Any] = {}
    for part in form.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        if part.get_filename():
            params[name] = {"filename": part.get_filename(), "data": data}
        else:
            params[name] = _field(name, data.decode())
    return params


def _field(key: str, value: str) -> Any:
    if key in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
