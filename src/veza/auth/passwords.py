"""What makes a password acceptable: length, and not a common password. No composition rules.

Following NIST SP 800-63B: at least 12 characters, long passphrases welcome (no truncation:
argon2 takes the whole input), refused when found in a list of common passwords or when it
is the account's own email or username.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
_COMMON_PASSWORDS_FILE = "common-passwords.txt.gz"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list (20,000 passwords, lowercased; see auth/data/NOTICE)."""
    data = resources.files("veza.auth").joinpath("data", _COMMON_PASSWORDS_FILE).read_bytes()
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip())


def password_problem(password: str, *, email: str = "", username: str = "") -> str | None:
    """Why ``password`` is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"must be at most {MAX_PASSWORD_LENGTH} characters"
    folded = password.strip().lower()
    if folded in common_passwords():
        return "is too common; choose a less guessable password"
    own_names = {name.lower() for name in (email, email.split("@")[0], username) if name}
    if folded in own_names:
        return "must not be your email address or username"
    return None
