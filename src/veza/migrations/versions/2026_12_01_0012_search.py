"""search: full-text indexes of tracks, users and playlists, kept in step by triggers

Each searchable table has a side table of its searchable text, maintained by database triggers
in the same transaction as every insert, update and delete of the base row, so no service has
to remember to index anything. Visibility is never stored here: searches join the base tables
and apply their readable-by rules.

- SQLite: ``search_<kind>`` holds the text (with compacted copies: "AC/DC" also as "ACDC"),
  ``search_<kind>_fts`` is an FTS5 external-content index over it (unicode61 with
  remove_diacritics 2, prefix indexes), ``search_<kind>_terms`` its fts5vocab vocabulary.
- PostgreSQL: ``search_<kind>`` holds a weighted tsvector (GIN index) built with the 'simple'
  configuration over unaccented, lower-cased text; ``search_words`` is the vocabulary with a
  pg_trgm index, for typo tolerance and prefixes.
- ``search_<kind>_source`` views compute the indexed text from the base table: the triggers
  and ``veza search reindex`` both read them, so the text is defined once.

Revision ID: 0012
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# kind: (base table, key column of the side table, columns whose change reindexes the row)
KINDS = {
    "tracks": ("tracks", "track_id", ("title", "artist", "album", "genre", "genres", "tags")),
    "users": ("users", "user_id", ("username", "first_name", "last_name")),
    "playlists": ("playlists", "playlist_id", ("title", "description")),
}

# Characters dropped to make the compacted copy of a value: "AC/DC" -> "ACDC", "R.E.M." ->
# "REM", "Jay-Z" -> "JayZ", "Guns N' Roses" -> "Guns N Roses".
_COMPACTED = (".", "/", "'", "-", "\u2019")


def _sqlite_text(value: str) -> str:
    """The value, then its compacted copy when that differs (SQLite expression)."""
    compact = f"coalesce({value}, '')"
    for character in _COMPACTED:
        quoted = character.replace("'", "''")
        compact = f"replace({compact}, '{quoted}', '')"
    plain = f"coalesce({value}, '')"
    return f"(CASE WHEN {compact} = {plain} THEN {plain} ELSE {plain} || ' ' || {compact} END)"


def _sqlite_sources() -> dict[str, tuple[str, ...]]:
    """Column expressions of each kind's indexed fields, over its base table."""
    return {
        "tracks": (
            _sqlite_text("title"),
            f"{_sqlite_text('artist')} || ' ' || {_sqlite_text('album')}",
            "coalesce(genre, '') || ' ' || coalesce(genres, '') || ' ' || coalesce(tags, '')",
        ),
        "users": (
            _sqlite_text("username"),
            f"{_sqlite_text('first_name')} || ' ' || {_sqlite_text('last_name')}",
        ),
        "playlists": (_sqlite_text("title"), "coalesce(description, '')"),
    }


# The fields of each kind's side table (SQLite), in bm25 weight order.
SQLITE_FIELDS = {
    "tracks": ("title", "people", "labels"),
    "users": ("handle", "names"),
    "playlists": ("title", "body"),
}


def _sqlite_upgrade() -> None:
    sources = _sqlite_sources()
    for kind, (base, key, watched) in KINDS.items():
        fields = SQLITE_FIELDS[kind]
        columns = ", ".join(fields)
        selected = ", ".join(
            f"{expression} AS {field}"
            for field, expression in zip(fields, sources[kind], strict=True)
        )
        op.execute(
            f"CREATE TABLE search_{kind} (doc_id INTEGER PRIMARY KEY, "
            f"{key} CHAR(32) NOT NULL UNIQUE REFERENCES {base}(id) ON DELETE CASCADE, "
            + ", ".join(f"{field} TEXT NOT NULL" for field in fields)
            + ")"
        )
        op.execute(
            f"CREATE VIEW search_{kind}_source AS SELECT id AS {key}, {selected} FROM {base}"
        )
        op.execute(
            f"CREATE VIRTUAL TABLE search_{kind}_fts USING fts5({columns}, "
            f"content='search_{kind}', content_rowid='doc_id', "
            "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
        )
        op.execute(
            f"CREATE VIRTUAL TABLE search_{kind}_terms USING fts5vocab(search_{kind}_fts, 'row')"
        )
        new_values = ", ".join(f"new.{field}" for field in fields)
        old_values = ", ".join(f"old.{field}" for field in fields)
        # The FTS index follows its content table (the external-content pattern of FTS5).
        op.execute(
            f"CREATE TRIGGER search_{kind}_fts_insert AFTER INSERT ON search_{kind} BEGIN "
            f"INSERT INTO search_{kind}_fts(rowid, {columns}) VALUES (new.doc_id, {new_values}); END"
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_fts_delete AFTER DELETE ON search_{kind} BEGIN "
            f"INSERT INTO search_{kind}_fts(search_{kind}_fts, rowid, {columns}) "
            f"VALUES ('delete', old.doc_id, {old_values}); END"
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_fts_update AFTER UPDATE ON search_{kind} BEGIN "
            f"INSERT INTO search_{kind}_fts(search_{kind}_fts, rowid, {columns}) "
            f"VALUES ('delete', old.doc_id, {old_values}); "
            f"INSERT INTO search_{kind}_fts(rowid, {columns}) VALUES (new.doc_id, {new_values}); END"
        )
        # The content table follows the base table.
        from_source = f"SELECT {key}, {columns} FROM search_{kind}_source WHERE {key} = new.id"
        op.execute(
            f"CREATE TRIGGER search_{kind}_index_insert AFTER INSERT ON {base} BEGIN "
            f"INSERT INTO search_{kind}({key}, {columns}) {from_source}; END"
        )
        assignments = ", ".join(
            f"{field} = (SELECT {field} FROM search_{kind}_source WHERE {key} = new.id)"
            for field in fields
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_index_update AFTER UPDATE OF {', '.join(watched)} "
            f"ON {base} BEGIN UPDATE search_{kind} SET {assignments} WHERE {key} = new.id; END"
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_index_delete AFTER DELETE ON {base} BEGIN "
            f"DELETE FROM search_{kind} WHERE {key} = old.id; END"
        )
        op.execute(
            f"INSERT INTO search_{kind}({key}, {columns}) SELECT * FROM search_{kind}_source"
        )


