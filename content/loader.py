"""The one way in: read every file under ``content/``, check it, and hand back ``Content``.

``load_content`` is what the bot calls at start-up: it raises one ``ContentError`` listing
every problem (file and field), so a broken file stops the start, not a patient's chat.
``check_content`` runs the same reading and checks and returns the problems, for
``reed content check``. Both do blocking file I/O: call them at start-up, not from a coroutine.

The layout::

    content/consent.yaml, timezones.yaml, plans.yaml     one of each, for every language
    content/emergency_numbers.yaml
    content/locales/<lang>/messages.yaml, messages/*.yaml, every language has its own
                           search.yaml, red_flags.yaml
    content/locales/<lang>/taxonomy.yaml, lessons.yaml, checkins.yaml, cards.yaml, drills/
                                                         English, or a translation of it

A language is a folder with a ``messages.yaml``; adding one needs no code. Its lessons and
drills may be translated file by file (the rest is English), and a translated file must
define exactly the ids English defines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from content.catalog import Catalog
from content.checks.cards import check_cards, check_rendered
from content.checks.checkins import check_checkins
from content.checks.common import check_texts
from content.checks.drills import check_drills
from content.checks.emergency_numbers import check_emergency_numbers
from content.checks.lessons import check_lessons
from content.checks.messages import check_messages, check_translated_messages
from content.checks.plans import check_plans
from content.checks.red_flags import check_red_flag_words
from content.checks.search import check_search_words
from content.checks.taxonomy import check_taxonomy
from content.checks.timezones import check_timezones
from content.checks.translations import check_translation
from content.messages import DEFAULT_LANGUAGE, MessageCatalogue
from content.models import (
    Cards,
    Checkins,
    City,
    Consent,
    DrillFile,
    EmergencyNumbers,
    LessonFile,
    Plans,
    RedFlagWords,
    SearchWords,
    StarterPlan,
    Taxonomy,
    TimeZones,
)
from content.problems import ContentError, ContentProblem
from content.reading import UNREADABLE, Parsed, parse_file, read_yaml

__all__ = [
    "CONTENT_ROOT",
    "DEFAULT_LOCALES_ROOT",
    "FALLBACK_LOCALE",
    "Content",
    "ContentRule",
    "check_content",
    "load_catalog",
    "load_content",
]

CONTENT_ROOT = Path(__file__).resolve().parent
DEFAULT_LOCALES_ROOT = CONTENT_ROOT / "locales"
FALLBACK_LOCALE = DEFAULT_LANGUAGE

TAXONOMY_FILE = "taxonomy.yaml"
LESSONS_FILE = "lessons.yaml"
CHECKINS_FILE = "checkins.yaml"
CARDS_FILE = "cards.yaml"
DRILLS_DIR = "drills"
CONTENT_FILES = (TAXONOMY_FILE, LESSONS_FILE, CHECKINS_FILE, CARDS_FILE)
MESSAGES_FILE = "messages.yaml"
MESSAGES_DIR = "messages"
SEARCH_FILE = "search.yaml"
RED_FLAGS_FILE = "red_flags.yaml"
CONSENT_FILE = "consent.yaml"
TIMEZONES_FILE = "timezones.yaml"
PLANS_FILE = "plans.yaml"
EMERGENCY_NUMBERS_FILE = "emergency_numbers.yaml"


@dataclass(frozen=True)
class Content:
    """Everything under ``content/`` a running bot needs, read and checked."""

    catalogs: Mapping[str, Catalog]  # lessons, drills and check-ins, per language
    messages: MessageCatalogue
    search_words: Mapping[str, SearchWords]  # per language
    # Per language; compile them once with bot.domain.red_flags.red_flag_rules(content).
    red_flag_words: Mapping[str, RedFlagWords]
    consent_version: str
    timezone_regions: Mapping[str, list[City]]  # region id -> cities, in button order
    starter_plan: StarterPlan
    # Read it with bot.domain.emergency.emergency_number(zone, content.emergency_numbers).
    emergency_numbers: EmergencyNumbers

    @property
    def languages(self) -> list[str]:
        return self.messages.languages

    def catalog(self, language: str | None) -> Catalog:
        """The catalogue of the language the bot speaks for this preference (``de-AT`` -> de)."""
        return self.catalogs[self.messages.resolve_language(language)]


# A check that code outside content/ needs the content to pass (e.g. the safety rules'
# pain scale); it receives the loaded content and names the file and field to fix.
ContentRule = Callable[[Content], Iterable[ContentProblem]]


def load_content(root: Path = CONTENT_ROOT, *, rules: Iterable[ContentRule] = ()) -> Content:
    """Read and check everything under ``root``; raise ContentError listing every problem."""
    content, problems = _load(root, rules)
    if content is None or problems:
        raise ContentError(problems)
    return content


def check_content(
    root: Path = CONTENT_ROOT, *, rules: Iterable[ContentRule] = ()
) -> list[ContentProblem]:
    """Every problem under ``root`` (empty when all is well), for ``reed content check``."""
    return _load(root, rules)[1]


def load_catalog(locale: str = FALLBACK_LOCALE, root: Path | None = None) -> Catalog:
    """One locale's catalogue, checked; raise ContentError listing every problem found.

    ``root`` is the folder holding one sub-folder per locale (default: content/locales).
    """
    problems: list[ContentProblem] = []
    catalog = _read_catalog(root or DEFAULT_LOCALES_ROOT, locale, problems)
    if catalog is None or problems:
        raise ContentError(_unique(problems))
    return catalog


# --- the whole tree ------------------------------------------------------------------------


def _load(root: Path, rules: Iterable[ContentRule]) -> tuple[Content | None, list[ContentProblem]]:
    problems: list[ContentProblem] = []
    locales_root = root / "locales"
    messages = _read_messages(locales_root, problems)
    catalogs = {
        locale: _read_catalog(locales_root, locale, problems)
        for locale in _catalog_locales(locales_root, messages)
    }
    search_words = {
        code: parse_file(
            locales_root / code / SEARCH_FILE, f"{code}/{SEARCH_FILE}", SearchWords, problems
        )
        for code in messages
    }
    for parsed in search_words.values():
        if parsed is not None:
            problems.extend(check_search_words(parsed))
    red_flag_words = {
        code: parse_file(
            locales_root / code / RED_FLAGS_FILE, f"{code}/{RED_FLAGS_FILE}", RedFlagWords, problems
        )
        for code in messages
    }
    for code, flag_words in red_flag_words.items():
        catalog = catalogs.get(code)
        checkins = (
            None
            if catalog is None
            else Parsed(catalog.checkins, catalog.files.get(CHECKINS_FILE, CHECKINS_FILE))
        )
        if flag_words is not None:
            problems.extend(check_red_flag_words(flag_words, checkins))
    consent = parse_file(root / CONSENT_FILE, CONSENT_FILE, Consent, problems)
    timezones = parse_file(root / TIMEZONES_FILE, TIMEZONES_FILE, TimeZones, problems)
    english_messages = messages.get(FALLBACK_LOCALE, {})
    if timezones is not None:
        english_file = f"{FALLBACK_LOCALE}/{MESSAGES_FILE}"
        problems.extend(check_timezones(timezones, english_messages, english_file))
    emergency = parse_file(
        root / EMERGENCY_NUMBERS_FILE, EMERGENCY_NUMBERS_FILE, EmergencyNumbers, problems
    )
    if emergency is not None:
        problems.extend(check_emergency_numbers(emergency, timezones))
    plans = parse_file(root / PLANS_FILE, PLANS_FILE, Plans, problems)
    english = catalogs.get(FALLBACK_LOCALE)
    if plans is not None and english is not None:
        problems.extend(check_plans(plans, {drill.id for drill in english.drills}))
    if problems or consent is None or timezones is None or plans is None or emergency is None:
        return None, _unique(problems)
    content = Content(
        catalogs={
            code: catalog for code, catalog in catalogs.items() if code in messages and catalog
        },
        messages=MessageCatalogue(messages),
        search_words={code: parsed.model for code, parsed in search_words.items() if parsed},
        red_flag_words={code: words.model for code, words in red_flag_words.items() if words},
        consent_version=consent.model.version,
        timezone_regions={
            region: list(cities) for region, cities in timezones.model.regions.items()
        },
        starter_plan=plans.model.starter,
        emergency_numbers=emergency.model,
    )
    for rule in rules:
        problems.extend(rule(content))
    return (None if problems else content), _unique(problems)


def _catalog_locales(locales_root: Path, languages: Iterable[str]) -> list[str]:
    """English first, then every language and every folder holding a lesson or drill file."""
    with_files = (
        {
            folder.name
            for folder in locales_root.iterdir()
            if folder.is_dir()
            and (
                any((folder / name).is_file() for name in CONTENT_FILES)
                or (folder / DRILLS_DIR).is_dir()
            )
        }
        if locales_root.is_dir()
        else set()
    )
    others = sorted((with_files | set(languages)) - {FALLBACK_LOCALE})
    return [FALLBACK_LOCALE, *others]


def _unique(problems: Iterable[ContentProblem]) -> list[ContentProblem]:
    """Each problem once: a file English and a translation share is checked with each."""
    return list(dict.fromkeys(problems))


# --- messages ------------------------------------------------------------------------------


def _read_messages(locales_root: Path, problems: list[ContentProblem]) -> dict[str, dict[str, str]]:
    """Each language's entries, flattened to dotted keys (``buttons.agree``).

    A language's sentences are its ``messages.yaml`` and, for a feature that has many, one
    file each under ``messages/`` (``messages/checkin.yaml``). Keys are global: a key defined
    in two files is a problem. A translation is checked file by file against English's file
    of the same name.
    """
    languages: dict[str, dict[str, str]] = {}
    files: dict[str, dict[str, dict[str, str]]] = {}
    paths = sorted(locales_root.glob(f"*/{MESSAGES_FILE}"))
    if not any(path.parent.name == FALLBACK_LOCALE for path in paths):
        problems.append(ContentProblem(f"{FALLBACK_LOCALE}/{MESSAGES_FILE}", "", "file is missing"))
    for path in paths:
        code = path.parent.name
        merged: dict[str, str] = {}
        languages[code] = merged
        files[code] = {}
        for part in (path, *sorted((path.parent / MESSAGES_DIR).glob("*.yaml"))):
            file = part.relative_to(locales_root).as_posix()
            tree = read_yaml(part, file, problems)
            if tree is UNREADABLE:
                continue
            if not isinstance(tree, Mapping):
                problems.append(ContentProblem(file, "", "expected a mapping of message keys"))
                continue
            entries = _flatten(tree)
            problems.extend(
                ContentProblem(file, key, "defined in another messages file too")
                for key in sorted(entries.keys() & merged.keys())
            )
            merged.update(entries)
            files[code][part.relative_to(path.parent).as_posix()] = entries
            problems.extend(check_messages(file, entries))
    english = files.get(FALLBACK_LOCALE)
    if english is not None:
        for code, parts in files.items():
            if code == FALLBACK_LOCALE:
                continue
            for name in sorted(english.keys() | parts.keys()):
                problems.extend(
                    check_translated_messages(
                        f"{code}/{name}",
                        parts.get(name, {}),
                        english.get(name, {}),
                        FALLBACK_LOCALE,
                    )
                )
    return languages


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value.strip("\n") if isinstance(value, str) else str(value)
    return flat


# --- one locale's catalogue ----------------------------------------------------------------


@dataclass(frozen=True)
class _LocaleFiles:
    taxonomy: Parsed[Taxonomy]
    lessons: Parsed[LessonFile]
    checkins: Parsed[Checkins]
    cards: Parsed[Cards]
    drills: list[Parsed[DrillFile]]

    def all(self) -> Iterator[Parsed[Any]]:
        yield self.taxonomy
        yield self.lessons
        yield self.checkins
        yield self.cards
        yield from self.drills


def _read_catalog(
    locales_root: Path, locale: str, problems: list[ContentProblem]
) -> Catalog | None:
    files = _LocaleReader(locales_root, locale, problems).read()
    if files is None:
        return None
    found = _check_locale(files)
    if found:
        problems.extend(found)
        return None
    catalog = Catalog(
        locale=locale,
        taxonomy=files.taxonomy.model,
        lessons=files.lessons.model.lessons,
        drills=[drill for parsed in files.drills for drill in parsed.model.drills],
        checkins=files.checkins.model,
        cards=files.cards.model,
        files={
            name: parsed.file
            for name, parsed in (
                (TAXONOMY_FILE, files.taxonomy),
                (LESSONS_FILE, files.lessons),
                (CHECKINS_FILE, files.checkins),
                (CARDS_FILE, files.cards),
            )
        },
    )
    found = list(check_rendered(catalog, files.lessons, files.drills))
    problems.extend(found)
    return None if found else catalog


def _check_locale(files: _LocaleFiles) -> list[ContentProblem]:
    return [
        *(problem for parsed in files.all() for problem in check_texts(parsed.model, parsed.file)),
        *check_taxonomy(files.taxonomy),
        *check_lessons(files.lessons, files.taxonomy),
        *check_drills(files.drills, files.taxonomy, files.lessons),
        *check_checkins(files.checkins),
        *check_cards(files.cards),
    ]


class _LocaleReader:
    """Reads a locale's catalogue files, each from the locale's folder or else from English."""

    def __init__(self, locales_root: Path, locale: str, problems: list[ContentProblem]) -> None:
        self.root = locales_root
        self.locale = locale
        self.problems = problems

    def read(self) -> _LocaleFiles | None:
        taxonomy = self._read(TAXONOMY_FILE, Taxonomy)
        lessons = self._read(LESSONS_FILE, LessonFile)
        checkins = self._read(CHECKINS_FILE, Checkins)
        cards = self._read(CARDS_FILE, Cards, translated_freely=True)
        drills = self._read_drills()
        if taxonomy and lessons and checkins and cards and drills is not None:
            return _LocaleFiles(taxonomy, lessons, checkins, cards, drills)
        return None

    def _read(
        self, relative: str, model: type[Any], *, translated_freely: bool = False
    ) -> Parsed[Any] | None:
        english_file = f"{FALLBACK_LOCALE}/{relative}"
        localized = self.root / self.locale / relative
        if self.locale == FALLBACK_LOCALE or not localized.is_file():
            return parse_file(self.root / english_file, english_file, model, self.problems)
        parsed = parse_file(localized, f"{self.locale}/{relative}", model, self.problems)
        if parsed is not None and not translated_freely:
            # English's own problems are reported when English is checked.
            english = parse_file(self.root / english_file, english_file, model, [])
            if english is not None:
                self.problems.extend(check_translation(parsed.file, english.model, parsed.model))
        return parsed

    def _read_drills(self) -> list[Parsed[DrillFile]] | None:
        names = sorted(
            path.name for path in (self.root / FALLBACK_LOCALE / DRILLS_DIR).glob("*.yaml")
        )
        if not names:
            self.problems.append(
                ContentProblem(f"{FALLBACK_LOCALE}/{DRILLS_DIR}", "", "no drill files found")
            )
            return None
        if self.locale != FALLBACK_LOCALE:
            for path in sorted((self.root / self.locale / DRILLS_DIR).glob("*.yaml")):
                if path.name not in names:
                    self.problems.append(
                        ContentProblem(
                            f"{self.locale}/{DRILLS_DIR}/{path.name}",
                            "",
                            f"no English drill file {DRILLS_DIR}/{path.name} to translate",
                        )
                    )
        files = [self._read(f"{DRILLS_DIR}/{name}", DrillFile) for name in names]
        complete = [parsed for parsed in files if parsed is not None]
        return complete if len(complete) == len(files) else None
