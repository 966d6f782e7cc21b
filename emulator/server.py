"""The emulated Telegram Bot API over HTTP on loopback (tornado).

Serves one `FakeTelegram` the way api.telegram.org serves a bot:

- ``GET|POST /bot<token>/<method>`` with query string, form-urlencoded, JSON or multipart
  (file uploads) parameters; answers with the Bot API envelope and Telegram's status codes.
- ``GET /file/bot<token>/<file_path>`` downloads a file found via getFile.

Point a PTB bot at it with ``base_url=f"{server.url}/bot"`` and
``base_file_url=f"{server.url}/file/bot"``. Long-polling getUpdates calls wait without
blocking other requests. Run ``python -m emulator.server --port 8081`` to use it by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import re
import sys
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Final

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from emulator.fake_telegram import FakeTelegram
from emulator.objects import FakeUser, JSONDict, UploadedFile

_LOGGER: Final = logging.getLogger(__name__)
_TOKEN_IN_PATH: Final = re.compile(r"(/bot)[^/]+/")
_NOT_FOUND: Final = {"ok": False, "error_code": 404, "description": "Not Found"}
# Telegram accepts uploads up to 50 MB; leave room for multipart overhead.
_MAX_BODY_BYTES: Final = 60 * 1024 * 1024


class _JSONHandler(RequestHandler):
    """Shared plumbing: every answer is a Bot API JSON envelope."""

    def initialize(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram

    def respond(self, response: JSONDict) -> None:
        self.set_status(200 if response.get("ok") else int(response.get("error_code", 500)))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(response))


class _NotFoundHandler(_JSONHandler):
    def prepare(self) -> None:
        self.respond(_NOT_FOUND)


class _ApiHandler(_JSONHandler):
    """``/bot<token>/<method>``."""

    def initialize(self, telegram: FakeTelegram) -> None:
        super().initialize(telegram)
        self._call: asyncio.Task[JSONDict] | None = None
        self._client_gone = False

    async def get(self, token: str, method: str) -> None:
        await self._answer(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._answer(token, method)

    def on_connection_close(self) -> None:
        # The client gave up (e.g. a long poll's read timeout): stop waiting for it.
        self._client_gone = True
        if self._call is not None:
            self._call.cancel()

    async def _answer(self, token: str, method: str) -> None:
        token_error = self.telegram.token_error(token)
        if token_error is not None:
            self.respond(token_error)
            return
        try:
            params = self._parameters()
        except ValueError:
            self.respond(
                {"ok": False, "error_code": 400, "description": "Bad Request: invalid JSON"}
            )
            return
        self._call = asyncio.ensure_future(self.telegram.call(method, params))
        try:
            response = await self._call
        except asyncio.CancelledError:
            if self._client_gone:
                return  # nobody to answer; updates stay pending until confirmed
            raise
        self.respond(response)

    def _parameters(self) -> JSONDict:
        request = self.request
        params: JSONDict = {
            name: values[-1].decode("utf-8", "replace")
            for name, values in request.query_arguments.items()
        }
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            body: Any = json.loads(request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the JSON body must be an object")
            params.update(body)
            return params
        # tornado has already parsed form-urlencoded and multipart bodies.
        for name, values in request.body_arguments.items():
            params[name] = values[-1].decode("utf-8", "replace")
        for name, files in request.files.items():
            upload = files[-1]
            params[name] = UploadedFile(upload.filename or name, upload.body, upload.content_type)
        return params


class _FileHandler(_JSONHandler):
    """``/file/bot<token>/<file_path>``."""

    def get(self, token: str, file_path: str) -> None:
        content = self.telegram.file_bytes(file_path)
        if self.telegram.token_error(token) is not None or content is None:
            self.respond(_NOT_FOUND)
            return
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(content)


def _log_request(handler: RequestHandler) -> None:
    # tornado's default access log (INFO per request) would flood the demo's terminal chat;
    # 4xx answers are ordinary Bot API errors, so only server faults are worth a warning.
    status = handler.get_status()
    level = logging.WARNING if status >= 500 else logging.DEBUG
    request = handler.request
    _LOGGER.log(
        level,
        "%d %s %s %.1fms",
        status,
        request.method,
        _TOKEN_IN_PATH.sub(r"\1<token>/", request.path),
        1000 * request.request_time(),
    )


class EmulatorServer:
    """A loopback HTTP server in front of a `FakeTelegram` (a fresh one if none is given)."""

    def __init__(self, telegram: FakeTelegram | None = None) -> None:
        self.telegram = telegram or FakeTelegram()
        self._server: HTTPServer | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:43117`` (no trailing slash)."""
        if self._url is None:
            raise RuntimeError("the emulator server is not running; await start() first")
        return self._url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0: any free port; see `url`)."""
        if self._server is not None:
            raise RuntimeError("the emulator server is already running")
        handler_args = {"telegram": self.telegram}
        application = Application(
            [
                (r"/bot([^/]+)/([^/]+)/?", _ApiHandler, handler_args),
                (r"/file/bot([^/]+)/(.+)", _FileHandler, handler_args),
            ],
            default_handler_class=_NotFoundHandler,
            default_handler_args=handler_args,
            log_function=_log_request,
        )
        sockets = bind_sockets(port, address=host)
        server = HTTPServer(application, max_body_size=_MAX_BODY_BYTES)
        server.add_sockets(sockets)
        self._server = server
        bound_port = sockets[0].getsockname()[1]
        url_host = f"[{host}]" if ":" in host else host
        self._url = f"http://{url_host}:{bound_port}"

    async def stop(self) -> None:
        """Stop listening and close open connections (waiting long polls end at once)."""
        server, self._server, self._url = self._server, None, None
        if server is None:
            return
        server.stop()
        await server.close_all_connections()

    async def __aenter__(self) -> EmulatorServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


async def _serve(args: argparse.Namespace) -> None:
    from emulator.terminal import TerminalChat  # noqa: PLC0415 - only with --chat

    telegram = FakeTelegram(bot_token=args.token, bot_username=args.username)
    server = EmulatorServer(telegram)
    await server.start(args.host, args.port)
    sys.stderr.write(
        f"Telegram Bot API emulator on {server.url} (bot token {args.token})\n"
        f"  PTB: base_url={server.url}/bot  base_file_url={server.url}/file/bot\n"
        "  Ctrl-C to stop.\n"
    )
    try:
        if args.chat:
            user = FakeUser(args.user_id, args.first_name)
            await TerminalChat(telegram, user).run()
        else:
            await asyncio.Event().wait()  # serve until cancelled (Ctrl-C)
    finally:
        await server.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point: serve an emulator until Ctrl-C (or /quit with --chat)."""
    parser = argparse.ArgumentParser(
        prog="python -m emulator.server",
        description="Serve an emulated Telegram Bot API on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST", help="the token the bot must use")
    parser.add_argument("--username", default="reed_coach_bot", help="the bot's @username")
    parser.add_argument(
        "--chat", action="store_true", help="also chat with the bot in this terminal"
    )
    parser.add_argument("--user-id", type=int, default=424242, help="your user id with --chat")
    parser.add_argument("--first-name", default="Demo patient", help="your name with --chat")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
