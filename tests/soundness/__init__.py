"""Soundness as a tested property: generated programs, checked and run against typed local services."""
