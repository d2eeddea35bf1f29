"""Outgoing webhooks: registrations, signed deliveries through the job queue, their stats."""
