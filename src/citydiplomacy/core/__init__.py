"""The core: what every service and the command line stand on, and nothing that knows a CLI.

RDF formats and reading/writing files (``rdfio``, ``inputs``), terms and namespaces, the
embedded store, HTTP, labels and provenance, the packaged artefacts, errors. No module here
imports click or anything from ``citydiplomacy.cli``.
"""
