"""Suggestion relevance over the Chinook catalogue: prefixes as a search bar sends them while one
types, each with its expected top suggestion; MRR, hit@1 and hit@5 of
``GET /api/v1/search/suggestions`` (limit 5) on SQLite or PostgreSQL.

    PYTHONPATH=src python bench/suggestion_relevance.py                       # SQLite (a temp file)
    PYTHONPATH=src python bench/suggestion_relevance.py --database-url postgresql+asyncpg://postgres@127.0.0.1/veza_relevance

Seeded like bench/search_relevance.py (3,503 Chinook tracks, one account per artist whose
display name is the artist's name) unless ``--no-seed``. A suggestion is relevant when it is a
track satisfying the expectation (its artist, its exact title, or both), or, for an
expectation of an artist alone, that artist's account. The reciprocal rank of the first
relevant suggestion among the five is the prefix's score (0 when none is there).
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from veza.app import create_app
from veza.config import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_relevance import seeded_catalogue

LIMIT = 5


@dataclass(frozen=True)
class Prefix:
    typed: str
    kind: str  # what the prefix tests
    artist: str | None = None
    title: str | None = None

    def relevant(self, suggestion: dict[str, Any]) -> bool:
        if suggestion["type"] == "user":
            return self.title is None and suggestion.get("subtitle") == self.artist
        if self.artist is not None and suggestion.get("subtitle") != self.artist:
            return False
        return self.title is None or suggestion["text"] == self.title


PREFIXES = [
    # An artist's name being typed.
    Prefix("metall", "artist prefix", artist="Metallica"),
    Prefix("iron mai", "artist prefix", artist="Iron Maiden"),
    Prefix("led zep", "artist prefix", artist="Led Zeppelin"),
    Prefix("pearl ja", "artist prefix", artist="Pearl Jam"),
    Prefix("foo fig", "artist prefix", artist="Foo Fighters"),
    Prefix("aerosm", "artist prefix", artist="Aerosmith"),
    Prefix("soundga", "artist prefix", artist="Soundgarden"),
    Prefix("jamiroq", "artist prefix", artist="Jamiroquai"),
    Prefix("van hal", "artist prefix", artist="Van Halen"),
    Prefix("creedence", "artist prefix", artist="Creedence Clearwater Revival"),
    Prefix("smashing pu", "artist prefix", artist="Smashing Pumpkins"),
    Prefix("eric clap", "artist prefix", artist="Eric Clapton"),
    Prefix("red hot chili", "artist prefix", artist="Red Hot Chili Peppers"),
    Prefix("stone temple", "artist prefix", artist="Stone Temple Pilots"),
    Prefix("the doors", "artist prefix", artist="The Doors"),
    # A title being typed.
    Prefix("stairway to", "title prefix", title="Stairway To Heaven"),
    Prefix("bohemian rh", "title prefix", title="Bohemian Rhapsody"),
    Prefix("smells like", "title prefix", title="Smells Like Teen Spirit"),
    Prefix("sweet child", "title prefix", title="Sweet Child O' Mine"),
    Prefix("californicat", "title prefix", title="Californication"),
    Prefix("enter sand", "title prefix", title="Enter Sandman"),
    Prefix("paranoid", "title prefix", title="Paranoid"),
    Prefix("black sabbath", "title prefix", title="Black Sabbath"),
    Prefix("fear of the d", "title prefix", title="Fear Of The Dark"),
    # Accents and punctuation folded.
    Prefix("motorh", "accents", artist="Motörhead"),
    Prefix("motley cr", "accents", artist="Mötley Crüe"),
    Prefix("legiao urb", "accents", artist="Legião Urbana"),
    Prefix("agua de be", "accents", title="Água de Beber"),
    Prefix("acdc", "punctuation", artist="AC/DC"),
    Prefix("ac/dc", "punctuation", artist="AC/DC"),
    Prefix("guns n ro", "punctuation", artist="Guns N' Roses"),
    Prefix("r.e.m", "punctuation", artist="R.E.M."),
    # A typo in a word of 5+ letters.
    Prefix("metalica", "typo", artist="Metallica"),
    Prefix("iron maidn", "typo", artist="Iron Maiden"),
    Prefix("nirvna", "typo", artist="Nirvana"),
    Prefix("scorpins", "typo", artist="Scorpions"),
]


async def evaluate(settings: Settings) -> tuple[float, float, float, list[tuple[Prefix, int]]]:
    """MRR, hit@1, hit@5 and each prefix's rank (0: not among the five)."""
    app = create_app(settings)
    ranks: list[tuple[Prefix, int]] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for prefix in PREFIXES:
            response = await client.get(
                "/api/v1/search/suggestions", params={"q": prefix.typed, "limit": LIMIT}
            )
            response.raise_for_status()
            found = response.json()["data"]["suggestions"]
            rank = next((i + 1 for i, s in enumerate(found) if prefix.relevant(s)), 0)
            ranks.append((prefix, rank))
    await app.state.db.dispose()
    mrr = sum(1 / rank for _, rank in ranks if rank) / len(ranks)
    first = sum(1 for _, rank in ranks if rank == 1) / len(ranks)
    hits = sum(1 for _, rank in ranks if rank) / len(ranks)
    return mrr, first, hits, ranks


def main() -> None:
    settings, backend = seeded_catalogue(__doc__.splitlines()[0])
    mrr, first, hits, ranks = asyncio.run(evaluate(settings))
    scores = f"MRR {mrr:.3f}, hit@1 {first:.3f}, hit@{LIMIT} {hits:.3f}"
    print(f"{backend}: {len(ranks)} prefixes, {scores}")
    for prefix, rank in ranks:
        if rank != 1:
            print(f"  rank {rank or f'>{LIMIT}'}: {prefix.typed!r} ({prefix.kind})")


if __name__ == "__main__":
    main()
