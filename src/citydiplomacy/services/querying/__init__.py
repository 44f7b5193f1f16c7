"""Competency questions and SPARQL access: ``citydip query`` and ``citydip load``."""
