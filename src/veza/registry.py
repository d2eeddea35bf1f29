"""Every module that declares jobs (``tasks.py``) or event subscribers (``subscribers.py``),
imported here and nowhere else.

Registration is a side effect of importing these modules; importing them from this one list
means no job or subscriber depends on some other import happening to load its module.
``create_app`` and ``veza worker`` call ``register_all`` before anything runs, and a test checks
that every tasks.py and subscribers.py under src/veza is listed. The order of the subscribers
is the order in which they react to an event.
"""

from __future__ import annotations

from types import ModuleType

from veza.audit import tasks as audit_tasks
from veza.comments import subscribers as comments_subscribers
from veza.engagement import subscribers as engagement_subscribers
from veza.engagement import tasks as engagement_tasks
from veza.kit import files as kit_files
from veza.marketplace import subscribers as marketplace_subscribers
from veza.marketplace import tasks as marketplace_tasks
from veza.media import subscribers as media_subscribers
from veza.media import tasks as media_tasks
from veza.notifications import subscribers as notifications_subscribers
from veza.playback import subscribers as playback_subscribers
from veza.queue import subscribers as queue_subscribers
from veza.tracks import subscribers as tracks_subscribers
from veza.uploads import subscribers as uploads_subscribers
from veza.uploads import tasks as uploads_tasks
from veza.users import subscribers as users_subscribers
from veza.webhooks import subscribers as webhooks_subscribers
from veza.webhooks import tasks as webhooks_tasks

MODULES: tuple[ModuleType, ...] = (
    kit_files,
    users_subscribers,
    notifications_subscribers,
    tracks_subscribers,
    comments_subscribers,
    engagement_subscribers,
    engagement_tasks,
    uploads_subscribers,
    uploads_tasks,
    media_subscribers,
    media_tasks,
    playback_subscribers,
    marketplace_subscribers,
    marketplace_tasks,
    webhooks_subscribers,
    webhooks_tasks,
    audit_tasks,
    queue_subscribers,
)


def register_all() -> tuple[ModuleType, ...]:
    """Every job and subscriber is registered once this module is imported; the call makes the
    dependency explicit where it matters (the app factory, the worker)."""
    return MODULES
