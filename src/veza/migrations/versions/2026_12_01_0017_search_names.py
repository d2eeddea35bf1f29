# ruff: noqa: S608  (SQL over the search kinds' constant table and column names)
"""search names: the folded names of tracks, users and playlists, for prefix suggestions

``search_<kind>_names`` holds one row per word start of each name, folded as the queries are
(lower case, no diacritics, every run of other characters one space), with its rank:

- 0: the entity's own name (track or playlist title, username) from its first word;
- 1: the own name from a later word ("Night of the ocelots" as "ocelots");
- 2: the subtitle (track artist, user display name) from its first word;
- 3: the subtitle from a later word.

A name with characters that are dropped when compacting ("AC/DC", "R.E.M.") is stored both
ways ("ac dc" and "acdc"), as migration 0012 indexes them. The primary key (rank, name, key)
answers ``rank = r AND name >= :prefix AND name < :next ORDER BY name LIMIT n`` as one range
of one B-tree, whatever the catalogue's size. Visibility is never stored: suggestions join
the base tables' readable-by rules.

On PostgreSQL, each kind's full-text side table (migration 0012) also gets the relevance
order's tie-breaks, ``name_length`` and ``created_at``, kept by its sync trigger: the top-k of
a query is then chosen in the side table alone, however many matches tie on the score.

Triggers keep the rows in step with every insert and update of the named columns in the same
transaction; deletes cascade. ``search_<kind>_names_source`` views compute the rows from the
base table (the triggers and ``veza search reindex`` both read them).

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

import importlib
import string
import unicodedata
from collections.abc import Sequence
from typing import Any

from alembic import op

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# kind: (base table, key column, own name expression, subtitle expression or None, watched)
KINDS = {
    "tracks": ("tracks", "track_id", "title", "artist", ("title", "artist")),
    "users": (
        "users",
        "user_id",
        "username",
        "coalesce(first_name, '') || ' ' || coalesce(last_name, '')",
        ("username", "first_name", "last_name"),
    ),
    "playlists": ("playlists", "playlist_id", "title", None, ("title",)),
}
# Characters removed for the compacted copy (as migration 0012 does).
_COMPACTED = (".", "/", "'", "-", "\u2019")
# SQLite: word starts are found among the positions 1..this (names are at most 255 characters).
_POSITIONS = 256
_SQLITE_KEY = "CHAR(32)"


# SQLite --------------------------------------------------------------------------------------


def _folded_letter(character: str) -> str:
    """The letter as text.fold folds it (frozen here: a migration does not follow later code)."""
    letters = {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "þ": "th", "ð": "d"}
    decomposed = unicodedata.normalize("NFKD", character.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(letters.get(c, c) for c in stripped)


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fold_map() -> dict[str, str]:
    """What each character that lower() does not fold becomes: the Latin-1 and Latin
    Extended-A letters their folded letters, every other ASCII character that is not a
    letter or digit a space."""
    mapped = {character: " " for character in string.punctuation + string.whitespace}
    for code in range(0xC0, 0x180):
        character = chr(code)
        target = "".join(c if c.isalnum() else " " for c in _folded_letter(character))
        if target != character:
            mapped[character] = target
    return mapped


def _sqlite_fold(value: str) -> str:
    """The value folded as the queries fold it, in plain SQL (SQLite has no unaccent, its
    lower() is ASCII only, and its parser refuses hundreds of nested replace() calls): each
    character through ``search_fold_map``, in position order, then runs of spaces one space."""
    folded = f"group_concat(coalesce(m.folded, lower(substr({value}, p.n, 1))), '')"
    for _ in range(5):  # runs of up to 32 spaces
        folded = f"replace({folded}, '  ', ' ')"
    return (
        f"(SELECT trim({folded}) FROM search_positions AS p LEFT JOIN search_fold_map AS m "
        f"ON m.character = substr({value}, p.n, 1) WHERE p.n <= length({value}))"
    )


def _sqlite_compacted(value: str) -> str:
    for character in _COMPACTED:
        value = f"replace({value}, {_quoted(character)}, '')"
    return value


def _sqlite_upgrade() -> None:
    op.execute("CREATE TABLE search_positions (n INTEGER PRIMARY KEY)")
    op.execute(
        "INSERT INTO search_positions(n) SELECT value FROM json_each("
        + _quoted("[" + ",".join(str(n) for n in range(1, _POSITIONS + 1)) + "]")
        + ")"
    )
    op.execute(
        "CREATE TABLE search_fold_map (character TEXT PRIMARY KEY, folded TEXT NOT NULL) "
        "WITHOUT ROWID"
    )
    for character, folded in _fold_map().items():
        op.execute(f"INSERT INTO search_fold_map VALUES ({_quoted(character)}, {_quoted(folded)})")
    for kind, (base, key, own, subtitle, watched) in KINDS.items():
        op.execute(
            f"CREATE TABLE search_{kind}_names ({key} {_SQLITE_KEY} NOT NULL "
            f"REFERENCES {base}(id) ON DELETE CASCADE, rank INTEGER NOT NULL, "
            f"name TEXT NOT NULL, PRIMARY KEY (rank, name, {key})) WITHOUT ROWID"
        )
        op.execute(f"CREATE INDEX search_{kind}_names_key ON search_{kind}_names ({key})")
        fields = [(0, own)] + ([(2, subtitle)] if subtitle else [])
        # The compacted copy is folded only when compacting changes the value.
        forms = " UNION ALL ".join(
            f"SELECT id AS {key}, {rank} AS rank, {form} AS form FROM {base}"
            for rank, field in fields
            for form in (
                _sqlite_fold(field),
                f"CASE WHEN {_sqlite_compacted(field)} = {field} THEN NULL "
                f"ELSE {_sqlite_fold(_sqlite_compacted(field))} END",
            )
        )
        op.execute(f"CREATE VIEW search_{kind}_name_forms AS {forms}")
        op.execute(
            f"CREATE VIEW search_{kind}_names_source AS SELECT DISTINCT f.{key} AS {key}, "
            "f.rank + (p.n > 1) AS rank, substr(f.form, p.n) AS name "
            f"FROM search_{kind}_name_forms AS f JOIN search_positions AS p "
            # An empty or NULL form has no position: it gives no row.
            "ON p.n <= length(f.form) WHERE p.n = 1 OR substr(f.form, p.n - 1, 1) = ' '"
        )
        insert = (
            f"INSERT INTO search_{kind}_names({key}, rank, name) "
            f"SELECT {key}, rank, name FROM search_{kind}_names_source WHERE {key} = new.id;"
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_names_insert AFTER INSERT ON {base} BEGIN {insert} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_names_update AFTER UPDATE OF {', '.join(watched)} "
            f"ON {base} BEGIN DELETE FROM search_{kind}_names WHERE {key} = new.id; {insert} END"
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_names_delete AFTER DELETE ON {base} BEGIN "
            f"DELETE FROM search_{kind}_names WHERE {key} = old.id; END"
        )
        op.execute(
            f"INSERT INTO search_{kind}_names({key}, rank, name) "
            f"SELECT {key}, rank, name FROM search_{kind}_names_source"
        )


def _sqlite_downgrade() -> None:
    for kind in KINDS:
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{kind}_names_{trigger}")
        op.execute(f"DROP VIEW IF EXISTS search_{kind}_names_source")
        op.execute(f"DROP VIEW IF EXISTS search_{kind}_name_forms")
        op.execute(f"DROP TABLE IF EXISTS search_{kind}_names")
    op.execute("DROP TABLE IF EXISTS search_fold_map")
    op.execute("DROP TABLE IF EXISTS search_positions")


# PostgreSQL ----------------------------------------------------------------------------------

# A value's name rows: (rank, name) for each word start of its folded forms (search_fold of
# migration 0012, as is and compacted). ``first`` is the rank of the value's first word.
_PG_ENTRIES = """
CREATE FUNCTION search_name_entries(value text, first smallint)
RETURNS TABLE(rank smallint, name text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT DISTINCT (first + (position > 1)::int)::smallint,
         array_to_string(words[position:], ' ')
  FROM (
    SELECT regexp_split_to_array(form, ' ') AS words
    FROM (
      SELECT btrim(search_fold(value)) AS form
      UNION
      SELECT btrim(search_fold(regexp_replace(value, '[./''\u2019-]+', '', 'g')))
    ) AS forms
    WHERE form <> ''
  ) AS split, generate_subscripts(words, 1) AS position
$$
"""


# The name and creation columns of each kind: the relevance order's tie-breaks (the shorter
# name, then the newest), kept beside the tsvector so that the top-k is chosen in the side
# table alone, however many matches tie on the score.
_PG_TIES = {"tracks": "title", "users": "username", "playlists": "title"}


def _migration_0012() -> Any:
    return importlib.import_module("veza.migrations.versions.2026_12_01_0012_search")


def _pg_sync_function(kind: str, key: str, columns: str) -> str:
    """Migration 0012's sync function of the kind, writing ``columns`` from its source view."""
    assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns.split(", "))
    return f"""
        CREATE OR REPLACE FUNCTION search_{kind}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE doc tsvector;
        BEGIN
          INSERT INTO search_{kind}({key}, {columns})
            SELECT {key}, {columns} FROM search_{kind}_source WHERE {key} = NEW.id
            ON CONFLICT ({key}) DO UPDATE SET {assignments}
            RETURNING document INTO doc;
          -- Sorted, so concurrent writers take the words' locks in the same order.
          INSERT INTO search_words(word)
            SELECT w FROM unnest(tsvector_to_array(doc)) AS w ORDER BY w
            ON CONFLICT DO NOTHING;
          RETURN NULL;
        END $$
        """


