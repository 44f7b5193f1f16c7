"""The site-wide files of ``citydip publish``: dumps, the VoID description, the sources' licences,
the ``.htaccess`` rules and the style sheet.

Licences are not in the graph (an import records which file it read, not its terms), so the
terms of the sources the project knows are written here, each with where it was read: the
shared data's README (``../shared/data/README.md``), which quotes each repository. A source the
table does not know is listed without licence terms rather than with invented ones.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from citydiplomacy.core import formats, resources
from citydiplomacy.core.namespaces import CDR, ONTOLOGY_IRI, bind_prefixes
from citydiplomacy.services.docs import EN_FONTS, FA_FONTS, _jinja
from citydiplomacy.services.publish_graph import SiteGraph

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DUMP_NT = "dumps/citydiplomacy.nt.gz"
DUMP_JSONLD = "dumps/citydiplomacy.jsonld.gz"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
SHARED_README = "the shared data's README (../shared/data/README.md)"


@dataclass(frozen=True)
class SourceTerms:
    """What the project knows of a source's terms, recognised by a string in its description."""

    match: str
    license: str  # an IRI, or "" when there is none to name
    rights: str
    citation: str = ""


KNOWN_TERMS = (
    SourceTerms(
        "albertoursino/graphs-comparison",
        "https://opensource.org/license/mit",
        f"Repository licence MIT; the content is from Wikidata (CC0). Source: {SHARED_README}.",
    ),
    SourceTerms(
        "L3viathan/sister-cities",
        CC0,
        f"No licence file in the repository; the content is from Wikidata (CC0). Source: {SHARED_README}.",
    ),
    SourceTerms(
        "climactor",
        "",
        f"Non-commercial use only, and it must be cited. Source: {SHARED_README}.",
        'Hsu, A., Yeo, Z.Y., Rauber, R. et al. "ClimActor, harmonized transnational data on climate network '
        'participation by city and regional governments", Scientific Data 7, 374 (2020); Manya, D., Burley Farr, K., '
        'Brown, E., Martin, A., Hsu, A. (2025), "Climactor 2.0", doi:10.15139/S3/GGWVVQ.',
    ),
)


@dataclass(frozen=True)
class Source:
    """One source entity of the graph (cdr:source/...), with the terms the project knows for it."""

    iri: str
    label: str
    terms: SourceTerms | None


def sources(site: SiteGraph) -> list[Source]:
    """The prov:Entity records under cdr:source/ that imports wrote, with their known terms."""
    entity = pyoxigraph.NamedNode(str(PROV.Entity))
    found = []
    for triple in site.incoming.get(entity, ()):
        node = triple.subject
        if triple.predicate.value != str(RDF.type) or not node.value.startswith(str(CDR) + "source/"):
            continue
        described = " ".join([node.value] + [str(t.object.value) for t in site.outgoing.get(node, ())]).lower()
        terms = next((k for k in KNOWN_TERMS if k.match.lower() in described), None)
        found.append(Source(node.value, site.label(node, "en"), terms))
    return sorted(set(found), key=lambda s: s.iri)


def modified(site: SiteGraph) -> str:
    """The latest prov:endedAtTime in the graph: the one date the site shows ("" when none)."""
    ended = pyoxigraph.NamedNode(str(PROV.endedAtTime))
    times = [t.object.value for t in site.triples if t.predicate == ended]
    return max(times) if times else ""


def gzipped(data: bytes) -> bytes:
    """gzip without a file name or time in the header, so the same data gives the same bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="", compresslevel=6) as out:
        out.write(data)
    return buffer.getvalue()


def ntriples_dump(triples: list) -> bytes:
    """The whole graph as sorted N-Triples (the triples come sorted), gzipped."""
    data = pyoxigraph.serialize(triples, format=formats.NTRIPLES.oxigraph_format) or b""
    return gzipped(data)


def jsonld_dump(triples: list) -> bytes:
    """The whole graph as JSON-LD with the context inline (it parses offline), gzipped."""
    from citydiplomacy.services.export_jsonld import write_jsonld

    return gzipped("".join(write_jsonld(triples, resources.jsonld_context())).encode("utf-8"))


def void_turtle(site: SiteGraph, base: str, entities: int, dumps: Iterable[str]) -> bytes:
    """The VoID description: triples, entities, dumps, vocabulary, sources with their terms.
    No SPARQL endpoint is claimed: the static site has none."""
    graph = rdflib.Graph()
    bind_prefixes(graph)
    graph.bind("void", VOID)
    dataset = URIRef(base + "void.ttl#dataset")
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("City diplomacy knowledge graph", lang="en")))
    graph.add((dataset, DCTERMS.title, Literal("گراف دانش دیپلماسی شهری", lang="fa")))
    graph.add((dataset, FOAF.homepage, URIRef(base)))
    graph.add((dataset, VOID.uriSpace, Literal(str(CDR))))
    graph.add((dataset, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    graph.add((dataset, VOID.triples, Literal(len(site.triples), datatype=XSD.integer)))
    graph.add((dataset, VOID.entities, Literal(entities, datatype=XSD.integer)))
    for dump in dumps:
        graph.add((dataset, VOID.dataDump, URIRef(base + dump)))
    when = modified(site)
    if when:
        graph.add((dataset, DCTERMS.modified, Literal(when, datatype=XSD.dateTime)))
    for source in sources(site):
        node = URIRef(source.iri)
        graph.add((dataset, DCTERMS.source, node))
        graph.add((node, RDFS.label, Literal(source.label)))
        if source.terms is not None:
            if source.terms.license:
                graph.add((node, DCTERMS.license, URIRef(source.terms.license)))
            graph.add((node, DCTERMS.rights, Literal(source.terms.rights, lang="en")))
            if source.terms.citation:
                graph.add((node, DCTERMS.bibliographicCitation, Literal(source.terms.citation)))
    # No blank nodes here, and rdflib's Turtle writer sorts subjects, predicates and objects: stable bytes.
    return graph.serialize(format="turtle", encoding="utf-8")


def htaccess() -> str:
    """The Apache rules for the host that serves the site (see docs/publish.md)."""
    return _jinja().get_template("publish_htaccess.j2").render()


def style_sheet() -> str:
    from markupsafe import Markup

    template = _jinja().get_template("publish_style.css.j2")
    return template.render(en_fonts=Markup(EN_FONTS), fa_fonts=Markup(FA_FONTS))
