"""SHACL validation of instance data and of the ontology itself (``citydip validate``).

Entry points: :func:`validate_files`, :func:`validate_store` and :func:`lint_ontology` (what
the command runs), and :func:`validate_graph` for an rdflib graph of your own.
"""

from citydiplomacy.services.validation.engine import Report, Result, load_shapes, validate_graph, validate_ontology
from citydiplomacy.services.validation.validate import lint_ontology, validate_files, validate_store

__all__ = [
    "Report",
    "Result",
    "lint_ontology",
    "load_shapes",
    "validate_files",
    "validate_graph",
    "validate_ontology",
    "validate_store",
]
