"""The OpenSubsonic API under /rest (docs/SUBSONIC.md)."""
