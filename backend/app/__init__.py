"""Textbook platform backend: AI-assisted learning blocks and chapters."""
