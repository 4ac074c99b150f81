"""Lexicons of serious wording errors (严重表述错误): plain text files, one term per line, `#`
starts a comment. Terms and post text are both normalized (`text.normalize`), and one
Aho-Corasick automaton (pyahocorasick) finds every term in one pass over the text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from tracker.domain.errors import TrackerError
from tracker.domain.files import read_regular_file
from tracker.rules.text import normalize


def read_lexicon(path: Path) -> bytes:
    """A lexicon file's bytes: a regular file under the size cap (a directory or /dev/zero is an error)."""
    return read_regular_file(path, "lexicon file (config [rules.banned_expression] lexicons)")


def read_terms(path: Path) -> list[str]:
    """The terms of one lexicon file, normalized, in file order."""
    data = read_lexicon(path)
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise TrackerError(f"{path}: lexicon file is not UTF-8: {exc}") from exc
    terms = []
    for line in lines:
        term = normalize(line.split("#", 1)[0])
        if term:
            terms.append(term)
    return terms


@dataclass(frozen=True)
class Lexicon:
    terms: tuple[str, ...]
    automaton: ahocorasick.Automaton | None

    def find(self, text: str) -> list[str]:
        """Distinct terms found in `text`, in order of first appearance; a term inside a longer
        matched term is still reported (both are wrong)."""
        return self.find_normalized(normalize(text)) if text else []

    def find_normalized(self, text: str) -> list[str]:
        """Like `find`, for text already normalized (`text.normalize`)."""
        if self.automaton is None or not text:
            return []
        found: dict[str, int] = {}
        for end, term in self.automaton.iter(text):
            found.setdefault(term, end - len(term) + 1)
        return sorted(found, key=lambda term: (found[term], -len(term)))


def build_lexicon(terms: Iterable[str]) -> Lexicon:
    unique = tuple(dict.fromkeys(normalize(term) for term in terms if normalize(term)))
    if not unique:
        return Lexicon(terms=(), automaton=None)
    automaton = ahocorasick.Automaton()
    for term in unique:
        automaton.add_word(term, term)
    automaton.make_automaton()
    return Lexicon(terms=unique, automaton=automaton)


def load_lexicon(paths: Iterable[Path]) -> Lexicon:
    terms: list[str] = []
    for path in paths:
        terms.extend(read_terms(path))
    return build_lexicon(terms)
