"""The audit trail: ``service.record()`` adds a row inside the caller's transaction (every
security event of auth, users and the admin actions); the router will read it back for
administrators. ``service`` sits at the bottom of the dependency layers so any domain may
record, while ``router`` sits at the top."""
