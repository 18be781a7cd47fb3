"""Dutch text for search: folding, stemming, synonyms and the ranking of hits (pure).

One analyser is used when a text is indexed and when a query is asked, on both database
backends, so SQLite and PostgreSQL see exactly the same tokens:

* **folding**: lower case, diacritics removed (*coördinatie* = *coordinatie*), everything
  that is not a letter or digit is a word break (*ex-gedetineerden* → *ex gedetineerden*);
* **stemming** with the Snowball ``dutch_porter`` algorithm (the original Dutch Porter
  stemmer — the one PostgreSQL's ``dutch`` configuration uses; Snowball 3's newer ``dutch``
  algorithm differs and stems *geweld* to *wel*), after dropping Dutch stop words;
* **synonyms**: groups of equivalent words for the field's abbreviations (``vt`` = ``veilig
  thuis``), expanded at query time;
* **compounds**: besides the stemmed words (channel A) every query word of at least
  :data:`MIN_SUBSTRING` letters is also looked for *inside* words (channel B, a trigram
  index), so *overlast* finds *woonoverlast* and *geweld* finds *partnergeweld*.

A document matches when every query group matches in either channel; hits are ranked by
:func:`rank`, in Python, so both backends order them the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import snowballstemmer

#: The Snowball algorithm that equals PostgreSQL's ``dutch`` text search configuration.
STEMMER_ALGORITHM = "dutch_porter"
#: Shortest query word looked for inside longer words (trigram channel).
MIN_SUBSTRING = 4

_WORD = re.compile(r"[a-z0-9]+")

#: Dutch stop words (PostgreSQL's/Snowball's Dutch list, folded): never indexed or asked.
STOP_WORDS = frozenset(
    [
        "aan",
        "al",
        "alles",
        "als",
        "altijd",
        "andere",
        "ben",
        "bij",
        "daar",
        "dan",
        "dat",
        "de",
        "der",
        "deze",
        "die",
        "dit",
        "doch",
        "doen",
        "door",
        "dus",
        "een",
        "eens",
        "en",
        "er",
        "ge",
        "geen",
        "geweest",
        "haar",
        "had",
        "heb",
        "hebben",
        "heeft",
        "hem",
        "het",
        "hier",
        "hij",
        "hoe",
        "hun",
        "iemand",
        "iets",
        "ik",
        "in",
        "is",
        "ja",
        "je",
        "kan",
        "kon",
        "kunnen",
        "maar",
        "me",
        "meer",
        "men",
        "met",
        "mij",
        "mijn",
        "moet",
        "na",
        "naar",
        "niet",
        "niets",
        "nog",
        "nu",
        "of",
        "om",
        "omdat",
        "onder",
        "ons",
        "ook",
        "op",
        "over",
        "reeds",
        "te",
        "tegen",
        "toch",
        "toen",
        "tot",
        "u",
        "uit",
        "uw",
        "van",
        "veel",
        "voor",
        "want",
        "waren",
        "was",
        "wat",
        "werd",
        "wezen",
        "wie",
        "wil",
        "worden",
        "wordt",
        "zal",
        "ze",
        "zelf",
        "zich",
        "zij",
        "zijn",
        "zo",
        "zonder",
        "zou",
    ]
)


def fold(text: str) -> str:
    """Lower case without diacritics; every run of non-alphanumerics becomes one space."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(stripped))


@dataclass(frozen=True, slots=True)
class Alternative:
    """One way a query group can match: all ``stems`` (channel A) or ``phrase`` inside
    the folded text (channel B; empty when too short for the trigram index)."""

    stems: tuple[str, ...]
    phrase: str


@dataclass(frozen=True, slots=True)
class QueryGroup:
    """One query word (or synonym group): it matches when any alternative matches.

    ``typed`` is the alternative the user typed (ranked above its synonyms on a tie).
    """

    alternatives: tuple[Alternative, ...]
    typed: int = 0


