"""SHACL validation of instance data and of the ontology itself (``citydip validate``).

Reusable entry point: :func:`citydiplomacy.services.validation.engine.validate_graph`.
"""

from citydiplomacy.services.validation.engine import Report, Result, validate_graph, validate_ontology

__all__ = ["Report", "Result", "validate_graph", "validate_ontology"]
