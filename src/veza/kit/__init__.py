"""Plumbing with no domain knowledge: the database session and its transaction (db), errors and
their one renderer (errors, handlers), the response envelope, pagination and cursors, query
vocabulary (queries), storage and the file outbox (storage, files), jobs (jobs), in-process
events (events), tokens, passwords, mail, rate limits, logging, metrics and middleware.

Domains build on these; nothing here imports a domain.
"""
