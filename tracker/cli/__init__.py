"""Provides the command line face: argparse commands over tracker.porcelain."""
