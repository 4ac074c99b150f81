"""Connectors: fetch bytes from a source, and pure parsers that turn bytes into posts and profiles.

`connectors.base` holds the Protocol, the result types and the parser registry; the CLI and
pipeline never import a format module directly.
"""
