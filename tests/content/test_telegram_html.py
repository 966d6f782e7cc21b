"""What Telegram would refuse with parse_mode=HTML, and how long a message really is."""

import pytest

from content.telegram_html import telegram_html_error, visible_length


@pytest.mark.parametrize(
    "text",
    [
        "plain words",
        "<b>bold</b> and <i>italic</i>",
        "<b>bold <i>and italic</i></b>",
        "<strong>s</strong><em>e</em><u>u</u><ins>i</ins><s>s</s><strike>s</strike><del>d</del>",
        '<a href="https://example.org/?a=1&amp;b=2">link</a>',
        "<code>x = 1</code>",
        '<pre><code class="language-python">x = 1</code></pre>',
        '<tg-spoiler>secret</tg-spoiler> <span class="tg-spoiler">secret</span>',
        "<blockquote>quote</blockquote> <blockquote expandable>more</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "5 &lt; 6 &gt; 4 &amp; &quot;q&quot; &#39; &#x27;",
        "knees > toes",
        "<B>upper-case tags</B>",
    ],
)
def test_text_telegram_accepts(text: str) -> None:
    assert telegram_html_error(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<b>unclosed", "unclosed <b>"),
        ("<b><i>crossed</b></i>", "does not match open <i>"),
        ("stray </b>", "has no opening tag"),
        ("<div>block</div>", "unsupported tag <div>"),
        ("<p>paragraph</p>", "unsupported tag <p>"),
        ("3 < 4", "bare '<'"),
        ("salt & pepper", "bare '&'"),
        ("&nbsp;", "bare '&'"),
        ("<a>no link</a>", "needs a href attribute"),
        ('<b class="x">bold</b>', "may not have attribute 'class'"),
        ('<span class="red">x</span>', "tg-spoiler"),
        ("<code><b>x</b></code>", "cannot be nested inside <code>"),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "cannot be nested"),
    ],
)
def test_text_telegram_refuses_says_why(text: str, reason: str) -> None:
    error = telegram_html_error(text)
    assert error is not None
    assert reason in error


def test_visible_length_counts_what_the_patient_sees() -> None:
    assert visible_length("<b>Hi</b> &amp; bye") == len("Hi & bye")
    assert visible_length('<a href="https://example.org/long/url">x</a>') == 1


def test_visible_length_counts_emoji_as_telegram_does() -> None:
    # Telegram measures UTF-16 code units; an emoji outside the BMP is two.
    assert visible_length("👍") == 2
