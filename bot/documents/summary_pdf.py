"""The weekly summary as one A4 page for the clinic record (fpdf2).

A header (therapist, week, date made), then one table row per patient in the summary's order:
name, status and reasons, adherence, streak, pain (mean and highest, with their changes), form
issues, goal-score change and days with data. The rows shrink to fit one page; beyond
``MAX_ROWS`` the page says how many more the CSV holds. The text is set in DejaVu Sans (the
font matplotlib ships), so names in any Latin, Greek or Cyrillic script print; characters the
font lacks (emoji) are left out. fpdf2 is imported when the first page is made.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from bot.domain.summary import PatientFigures, Summary, change, number, percent
from content.messages import Messages, Text

MAX_ROWS = 60
# Column widths in millimetres on A4 landscape (277 mm inside 10 mm margins).
COLUMNS = (
    ("name", 46),
    ("status", 78),
    ("adherence", 20),
    ("streak", 16),
    ("pain_mean", 30),
    ("pain_max", 26),
    ("form_issues", 18),
    ("goal_change", 20),
    ("days_with_data_30", 23),
)


def _font_files() -> tuple[Path, Path]:
    import matplotlib  # noqa: PLC0415 - only for the path of the fonts it ships

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return fonts / "DejaVuSans.ttf", fonts / "DejaVuSans-Bold.ttf"


# Typography Helvetica lacks in Latin-1, written as it has it.
_LATIN = str.maketrans({"–": "-", "−": "-", "…": "...", "×": "x", "±": "+/-"})


def _family(pdf: Any, texts: list[str]) -> str:
    """Helvetica (built into every PDF reader: nothing to embed) when every word of the page
    is Latin-1, as most are; else DejaVu Sans, embedded (a tenth of a second more)."""
    try:
        _printable("".join(texts)).translate(_LATIN).encode("latin-1")
    except UnicodeEncodeError:
        regular, bold = _font_files()
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return "DejaVu"
    return "helvetica"


def _printable(text: str) -> str:
    """Without characters outside the Basic Multilingual Plane (emoji), which the font lacks."""
    return "".join(char for char in text if ord(char) <= 0xFFFF and char not in "\u200d\ufe0f")


def _status(figures: PatientFigures, messages: Messages) -> str:
    if figures.needs_attention:
        words = [
            messages.plain(Text(reason.key, {"count": n, "adherence": percent(figures.adherence)}))
            for reason, n in figures.reasons
        ]
        return "; ".join(words)
    if figures.paused:
        reason = messages.plain(Text(f"pause.reasons.{figures.pause_reason}"))
        return f"{messages.plain(Text('weekly.status.paused'))} ({reason})"
    return messages.plain(Text("weekly.status.ok"))


def _cells(figures: PatientFigures, messages: Messages) -> list[str]:
    return [
        figures.name,
        _status(figures, messages),
        percent(figures.adherence),
        str(figures.streak),
        f"{number(figures.pain_mean)} ({change(figures.pain_mean_change)})",
        f"{number(figures.pain_max, 0)} ({change(figures.pain_max_change, 0)})",
        str(figures.form_issues),
        change(figures.goal_change),
        f"{figures.days_with_data_30}/30",
    ]


def draw_summary_pdf(summary: Summary, messages: Messages, made_on: date) -> bytes:
    """The page as PDF bytes, its words in ``messages``' language."""
    from fpdf import FPDF  # noqa: PLC0415 - only when a page is made
    from fpdf.enums import XPos, YPos  # noqa: PLC0415

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(10, 10, 10)
    patients = summary.patients[:MAX_ROWS]
    headings = [messages.plain(Text(f"weekly.csv.{key}")) for key, _ in COLUMNS]
    rows = [_cells(figures, messages) for figures in patients]
    family = _family(pdf, [summary.therapist_name, *headings, *(c for r in rows for c in r)])

    def printable(text: str) -> str:
        text = _printable(text)
        return text.translate(_LATIN) if family == "helvetica" else text

    pdf.add_page()

    def line(text: Text, size: float, style: str = "") -> None:
        pdf.set_font(family, style, size)
        shown = printable(messages.plain(text))
        pdf.cell(0, size * 0.5, shown, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(Text("weekly.pdf.title"), 16, "B")
    line(Text("weekly.pdf.therapist", {"name": summary.therapist_name}), 10)
    start, end = summary.week_start.isoformat(), summary.week_end.isoformat()
    line(Text("weekly.pdf.week", {"start": start, "end": end}), 10)
    line(Text("weekly.pdf.created", {"date": made_on.isoformat()}), 10)
    pdf.ln(3)

    room = pdf.h - pdf.b_margin - pdf.get_y() - 12
    row_height = max(2.8, min(7.0, room / (len(patients) + 1)))
    size = min(9.0, row_height * 1.6)
    pdf.set_font(family, "B", size)
    for (_, width), heading in zip(COLUMNS, headings, strict=True):
        pdf.cell(width, row_height, printable(heading), border="B")
    pdf.ln(row_height)
    pdf.set_font(family, "", size)
    for cells in rows:
        for (_, width), cell in zip(COLUMNS, cells, strict=True):
            pdf.cell(width, row_height, _fit(pdf, printable(cell), width - 1, printable("…")))
        pdf.ln(row_height)
    more = len(summary.patients) - len(patients)
    if more:
        pdf.ln(2)
        line(Text("weekly.pdf.more", {"count": more}), 9)
    return bytes(pdf.output())


def _fit(pdf: object, text: str, width: float, ellipsis: str) -> str:
    """``text`` cut with an ellipsis to fit ``width`` millimetres in the current font."""
    measure = pdf.get_string_width  # type: ignore[attr-defined]
    if measure(text) <= width:
        return text
    while text and measure(text + ellipsis) > width:
        text = text[:-1]
    return text + ellipsis
