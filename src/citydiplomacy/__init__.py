"""citydiplomacy: the open knowledge graph of city diplomacy.

The version below is the single place the release number lives; the ontology's
owl:versionInfo and the CHANGELOG are checked against it by the tests.
"""

__version__ = "0.1.0"
