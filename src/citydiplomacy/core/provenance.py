"""The software agent and activities citydip writes into PROV-O records, written one way.

Why a versioned agent: PROV-O readers ask "which activity was run by which software, in which
version?". A single agent with a version property cannot answer it once two versions have
written into the same store (the agent would carry both versions). So each activity is
``prov:wasAssociatedWith`` the agent of the version that ran it, ``cdr:agent/citydip/0.1.0``, a
``prov:SoftwareAgent`` that is ``prov:specializationOf`` the tool, ``cdr:agent/citydip`` (PROV's
relation between a more specific and a general view of the same thing; software agents are
also entities in PROV). "Everything citydip did" is then
``?activity prov:wasAssociatedWith/prov:specializationOf <.../agent/citydip>``. The version
string itself is ``schema:softwareVersion`` (``dcterms:hasVersion`` relates a resource to
another resource, not to a string).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from citydiplomacy import __version__
from citydiplomacy.core.namespaces import AGENT_IRI, SCHEMA

TOOL = URIRef(AGENT_IRI)  # citydip, whatever its version


def agent_iri(version: str = __version__) -> URIRef:
    """The agent of one citydip version (the one running, by default)."""
    return URIRef(f"{AGENT_IRI}/{quote(version, safe='+.-_')}")


def agent_triples(version: str = __version__) -> list[tuple]:
    """The versioned agent and the tool it specialises, as rdflib triples."""
    agent = agent_iri(version)
    return [
        (agent, RDF.type, PROV.SoftwareAgent),
        (agent, RDFS.label, Literal(f"citydip {version}")),
        (agent, SCHEMA.softwareVersion, Literal(version)),
        (agent, PROV.specializationOf, TOOL),
        (TOOL, RDF.type, PROV.SoftwareAgent),
        (TOOL, RDFS.label, Literal("citydip")),
    ]


def activity_triples(
    activity: URIRef,
    label: str,
    *,
    lang: str | None = None,
    started: datetime | None = None,
    ended: datetime | None = None,
    version: str = __version__,
) -> list[tuple]:
    """A ``prov:Activity`` run by this citydip (with the agent's own triples); times only when given."""
    triples = [
        (activity, RDF.type, PROV.Activity),
        (activity, RDFS.label, Literal(label, lang=lang)),
        (activity, PROV.wasAssociatedWith, agent_iri(version)),
    ]
    if started is not None:
        triples.append((activity, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    if ended is not None:
        triples.append((activity, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    return triples + agent_triples(version)


def as_quads(triples: Iterable[tuple], graph) -> list:
    """rdflib triples as pyoxigraph quads in *graph* (a NamedNode), for code that writes to the store."""
    import pyoxigraph

    from citydiplomacy.core.terms import to_ox

    def quad(s, p, o) -> pyoxigraph.Quad:
        subject = cast("pyoxigraph.NamedNode | pyoxigraph.BlankNode", to_ox(s))  # ours: never a literal
        return pyoxigraph.Quad(subject, pyoxigraph.NamedNode(str(p)), to_ox(o), graph)

    return [quad(s, p, o) for s, p, o in triples]
