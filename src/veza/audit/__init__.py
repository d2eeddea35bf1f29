"""The audit trail. ``service.record()`` adds a row inside the caller's transaction (security
events of auth and users, and every change to tracks, playlists, products, orders, webhooks and
accounts); ``chain`` seals rows into the tamper-evident hash chain and verifies it (``veza
audit verify``); ``reading`` holds the read API's rules over ``repository``'s queries (admins
read everything, others their own rows); ``tasks`` seals and sweeps periodically. ``service``
sits at the bottom of the dependency layers so any domain may record, ``router`` at the top."""
