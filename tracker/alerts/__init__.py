"""Alerts to group robots (docs/contract.md §8): compose → outbox → deliver.

`compose` reads what changed (findings, 临期, cases, failing feeds, the day's counts) as alerts
with lasting keys; `outbox` writes each once per robot and leases it while it is posted;
`deliver` posts in each vendor's shape (`vendors`) within its rate limit and records the answer.
"""