@dataclass(frozen=True, slots=True)
class IndexedText:
    """What is stored for a searchable text: folded words and their stems (space-separated)."""

    folded: str
    stemmed: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A document the database found, with the stored forms needed to rank it."""

    doc_id: int
    title_stemmed: str
    stemmed: str
    folded: str
    priority: int
    title_folded: str = ""


class DutchAnalyzer:
    """Folding, stemming and synonym expansion (one instance per composition root).

    ``synonyms``: groups of equivalent expressions, e.g. ``[["vt", "veilig thuis"]]``.
    """

    def __init__(self, synonyms: Iterable[Sequence[str]] = ()) -> None:
        self._stemmer = snowballstemmer.stemmer(STEMMER_ALGORITHM)
        self._synonyms: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
        for group in synonyms:
            forms = tuple(dict.fromkeys(tuple(fold(form).split()) for form in group if fold(form)))
            for form in forms:
                self._synonyms[form] = forms
        self._longest = max((len(form) for form in self._synonyms), default=1)

    def stem(self, word: str) -> str:
        """The ``dutch_porter`` stem of one folded word."""
        return str(self._stemmer.stemWord(word))

    def index(self, text: str) -> IndexedText:
        """The stored forms of ``text``: folded words, and stems without stop words."""
        folded = fold(text)
        stems = [self.stem(w) for w in folded.split() if w not in STOP_WORDS]
        return IndexedText(folded, " ".join(stems))

    def _alternative(self, words: tuple[str, ...]) -> Alternative:
        stems = tuple(self.stem(w) for w in words if w not in STOP_WORDS) or tuple(
            self.stem(w) for w in words
        )
        phrase = " ".join(words)
        return Alternative(stems, phrase if len(phrase) >= MIN_SUBSTRING else "")

    def query(self, text: str, max_groups: int = 8) -> list[QueryGroup]:
        """The groups of a query (synonyms first, longest match; stop words dropped).

        At most ``max_groups`` groups are kept (the rest of a long query is ignored).
        """
        words = fold(text).split()
        groups: list[QueryGroup] = []
        i = 0
        while i < len(words) and len(groups) < max_groups:
            for size in range(min(self._longest, len(words) - i), 0, -1):
                form = tuple(words[i : i + size])
                if form in self._synonyms:
                    forms = self._synonyms[form]
                    alternatives = tuple(self._alternative(f) for f in forms)
                    groups.append(QueryGroup(alternatives, forms.index(form)))
                    i += size
                    break
            else:
                word = words[i]
                i += 1
                if word not in STOP_WORDS:
                    groups.append(QueryGroup((self._alternative((word,)),)))
        return groups


@dataclass(frozen=True, slots=True)
class _Words:
    """A candidate's stored forms, split once for ranking."""

    title: frozenset[str]
    body: frozenset[str]
    title_folded: str
    folded: str


def _group_score(group: QueryGroup, words: _Words) -> tuple[int, int]:
    """How well one query group matches: 4 all its stems in the title, 3 inside a word of
    the title, 2 its stems in the text, 1 inside a word of the text, 0 not at all; and
    whether the word as typed (not a synonym) matched that well."""
    best = 0
    typed = 0
    for index, alt in enumerate(group.alternatives):
        stems = set(alt.stems)
        if stems and stems <= words.title:
            score = 4
        elif alt.phrase and alt.phrase in words.title_folded:
            score = 3
        elif stems and stems <= words.body:
            score = 2
        elif alt.phrase and alt.phrase in words.folded:
            score = 1
        else:
            score = 0
        if score > best or (score == best and index == group.typed):
            typed = int(index == group.typed and score > 0)
        best = max(best, score)
    return best, typed


def rank(groups: Sequence[QueryGroup], candidates: Iterable[Candidate]) -> list[Candidate]:
    """Candidates ordered best first: most groups matched, then the score (title over text
    over inside-a-word), then words as typed over synonyms, then ``priority`` (cards before
    questions), then newest first."""

    def key(candidate: Candidate) -> tuple[int, int, int, int, int]:
        words = _Words(
            frozenset(candidate.title_stemmed.split()),
            frozenset(candidate.stemmed.split()),
            candidate.title_folded,
            candidate.folded,
        )
        scores = [_group_score(g, words) for g in groups]
        return (
            -sum(1 for s, _ in scores if s),
            -sum(s for s, _ in scores),
            -sum(t for _, t in scores),
            -candidate.priority,
            -candidate.doc_id,
        )

    return sorted(candidates, key=key)


def snippet(text: str, groups: Sequence[QueryGroup], width: int = 140) -> str:
    """A piece of ``text`` around the first query word found in it (whole text if short)."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    folded = "".join(
        (unicodedata.normalize("NFKD", ch.lower())[:1] or " ") for ch in flat
    )  # same length as ``flat``: positions carry over
    positions = [
        folded.find(part)
        for g in groups
        for alt in g.alternatives
        for part in (alt.phrase, *alt.stems)
        if part and folded.find(part) >= 0
    ]
    start = max(0, min(positions) - width // 4) if positions else 0
    piece = flat[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(flat) else "")
