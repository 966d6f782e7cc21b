"""Inline-button data comes back from the client: anything forged is read as ``None``, never raises.

Every payload the bot writes reads back as itself; every string the decoder accepts encodes
back to exactly that string, so no two button data mean the same thing.
"""

from __future__ import annotations

import re
from datetime import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.callback_data import (
    MAX_CALLBACK_BYTES,
    MAX_ID,
    SEPARATOR,
    Args,
    FlowButton,
    LibraryButton,
    Payload,
    ReminderButton,
    decode_callback,
    pattern,
)

PAYLOADS: list[Payload] = [
    FlowButton(0, "agree"),
    FlowButton(7, "pick_time", Args(("07:30",))),
    FlowButton(MAX_ID, "times", Args(("07:30", "19:05"))),
    FlowButton(3, "note", Args(("",))),
    LibraryButton("open"),
    LibraryButton("lesson", Args(("why-knees-cave", "2"))),
    LibraryButton("lang", Args(("de",))),
    ReminderButton(1, "done"),
    ReminderButton(MAX_ID, "snooze", Args(("30",))),
    ReminderButton(42, "skip", Args(("illness",))),
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
def test_every_payload_type_reads_back_as_itself(payload: Payload) -> None:
    data = payload.encode()
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert decode_callback(data) == payload


@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
def test_each_payload_is_routed_to_its_own_type_only(payload: Payload) -> None:
    data = payload.encode()
    for payload_type in (FlowButton, LibraryButton, ReminderButton):
        routed = re.match(pattern(payload_type), data) is not None
        assert routed == isinstance(payload, payload_type)


@pytest.mark.parametrize(
    "payload",
    [
        FlowButton(1, "agree", Args(("a|b",))),  # the separator inside a field
        LibraryButton("open", Args(("x" * 70,))),  # over 64 bytes
        ReminderButton(1, "done", Args(("é" * 31,))),  # 64 characters, but over 64 bytes
        FlowButton(1, "echo", Args(("\ud800",))),  # a lone surrogate: not text at all
    ],
    ids=["separator", "too long", "too many bytes", "lone surrogate"],
)
def test_what_cannot_travel_is_refused_when_written(payload: Payload) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any of the codec's ValueErrors
        payload.encode()


# The cases the architecture issue names, each once as plain data.
FORGED = {
    # `isdigit()` then `int()`: '²' is a digit to isdigit, and int() refuses it
    "superscript revision": "c|²|agree",
    "superscript delivery": "r|²|done",
    "arabic-indic digits": "r|١٢|done",
    "fullwidth digits": "c|１|agree",
    # bare `int()` on letters where an id goes
    "letters for a revision": "c|abc|agree",
    "letters for a delivery": "r|x|done",
    "a sign": "r|-1|done",
    "a plus sign": "r|+1|done",
    "spaces": "r| 1|done",
    "underscores int() accepts": "r|1_000|done",
    # `assert` on malformed data: missing fields, empty fields, no separator
    "empty": "",
    "prefix only": "c",
    "prefix and separator": "c|",
    "no action": "c|1",
    "empty action": "c|1|",
    "empty library action": "l|",
    "no delivery action": "r|1",
    "unknown prefix": "x|1|agree",
    "old colon format": "c:1:agree:",
    "action with capitals": "c|1|Agree",
    # an id beyond PostgreSQL's 32-bit integer
    "revision 2**31": f"c|{2**31}|agree",
    "delivery 2**31": f"r|{2**31}|done",
    "eleven digits": "r|99999999999|done",
    "a hundred digits": "r|" + "9" * 100 + "|done",
    # a lone surrogate in echoed text
    "lone surrogate in an argument": "c|1|echo|\ud800",
    "lone surrogate as the prefix": "\udcff|1|done",
    # more than Telegram carries, and text it would not
    "over 64 bytes": "l|open|" + "x" * 60,
    "a newline": "c|1|agree\n",
    "a NUL": "c|1|ag\x00ree",
}


@pytest.mark.parametrize("data", FORGED.values(), ids=FORGED.keys())
def test_forged_data_is_read_as_nothing(data: str) -> None:
    assert decode_callback(data) is None


@pytest.mark.parametrize("data", [None, b"c|1|agree", 12, ["c", "1", "agree"]])
def test_data_that_is_not_text_is_read_as_nothing(data: object) -> None:
    assert decode_callback(data) is None


def test_the_largest_postgres_id_is_accepted() -> None:
    assert decode_callback(f"r|{MAX_ID}|done") == ReminderButton(MAX_ID, "done")
    assert decode_callback(f"c|{MAX_ID}|agree") == FlowButton(MAX_ID, "agree")


def test_argument_readers_refuse_what_the_rule_did_not_allow() -> None:
    args = Args(("07:30", "24:00", "²", "12", str(2**31), "de"))
    assert args.time_of_day(0) == time(7, 30)
    assert args.time_of_day(1) is None
    assert args.number(2, range(100)) is None
    assert args.number(3, range(100)) == 12
    assert args.number(3, range(10)) is None
    assert args.number(4, range(2**32)) is None
    assert args.text(5, {"en", "de"}) == "de"
    assert args.text(5, {"en"}) is None
    assert args.text(6) is None
    assert args.time_of_day(6) is None
    assert args.number(6, range(100)) is None


# Random data shaped like button data: known and unknown prefixes, then fields that look
# like ids (ASCII or not, signed, huge), actions, times, separators and arbitrary text.
_WEIRD_DIGITS = st.sampled_from(["²", "³", "¹", "١", "٣", "１", "߀", "𝟘", "0", "00", "007"])
_FIELD = st.one_of(
    st.integers(min_value=-(2**40), max_value=2**70).map(str),
    st.integers(min_value=MAX_ID - 2, max_value=MAX_ID + 2).map(str),
    _WEIRD_DIGITS,
    st.from_regex(r"[a-z][a-z0-9_]{0,34}", fullmatch=True),
    st.from_regex(r"[0-9]{1,2}:[0-9]{2}", fullmatch=True),
    st.just(""),
    st.just(SEPARATOR),
    st.text(max_size=20),
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2),  # lone surrogates
)
_ID = st.one_of(
    st.from_regex(r"[0-9]{1,12}", fullmatch=True),  # leading zeros too
    st.integers(min_value=MAX_ID - 2, max_value=MAX_ID + 2).map(str),
    _WEIRD_DIGITS,
    _FIELD,
)
_ACTION = st.one_of(st.from_regex(r"[a-z][a-z0-9_]{0,34}", fullmatch=True), _FIELD)
_PREFIX = st.sampled_from(["c", "l", "r", "x", "", "C", "c:"])
_SHAPED = st.one_of(
    st.builds(
        lambda prefix, fields: SEPARATOR.join([prefix, *fields]),
        _PREFIX,
        st.lists(_FIELD, max_size=6),
    ),
    # The shape the decoder reads furthest: prefix, id, action, arguments.
    st.builds(
        lambda prefix, first, action, args: SEPARATOR.join([prefix, first, action, *args]),
        st.sampled_from(["c", "l", "r"]),
        _ID,
        _ACTION,
        st.lists(_FIELD, max_size=3),
    ),
)
_ANY_TEXT = st.text(st.characters(codec=None), max_size=80)


