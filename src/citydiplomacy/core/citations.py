"""Third-party data whose licence asks every output that shows it to cite it, and how to tell it is shown.

ClimActor (../shared/data/climactor-hsu2020/README): non-commercial use, with citation. A membership
read from its file is recognised by its source, as the importers record a source (``dcterms:identifier
"sha256:..."`` and ``dcterms:title``, reached by ``prov:wasDerivedFrom``, ``dcterms:source`` or the
import activity's ``prov:used``). ``analyze`` and ``query run`` print :data:`CLIMACTOR_CITATION` as their
closing line (and plots as a footer) when what they show comes from it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph

from citydiplomacy.core.namespaces import PREFIXES

CLIMACTOR_SHA256 = "d5ad88d76226e093d721bdb7e229f34cefa438366e2bf023eb2f786e91e26e97"
CLIMACTOR_CITATION = (
    "Membership data: ClimActor (Hsu et al. 2020, Scientific Data 7, 374; Manya et al. 2025, "
    "Climactor 2.0, doi:10.15139/S3/GGWVVQ), non-commercial use only"
)
DATASETS = {"climactor": CLIMACTOR_CITATION}  # the names a question's ``# cites:`` header may give

ASK_FROM_CLIMACTOR = f"""
ASK {{
  ?m a/rdfs:subClassOf* cdo:CityNetworkMembership ;
     (prov:wasDerivedFrom|dcterms:source|prov:wasGeneratedBy/prov:used) ?source .
  {{ ?source dcterms:identifier "sha256:{CLIMACTOR_SHA256}" }}
  UNION
  {{ ?source dcterms:title ?title FILTER(REGEX(STR(?title), "climactor|subnational_contextuals_database", "i")) }}
}}
"""
_PREFIXES = {k: PREFIXES[k] for k in ("cdo", "rdfs", "prov", "dcterms")}


def climactor_citation(store: pyoxigraph.Store, graphs: Sequence[str] | None = None) -> str | None:
    """The citation when *store* (its union, or only *graphs*) holds memberships read from ClimActor."""
    kwargs: dict = {"prefixes": _PREFIXES}
    if graphs:
        kwargs["default_graph"] = [pyoxigraph.NamedNode(g) for g in graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    return CLIMACTOR_CITATION if bool(store.query(ASK_FROM_CLIMACTOR, **kwargs)) else None


def citations(store: pyoxigraph.Store, datasets: Sequence[str]) -> list[str]:
    """The citations of the *datasets* (names of :data:`DATASETS`) whose data *store* holds."""
    found = []
    for name in datasets:
        if name == "climactor" and (line := climactor_citation(store)):
            found.append(line)
    return found
