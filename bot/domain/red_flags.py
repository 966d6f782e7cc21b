"""Red flags in free text: whatever a patient types is read for red-flag symptoms first.

The words live in ``content/locales/<lang>/red_flags.yaml`` (phrases per flag, the cues that
say a symptom is absent or over; its header explains the format); each flag's tier comes from
the same language's ``checkins.yaml``. This module reads a message the way those files are
written, and decides.

Compile once, at start-up, and scan every message::

    rules = red_flag_rules(content)           # {language: RedFlagRules}, patterns compiled
    alarm = scan(text, rules["en"])           # Alarm(flag, severity) or None

How a message is read:

* Lower case, accents dropped (``ä`` is ``a``), ``ß`` is ``ss``, apostrophes dropped
  (``can't`` is ``cant``), then the language's ``spellings`` (German ``ae`` is ``a``) and
  ``read_as`` (``cannot`` is ``cant``). A word-hyphen-word is read both joined and apart.
* A pattern word matches the same word with any letter repeated (``paaain``); one of
  ``typo_length`` letters or more also matches a word one slip away (a letter missing, extra,
  wrong or two swapped), unless that word is a ``look_alike`` (``chess`` is not ``chest``).
* Full stops, ``?``, ``!``, ``;``, ``:``, line breaks and ``clause_words`` ("but") end a part
  of a sentence: no phrase reaches over one. A comma or a ``list_words`` word ("and") ends
  the reach of a negation, not of a phrase.

When is a phrase found but no alarm raised (when in doubt, the alarm stands):

* an ``unless`` phrase of the same flag overlaps it ("nearly fell" is not a fall);
* a ``negation.before`` cue ends at most ``window`` words before it (or stands in for one
  of its "..."), or a ``negation.after`` or ``negation.over`` cue starts at most ``window``
  words after it (``over`` not for a flag ``even_if_over``), or a ``negation.past`` cue
  stands anywhere beside it, with no comma or list word in between ("no chest pain",
  "numbness is gone", "chest pain last year"). A cue inside the phrase is part of the
  symptom ("can't feel"); a negation right before an after cue turns it round ("not gone");
* unless a ``negation.doubt`` phrase ("not sure", "came back") is in its part of the
  sentence, or in the part right after it.

The most severe flag found wins (the earliest tier of ``bot.domain.safety.Severity``, as in
``most_severe``); between flags of one tier, the first in ``checkins.yaml``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.safety import Severity
from content.loader import Content
from content.models import Checkins, RedFlagWords

__all__ = ["Alarm", "RedFlagRules", "most_severe_alarm", "red_flag_rules", "scan"]

_TIERS: tuple[Severity, ...] = tuple(Severity)
_APOSTROPHES = re.compile(r"['’`´ʼ]")
_COMBINING = re.compile(r"[\u0300-\u036f]+")
_INNER_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[^\W_])")
# A word, a sentence end, or a soft break (comma, bracket, dash, quotation mark).
_PIECE = re.compile(r"([^\W_]+)|([.!?;:\n\r…]+)|([,()\[\]{}\"“”„«»\-–—])")
_GAP = None  # "..." in a phrase: a few words of anything


@dataclass(frozen=True, slots=True)
class Alarm:
    """A red flag a message reports: the flag's id in checkins.yaml and its tier."""

    flag: str
    severity: Severity


def most_severe_alarm(alarms: Iterable[Alarm | None]) -> Alarm | None:
    """The alarm of the earliest tier among these (the first of that tier); None if none."""
    found = [alarm for alarm in alarms if alarm is not None]
    return min(found, key=lambda alarm: _TIERS.index(alarm.severity), default=None)


def red_flag_rules(content: Content) -> dict[str, RedFlagRules]:
    """Every language's rules, compiled: call once at start-up, after the content loads."""
    return {
        language: RedFlagRules.of(
            content.red_flag_words[language], content.catalog(language).checkins
        )
        for language in content.languages
    }


