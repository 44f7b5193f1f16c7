"""Competency questions and SPARQL access: ``citydip query`` and ``citydip load``.

From Python: :func:`ask` (a store), :func:`ask_endpoint` (a server) and
:func:`~citydiplomacy.services.querying.load.load_to_server`.
"""

from citydiplomacy.services.querying.answering import ask, ask_endpoint
from citydiplomacy.services.querying.results import Answer

__all__ = ["Answer", "ask", "ask_endpoint"]
