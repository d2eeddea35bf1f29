"""The notification store: ``service.notify()`` for other domains (grouped repeats, never self,
never across a block), the recipient's list and read marks; ``subscribers.py`` notifies a new
follow and cleans up after an account is deleted."""
