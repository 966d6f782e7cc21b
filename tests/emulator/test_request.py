"""PTB's own Bot and Application against the in-process EmulatorRequest."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from emulator import BotEventKind, FakeChat, FakeTelegram, FakeUser, FloodLimits
from emulator.request import EmulatorRequest


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    request = EmulatorRequest(fake)
    async with Bot(fake.bot_token, request=request, get_updates_request=request) as instance:
        yield instance


async def test_get_me_and_send_message(bot: Bot, fake: FakeTelegram, ann: FakeUser) -> None:
    assert bot.username == "reed_coach_bot"
    fake.user_sends_text(ann, "/start")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Begin", callback_data="begin")]])
    message = await bot.send_message(
        ann.id, "<b>Welcome</b>, Ann!", parse_mode=ParseMode.HTML, reply_markup=markup
    )
    assert message.text == "Welcome, Ann!"
    assert message.text_html == "<b>Welcome</b>, Ann!"
    assert message.reply_markup == markup
    assert message.from_user is not None
    assert message.from_user.id == 123456
    assert message.chat.type == "private"
    assert fake.last_bot_message(ann.id).inline_keyboard == [[("Begin", "begin")]]


async def test_calls_are_recorded(fake: FakeTelegram, ann: FakeUser) -> None:
    request = EmulatorRequest(fake)
    fake.user_sends_text(ann, "hi")
    async with Bot(fake.bot_token, request=request) as bot:
        await bot.send_message(
            ann.id,
            "x",
            reply_markup=ReplyKeyboardMarkup([[KeyboardButton("📍", request_location=True)]]),
        )
        with pytest.raises(BadRequest):
            await bot.send_message(ann.id, "")
    assert [call.method for call in request.calls] == ["getMe", "sendMessage", "sendMessage"]
    sent = request.calls_to("sendmessage")[0]
    assert sent.params["chat_id"] == str(ann.id)  # exactly what a form post would carry
    assert sent.params["reply_markup"]["keyboard"][0][0]["request_location"] is True
    assert request.calls[-1].status_code == 400


async def test_too_long_text_raises_bad_request(
    bot: Bot, fake: FakeTelegram, ann: FakeUser
) -> None:
    fake.user_sends_text(ann, "hi")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ann.id, "x" * 4097)
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(ann.id, "<br>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hello")


async def test_blocked_user_raises_forbidden(bot: Bot, fake: FakeTelegram, ann: FakeUser) -> None:
    fake.user_sends_text(ann, "hi")
    fake.user_blocks_bot(ann)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ann.id, "Time for your exercises")


# PTB's RetryAfter itself touches its deprecated attribute when constructed.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_raises_retry_after(ann: FakeUser) -> None:
    now = [0.0]
    fake = FakeTelegram(flood_limits=FloodLimits(), monotonic=lambda: now[0])
    fake.user_sends_text(ann, "hi")
    async with Bot(fake.bot_token, request=EmulatorRequest(fake)) as bot:
        await bot.send_message(ann.id, "one")
        with pytest.raises(RetryAfter, match="Retry in 1 seconds"):
            await bot.send_message(ann.id, "two")
        now[0] += 1
        await bot.send_message(ann.id, "two")
    assert fake.stats.too_many_requests == 1
    assert fake.stats.sent_messages == 2


async def test_wrong_token_raises_invalid_token(fake: FakeTelegram) -> None:
    bot = Bot("999:WRONG", request=EmulatorRequest(fake))
    with pytest.raises(InvalidToken):
        await bot.initialize()


async def test_files_round_trip(bot: Bot, fake: FakeTelegram, ann: FakeUser) -> None:
    fake.user_sends_text(ann, "hi")
    message = await bot.send_document(
        ann.id, b"%PDF-1.4 plan", filename="plan.pdf", caption="Your plan"
    )
    assert message.document is not None
    assert message.document.file_name == "plan.pdf"
    stored = fake.last_bot_message(ann.id)
    assert stored.document is not None
    assert stored.document.data == b"%PDF-1.4 plan"
    photo_update = fake.user_sends_photo(ann)
    file_id = photo_update["message"]["photo"][-1]["file_id"]
    photo_file = await bot.get_file(file_id)
    assert bytes(await photo_file.download_as_bytearray()).startswith(b"\x89PNG")


async def test_every_simulated_update_parses_in_ptb(
    bot: Bot, fake: FakeTelegram, ann: FakeUser
) -> None:
    fake.user_sends_text(ann, "/start ref")
    sent = await bot.send_message(
        ann.id,
        "Pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]]),
    )
    fake.user_presses(sent.message_id, "Go")
    fake.user_sends_location(ann, 48.1, 11.6)
    fake.user_sends_sticker(ann)
    fake.user_sends_photo(ann, caption="knee")
    fake.user_edits_message(ann, 1, "/start other")
    fake.user_sends_callback_data(ann, 12345, "forged")
    fake.user_blocks_bot(ann)
    fake.user_unblocks_bot(ann)
    fake.group_message(ann, FakeChat(-42, "group", "Rehab"), "hello")

    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 10
    start, press, location, sticker, photo, edit, forged, block, unblock, group = updates
    assert start.message is not None
    assert start.message.text == "/start ref"
    assert start.message.entities[0].type == "bot_command"
    assert press.callback_query is not None
    assert press.callback_query.data == "go"
    assert press.callback_query.message is not None
    assert press.callback_query.message.message_id == sent.message_id
    assert location.message is not None
    assert location.message.location is not None
    assert location.message.location.latitude == 48.1
    assert sticker.message is not None
    assert sticker.message.sticker is not None
    assert photo.message is not None
    assert photo.message.photo
    assert edit.edited_message is not None
    assert edit.edited_message.text == "/start other"
    assert forged.callback_query is not None
    assert forged.callback_query.message is not None
    assert not forged.callback_query.message.is_accessible
    assert block.my_chat_member is not None
    assert block.my_chat_member.new_chat_member.status == "kicked"
    assert unblock.my_chat_member is not None
    assert unblock.my_chat_member.new_chat_member.status == "member"
    assert group.effective_chat is not None
    assert group.effective_chat.type == "group"
    # Confirming with offset empties the queue.
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "How is your knee today?",
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Better", callback_data="better")],
                [InlineKeyboardButton("Worse", callback_data="worse")],
            ]
        ),
    )


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text(f"You said: <b>{query.data}</b>", parse_mode=ParseMode.HTML)


async def test_application_polls_the_emulator(fake: FakeTelegram, ann: FakeUser) -> None:
    request = EmulatorRequest(fake)
    app: Application = (  # type: ignore[type-arg]
        ApplicationBuilder()
        .token(fake.bot_token)
        .request(request)
        .get_updates_request(request)
        .build()
    )
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CallbackQueryHandler(_pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10)
        try:
            fake.user_sends_text(ann, "/start")
            question = await fake.wait_for_bot_message(ann.id, contains="knee", timeout=5)
            assert question.buttons == ["Better", "Worse"]
            fake.user_presses(question, "Worse")
            answered = await fake.wait_for(
                lambda e: e.kind is BotEventKind.CALLBACK_ANSWERED, timeout=5
            )
            assert answered.text == "Noted"
            edited = await fake.wait_for(lambda e: e.kind is BotEventKind.MESSAGE_EDITED, timeout=5)
            assert edited.message is not None
            assert edited.message.plain_text == "You said: worse"
        finally:
            await app.updater.stop()
            await app.stop()
    assert fake.pending_update_count == 0  # PTB confirmed everything it fetched
    assert not fake.unanswered_callback_queries()
