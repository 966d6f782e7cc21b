"""The therapist side's units of work: for each feature, what a handler's turn reads and
writes, through :mod:`db` (``db/<feature>_queries.py``), with the rules of
:mod:`bot.domain`. The handlers call these with their :class:`~bot.turns.Turn`, so they never
import :mod:`db` themselves; like the turn, nothing here commits.
"""
