"""Veza: a self-hostable music platform backend (Veza Backend API v1.2.0)."""

__version__ = "1.2.0"
