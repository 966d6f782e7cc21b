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
from content.models import SearchWords, StemRule

__all__ = ["ContentIndex", "SearchDocument", "SearchHit", "Tokenizer"]

HitKind = Literal["lesson", "drill"]

_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script: "hüfte" stays one word
_APOSTROPHES = re.compile(r"['’]")
_TAG = re.compile(r"<[^>]+>")


class Tokenizer:
    """A language's way of reading text for search, from its ``search.yaml``: stop words
    dropped, word forms stemmed so that "caves", "caving" and "cave" meet at one form."""

    def __init__(self, words: SearchWords) -> None:
        self._stop_words = words.stop_words
        self._stemming = words.stemming

    def stem(self, word: str) -> str:
        """The word with its ending removed by the language's stemming rules."""
        stemming = self._stemming
        if len(word) < stemming.min_length:
            return word
        for step in stemming.steps:
            rule = next((rule for rule in step if _fits(rule, word)), None)
            if rule is None:
                continue
            word = word[: -len(rule.ending)]
            if (
                rule.undouble
                and len(word) > rule.min_stem
                and word[-1] == word[-2]
                and word[-1] not in stemming.keep_doubled
            ):
                word = word[:-1]
            word += rule.replace
        return word

    def tokenize(self, text: str) -> list[str]:
        """Lower-case, drop markup and stop words, and stem what is left."""
        plain = _APOSTROPHES.sub("", html.unescape(_TAG.sub(" ", text)).lower())
        return [self.stem(word) for word in _WORD.findall(plain) if word not in self._stop_words]


def _fits(rule: StemRule, word: str) -> bool:
    return (
        word.endswith(rule.ending)
        and len(word) - len(rule.ending) >= rule.min_stem
        and not any(word.endswith(ending) for ending in rule.unless)
    )


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
        tokenizer: Tokenizer,
        synonym_groups: Iterable[Sequence[str]] = (),
        *,
        k1: float = 1.2,
        b: float = 0.75,
        min_relative_score: float = 0.5,
    ) -> None:
        """Index the documents, read by the language's tokenizer; synonyms in a group are
        folded to the group's first word.

        ``min_relative_score`` is the share of the query's "ideal" score (every query word
        found once in a document of average length) a hit must reach to be returned.
        """
        self._k1 = k1
        self._b = b
        self._min_relative_score = min_relative_score
        self._tokenizer = tokenizer
        self._canonical = _canonical_forms(synonym_groups, tokenizer)
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
    def from_catalog(cls, catalog: Catalog, words: SearchWords) -> ContentIndex:
        """Index every lesson and drill of one locale, with that locale's words and synonyms."""
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
        return cls(documents, Tokenizer(words), catalog.taxonomy.search_synonyms)

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
        return [self._canonical.get(term, term) for term in self._tokenizer.tokenize(text)]

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


def _canonical_forms(groups: Iterable[Sequence[str]], tokenizer: Tokenizer) -> Mapping[str, str]:
    """Map every stemmed synonym to its group's first word; the first group wins a clash."""
    canonical: dict[str, str] = {}
    for group in groups:
        stems = [term for word in group for term in tokenizer.tokenize(word)]
        if not stems:
            continue
        for term in stems:
            canonical.setdefault(term, stems[0])
    return canonical
