"""FakeTelegram: Telegram's checks, error texts and state, driven through `call`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from emulator import (
    FakeChat,
    FakeTelegram,
    FakeUser,
    FloodLimits,
    InlineButton,
    UploadedFile,
)
from emulator.formatting import parse_formatted_text

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def keyboard(*buttons: tuple[str, str]) -> str:
    """An inline keyboard, JSON-encoded the way PTB sends it in form parameters."""
    return json.dumps(
        {"inline_keyboard": [[{"text": text, "callback_data": data} for text, data in buttons]]}
    )


async def ok(fake: FakeTelegram, method: str, **params: Any) -> Any:
    response = await fake.call(method, params)
    assert response["ok"], response
    return response["result"]


async def error(fake: FakeTelegram, method: str, **params: Any) -> tuple[int, str]:
    response = await fake.call(method, params)
    assert not response["ok"], response
    return response["error_code"], response["description"]


# ------------------------------------------------------------------ basics


async def test_get_me_and_case_insensitive_methods(fake: FakeTelegram) -> None:
    me = await ok(fake, "getme")
    assert me["id"] == 123456
    assert me["is_bot"] is True
    assert me["username"] == "reed_coach_bot"
    assert (await fake.call("GETME", {}))["ok"]


async def test_unknown_method_is_404(fake: FakeTelegram) -> None:
    assert await fake.call("sendTelepathy", {}) == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found",
    }


def test_token_errors(fake: FakeTelegram) -> None:
    assert fake.token_error("123456:TEST") is None
    assert fake.token_error("999:WRONG")["error_code"] == 401  # type: ignore[index]
    assert fake.token_error("garbage")["error_code"] == 404  # type: ignore[index]


# ------------------------------------------------------------------ sendMessage checks


async def test_chat_not_found_until_the_user_writes(fake: FakeTelegram, ann: FakeUser) -> None:
    assert await error(fake, "sendMessage", chat_id=ann.id, text="hi") == (
        400,
        "Bad Request: chat not found",
    )
    fake.user_sends_text(ann, "hello")
    message = await ok(fake, "sendMessage", chat_id=str(ann.id), text="hi")
    assert message["chat"] == {
        "id": 1001,
        "type": "private",
        "first_name": "Ann",
        "username": "ann_pt",
    }
    assert message["from"]["id"] == 123456
    assert message["text"] == "hi"


@pytest.mark.parametrize("text", ["", "   \n ", "<b> </b>"])
async def test_empty_text(started: FakeTelegram, text: str) -> None:
    assert await error(started, "sendMessage", chat_id=1001, text=text, parse_mode="HTML") == (
        400,
        "Bad Request: message text is empty",
    )


async def test_missing_chat_id(started: FakeTelegram) -> None:
    assert await error(started, "sendMessage", text="x") == (400, "Bad Request: chat_id is empty")


async def test_length_limit_counts_visible_text(started: FakeTelegram) -> None:
    await ok(started, "sendMessage", chat_id=1001, text="x" * 4096)
    assert await error(started, "sendMessage", chat_id=1001, text="x" * 4097) == (
        400,
        "Bad Request: message is too long",
    )
    # Markup doesn't count, but escaped characters count once.
    await ok(
        started, "sendMessage", chat_id=1001, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML"
    )
    assert await error(
        started, "sendMessage", chat_id=1001, text="&amp;" * 4097, parse_mode="HTML"
    ) == (400, "Bad Request: message is too long")


async def test_callback_data_limit_is_64_utf8_bytes(started: FakeTelegram) -> None:
    await ok(started, "sendMessage", chat_id=1001, text="t", reply_markup=keyboard(("a", "x" * 64)))
    for data in ["x" * 65, "ж" * 33, ""]:
        assert await error(
            started, "sendMessage", chat_id=1001, text="t", reply_markup=keyboard(("a", data))
        ) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_inline_text_only_button_is_rejected(started: FakeTelegram) -> None:
    markup = json.dumps({"inline_keyboard": [[{"text": "just text"}]]})
    code, description = await error(
        started, "sendMessage", chat_id=1001, text="t", reply_markup=markup
    )
    assert code == 400
    assert "Text buttons are unallowed in the inline keyboard" in description


async def test_unparseable_reply_markup(started: FakeTelegram) -> None:
    assert await error(started, "sendMessage", chat_id=1001, text="t", reply_markup="{nope") == (
        400,
        "Bad Request: can't parse reply keyboard markup JSON object",
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2 < 3", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", "Unsupported HTML entity at byte offset 4"),
        ("&nbsp;", "Unsupported HTML entity at byte offset 0"),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ('<span class="x">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("é<p>", 'Unsupported start tag "p" at byte offset 2'),
    ],
)
async def test_html_parse_errors(started: FakeTelegram, text: str, reason: str) -> None:
    code, description = await error(
        started, "sendMessage", chat_id=1001, text=text, parse_mode="HTML"
    )
    assert code == 400
    assert description.startswith("Bad Request: can't parse entities: ")
    assert reason in description


async def test_html_supported_markup(started: FakeTelegram) -> None:
    text = (
        "<b>B</b><strong>S</strong><i>I</i><em>E</em><u>U</u><ins>N</ins><s>S</s><strike>K</strike>"
        '<del>D</del><a href="https://example.com/?a=1&amp;b=2">L</a><code>C</code>'
        '<pre><code class="language-python">P</code></pre><tg-spoiler>T</tg-spoiler>'
        '<span class="tg-spoiler">Z</span><blockquote expandable>Q</blockquote>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &lt;&gt;&amp;&quot;&#65;&#x42;'
    )
    message = await ok(started, "sendMessage", chat_id=1001, text=text, parse_mode="html")
    assert message["text"] == 'BSIEUNSKDLCPTZQ👍 <>&"AB'
    types = [e["type"] for e in message["entities"]]
    assert types[:11] == ["bold", "bold", "italic", "italic", "underline", "underline"] + [
        "strikethrough"
    ] * 3 + ["text_link", "code"]
    assert {"type": "pre", "offset": 11, "length": 1, "language": "python"} in message["entities"]
    assert message["entities"][9]["url"] == "https://example.com/?a=1&b=2"
    assert "expandable_blockquote" in types
    assert started.last_bot_message(1001).plain_text == message["text"]


def test_entity_offsets_are_utf16() -> None:
    parsed = parse_formatted_text("👍 <b>x</b>", "HTML")
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 1}]


async def test_markdown_v2_reserved_characters(started: FakeTelegram) -> None:
    code, description = await error(
        started, "sendMessage", chat_id=1001, text="Well done.", parse_mode="MarkdownV2"
    )
    assert code == 400
    assert "Character '.' is reserved and must be escaped with the preceding '\\'" in description
    message = await ok(
        started,
        "sendMessage",
        chat_id=1001,
        text="*Well* done\\. [site](https://x.org)",
        parse_mode="MarkdownV2",
    )
    assert message["text"] == "Well done. site"


async def test_unsupported_parse_mode(started: FakeTelegram) -> None:
    assert await error(started, "sendMessage", chat_id=1001, text="x", parse_mode="BBCode") == (
        400,
        "Bad Request: unsupported parse_mode",
    )


async def test_plain_text_strips_tags(started: FakeTelegram) -> None:
    await ok(
        started,
        "sendMessage",
        chat_id=1001,
        text="<b>Pain</b> level: 3 &lt; 5",
        parse_mode="HTML",
        reply_markup=keyboard(("Done", "done"), ("Later", "later")),
    )
    stored = started.last_bot_message(1001)
    assert stored.text == "<b>Pain</b> level: 3 &lt; 5"
    assert stored.plain_text == "Pain level: 3 < 5"
    assert stored.parse_mode == "HTML"
    assert stored.inline_keyboard == [[("Done", "done"), ("Later", "later")]]
    assert stored.inline_keyboard[0][0] == InlineButton("Done", "done")


async def test_reply_keyboard_is_stored_and_active(started: FakeTelegram) -> None:
    markup = {
        "keyboard": [[{"text": "📍 Send location", "request_location": True}], ["Skip"]],
        "resize_keyboard": True,
    }
    message = await ok(
        started, "sendMessage", chat_id=1001, text="Where?", reply_markup=json.dumps(markup)
    )
    assert "reply_markup" not in message  # only inline keyboards are echoed
    stored = started.last_bot_message(1001)
    assert stored.reply_keyboard == [
        [{"text": "📍 Send location", "request_location": True}],
        [{"text": "Skip"}],
    ]
    assert started.active_reply_keyboard(1001) == stored.reply_keyboard
    await ok(
        started, "sendMessage", chat_id=1001, text="ok", reply_markup={"remove_keyboard": True}
    )
    assert started.active_reply_keyboard(1001) is None


async def test_reply_to_unknown_message(started: FakeTelegram) -> None:
    assert await error(started, "sendMessage", chat_id=1001, text="x", reply_to_message_id=999) == (
        400,
        "Bad Request: message to be replied not found",
    )
    first = started.messages(1001)[0]
    reply = await ok(
        started,
        "sendMessage",
        chat_id=1001,
        text="x",
        reply_parameters=json.dumps({"message_id": first.message_id}),
    )
    assert reply["reply_to_message"]["text"] == "/start"


# ------------------------------------------------------------------ edits and deletes


async def test_edit_not_modified_and_keyboard_removal(started: FakeTelegram) -> None:
    sent = await ok(
        started,
        "sendMessage",
        chat_id=1001,
        text="<b>Hi</b>",
        parse_mode="HTML",
        reply_markup=keyboard(("A", "a")),
    )
    mid = sent["message_id"]
    same = {"chat_id": 1001, "message_id": mid, "text": "<b>Hi</b>", "parse_mode": "HTML"}
    assert await error(started, "editMessageText", **same, reply_markup=keyboard(("A", "a"))) == (
        400,
        NOT_MODIFIED,
    )
    # Same text without reply_markup removes the keyboard, so it *is* a modification.
    edited = await ok(started, "editMessageText", **same)
    assert "reply_markup" not in edited
    assert edited["edit_date"] >= sent["date"]
    stored = started.message(1001, mid)
    assert stored.inline_keyboard == []
    assert stored.edited == 1
    assert await error(started, "editMessageText", **same) == (400, NOT_MODIFIED)
    # Bold vs plain is a different content even though the visible text is equal.
    await ok(started, "editMessageText", chat_id=1001, message_id=mid, text="Hi")


async def test_surrounding_whitespace_is_trimmed(started: FakeTelegram) -> None:
    sent = await ok(
        started, "sendMessage", chat_id=1001, text="\n  <b> Hi</b> there \n", parse_mode="HTML"
    )
    assert sent["text"] == "Hi there"
    assert sent["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    # Differing only in surrounding whitespace is "not modified", as in Telegram.
    assert await error(
        started,
        "editMessageText",
        chat_id=1001,
        message_id=sent["message_id"],
        text="<b>Hi</b> there\n",
        parse_mode="HTML",
    ) == (400, NOT_MODIFIED)


async def test_edit_reply_markup(started: FakeTelegram) -> None:
    sent = await ok(
        started, "sendMessage", chat_id=1001, text="Q", reply_markup=keyboard(("A", "a"))
    )
    params = {"chat_id": 1001, "message_id": sent["message_id"]}
    assert await error(
        started, "editMessageReplyMarkup", **params, reply_markup=keyboard(("A", "a"))
    ) == (
        400,
        NOT_MODIFIED,
    )
    await ok(started, "editMessageReplyMarkup", **params, reply_markup=keyboard(("B", "b")))
    assert started.message(1001, sent["message_id"]).inline_keyboard == [[("B", "b")]]
    await ok(started, "editMessageReplyMarkup", **params)
    assert started.message(1001, sent["message_id"]).inline_keyboard == []
    assert await error(started, "editMessageReplyMarkup", **params) == (400, NOT_MODIFIED)


async def test_edit_unknown_messages(started: FakeTelegram) -> None:
    assert await error(started, "editMessageText", chat_id=1001, message_id=777, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )
    assert await error(started, "editMessageReplyMarkup", chat_id=1001, message_id=777) == (
        400,
        "Bad Request: message to edit not found",
    )


async def test_cannot_edit_users_message(started: FakeTelegram) -> None:
    user_message = started.messages(1001)[0]
    assert await error(
        started, "editMessageText", chat_id=1001, message_id=user_message.message_id, text="x"
    ) == (400, "Bad Request: message can't be edited")


async def test_message_dates_come_from_the_clock(ann: FakeUser) -> None:
    now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    fake = FakeTelegram(clock=lambda: now)
    received = fake.user_sends_text(ann, "hi")
    sent = await ok(fake, "sendMessage", chat_id=ann.id, text="one")
    assert received["message"]["date"] == sent["date"] == int(now.timestamp())


# ------------------------------------------------------------------ blocking, groups


async def test_blocked_user_gets_403_and_my_chat_member_updates(
    started: FakeTelegram, ann: FakeUser
) -> None:
    update = started.user_blocks_bot(ann)
    member = update["my_chat_member"]
    assert member["old_chat_member"]["status"] == "member"
    assert member["new_chat_member"]["status"] == "kicked"
    assert member["new_chat_member"]["user"]["id"] == 123456
    assert await error(started, "sendMessage", chat_id=ann.id, text="hello?") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    with pytest.raises(ValueError, match="blocked"):
        started.user_sends_text(ann, "hi")
    unblock = started.user_unblocks_bot(ann)
    assert unblock["my_chat_member"]["new_chat_member"]["status"] == "member"
    await ok(started, "sendMessage", chat_id=ann.id, text="welcome back")


async def test_group_messages(fake: FakeTelegram, ann: FakeUser) -> None:
    group = FakeChat(-100200300, "supergroup", "PT clinic")
    update = fake.group_message(ann, group, "/stats@reed_coach_bot now")
    message = update["message"]
    assert message["chat"] == {"id": -100200300, "type": "supergroup", "title": "PT clinic"}
    assert message["from"]["id"] == ann.id
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 21}]
    assert message["message_id"] == 1  # supergroups have their own id sequence
    sent = await ok(fake, "sendMessage", chat_id=group.id, text="hello group")
    assert sent["chat"]["type"] == "supergroup"
    # The private chat was never started.
    assert await error(fake, "sendMessage", chat_id=ann.id, text="x") == (
        400,
        "Bad Request: chat not found",
    )


# ------------------------------------------------------------------ media and files


async def test_photo_document_and_get_file(started: FakeTelegram) -> None:
    photo = UploadedFile(
        "chart.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 8 + (2).to_bytes(4, "big") * 2, "image/png"
    )
    sent = await ok(
        started, "sendPhoto", chat_id=1001, photo=photo, caption="<i>Week 1</i>", parse_mode="HTML"
    )
    assert sent["caption"] == "Week 1"
    assert sent["photo"][0]["width"] == 2
    stored = started.last_bot_message(1001)
    assert stored.photo is not None
    assert stored.photo.filename == "chart.png"
    assert stored.plain_text == "Week 1"
    info = await ok(started, "getFile", file_id=sent["photo"][0]["file_id"])
    assert started.file_bytes(info["file_path"]) == photo.content

    doc = await ok(
        started,
        "sendDocument",
        chat_id=1001,
        document="attach://file0",
        file0=UploadedFile("plan.pdf", b"%PDF", "application/pdf"),
    )
    assert doc["document"]["file_name"] == "plan.pdf"
    # Re-sending by file_id works; unknown ids don't.
    await ok(started, "sendDocument", chat_id=1001, document=doc["document"]["file_id"])
    assert await error(started, "sendDocument", chat_id=1001, document="nope") == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    assert await error(started, "sendPhoto", chat_id=1001) == (
        400,
        "Bad Request: there is no photo in the request",
    )
    assert await error(started, "getFile", file_id="nope") == (400, "Bad Request: invalid file_id")


async def test_caption_limit(started: FakeTelegram) -> None:
    photo = UploadedFile("p.png", b"png")
    await ok(started, "sendPhoto", chat_id=1001, photo=photo, caption="c" * 1024)
    assert await error(started, "sendPhoto", chat_id=1001, photo=photo, caption="c" * 1025) == (
        400,
        "Bad Request: message caption is too long",
    )


async def test_user_photo_can_be_downloaded(started: FakeTelegram, ann: FakeUser) -> None:
    update = started.user_sends_photo(ann, caption="my knee")
    file_id = update["message"]["photo"][-1]["file_id"]
    info = await ok(started, "getFile", file_id=file_id)
    assert started.file_bytes(info["file_path"]).startswith(b"\x89PNG")  # type: ignore[union-attr]


# ------------------------------------------------------------------ flood control


async def test_flood_limits(ann: FakeUser) -> None:
    now = [100.0]
    fake = FakeTelegram(
        flood_limits=FloodLimits(global_per_second=3, per_chat_per_second=1),
        monotonic=lambda: now[0],
    )
    users = [FakeUser(i, f"U{i}") for i in range(1, 6)]
    for user in users:
        fake.user_sends_text(user, "hi")
    await ok(fake, "sendMessage", chat_id=1, text="a")
    response = await fake.call("sendMessage", {"chat_id": 1, "text": "b"})
    assert response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    await ok(fake, "sendMessage", chat_id=2, text="a")
    await ok(fake, "sendMessage", chat_id=3, text="a")
    assert (await fake.call("sendMessage", {"chat_id": 4, "text": "a"}))["error_code"] == 429
    now[0] += 1.0
    await ok(fake, "sendMessage", chat_id=1, text="b")
    assert fake.stats.sent_messages == 4
    assert fake.stats.too_many_requests == 2


async def test_group_flood_limit_per_minute(ann: FakeUser) -> None:
    now = [0.0]
    fake = FakeTelegram(flood_limits=FloodLimits(group_per_minute=2), monotonic=lambda: now[0])
    group = FakeChat(-5, "group", "G")
    fake.group_message(ann, group, "hi")
    for _ in range(2):
        await ok(fake, "sendMessage", chat_id=-5, text="x")
        now[0] += 1.5
    response = await fake.call("sendMessage", {"chat_id": -5, "text": "x"})
    assert response["parameters"] == {"retry_after": 57}


async def test_flood_control_is_off_by_default(started: FakeTelegram) -> None:
    for i in range(50):
        await ok(started, "sendMessage", chat_id=1001, text=str(i))
    assert started.stats.too_many_requests == 0


# ------------------------------------------------------------------ callbacks


async def test_user_presses_buttons(started: FakeTelegram, ann: FakeUser) -> None:
    sent = await ok(
        started,
        "sendMessage",
        chat_id=1001,
        text="Pick",
        reply_markup=keyboard(("Yes", "y"), ("No", "n")),
    )
    by_label = started.user_presses(sent["message_id"], "no")
    by_index = started.user_presses(started.last_bot_message(1001), 0)
    first, second = by_label["callback_query"], by_index["callback_query"]
    assert first["data"] == "n"
    assert second["data"] == "y"
    assert first["id"] != second["id"]
    assert first["from"]["id"] == ann.id
    assert first["message"]["message_id"] == sent["message_id"]
    assert by_index["update_id"] == by_label["update_id"] + 1
    with pytest.raises(LookupError, match="has no button 'Maybe'"):
        started.user_presses(sent["message_id"], "Maybe")
    with pytest.raises(LookupError):
        started.user_presses(sent["message_id"], 2)
    assert len(started.unanswered_callback_queries()) == 2
    assert (
        await ok(started, "answerCallbackQuery", callback_query_id=first["id"], text="Saved")
        is True
    )
    assert await error(started, "answerCallbackQuery", callback_query_id=first["id"]) == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    assert [q["id"] for q in started.unanswered_callback_queries()] == [second["id"]]


async def test_pressing_a_removed_button_raises(started: FakeTelegram) -> None:
    sent = await ok(
        started, "sendMessage", chat_id=1001, text="Pick", reply_markup=keyboard(("Yes", "y"))
    )
    stale = started.last_bot_message(1001)
    await ok(started, "editMessageText", chat_id=1001, message_id=sent["message_id"], text="Done")
    with pytest.raises(LookupError):
        started.user_presses(stale, "Yes")
    with pytest.raises(LookupError, match="does not exist"):
        started.user_presses(777, "Yes")


async def test_url_and_reply_keyboard_buttons(started: FakeTelegram, ann: FakeUser) -> None:
    url_markup = {"inline_keyboard": [[{"text": "Guide", "url": "https://example.com/guide"}]]}
    await ok(started, "sendMessage", chat_id=1001, text="Read", reply_markup=url_markup)
    assert started.last_bot_message(1001).inline_keyboard == [
        [("Guide", "https://example.com/guide")]
    ]
    with pytest.raises(ValueError, match="not a callback button"):
        started.user_presses(started.last_bot_message(1001), "Guide")

    reply = {"keyboard": [[{"text": "Share location", "request_location": True}, {"text": "Skip"}]]}
    await ok(started, "sendMessage", chat_id=1001, text="Where?", reply_markup=reply)
    update = started.user_presses(started.last_bot_message(1001), "Skip")
    assert update["message"]["text"] == "Skip"
    with pytest.raises(ValueError, match="user_sends_location"):
        started.user_presses(started.bot_messages(1001)[-1], "Share location")
    location = started.user_sends_location(ann, 52.52, 13.405)
    assert location["message"]["location"] == {"latitude": 52.52, "longitude": 13.405}


async def test_forged_callback_data(started: FakeTelegram, ann: FakeUser) -> None:
    update = started.user_sends_callback_data(ann, 424242, "admin:drop_all")
    query = update["callback_query"]
    assert query["data"] == "admin:drop_all"
    assert query["message"] == {
        "chat": {"id": 1001, "type": "private", "first_name": "Ann", "username": "ann_pt"},
        "message_id": 424242,
        "date": 0,
    }


# ------------------------------------------------------------------ user actions


async def test_user_actions_produce_bot_api_updates(fake: FakeTelegram, ann: FakeUser) -> None:
    text = fake.user_sends_text(ann, "/start ref_42")
    assert text["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert "entities" not in fake.user_sends_text(ann, "hello /start")["message"]
    sticker = fake.user_sends_sticker(ann)["message"]["sticker"]
    assert sticker["type"] == "regular"
    edited = fake.user_edits_message(ann, text["message"]["message_id"], "/start ref_43")
    assert edited["edited_message"]["text"] == "/start ref_43"
    assert "edit_date" in edited["edited_message"]
    with pytest.raises(ValueError, match="has no message 999"):
        fake.user_edits_message(ann, 999, "x")
    with pytest.raises(ValueError, match="empty messages"):
        fake.user_sends_text(ann, " ")
    ids = [u["update_id"] for u in fake.pop_pending_updates()]
    assert ids == sorted(ids)
    assert len(ids) == 4
    assert fake.pending_update_count == 0


# ------------------------------------------------------------------ getUpdates


async def test_get_updates_offset_semantics(fake: FakeTelegram, ann: FakeUser) -> None:
    for i in range(5):
        fake.user_sends_text(ann, f"m{i}")
    first = await ok(fake, "getUpdates")
    assert [u["message"]["text"] for u in first] == ["m0", "m1", "m2", "m3", "m4"]
    # Without confirmation the same updates come again.
    assert await ok(fake, "getUpdates", limit=2) == first[:2]
    # offset confirms everything below it.
    after = await ok(fake, "getUpdates", offset=first[2]["update_id"])
    assert [u["message"]["text"] for u in after] == ["m2", "m3", "m4"]
    assert await ok(fake, "getUpdates", offset=first[0]["update_id"]) == after  # no un-confirming
    # Negative offset keeps only the last -offset updates.
    assert [u["message"]["text"] for u in await ok(fake, "getUpdates", offset=-1)] == ["m4"]
    assert await ok(fake, "getUpdates", offset=first[4]["update_id"] + 1) == []
    assert fake.pending_update_count == 0


async def test_allowed_updates_filters_new_updates(fake: FakeTelegram, ann: FakeUser) -> None:
    await ok(fake, "getUpdates", allowed_updates=json.dumps(["callback_query"]))
    fake.user_sends_text(ann, "ignored")
    assert await ok(fake, "getUpdates") == []
    await ok(fake, "getUpdates", allowed_updates=[])
    fake.user_sends_text(ann, "seen")
    assert [u["message"]["text"] for u in await ok(fake, "getUpdates")] == ["seen"]


async def test_drop_pending_updates_and_webhook_conflict(fake: FakeTelegram, ann: FakeUser) -> None:
    fake.user_sends_text(ann, "old")
    await ok(fake, "deleteWebhook", drop_pending_updates=True)
    assert await ok(fake, "getUpdates") == []
    await ok(fake, "setWebhook", url="https://bot.example.com/hook")
    assert (await ok(fake, "getWebhookInfo"))["url"] == "https://bot.example.com/hook"
    code, description = await error(fake, "getUpdates")
    assert code == 409
    assert "webhook is active" in description
    await ok(fake, "deleteWebhook")
    assert await ok(fake, "getUpdates") == []


# ------------------------------------------------------------------ misc methods


async def test_set_my_commands(started: FakeTelegram) -> None:
    commands = [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "Help"},
    ]
    assert await ok(started, "setMyCommands", commands=json.dumps(commands)) is True
    assert started.my_commands() == commands
    assert started.my_commands(language_code="de") == []
    assert await error(
        started, "setMyCommands", commands=[{"command": "Bad-Cmd", "description": "x"}]
    ) == (
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
    await ok(started, "setMyCommands", commands=[])
    assert started.my_commands() == []


async def test_methods_the_bot_does_not_use_are_not_found(started: FakeTelegram) -> None:
    # The emulator implements what the bot calls; anything else fails loudly, not silently.
    for method in ("getChat", "deleteMessage", "sendContact", "setChatMenuButton"):
        assert await error(started, method, chat_id=1001) == (404, "Not Found")


async def test_history_is_bounded(ann: FakeUser) -> None:
    fake = FakeTelegram(history_limit=10)
    fake.user_sends_text(ann, "hi")
    for i in range(25):
        await ok(fake, "sendMessage", chat_id=ann.id, text=str(i))
    assert [m.plain_text for m in fake.messages(ann.id)] == [str(i) for i in range(15, 25)]