def _pg_sync_trigger(kind: str, base: str, watched: Sequence[str]) -> None:
    op.execute(f"DROP TRIGGER search_{kind}_sync ON {base}")
    op.execute(
        f"CREATE TRIGGER search_{kind}_sync AFTER INSERT OR UPDATE OF {', '.join(watched)} "
        f"ON {base} FOR EACH ROW EXECUTE FUNCTION search_{kind}_sync()"
    )


def _pg_tie_columns() -> None:
    documents = _migration_0012()._PG_DOCUMENTS
    for kind, (base, key, *_) in KINDS.items():
        op.execute(
            f"ALTER TABLE search_{kind} ADD COLUMN name_length integer NOT NULL DEFAULT 0, "
            "ADD COLUMN created_at timestamptz"
        )
        op.execute(
            f"CREATE OR REPLACE VIEW search_{kind}_source AS SELECT id AS {key}, "
            f"{documents[kind]} AS document, length({_PG_TIES[kind]}) AS name_length, "
            f"created_at FROM {base}"
        )
        op.execute(_pg_sync_function(kind, key, "document, name_length, created_at"))
        _pg_sync_trigger(kind, base, (*_migration_0012().KINDS[kind][2], "created_at"))
        op.execute(
            f"UPDATE search_{kind} AS s SET name_length = length(b.{_PG_TIES[kind]}), "
            f"created_at = b.created_at FROM {base} AS b WHERE b.id = s.{key}"
        )


