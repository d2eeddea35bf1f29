"""The catalog: the Track aggregate at the bottom of the tracks family. ``repository.py`` holds
the two visibility statements every domain reuses (``openable_by``, ``listed_for``) and the
catalog queries (``counts.py`` the catalog's totals, ``share_links.py`` the share links'
rows); ``access.py`` the only guards that get a track for a caller (404 vs 403);
``service.py`` list, read, edit and delete (one or in batches); ``versions.py``,
``history.py``, ``lyrics.py``, ``recommendations.py`` and ``sharing.py`` (the one share-link
rule) one feature each; ``presenters.py`` the Track response; ``keys.py`` every storage key of
the family; ``taxonomy.py`` the fixed vocabularies. It imports no other domain of the family:
uploads, media, playback and engagement build on it."""