def _sqlite_downgrade() -> None:
    for kind in KINDS:
        for trigger in ("index_insert", "index_update", "index_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{kind}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS search_{kind}_terms")
        op.execute(f"DROP TABLE IF EXISTS search_{kind}_fts")
        op.execute(f"DROP VIEW IF EXISTS search_{kind}_source")
        op.execute(f"DROP TABLE IF EXISTS search_{kind}")


# PostgreSQL ----------------------------------------------------------------------------------

_PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION search_unaccent(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, value) $$;

CREATE OR REPLACE FUNCTION search_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT regexp_replace(lower(search_unaccent(value)), '[[:punct:][:space:]]+', ' ', 'g') $$;

CREATE OR REPLACE FUNCTION search_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN value IS NULL THEN ''
    WHEN regexp_replace(value, '[./''\u2019-]+', '', 'g') = value THEN search_fold(value)
    ELSE search_fold(value) || ' ' || search_fold(regexp_replace(value, '[./''\u2019-]+', '', 'g'))
  END
$$;

CREATE OR REPLACE FUNCTION search_vector(value text, weight "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT setweight(to_tsvector('simple'::regconfig, value), weight) $$;
"""

# The weighted document of each kind: A title/username, B artist and album/display name,
# C genres and tags, D descriptions.
_PG_DOCUMENTS = {
    "tracks": "search_vector(search_text(title), 'A') "
    "|| search_vector(search_text(artist) || ' ' || search_text(album), 'B') "
    "|| search_vector(search_text(genre) || ' ' || search_text(genres::text) || ' ' "
    "|| search_text(tags::text), 'C')",
    "users": "search_vector(search_text(username), 'A') "
    "|| search_vector(search_text(first_name) || ' ' || search_text(last_name), 'B')",
    "playlists": "search_vector(search_text(title), 'A') "
    "|| search_vector(search_text(description), 'D')",
}


def _pg_upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # One statement per call: asyncpg prepares each.
    for statement in _PG_FUNCTIONS.split("\n\n"):
        op.execute(statement)
    op.execute("CREATE TABLE search_words (word text PRIMARY KEY)")
    op.execute("CREATE INDEX search_words_trigram ON search_words USING gin (word gin_trgm_ops)")
    # Prefix ranges ("m%", "metal%") whatever the database's collation.
    op.execute("CREATE INDEX search_words_prefix ON search_words (word text_pattern_ops)")
    for kind, (base, key, watched) in KINDS.items():
        op.execute(
            f"CREATE TABLE search_{kind} ({key} uuid PRIMARY KEY "
            f"REFERENCES {base}(id) ON DELETE CASCADE, document tsvector NOT NULL)"
        )
        op.execute(f"CREATE INDEX search_{kind}_document ON search_{kind} USING gin (document)")
        op.execute(
            f"CREATE VIEW search_{kind}_source AS "
            f"SELECT id AS {key}, {_PG_DOCUMENTS[kind]} AS document FROM {base}"
        )
        op.execute(
            f"""
            CREATE FUNCTION search_{kind}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE doc tsvector;
            BEGIN
              SELECT document INTO doc FROM search_{kind}_source WHERE {key} = NEW.id;
              INSERT INTO search_{kind}({key}, document) VALUES (NEW.id, doc)
                ON CONFLICT ({key}) DO UPDATE SET document = EXCLUDED.document;
              -- Sorted, so concurrent writers take the words' locks in the same order.
              INSERT INTO search_words(word)
                SELECT w FROM unnest(tsvector_to_array(doc)) AS w ORDER BY w
                ON CONFLICT DO NOTHING;
              RETURN NULL;
            END $$
            """
        )
        op.execute(
            f"CREATE TRIGGER search_{kind}_sync AFTER INSERT OR UPDATE OF {', '.join(watched)} "
            f"ON {base} FOR EACH ROW EXECUTE FUNCTION search_{kind}_sync()"
        )
        op.execute(f"INSERT INTO search_{kind}({key}, document) SELECT * FROM search_{kind}_source")
    op.execute(
        "INSERT INTO search_words(word) SELECT DISTINCT unnest(tsvector_to_array(document)) "
        "FROM (SELECT document FROM search_tracks UNION ALL SELECT document FROM search_users "
        "UNION ALL SELECT document FROM search_playlists) AS documents ON CONFLICT DO NOTHING"
    )


def _pg_downgrade() -> None:
    for kind, (base, _, _) in KINDS.items():
        op.execute(f"DROP TRIGGER IF EXISTS search_{kind}_sync ON {base}")
        op.execute(f"DROP FUNCTION IF EXISTS search_{kind}_sync()")
        op.execute(f"DROP VIEW IF EXISTS search_{kind}_source")
        op.execute(f"DROP TABLE IF EXISTS search_{kind}")
    op.execute("DROP TABLE IF EXISTS search_words")
    for function in (
        'search_vector(text, "char")',
        "search_text(text)",
        "search_fold(text)",
        "search_unaccent(text)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")


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
