"""Accounts and sessions: register, verify, login (argon2id, 2FA step), rotating refresh-token
families, password reset, TOTP 2FA, stream and chat tokens, account deletion, privacy opt-out.
``dependencies.py`` turns a Bearer token into the caller (``CurrentUser``, ``OptionalUser``,
``CurrentAdmin``) for every other domain; ``repository.py`` holds the session and token
queries; ``service.py`` the rules; ``mails.py`` what is mailed."""
