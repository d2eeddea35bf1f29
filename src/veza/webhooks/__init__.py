"""Outgoing webhooks (Standard Webhooks 1.0). ``catalogue`` lists the events; ``service`` the
operations (register, list, delete, regenerate the key, test, stats, the delivery log and
redelivery); ``delivery`` the outbox, the signed send through ``kit.outbound`` (the SSRF
guard), retries and disabling; ``signing`` the keys (sealed at rest) and signatures;
``repository`` the queries (a webhook is its owner's alone); ``subscribers`` turn domain
events into outbox rows; ``tasks`` declare the send, the retry sweep and the log's pruning."""
