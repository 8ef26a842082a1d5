"""Rendering: the assembled site to page, feed and index artifacts (pure)."""
