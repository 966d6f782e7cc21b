"""The weekly summary's files, as attachments of a screen: the chart, the CSV and the PDF.

Each is drawn when it is sent, in a worker thread (see :class:`bot.domain.screens.Attachment`),
with the words of the reader's language; the /summary reply and the weekly message send the
same three.
"""

from __future__ import annotations

from datetime import date

from bot.domain.screens import Attachment, Text
from bot.domain.summary import Summary, csv_bytes
from content.messages import Messages


def summary_files(summary: Summary, made_on: date) -> tuple[Attachment, ...]:
    """The chart (a photo), the CSV and the one-page PDF, in that order."""
    stem = f"summary-{summary.week_start.isoformat()}"

    def chart(messages: Messages) -> bytes:
        from bot.charts.summary import draw_summary_chart  # noqa: PLC0415 - imports matplotlib

        return draw_summary_chart(summary, messages)

    def table(messages: Messages) -> bytes:
        return csv_bytes(summary, messages)

    def page(messages: Messages) -> bytes:
        from bot.documents.summary_pdf import draw_summary_pdf  # noqa: PLC0415 - imports fpdf2

        return draw_summary_pdf(summary, messages, made_on)

    files = (
        Attachment(f"{stem}.png", chart, photo=True, caption=Text("weekly.files.chart")),
        Attachment(f"{stem}.csv", table, caption=Text("weekly.files.csv")),
        Attachment(f"{stem}.pdf", page, caption=Text("weekly.files.pdf")),
    )
    return files if summary.patients else ()
