"""Handlers of the OpenSubsonic API (docs/SUBSONIC.md)."""
