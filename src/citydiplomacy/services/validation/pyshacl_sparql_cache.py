"""A parse cache for rdflib's SPARQL while pyshacl validates: the one patch of rdflib we keep.

Why: pyshacl runs a SPARQL-based constraint once per focus node with the same text (the focus
node goes in through ``initBindings``) and rdflib re-parses the text on every call, about 50 ms
each: 10,000 agreements x 3 constraints took many minutes. The parsed and translated algebra
is reusable with other bindings (that is what rdflib's ``prepareQuery`` is for), but pyshacl
hands rdflib strings, so the only way in is ``SPARQLProcessor.query``.

The patch lives only inside :func:`cached_sparql_parsing` and is undone on exit. Upstream: the
slowness of SPARQL constraints on large graphs is RDFLib/pySHACL#237; pyshacl has no hook for
a prepared query. Drop this module when it gains one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cached_sparql_parsing() -> Iterator[None]:
    """Within the block, rdflib parses each (text, base, prefixes) once; rdflib restored on exit."""
    from rdflib.plugins.sparql import processor as sparql_processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.evaluate import evalQuery
    from rdflib.plugins.sparql.parser import parseQuery

    original = sparql_processor.SPARQLProcessor.query
    cache: dict[tuple, object] = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        prepared = strOrQuery
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            prepared = cache.get(key)
            if prepared is None:
                prepared = cache[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
        return evalQuery(self.graph, prepared, initBindings, base)

    sparql_processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        sparql_processor.SPARQLProcessor.query = original  # type: ignore[method-assign]
