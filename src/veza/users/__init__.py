"""Users and the social graph: profiles (public, owner and admin views), updates, soft delete,
follows, blocks, search, suggestions, completion, upgrade-creator. ``access.py`` is the one way
to reach a user for a caller; ``repository.py`` holds the visibility pieces every domain reuses
(``author_is_readable``, ``not_hidden_from``, ``hidden_user_ids``)."""
