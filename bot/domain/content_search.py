"""Free-text search over lessons and drills ("why does my knee cave in?").

An Okapi BM25 index, written out by hand: the corpus is a few dozen short documents, so
a dependency would buy nothing. Search only points to existing content; when nothing
matches well enough it returns no hits, and the caller offers the /learn menu instead.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from content.catalog import Catalog

__all__ = ["ContentIndex", "SearchDocument", "SearchHit", "stem", "tokenize"]

HitKind = Literal["lesson", "drill"]

# Small on purpose: words that say nothing about what the patient is asking.
_STOP_WORD_LIST = """
    a about after again all also am an and any are as at be been before being but by can
    cannot cant could did didnt do does doesnt doing dont for from get gets got had has
    have having he her here him his how i if im in into is isnt it its ive just keep me
    more most my myself no nor not now of off on once only or other our out over own she
    should so some such than that the their them then there these they this those through
    to too until very was wasnt we were what when where which while who whom why will with
    wont would you your yours
    actually correctly exactly explain help mean means please properly really tell thanks
"""
# German function words, for the German catalogue (none of them is an English content word).
_GERMAN_STOP_WORDS = """
    aber als am an auch auf aus bei beim bin bis bitte da dann das dass dem den der des die
    dies diese doch du ein eine einem einen einer er es für hat habe haben ich ihr im in ist
    ja kann mein meine meinem meinen mich mir mit nach nicht noch nur ob oder sich sie sind
    so über um und uns unter von vor warum was weil wenn wie wieso wir wird zu zum zur
    erklären erkläre heißt
"""
STOP_WORDS = frozenset(_STOP_WORD_LIST.split()) | frozenset(_GERMAN_STOP_WORDS.split())
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script: "hüfte" stays one word
_APOSTROPHES = re.compile(r"['’]")
_TAG = re.compile(r"<[^>]+>")
_UNDOUBLED = frozenset("lsz")  # "falling" -> "fall", but "stepping" -> "step"


def stem(word: str) -> str:
    """Strip common English endings so 'caves', 'caving' and 'cave' meet at one form."""
    if len(word) <= 3:
        return word
    for suffix in ("iest", "ies", "ied", "ier"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)] + "i"
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in _UNDOUBLED:
                word = word[:-1]
            break
    else:
        if word.endswith("ly") and len(word) >= 6:
            word = word[:-2]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case, drop markup and stop words, and stem what is left."""
    plain = _APOSTROPHES.sub("", html.unescape(_TAG.sub(" ", text)).lower())
    return [stem(word) for word in _WORD.findall(plain) if word not in STOP_WORDS]


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: HitKind
    id: str
    title: str
    score: float


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One lesson or drill to index; ``heading`` counts twice, so a title word weighs more."""

    kind: HitKind
    id: str
    title: str
    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class _Document:
    kind: HitKind
    id: str
    title: str
    terms: Counter[str]
    length: int


class ContentIndex:
    """BM25 over lesson and drill text, with synonyms folded to one canonical term."""

    def __init__(
        self,
        documents: Iterable[SearchDocument],
        synonym_groups: Iterable[Sequence[str]] = (),
        *,
        k1: float = 1.2,
        b: float = 0.75,
        min_relative_score: float = 0.5,
    ) -> None:
        """Index the documents; synonyms in a group are folded to the group's first word.

        ``min_relative_score`` is the share of the query's "ideal" score (every query word
        found once in a document of average length) a hit must reach to be returned.
        """
        self._k1 = k1
        self._b = b
        self._min_relative_score = min_relative_score
        self._canonical = _canonical_forms(synonym_groups)
        self._documents: list[_Document] = []
        for document in documents:
            terms = self._terms(f"{document.heading} {document.heading} {document.text}")
            self._documents.append(
                _Document(document.kind, document.id, document.title, Counter(terms), len(terms))
            )
        count = len(self._documents)
        self._average_length = sum(doc.length for doc in self._documents) / count if count else 0.0
        frequency = Counter(term for doc in self._documents for term in doc.terms)
        self._idf = {term: self._inverse_frequency(df) for term, df in frequency.items()}
        # A word no document contains is as specific as a word can be.
        self._unseen_idf = self._inverse_frequency(0)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> ContentIndex:
        """Index every lesson and drill of one locale, with that locale's synonyms."""
        documents: list[SearchDocument] = []
        for lesson in catalog.lessons:
            section = next(s.label for s in catalog.sections if s.id == lesson.section)
            body = " ".join([lesson.body, lesson.takeaway, section])
            documents.append(SearchDocument("lesson", lesson.id, lesson.title, lesson.title, body))
        for drill in catalog.drills:
            method = catalog.method(drill.method)
            signs = [catalog.sign(sign_id) for sign_id in drill.signs]
            body = " ".join(
                [
                    *drill.steps,
                    *drill.cues,
                    drill.why,
                    method.label,
                    *(f"{sign.label} {sign.description}" for sign in signs),
                ]
            )
            documents.append(SearchDocument("drill", drill.id, drill.name, drill.name, body))
        return cls(documents, catalog.taxonomy.search_synonyms)

    def search(self, query: str, limit: int = 3) -> list[SearchHit]:
        """The best-matching lessons and drills, best first; [] when nothing fits well."""
        terms = list(dict.fromkeys(self._terms(query)))
        if not terms or not self._documents or limit <= 0:
            return []
        ideal = sum(self._idf.get(term, self._unseen_idf) for term in terms)
        threshold = self._min_relative_score * ideal
        hits = [
            SearchHit(doc.kind, doc.id, doc.title, round(score, 4))
            for doc in self._documents
            if (score := self._score(doc, terms)) >= threshold and score > 0
        ]
        hits.sort(key=lambda hit: (-hit.score, hit.kind, hit.id))
        return hits[:limit]

    def _terms(self, text: str) -> list[str]:
        return [self._canonical.get(term, term) for term in tokenize(text)]

    def _inverse_frequency(self, document_frequency: int) -> float:
        count = len(self._documents)
        return math.log(1 + (count - document_frequency + 0.5) / (document_frequency + 0.5))

    def _score(self, doc: _Document, terms: Sequence[str]) -> float:
        norm = self._k1 * (1 - self._b + self._b * doc.length / self._average_length)
        score = 0.0
        for term in terms:
            frequency = doc.terms.get(term, 0)
            if frequency:
                score += self._idf[term] * frequency * (self._k1 + 1) / (frequency + norm)
        return score


def _canonical_forms(groups: Iterable[Sequence[str]]) -> Mapping[str, str]:
    """Map every stemmed synonym to its group's first word; the first group wins a clash."""
    canonical: dict[str, str] = {}
    for group in groups:
        stems = [term for word in group for term in tokenize(word)]
        if not stems:
            continue
        for term in stems:
            canonical.setdefault(term, stems[0])
    return canonical
