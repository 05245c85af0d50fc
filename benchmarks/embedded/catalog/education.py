"""Education: classic books, word games and universities."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from benchmarks.embedded.core import (
    Api,
    Args,
    Domain,
    InvalidArguments,
    Param,
    Response,
    Tool,
    between,
    fields,
    integer,
    names,
    whole,
)
from benchmarks.embedded.entities import BOOK, BOOKS, UNIVERSITIES, UNIVERSITY, WORDS

CATEGORY = "Education"

_BOOKS_PER_AUTHOR = Counter(b.author for b in BOOKS)
AUTHORS = tuple(sorted(_BOOKS_PER_AUTHOR))
PROLIFIC_AUTHORS = tuple(a for a in AUTHORS if _BOOKS_PER_AUTHOR[a] >= 2)
SCRABBLE = {**dict.fromkeys("aeilnorstu", 1), **dict.fromkeys("dg", 2), **dict.fromkeys("bcmp", 3),
            **dict.fromkeys("fhvwy", 4), "k": 5, **dict.fromkeys("jx", 8), **dict.fromkeys("qz", 10)}
VOWELS = frozenset("aeiou")


def _book(a: Args) -> Response:
    b = BOOK[a["title"]]
    return {"title": b.title, "author": b.author, "first_published": b.first_published, "genre": b.genre,
            "pages": integer(180, 1200, b.title, "pages")}


def _by_author(a: Args) -> Response:
    books = sorted((b for b in BOOKS if b.author == a["author"]), key=lambda b: b.first_published)
    return {"author": a["author"], "books": [{"title": b.title, "first_published": b.first_published} for b in books]}


def _author_facts(ctx: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(b["title"] for b in ctx["books"])


def _parse_word(raw: Any) -> str:
    if isinstance(raw, str) and raw.strip().isalpha() and raw.strip().isascii() and len(raw.strip()) <= 30:
        return raw.strip().lower()
    raise InvalidArguments(f"expected a single word of letters, got {raw!r}")


WORD = Domain(_parse_word, lambda rng: rng.choice(WORDS))


def _scrabble(a: Args) -> Response:
    return {"word": a["word"], "score": sum(SCRABBLE[c] for c in a["word"]), "letters": len(a["word"])}


def _word_stats(a: Args) -> Response:
    w = a["word"]
    vowels = sum(c in VOWELS for c in w)
    return {"word": w, "letters": len(w), "vowels": vowels, "consonants": len(w) - vowels,
            "unique_letters": len(set(w)), "is_palindrome": w == w[::-1]}


def _university(a: Args) -> Response:
    u = UNIVERSITY[a["university"]]
    return {"name": u.name, "city": u.city, "country": u.country, "founded": u.founded}


def _admissions(a: Args) -> Response:
    key = (a["university"], a["year"])
    applicants = integer(9_000, 60_000, *key)
    rate = between(3.5, 35.0, a["university"], "selectivity")
    return {"university": a["university"], "year": a["year"], "applicants": applicants,
            "admitted": round(applicants * rate / 100), "acceptance_rate_pct": rate}


UNIVERSITY_PARAM = Param("university", "STRING", "University name", "University of Oxford",
                         names([u.name for u in UNIVERSITIES]))

BOOKS_TOOL = Tool("OpenShelf Books", "A catalogue of classic literature.", (
    Api("Book Details", "Author, first publication year, genre and page count of a book.",
        (Param("title", "STRING", "Book title", "Emma", names([b.title for b in BOOKS])),), _book,
        asks=("Who wrote {title}, and when was it first published?",
              "Get the book details for {title}: author and year of first publication.",
              "I'm writing an essay on {title}. Who is the author and what year did it come out?"),
        answer="{title} was written by {author} and first published in {first_published}.",
        facts=fields("{author}", "{first_published}")),
    Api("Books By Author", "All books in the catalogue by an author, oldest first.",
        (Param("author", "STRING", "Author name", "Jane Austen", names(AUTHORS, PROLIFIC_AUTHORS)),), _by_author,
        asks=("Which books by {author} are in the catalogue?",
              "List the novels written by {author}.",
              "What has {author} written? Give me the titles."),
        answer="{author} wrote {titles}.",
        answer_fields=lambda a, r: {"titles": ", ".join(b["title"] for b in r["books"])},
        facts=_author_facts),
))

WORDSMITH = Tool("WordSmith", "Word games and word statistics.", (
    Api("Scrabble Score", "The Scrabble score of a word (standard English letter values).",
        (Param("word", "STRING", "A single word", "quiz", WORD),), _scrabble,
        asks=("What's the Scrabble score of the word {word}?",
              "How many points is {word} worth in Scrabble?",
              "Score the word {word} for Scrabble."),
        answer="{word} scores {score} points in Scrabble.",
        facts=fields("{score}")),
    Api("Word Stats", "Letter, vowel and consonant counts of a word.",
        (Param("word", "string", "A single word", "banana", WORD),), _word_stats,
        asks=("How many vowels and consonants are in the word {word}?",
              "Count the vowels and consonants in {word}.",
              "Give me the letter statistics for {word}: vowels and consonants."),
        answer="{word} has {vowels} vowels and {consonants} consonants.",
        facts=fields("{vowels}", "{consonants}")),
))

CAMPUS = Tool("CampusFinder", "University facts and admission statistics.", (
    Api("University Info", "Location and founding year of a university.", (UNIVERSITY_PARAM,), _university,
        asks=("In which country is {university}, and when was it founded?",
              "Tell me the country and founding year of {university}.",
              "What year was {university} founded, and which country is it in?"),
        answer="{university} is in {city}, {country}, founded in {founded}.",
        facts=fields("{country}", "{founded}")),
    Api("Admission Stats", "Applicants, admitted students and acceptance rate of a university for a year.",
        (UNIVERSITY_PARAM, Param("year", "NUMBER", "Admission year", 2023, whole(2018, 2024))), _admissions,
        asks=("How many people applied to {university} in {year}, and what was the acceptance rate?",
              "Get the {year} admission statistics for {university}.",
              "What was {university}'s acceptance rate in {year}, and how many applicants were there?"),
        answer="{university} had {applicants:,} applicants in {year} and admitted {acceptance_rate_pct}%.",
        facts=fields("{applicants}", "{acceptance_rate_pct}")),
))

TOOLS = (BOOKS_TOOL, WORDSMITH, CAMPUS)
