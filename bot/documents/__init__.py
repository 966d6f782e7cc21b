"""Documents the bot makes for people to keep: the weekly summary's PDF (fpdf2)."""
