"""Foundations: plain types, user-facing errors, the settings object and pure text helpers.

Everything else in the package builds on these; they import nothing from the rest of it.
"""
