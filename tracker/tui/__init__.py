"""Provides the Textual face: screens and widgets over tracker.review and tracker.api."""
