"""The inspection rules (docs/contract.md §6): pure functions of the data as of a time `at`.

`registry.rules()` lists them; `engine.evaluate()` runs them; `signals` holds the post-level
signals computed once when a post is stored.
"""
