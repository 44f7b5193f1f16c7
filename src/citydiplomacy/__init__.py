"""citydiplomacy: the open knowledge graph of city diplomacy.

The version below is the single place the release number lives; the ontology's
owl:versionInfo and the CHANGELOG are checked against it by the tests.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    """``from citydiplomacy import KnowledgeGraph`` without loading the store code for ``--version``."""
    if name == "KnowledgeGraph":
        from citydiplomacy.graph import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(f"module 'citydiplomacy' has no attribute {name!r}")