def _pg_tie_columns_downgrade() -> None:
    documents = _migration_0012()._PG_DOCUMENTS
    for kind, (base, key, *_) in KINDS.items():
        op.execute(_pg_sync_function(kind, key, "document"))
        _pg_sync_trigger(kind, base, _migration_0012().KINDS[kind][2])
        op.execute(f"DROP VIEW search_{kind}_source")
        op.execute(
            f"CREATE VIEW search_{kind}_source AS "
            f"SELECT id AS {key}, {documents[kind]} AS document FROM {base}"
        )
        op.execute(f"ALTER TABLE search_{kind} DROP COLUMN name_length, DROP COLUMN created_at")


def _pg_upgrade() -> None:
    _pg_tie_columns()
    op.execute(_PG_ENTRIES)
    for kind, (base, key, own, subtitle, watched) in KINDS.items():
        op.execute(
            f"CREATE TABLE search_{kind}_names ({key} uuid NOT NULL "
            f"REFERENCES {base}(id) ON DELETE CASCADE, rank smallint NOT NULL, "
            f'name text COLLATE "C" NOT NULL, PRIMARY KEY (rank, name, {key}))'
        )
        op.execute(f"CREATE INDEX search_{kind}_names_key ON search_{kind}_names ({key})")
        entries = f"SELECT * FROM search_name_entries({own}, 0::smallint)"
        if subtitle:
            entries += f" UNION SELECT * FROM search_name_entries({subtitle}, 2::smallint)"
        op.execute(
            f"CREATE VIEW search_{kind}_names_source AS SELECT id AS {key}, e.rank, e.name "
            f"FROM {base}, LATERAL ({entries}) AS e"
        )
        op.execute(
            f"""
            CREATE FUNCTION search_{kind}_names_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'UPDATE' THEN
                DELETE FROM search_{kind}_names WHERE {key} = NEW.id;
              END IF;
              INSERT INTO search_{kind}_names({key}, rank, name)
                SELECT {key}, rank, name FROM search_{kind}_names_source WHERE {key} = NEW.id;
              RETURN NULL;
            END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_names_sync AFTER INSERT OR UPDATE OF "
            f"{', '.join(watched)} ON {base} FOR EACH ROW EXECUTE FUNCTION "
            f"search_{kind}_names_sync()"
        )
        op.execute(
            f"INSERT INTO search_{kind}_names({key}, rank, name) "
            f"SELECT {key}, rank, name FROM search_{kind}_names_source"
        )


def _pg_downgrade() -> None:
    for kind, (base, *_) in KINDS.items():
        op.execute(f"DROP TRIGGER IF EXISTS search_{kind}_names_sync ON {base}")
        op.execute(f"DROP FUNCTION IF EXISTS search_{kind}_names_sync()")
        op.execute(f"DROP VIEW IF EXISTS search_{kind}_names_source")
        op.execute(f"DROP TABLE IF EXISTS search_{kind}_names")
    op.execute("DROP FUNCTION IF EXISTS search_name_entries(text, smallint)")
    _pg_tie_columns_downgrade()


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
