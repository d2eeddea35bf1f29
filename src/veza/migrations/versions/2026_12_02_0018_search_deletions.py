# ruff: noqa: S608  (SQL over the search kinds' constant table and column names)
"""search deletions: each indexed word's one-deletion variants, for typo correction (SQLite)

Correcting a typed word means finding the indexed words one edit from it. Looking up every
string one edit away (about 36 x 2 x its length) in the fts5vocab tables costs a seek each,
2 ms and more per kind at 100,000 tracks. Two words one edit apart (a deletion, an insertion, a
substitution or a swap of neighbours) always share a variant made by deleting at most one
letter of each (SymSpell), so a table of every indexed word's variants answers with one seek
per variant of the typed word: its length plus one.

- ``search_<kind>_words``: each indexed word of 2 to 31 letters (the typo rule corrects words
  of 3 to 30 letters to words of one letter more or less) and the number of the kind's
  documents that hold it;
- ``search_<kind>_deletions``: (variant, word) for the word itself and each string made by
  deleting one of its letters, primary key first by variant.

Triggers on the full-text side tables (migration 0012) keep both in the same transaction as
the index: the document's words are those of FTS5's own tokenizer, read from a scratch
contentless FTS5 table with the same tokenizer (``search_scratch``, emptied after each use),
so the words are exactly the index's. A document's words are counted when it is inserted and
uncounted when it is deleted (an update does both); a word whose count falls to zero loses its
variants. The tables are filled here from the indexes' own vocabularies, and ``veza search
reindex`` refills them the same way. PostgreSQL corrects typos with its btree range and pg_trgm
(migration 0012): nothing changes there.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The fields of each kind's side table (migration 0012).
FIELDS = {
    "tracks": ("title", "people", "labels"),
    "users": ("handle", "names"),
    "playlists": ("title", "body"),
}
# Words of these lengths are kept (frozen here: a migration does not follow later code).
SHORTEST, LONGEST = 2, 31
TOKENIZER = "unicode61 remove_diacritics 2"  # the indexes' tokenizer (migration 0012)

# A document's words as the indexes tokenize them, and their variants (the word itself, then
# each deletion of one letter; search_positions of migration 0017 numbers the letters).
_SCRATCH_WORDS = (
    f"SELECT term FROM search_scratch_terms WHERE length(term) BETWEEN {SHORTEST} AND {LONGEST}"
)
_SCRATCH_VARIANTS = (
    "CREATE VIEW search_scratch_variants AS "
    f"SELECT term AS word, term AS variant FROM ({_SCRATCH_WORDS}) UNION ALL "
    "SELECT term, substr(term, 1, p.n - 1) || substr(term, p.n + 1) "
    f"FROM ({_SCRATCH_WORDS}) JOIN search_positions AS p ON p.n <= length(term)"
)


def _variants_of(words: str) -> str:
    """(variant, word) for each word of the ``words`` query (a column named ``word``)."""
    return (
        f"SELECT word AS variant, word FROM ({words}) UNION ALL "
        "SELECT substr(word, 1, p.n - 1) || substr(word, p.n + 1), word "
        f"FROM ({words}) JOIN search_positions AS p ON p.n <= length(word)"
    )


def _tokenized(row: str, kind: str) -> str:
    document = " || ' ' || ".join(f"{row}.{field}" for field in FIELDS[kind])
    return f"INSERT INTO search_scratch(rowid, words) VALUES (1, {document});"


_EMPTIED = "INSERT INTO search_scratch(search_scratch) VALUES ('delete-all');"


def _counted(kind: str) -> str:
    """The scratch document's words counted in, their variants added."""
    return (
        f"INSERT INTO search_{kind}_words(word, docs) SELECT term, 1 FROM ({_SCRATCH_WORDS}) "
        "WHERE true ON CONFLICT(word) DO UPDATE SET docs = docs + 1; "
        f"INSERT OR IGNORE INTO search_{kind}_deletions(variant, word) "
        "SELECT variant, word FROM search_scratch_variants;"
    )


def _uncounted(kind: str) -> str:
    """The scratch document's words counted out; those no document holds lose their rows."""
    gone = f"SELECT word FROM search_{kind}_words WHERE docs <= 0 AND word IN ({_SCRATCH_WORDS})"
    return (
        f"UPDATE search_{kind}_words SET docs = docs - 1 WHERE word IN ({_SCRATCH_WORDS}); "
        f"DELETE FROM search_{kind}_deletions WHERE (variant, word) IN "
        f"(SELECT variant, word FROM search_scratch_variants WHERE word IN ({gone})); "
        f"DELETE FROM search_{kind}_words WHERE word IN ({gone});"
    )


def fill(kind: str) -> list[str]:
    """The statements that fill the kind's tables from its index's vocabulary (also run by
    ``veza search reindex`` after it rebuilds the index)."""
    return [
        f"DELETE FROM search_{kind}_deletions",
        f"DELETE FROM search_{kind}_words",
        f"INSERT INTO search_{kind}_words(word, docs) SELECT term, doc FROM search_{kind}_terms "
        f"WHERE length(term) BETWEEN {SHORTEST} AND {LONGEST}",
        f"INSERT INTO search_{kind}_deletions(variant, word) SELECT DISTINCT variant, word FROM "
        f"({_variants_of(f'SELECT word FROM search_{kind}_words')})",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    op.execute(
        f"CREATE VIRTUAL TABLE search_scratch USING fts5(words, content='', tokenize='{TOKENIZER}')"
    )
    op.execute("CREATE VIRTUAL TABLE search_scratch_terms USING fts5vocab(search_scratch, 'row')")
    op.execute(_SCRATCH_VARIANTS)
    for kind in FIELDS:
        op.execute(
            f"CREATE TABLE search_{kind}_words (word TEXT PRIMARY KEY, docs INTEGER NOT NULL) "
            "WITHOUT ROWID"
        )
        op.execute(
            f"CREATE TABLE search_{kind}_deletions (variant TEXT NOT NULL, word TEXT NOT NULL, "
            "PRIMARY KEY (variant, word)) WITHOUT ROWID"
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_words_insert AFTER INSERT ON search_{kind} BEGIN "
            f"{_tokenized('new', kind)} {_counted(kind)} {_EMPTIED} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_words_delete AFTER DELETE ON search_{kind} BEGIN "
            f"{_tokenized('old', kind)} {_uncounted(kind)} {_EMPTIED} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_words_update AFTER UPDATE ON search_{kind} BEGIN "
            f"{_tokenized('old', kind)} {_uncounted(kind)} {_EMPTIED} "
            f"{_tokenized('new', kind)} {_counted(kind)} {_EMPTIED} END"
        )
        for statement in fill(kind):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    for kind in FIELDS:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{kind}_words_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS search_{kind}_deletions")
        op.execute(f"DROP TABLE IF EXISTS search_{kind}_words")
    op.execute("DROP VIEW IF EXISTS search_scratch_variants")
    op.execute("DROP TABLE IF EXISTS search_scratch_terms")
    op.execute("DROP TABLE IF EXISTS search_scratch")