@settings(max_examples=1000)
@given(st.one_of(_SHAPED, _ANY_TEXT))
@example("c|01|agree")  # a leading zero: read as revision 1, which encodes as "c|1|agree"
@example("r|0000000001|done")
@example("l|open|" + "é" * 29)  # 65 bytes in 36 characters
def test_decoding_never_raises_and_what_it_accepts_encodes_back_exactly(data: str) -> None:
    payload = decode_callback(data)
    if payload is not None:
        assert payload.encode() == data


def _library_data_of(size: int) -> str:
    """``l|open|xxx...``: a library button's data of exactly ``size`` bytes."""
    return "l|open|" + "x" * (size - len("l|open|"))


def test_exactly_64_bytes_travel_and_65_do_not() -> None:
    at_limit = LibraryButton("open", Args(("x" * (MAX_CALLBACK_BYTES - len("l|open|")),)))
    assert at_limit.encode() == _library_data_of(64)
    assert decode_callback(_library_data_of(64)) == at_limit
    over = LibraryButton("open", Args(("x" * (MAX_CALLBACK_BYTES + 1 - len("l|open|")),)))
    with pytest.raises(ValueError, match=r"^callback data over 64 bytes: 'l\|open\|x+'$"):
        over.encode()
    assert decode_callback(_library_data_of(65)) is None


def test_a_field_holding_the_separator_is_named_when_refused() -> None:
    with pytest.raises(ValueError, match=r"^a callback field may not contain '\|': 'a\|b'$"):
        FlowButton(1, "agree", Args(("a|b",))).encode()


@pytest.mark.parametrize("payload_type", [FlowButton, LibraryButton, ReminderButton])
def test_a_payload_with_no_fields_is_read_as_nothing(
    payload_type: type[Payload],
) -> None:
    assert payload_type.decode([]) is None
