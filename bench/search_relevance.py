"""Search relevance over the Chinook catalogue: 61 queries with their expected top results, MRR
and hit@5 of ``GET /api/v1/search?type=track`` on SQLite or PostgreSQL.

    PYTHONPATH=src python bench/search_relevance.py                       # SQLite (a temp file)
    PYTHONPATH=src python bench/search_relevance.py --database-url postgresql+asyncpg://postgres@127.0.0.1/veza_relevance

The database is seeded with the 3,503 Chinook tracks (bench/search_catalogue.py) unless
``--no-seed``. A result is relevant when it satisfies the query's expectation (an artist, a
title, or both); the reciprocal rank of the first relevant result among the top 10 is the
query's score (0 when none is there).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from veza.app import create_app
from veza.config import AuthSettings, LogSettings, Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_catalogue import seed


@dataclass(frozen=True)
class Case:
    query: str
    kind: str  # what the query tests
    artist: str | None = None  # the artist a relevant track has
    title: str | None = None  # the title a relevant track has (exactly)
    title_starts: str | None = None

    def relevant(self, track: dict[str, Any]) -> bool:
        if self.artist is not None and track.get("artist") != self.artist:
            return False
        if self.title is not None and track["title"] != self.title:
            return False
        return not (self.title_starts and not track["title"].startswith(self.title_starts))


CASES = [
    # One typo in a word of 5+ letters.
    Case("metalica", "typo", artist="Metallica"),
    Case("led zepelin", "typo", artist="Led Zeppelin"),
    Case("nirvna", "typo", artist="Nirvana"),
    Case("aerosmih", "typo", artist="Aerosmith"),
    Case("soundgardn", "typo", artist="Soundgarden"),
    Case("scorpins", "typo", artist="Scorpions"),
    Case("pink floid", "typo", artist="Pink Floyd"),
    Case("van halne", "typo", artist="Van Halen"),
    Case("jamiroqai", "typo", artist="Jamiroquai"),
    Case("iron maidn", "typo", artist="Iron Maiden"),
    Case("californiacation", "typo", title="Californication"),
    Case("bohemian rapsody", "typo", title="Bohemian Rhapsody"),
    # Accents folded.
    Case("motorhead", "accents", artist="Motörhead"),
    Case("motley crue", "accents", artist="Mötley Crüe"),
    Case("oia eu aqui de novo", "accents", title="Óia Eu Aqui De Novo"),
    Case("ultimo pau de arara", "accents", title="Último Pau-De-Arara"),
    Case("legiao urbana", "accents", artist="Legião Urbana"),
    Case("titas", "accents", artist="Titãs"),
    Case("cassia eller", "accents", artist="Cássia Eller"),
    Case("antonio carlos jobim", "accents", artist="Antônio Carlos Jobim"),
    Case("vinicius de moraes", "accents", artist="Vinícius De Moraes"),
    Case("maracatu atomico", "accents", title_starts="Maracatu Atômico"),
    Case("agua de beber", "accents", title="Água de Beber"),
    # An exact (accented or not) title before its folded twin.
    Case("Sábado À Noite", "exact accented", title="Sábado À Noite"),
    Case("Sábado A Noite", "exact accented", title="Sábado A Noite"),
    Case("Atrás da Porta", "exact accented", title="Atrás da Porta"),
    Case("Atras Da Porta", "exact accented", title="Atras Da Porta"),
    # Punctuation.
    Case("acdc", "punctuation", artist="AC/DC"),
    Case("ac dc", "punctuation", artist="AC/DC"),
    Case("ac/dc", "punctuation", artist="AC/DC"),
    Case("rem", "punctuation", artist="R.E.M."),
    Case("r.e.m.", "punctuation", artist="R.E.M."),
    Case("guns n roses", "punctuation", artist="Guns N' Roses"),
    Case("sweet child o mine", "punctuation", title="Sweet Child O' Mine"),
    Case("yoyo ma", "punctuation", artist="Yo-Yo Ma"),
    Case("yo-yo ma", "punctuation", artist="Yo-Yo Ma"),
    # Two-letter and short names.
    Case("u2", "short name", artist="U2"),
    Case("ub40", "short name", artist="UB40"),
    Case("jet", "short name", artist="JET"),
    Case("kiss", "short name", artist="Kiss"),
    # Prefixes (the search bar as one types).
    Case("red hot chili pep", "prefix", artist="Red Hot Chili Peppers"),
    Case("pearl ja", "prefix", artist="Pearl Jam"),
    Case("smashing pump", "prefix", artist="Smashing Pumpkins"),
    Case("foo fight", "prefix", artist="Foo Fighters"),
    Case("stone temple pil", "prefix", artist="Stone Temple Pilots"),
    Case("creedence clear", "prefix", artist="Creedence Clearwater Revival"),
    Case("stairway to hea", "prefix", title="Stairway To Heaven"),
    # Several words across fields, in any order.
    Case(
        "metallica master of puppets", "multi-field", artist="Metallica", title="Master Of Puppets"
    ),
    Case(
        "master of puppets metallica", "multi-field", artist="Metallica", title="Master Of Puppets"
    ),
    Case(
        "iron maiden fear of the dark",
        "multi-field",
        artist="Iron Maiden",
        title="Fear Of The Dark",
    ),
    Case("u2 one", "multi-field", artist="U2", title="One"),
    Case("metallica one", "multi-field", artist="Metallica", title="One"),
    Case("pink floyd money", "multi-field", artist="Pink Floyd", title="Money"),
    Case("nirvana teen spirit", "multi-field", artist="Nirvana", title="Smells Like Teen Spirit"),
    Case("doors light my fire", "multi-field", artist="The Doors", title="Light My Fire"),
    # Artist against title: the exact title first, then the artist's tracks.
    Case("black sabbath", "artist vs title", title="Black Sabbath"),
    Case("the who", "artist vs title", artist="The Who"),
    Case("the doors", "artist vs title", artist="The Doors"),
    Case("eric clapton", "artist vs title", artist="Eric Clapton"),
    Case("paranoid", "artist vs title", title="Paranoid"),
    Case("queen", "artist vs title", artist="Queen"),
]


async def evaluate(settings: Settings) -> tuple[float, float, list[tuple[Case, int]]]:
    """MRR, hit@5 and each case's rank (0: not in the top 10)."""
    app = create_app(settings)
    ranks: list[tuple[Case, int]] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for case in CASES:
            response = await client.get(
                "/api/v1/search", params={"q": case.query, "type": "track", "limit": 10}
            )
            response.raise_for_status()
            tracks = response.json()["data"]["tracks"]
            rank = next((i + 1 for i, t in enumerate(tracks) if case.relevant(t)), 0)
            ranks.append((case, rank))
    await app.state.db.dispose()
    mrr = sum(1 / rank for _, rank in ranks if rank) / len(ranks)
    hits = sum(1 for _, rank in ranks if 0 < rank <= 5) / len(ranks)
    return mrr, hits, ranks


def seeded_catalogue(description: str) -> tuple[Settings, str]:
    """The command line's database (a fresh SQLite file by default) seeded with the real
    Chinook catalogue unless ``--no-seed``: the settings to run the app on, and the backend."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="veza-relevance-"))
    url = args.database_url or f"sqlite+aiosqlite:///{folder / 'veza.db'}"
    if not args.no_seed:
        asyncio.run(seed(url, 3503, folder))
    settings = Settings(
        data_dir=folder,
        database_url=url,
        env="production",
        auth=AuthSettings(jwt_secret="relevance-" + "x" * 64),
        log=LogSettings(level="WARNING"),
    )
    return settings, "postgresql" if url.startswith("postgresql") else "sqlite"


def main() -> None:
    settings, backend = seeded_catalogue(__doc__.splitlines()[0])
    mrr, hits, ranks = asyncio.run(evaluate(settings))
    print(f"{backend}: {len(ranks)} queries, MRR {mrr:.3f}, hit@5 {hits:.3f}")
    for case, rank in ranks:
        if rank != 1:
            print(f"  rank {rank or '>10'}: {case.query!r} ({case.kind})")


if __name__ == "__main__":
    main()
