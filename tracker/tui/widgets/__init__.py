"""Provides the TUI's widgets."""
