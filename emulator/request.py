"""PTB transport that talks to a `FakeTelegram` in-process, without HTTP.

Use it for both of PTB's request slots::

    request = EmulatorRequest(telegram)
    ApplicationBuilder().token(telegram.bot_token).request(request).get_updates_request(request)

Status codes and bodies are exactly what `emulator.server.EmulatorServer` would answer,
so PTB raises BadRequest / Forbidden / RetryAfter / InvalidToken by itself.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import IO, Final
from urllib.parse import unquote, urlsplit

from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from emulator.fake_telegram import FakeTelegram
from emulator.objects import JSONDict, UploadedFile
from emulator.params import decode_parameters

# PTB builds "{base_url}{token}/{method}" and "{base_file_url}{token}/{file_path}"; the
# default base URLs end in "/bot" and "/file/bot".
_FILE_PATH_RE: Final = re.compile(r".*/file/bot(?P<token>[^/]+)/(?P<path>.+)")
_METHOD_PATH_RE: Final = re.compile(r".*/bot(?P<token>[^/]+)/(?P<method>[^/]+)/?")
_NOT_FOUND: Final = {"ok": False, "error_code": 404, "description": "Not Found"}


@dataclass(frozen=True)
class RecordedCall:
    """One Bot API call as the bot made it (nested JSON parameters decoded)."""

    method: str
    params: JSONDict
    status_code: int
    response: JSONDict


class EmulatorRequest(BaseRequest):
    """A `telegram.request.BaseRequest` backed by a `FakeTelegram`.

    Every API call is appended to `calls`. Timeouts are not applied: the emulator answers
    immediately, except getUpdates, which waits at most its own ``timeout``.
    """

    def __init__(self, telegram: FakeTelegram, *, read_timeout: float | None = 5.0) -> None:
        self.telegram = telegram
        self.calls: list[RecordedCall] = []
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (reported to PTB; not enforced)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to set up; safe to call repeatedly (PTB may share one instance twice)."""

    async def shutdown(self) -> None:
        """Nothing to release; safe to call repeatedly."""

    def calls_to(self, method: str) -> list[RecordedCall]:
        """The recorded calls of one method (case-insensitive)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one request the way the emulator's HTTP server would."""
        path = unquote(urlsplit(url).path)
        file_match = _FILE_PATH_RE.fullmatch(path)
        if file_match is not None:
            return self._download(file_match["token"], file_match["path"])
        method_match = _METHOD_PATH_RE.fullmatch(path)
        if method_match is None:
            return _encode(_NOT_FOUND)
        token_error = self.telegram.token_error(method_match["token"])
        if token_error is not None:
            return _encode(token_error)
        params = await _parameters(request_data)
        response = await self.telegram.call(method_match["method"], params)
        status, body = _encode(response)
        self.calls.append(
            RecordedCall(method_match["method"], decode_parameters(params), status, response)
        )
        return status, body

    def _download(self, token: str, file_path: str) -> tuple[int, bytes]:
        token_error = self.telegram.token_error(token)
        if token_error is not None:
            return _encode(_NOT_FOUND)
        content = self.telegram.file_bytes(file_path)
        if content is None:
            return _encode(_NOT_FOUND)
        return 200, content


def _encode(response: JSONDict) -> tuple[int, bytes]:
    status = 200 if response.get("ok") else int(response.get("error_code", 500))
    return status, json.dumps(response).encode("utf-8")


async def _parameters(request_data: RequestData | None) -> JSONDict:
    """The parameters exactly as an HTTP form would carry them, plus uploaded files."""
    if request_data is None:
        return {}
    # json_parameters is what PTB's own HTTPX transport posts: strings, with nested objects
    # JSON-encoded. Using it keeps both transports byte-for-byte equivalent.
    params: JSONDict = dict(request_data.json_parameters)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else await _read(content)
        params[name] = UploadedFile(filename or name, data, mime_type)
    return params


async def _read(handle: IO[bytes]) -> bytes:
    # PTB may hand over an open file; reading it is blocking I/O, so keep it off the loop.
    return await asyncio.to_thread(handle.read)
