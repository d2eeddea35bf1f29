"""Refusals of the webhooks domain."""

from __future__ import annotations

from veza.kit.errors import BadRequest, NotFound


class WebhookNotFound(NotFound):
    code = "WEBHOOK_NOT_FOUND"
    message = "Webhook not found"


class DeliveryNotFound(NotFound):
    code = "WEBHOOK_DELIVERY_NOT_FOUND"
    message = "Delivery attempt not found"


class TooManyWebhooks(BadRequest):
    code = "TOO_MANY_WEBHOOKS"
    message = "You have registered as many webhooks as allowed"
