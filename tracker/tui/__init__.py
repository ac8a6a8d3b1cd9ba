"""Provides the Textual face: screens and widgets over tracker.session and tracker.porcelain."""