def scan(text: str, rules: RedFlagRules) -> Alarm | None:
    """The most severe red flag this text reports, or None. Linear in the text's length."""
    folded = rules.spelling.fold(text)
    readings = [folded]
    if _INNER_HYPHEN.search(folded):  # "light-headed" is "lightheaded" and "light headed"
        readings = [_INNER_HYPHEN.sub("", folded), _INNER_HYPHEN.sub(" ", folded)]
    return most_severe_alarm(rules.alarm(_Reading.of(reading, rules)) for reading in readings)


# --- words ---------------------------------------------------------------------------------


def _runs(word: str) -> tuple[str, tuple[int, ...]]:
    """The word with each run of one letter written once, and each run's length."""
    groups = [(letter, len(list(run))) for letter, run in itertools.groupby(word)]
    return "".join(letter for letter, _ in groups), tuple(length for _, length in groups)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_slip(a: str, b: str) -> bool:
    """Whether a and b differ by one letter missing, extra or wrong, or two swapped."""
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diffs) == 1 or (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    # One letter more: the rest matches after the first difference (never when two more).
    short, long = sorted((a, b), key=len)
    i = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1 :]


class _Lexicon:
    """Every word pattern of a language, numbered; tells which ones a word of a message fits.

    A word fits a pattern spelled the same with any letter repeated ("paaain"); a long
    pattern that allows slips also fits a word one slip away; a glob fits by its letters. A
    look-alike fits only a pattern spelled exactly like it, and a word with digits likewise.
    """

    def __init__(self, typo_length: int, look_alikes: frozenset[str]) -> None:
        self._typo_length = typo_length
        self._look_alikes = look_alikes
        self._ids: dict[tuple[str, bool], int] = {}
        self._exact: dict[str, list[int]] = {}
        self._by_runs: dict[str, list[tuple[tuple[int, ...], int]]] = {}
        self._by_slip: dict[str, list[tuple[str, int]]] = {}
        self._longest_slip = 0  # the longest pattern that allows a slip
        self._globs_by_letter: dict[str, list[tuple[re.Pattern[str], int]]] = {}
        self._globs_inside: list[tuple[re.Pattern[str], int]] = []

    def add(self, pattern: str, *, slips: bool) -> int:
        """The number of this (folded) word pattern, adding it on first sight.

        ``slips``: whether a word one typing slip away fits too, when the pattern is long
        enough (never for negation cues: a slip must not silence an alarm).
        """
        key = (pattern, slips and len(pattern) >= self._typo_length and "*" not in pattern)
        known = self._ids.get(key)
        if known is not None:
            return known
        number = self._ids[key] = len(self._ids)
        if "*" in pattern:
            glob = re.compile(
                "".join(
                    r"[^\W_]*" if letter == "*" else f"{re.escape(letter)}{{{len(list(run))},}}"
                    for letter, run in itertools.groupby(pattern)
                )
            )
            if pattern.startswith("*"):
                self._globs_inside.append((glob, number))
            else:
                self._globs_by_letter.setdefault(pattern[0], []).append((glob, number))
            return number
        self._exact.setdefault(pattern, []).append(number)
        squeezed, runs = _runs(pattern)
        self._by_runs.setdefault(squeezed, []).append((runs, number))
        if key[1]:
            self._longest_slip = max(self._longest_slip, len(pattern))
            for deleted in _deletions(pattern) | {pattern}:
                self._by_slip.setdefault(deleted, []).append((pattern, number))
        return number

    def fits(self, word: str) -> set[int]:
        """The numbers of the patterns this word of a message fits."""
        if word in self._look_alikes or not word.isalpha():
            return set(self._exact.get(word, ()))
        squeezed, runs = _runs(word)
        found = {
            number
            for pattern_runs, number in self._by_runs.get(squeezed, ())
            if all(have >= need for have, need in zip(runs, pattern_runs, strict=True))
        }
        # A slip is one letter more or less than a pattern that allows it.
        if self._typo_length - 1 <= len(word) <= self._longest_slip + 1:
            for key in _deletions(word) | {word}:
                found.update(
                    number
                    for pattern, number in self._by_slip.get(key, ())
                    if _one_slip(word, pattern)
                )
        for glob, number in itertools.chain(
            self._globs_by_letter.get(word[0], ()), self._globs_inside
        ):
            if glob.fullmatch(word):
                found.add(number)
        return found


