"""Texts in every language, HTML rendering and terminal-safe output."""