# --- phrases -------------------------------------------------------------------------------

# A compiled phrase: each slot is the set of word patterns one word may fit, or _GAP.
_Slot = frozenset[int] | None
_Phrase = tuple[_Slot, ...]
_Words = tuple[str, ...]  # a run of words as a phrase writes them ("numb*", "feel")


class _Spelling:
    """How a language's text is compared: lower case, no accents or apostrophes, and the
    language's own ``spellings`` (German "ae" for "ä") written one way."""

    def __init__(self, spellings: Mapping[str, str]) -> None:
        self._table = dict(spellings)
        ordered = sorted(self._table, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def fold(self, text: str) -> str:
        text = _APOSTROPHES.sub("", text.casefold())
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        if self._pattern is not None:
            text = self._pattern.sub(lambda found: self._table[found[0]], text)
        return text


def _runs_of_words(phrase: str) -> list[_Words]:
    """Every run of words a group's entry may be ("left|right side": two runs)."""
    return list(itertools.product(*(word.split("|") for word in phrase.split())))


def _slots(
    phrase: str, groups: Mapping[str, list[_Words]]
) -> Iterator[tuple[frozenset[str] | None, ...]]:
    """Every way to write the phrase as slots. The one-word choices at a place share a slot;
    each choice of several words (from a group) makes a phrase of its own."""
    options: list[list[tuple[frozenset[str] | None, ...]]] = []
    for word in phrase.split():
        if word == "...":
            options.append([(_GAP,)])
            continue
        runs: list[_Words] = []
        for choice in word.split("|"):
            runs.extend(groups[choice[1:-1]] if choice.startswith("{") else [(choice,)])
        single = frozenset(run[0] for run in runs if len(run) == 1)
        ways: list[tuple[frozenset[str] | None, ...]] = [(single,)] if single else []
        ways.extend(tuple(frozenset({w}) for w in run) for run in runs if len(run) > 1)
        options.append(list(dict.fromkeys(ways)))
    for way in itertools.product(*options):
        yield tuple(slot for part in way for slot in part)


class _Compiler:
    """Turns a language's phrases into numbered word patterns, sharing one lexicon."""

    def __init__(self, words: RedFlagWords, spelling: _Spelling) -> None:
        fold = spelling.fold
        self.fold = fold
        self.lexicon = _Lexicon(words.typo_length, frozenset(map(fold, words.look_alikes)))
        self.groups = {
            name: [run for entry in entries for run in _runs_of_words(fold(entry))]
            for name, entries in words.groups.items()
        }

    def phrases(self, phrases: Iterable[str], *, slips: bool = True) -> tuple[_Phrase, ...]:
        """The phrases compiled, in the file's order, each once; ``slips`` as in _Lexicon."""
        compiled: dict[_Phrase, None] = {}
        for phrase in phrases:
            for way in _slots(self.fold(phrase), self.groups):
                slots = (
                    _GAP
                    if slot is _GAP
                    else frozenset(self.lexicon.add(word, slips=slips) for word in slot)
                    for slot in way
                )
                compiled[tuple(slots)] = None
        return tuple(compiled)


@dataclass(frozen=True, slots=True)
class _Flag:
    id: str
    severity: Severity
    phrases: tuple[_Phrase, ...]
    unless: tuple[_Phrase, ...]
    even_if_over: bool


@dataclass(frozen=True, slots=True)
class _Cues:
    window: int
    before: tuple[_Phrase, ...]
    after: tuple[_Phrase, ...]
    over: tuple[_Phrase, ...]
    past: tuple[_Phrase, ...]
    doubt: tuple[_Phrase, ...]


@dataclass(frozen=True, slots=True, repr=False)
class RedFlagRules:
    """One language's red-flag words, compiled, each flag with its tier from checkins.yaml.

    Build it once with ``RedFlagRules.of`` (or every language with ``red_flag_rules``); it is
    immutable and safe to share.
    """

    spelling: _Spelling
    lexicon: _Lexicon
    # What patients write, by its first word, longest first -> how the phrases write it.
    read_as: Mapping[str, tuple[tuple[_Words, _Words], ...]]
    clause_words: frozenset[str]
    list_words: frozenset[str]
    gap: int
    flags: tuple[_Flag, ...]  # most severe tier first, then in checkins.yaml's order
    # The flags' phrases by the patterns of their first word: (index in flags, phrase).
    starts: Mapping[int, tuple[tuple[int, _Phrase], ...]]
    cues: _Cues

    @classmethod
    def of(cls, words: RedFlagWords, checkins: Checkins) -> RedFlagRules:
        """Compile a language's words, each flag at the tier checkins.yaml gives it.

        Raises ValueError for a flag checkins.yaml does not list (content.checks.red_flags
        reports it first, at start-up). A flag the words do not mention is never found.
        """
        tiers = {flag.id: Severity(flag.severity) for flag in checkins.red_flags}
        unknown = sorted(set(words.flags) - set(tiers))
        if unknown:
            raise ValueError(f"red flags not in checkins.yaml: {', '.join(unknown)}")
        order = [flag.id for flag in checkins.red_flags]
        spelling = _Spelling(words.spellings)
        fold = spelling.fold
        compiler = _Compiler(words, spelling)
        flags = tuple(
            _Flag(
                flag_id,
                tiers[flag_id],
                compiler.phrases(words.flags[flag_id].phrases),
                compiler.phrases(words.flags[flag_id].unless, slips=False),
                words.flags[flag_id].even_if_over,
            )
            for flag_id in sorted(
                words.flags, key=lambda f: (_TIERS.index(tiers[f]), order.index(f))
            )
        )
        negation = words.negation
        cues = _Cues(
            negation.window,
            compiler.phrases(negation.before, slips=False),
            compiler.phrases(negation.after, slips=False),
            compiler.phrases(negation.over, slips=False),
            compiler.phrases(negation.past, slips=False),
            compiler.phrases(negation.doubt),
        )
        starts: dict[int, list[tuple[int, _Phrase]]] = {}
        for index, flag in enumerate(flags):
            for phrase in flag.phrases:
                for number in phrase[0] or ():  # a phrase never starts with "..."
                    starts.setdefault(number, []).append((index, phrase))
        read_as: dict[str, list[tuple[_Words, _Words]]] = {}
        for key, value in words.read_as.items():
            written = tuple(fold(key).split())
            read_as.setdefault(written[0], []).append((written, tuple(fold(value).split())))
        return cls(
            spelling=spelling,
            lexicon=compiler.lexicon,
            read_as={
                first: tuple(sorted(ways, key=lambda way: -len(way[0])))
                for first, ways in read_as.items()
            },
            clause_words=frozenset(map(fold, words.clause_words)),
            list_words=frozenset(map(fold, words.list_words)),
            gap=words.gap,
            flags=flags,
            starts={number: tuple(found) for number, found in starts.items()},
            cues=cues,
        )

    def __repr__(self) -> str:
        return f"RedFlagRules({', '.join(flag.id for flag in self.flags)})"

    def alarm(self, reading: _Reading) -> Alarm | None:
        """The first flag, most severe tier first, that this reading of a message reports."""
        fits = {word: self.lexicon.fits(word) for word in set(reading.words)}
        where: dict[int, list[int]] = {}
        for position, word in enumerate(reading.words):
            for number in fits[word]:
                where.setdefault(number, []).append(position)
        # Only the phrases whose first word is in the message are looked for.
        candidates: dict[int, dict[_Phrase, None]] = {}
        for number in where:
            for index, phrase in self.starts.get(number, ()):
                candidates.setdefault(index, {})[phrase] = None
        finder = _Finder(reading, where, self.gap)
        for index in sorted(candidates):
            flag = self.flags[index]
            for phrase in candidates[index]:
                for span in finder.spans(phrase):
                    if not finder.overlaps(span, flag.unless) and not finder.negated(
                        span, self.cues, even_if_over=flag.even_if_over
                    ):
                        return Alarm(flag.id, flag.severity)
        return None


# --- reading a message ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Reading:
    """A message as words, each with the sentence part and the negation scope it is in."""

    words: tuple[str, ...]
    sentences: tuple[int, ...]  # no phrase reaches over a change of sentence part
    scopes: tuple[int, ...]  # no negation reaches over a change of scope

    @classmethod
    def of(cls, folded: str, rules: RedFlagRules) -> _Reading:
        raw: list[tuple[str, int, int]] = []
        sentence = scope = 0
        # Breaks count once between two words: ", but" is one break, like "but".
        new_sentence = new_scope = False
        for word, hard, soft in _PIECE.findall(folded):
            if hard or word in rules.clause_words:
                new_sentence = new_scope = True
            elif soft:
                new_scope = True
            else:
                # "and" opens the part it joins on.
                new_scope = new_scope or word in rules.list_words
                sentence += new_sentence
                scope += new_scope
                new_sentence = new_scope = False
                raw.append((word, sentence, scope))
        words: list[str] = []
        sentences: list[int] = []
        scopes: list[int] = []
        i = 0
        while i < len(raw):
            word, in_sentence, in_scope = raw[i]
            written: _Words = (word,)
            read: _Words = (word,)
            for key, replacement in rules.read_as.get(word, ()):
                end = i + len(key)
                if tuple(w for w, _, _ in raw[i:end]) == key and raw[end - 1][1] == in_sentence:
                    written, read = key, replacement
                    break
            words.extend(read)
            sentences.extend([in_sentence] * len(read))
            scopes.extend([in_scope] * len(read))
            i += len(written)
        return cls(tuple(words), tuple(sentences), tuple(scopes))


@dataclass(frozen=True, slots=True)
class _Span:
    """Where a phrase was found: its first and last word, and the words its own words fit
    (the others stood in for a "...")."""

    first: int
    last: int
    own: frozenset[int]

    def in_gap(self, start: int, end: int) -> bool:
        return self.first < start and end < self.last and self.own.isdisjoint(range(start, end + 1))


class _Finder:
    """Finds phrases in one reading of a message; each phrase is searched for once."""

    def __init__(self, reading: _Reading, where: Mapping[int, list[int]], gap: int) -> None:
        self.reading = reading
        self.where = where
        self.present = set(where)  # a set, so that isdisjoint walks the smaller side
        self.gap = gap
        self._found: dict[_Phrase, list[_Span]] = {}
        self._marks: dict[int, _Marks] = {}

    def spans(self, phrase: _Phrase) -> list[_Span]:
        """Every place the phrase is found, each at its shortest, in the message's order."""
        known = self._found.get(phrase)
        if known is None:
            known = self._found[phrase] = self._search(phrase)
        return known

    def _search(self, phrase: _Phrase) -> list[_Span]:
        if any(slot is not _GAP and slot.isdisjoint(self.present) for slot in phrase):
            return []
        sentences = self.reading.sentences
        reach: dict[int, tuple[int, ...]] = {}  # last word so far -> own words (latest start)
        allowed = 0
        for index, slot in enumerate(phrase):
            if slot is _GAP:
                allowed = self.gap
                continue
            positions = sorted({p for number in slot for p in self.where.get(number, ())})
            if index == 0:  # a phrase never starts with "..."
                reach = {position: (position,) for position in positions}
                continue
            after: dict[int, tuple[int, ...]] = {}
            for q in positions:
                ways = [
                    reach[p]
                    for p in range(max(q - 1 - allowed, 0), q)
                    if p in reach and sentences[p] == sentences[q]
                ]
                if ways:
                    after[q] = (*max(ways), q)
            reach = after
            allowed = 0
            if not reach:
                return []
        return [_Span(own[0], own[-1], frozenset(own)) for _, own in sorted(reach.items())]

    def marks(self, phrases: tuple[_Phrase, ...]) -> _Marks:
        """Where these phrases are found, indexed; built once per reading and list."""
        known = self._marks.get(id(phrases))
        if known is None:
            spans = [span for phrase in phrases for span in self.spans(phrase)]
            known = self._marks[id(phrases)] = _Marks(spans, self.reading.scopes)
        return known

    def overlaps(self, span: _Span, phrases: tuple[_Phrase, ...]) -> bool:
        covered = self.marks(phrases).covered
        return any(position in covered for position in range(span.first, span.last + 1))

    def negated(self, span: _Span, cues: _Cues, *, even_if_over: bool) -> bool:
        """Whether a cue says the symptom at ``span`` is absent or over, without doubt.

        ``even_if_over``: cues that it has passed (``over``) do not count.
        """
        scopes = self.reading.scopes
        first, last = span.first, span.last
        doubts = self.marks(cues.doubt).scopes
        if any(scope in doubts for scope in range(scopes[first], scopes[last] + 2)):
            return False
        before = self.marks(cues.before)
        for end in range(max(first - 1 - cues.window, 0), last):
            for cue in before.by_last.get(end, ()):
                if (end < first and scopes[cue.first] == scopes[first]) or (
                    span.in_gap(cue.first, cue.last) and scopes[cue.first] == scopes[last]
                ):
                    return True
        over = self.marks(cues.over)
        after = self.marks(cues.after)
        for start in range(last + 1, last + 2 + cues.window):
            # "nicht mehr" is over, though "nicht" alone is after.
            absent = [cue for cue in after.by_first.get(start, ()) if start not in over.covered]
            passed = [] if even_if_over else over.by_first.get(start, [])
            for cue in absent + passed:
                # "not gone": a negation right before the cue turns it round.
                denied = cue.first - 1 in before.by_last or cue.first - 2 in before.by_last
                if scopes[cue.last] == scopes[last] and not denied:
                    return True
        past = self.marks(cues.past)
        return (
            past.earliest_last.get(scopes[first], first) < first
            or past.latest_first.get(scopes[last], last) > last
        )


class _Marks:
    """The spans of some phrases in a reading, indexed for checks in constant time."""

    def __init__(self, spans: Iterable[_Span], scopes: Sequence[int]) -> None:
        self.by_first: dict[int, list[_Span]] = {}
        self.by_last: dict[int, list[_Span]] = {}
        self.covered: set[int] = set()
        self.scopes: set[int] = set()  # the scopes a span starts in
        self.earliest_last: dict[int, int] = {}  # scope -> the earliest end of a span in it
        self.latest_first: dict[int, int] = {}  # scope -> the latest start of a span in it
        for span in spans:
            self.by_first.setdefault(span.first, []).append(span)
            self.by_last.setdefault(span.last, []).append(span)
            self.covered.update(range(span.first, span.last + 1))
            self.scopes.add(scopes[span.first])
            opening, closing = scopes[span.first], scopes[span.last]
            self.earliest_last[opening] = min(self.earliest_last.get(opening, span.last), span.last)
            self.latest_first[closing] = max(self.latest_first.get(closing, span.first), span.first)
