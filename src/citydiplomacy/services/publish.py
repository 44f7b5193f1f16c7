"""A static linked-data site of the graph, as it would be hosted behind w3id.org (``citydip publish DIR``).

For each IRI under the project's namespaces the site holds an English and a Persian page and
the IRI's Turtle and JSON-LD, at the IRI's path below the site's root (``cdr:city/Q90`` ->
``resource/city/Q90.html``, ``.fa.html``, ``.ttl``, ``.jsonld``; ``cdo:City`` ->
``ontology/City.*``), plus the ontology's own document, an index, dumps, a VoID description and
the ``.htaccess`` that answers each extensionless IRI with the file the client accepts.

Same graph, same bytes: triples are read canonicalised and sorted (as ``export`` reads them),
everything on a page is sorted, and the only date is the graph's own latest prov:endedAtTime.
The site is written into ``DIR.tmp`` without per-file fsync and renamed to ``DIR`` at the end,
so ``DIR`` is either the previous site or the new one, never half of one.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from citydiplomacy.core import formats, resources
from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.namespaces import CONTEXT_IRI, ONTOLOGY_IRI, PROJECT_IRI
from citydiplomacy.core.output import no_progress
from citydiplomacy.services import publish_files as files
from citydiplomacy.services.export_jsonld import Compactor, write_jsonld
from citydiplomacy.services.publish_graph import SiteGraph, page_path, prefixes_used
from citydiplomacy.services.publish_pages import HTML_SUFFIX, TEXT, Item, Page, PageMaker, Section

LANG_CHOICES = ("en", "fa", "both")
MARKER = ".citydip-publish"  # says a folder is a site this command wrote (so it may replace it)


@dataclass
class Published:
    """What a run wrote: HTML pages, files in all, their bytes, and the IRIs skipped (unsafe paths)."""

    folder: Path
    pages: int
    files: int
    bytes: int
    seconds: float
    skipped: int


class SiteWriter:
    """Writes files below one folder (no fsync: the folder is renamed into place at the end)."""

    def __init__(self, root: Path):
        self.root = root
        self.files = 0
        self.bytes = 0
        self.pages = 0
        self._made: set[Path] = set()

    def write(self, relative: str, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self.root / relative
        if path.parent not in self._made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
        with open(path, "wb") as out:
            out.write(data)
        self.files += 1
        self.bytes += len(data)
        self.pages += relative.endswith(".html")


def languages(choice: str) -> tuple[str, ...]:
    """``--lang en|fa|both`` as the languages to write."""
    if choice not in LANG_CHOICES:
        raise CitydipError(f"unknown --lang {choice!r}; use one of: {', '.join(LANG_CHOICES)}")
    return ("en", "fa") if choice == "both" else (choice,)


def check_target(out: Path) -> None:
    """Refuse, before any work, a target that is a file or a folder of something else."""
    if out.exists() and not out.is_dir():
        raise CitydipError(f"{out}: is a file, not a folder; give a folder for the site")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise CitydipError(
            f"{out}: the folder is not empty and was not written by citydip publish; give a new or empty folder"
        )


def _fresh_folder(out: Path) -> Path:
    """``DIR.tmp``, emptied when a killed run left it (only if that run marked it as ours)."""
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        if not (tmp / MARKER).is_file() and any(tmp.iterdir()):
            raise CitydipError(f"{tmp}: is in the way and was not written by citydip publish; move it away")
        shutil.rmtree(tmp)
    try:
        tmp.mkdir(parents=True)
    except OSError as exc:
        raise CitydipError(f"{tmp}: cannot create the folder ({exc.strerror or exc}); give another folder") from None
    return tmp


def _swap(tmp: Path, out: Path) -> None:
    """Put the finished site in place of *out* (a previous site, an empty folder, or nothing)."""
    if out.is_dir():
        old = out.with_name(out.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old)
    else:
        tmp.rename(out)


def turtle(triples: list) -> bytes:
    """Triples (sorted) as Turtle with the prefixes they use."""
    fmt = formats.TURTLE.oxigraph_format
    return pyoxigraph.serialize(triples, format=fmt, prefixes=prefixes_used(triples)) or b""


def jsonld(triples: list, compactor: Compactor) -> bytes:
    """Triples (sorted) as compact JSON-LD naming the published context (``DIR/context.jsonld``)."""
    text = write_jsonld(triples, {}, context_iri=CONTEXT_IRI, compactor=compactor)
    return "".join(text).encode("utf-8")


def _write_resource(writer: SiteWriter, maker: PageMaker, node, langs: tuple[str, ...], compactor: Compactor) -> None:
    path = page_path(node.value) or ""
    for lang in langs:
        writer.write(path + HTML_SUFFIX[lang], maker.render(maker.resource_page(node, lang), langs))
    description = maker.site.description(node)
    writer.write(path + ".ttl", turtle(description))
    writer.write(path + ".jsonld", jsonld(description, compactor))


def _write_ontology(writer: SiteWriter, maker: PageMaker, langs: tuple[str, ...]) -> None:
    """``ontology.html`` (+ .fa.html): the ontology's page with its index of terms; and the
    whole ontology as Turtle, JSON-LD and RDF/XML (``.rdf`` and ``.owl``), as ``export`` writes it."""
    from citydiplomacy.services.export import export_bytes

    node = pyoxigraph.NamedNode(ONTOLOGY_IRI)
    for lang in langs:
        page = maker.resource_page(node, lang)
        page.intro = TEXT[lang]["terms_note"]
        page.sections = maker.ontology_index(lang) + page.sections
        writer.write("ontology" + HTML_SUFFIX[lang], maker.render(page, langs))
    writer.write("ontology.ttl", export_bytes("ontology", "turtle").data)
    writer.write("ontology.jsonld", export_bytes("ontology", "jsonld").data)
    rdfxml = export_bytes("ontology", "rdfxml").data
    writer.write("ontology.rdf", rdfxml)
    writer.write("ontology.owl", rdfxml)


def _index_page(maker: PageMaker, lang: str, sources: list[files.Source], when: str) -> Page:
    """The site's front page: what the graph holds (by class), the ontology, dumps, VoID, sources."""
    t = TEXT[lang]
    counts = [
        Item(maker.link(cls, lang, 0).text, maker.link(cls, lang, 0).href, f"{count:,}")
        for cls, count in maker.site.type_counts()
        if page_path(cls.value)
    ]
    data = [
        Item(t["ontology"], "ontology" + HTML_SUFFIX[lang]),
        Item(t["dumps"] + " (N-Triples)", files.DUMP_NT),
        Item(t["dumps"] + " (JSON-LD)", files.DUMP_JSONLD),
        Item(t["void"], "void.ttl"),
    ]
    cited = [Item(s.label, _href(s.iri, lang), _terms_note(s)) for s in sources]
    page = Page("index", lang, t["site"], alternates=False, data_links=data)
    page.sections = [Section(t["counts"], counts)] + ([Section(t["sources"], cited)] if cited else [])
    page.footer = f"{t['as_of']} {when}." if when else ""
    return page


def _href(iri: str, lang: str) -> str:
    """A link from the site's root: the IRI's page if it has one, else the IRI."""
    path = page_path(iri)
    return path + HTML_SUFFIX[lang] if path else iri


def _terms_note(source: files.Source) -> str:
    if source.terms is None:
        return ""
    return " ".join(part for part in (source.terms.rights, source.terms.citation) if part)


def _write_site_files(writer: SiteWriter, site: SiteGraph, base: str, entities: int) -> None:
    writer.write(files.DUMP_NT, files.ntriples_dump(site.triples))
    writer.write(files.DUMP_JSONLD, files.jsonld_dump(site.triples))
    writer.write("void.ttl", files.void_turtle(site, base, entities, (files.DUMP_NT, files.DUMP_JSONLD)))
    writer.write(".htaccess", files.htaccess())
    writer.write("style.css", files.style_sheet())
    writer.write("context.jsonld", (resources.ontology_dir() / "context.jsonld").read_bytes())


def _read_graph(store, progress) -> SiteGraph:
    from citydiplomacy.services.export import _canonical_store_dataset, _sorted_triples

    dataset = _canonical_store_dataset(store, "all", progress)
    with progress(f"indexing {len(dataset):,} quads"):
        return SiteGraph(_sorted_triples(dataset))


def publish(
    store, out_dir: str | Path, langs: Iterable[str] = ("en", "fa"), base: str = PROJECT_IRI, progress=no_progress
) -> Published:
    """Write the site of *store* (a pyoxigraph store) into *out_dir*; see the module's docstring.

    *base* is where the site will be served (the dumps' URLs in the VoID description); the IRIs
    in the data are the project's whatever it is. *progress* is core.output.progress or alike.
    """
    started = time.perf_counter()
    langs = tuple(lang for lang in ("en", "fa") if lang in set(langs))
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", base):
        raise CitydipError(f"--base {base!r}: give the http(s) address the site will be served from")
    base = base if base.endswith("/") else base + "/"
    out = Path(out_dir)
    check_target(out)
    tmp = _fresh_folder(out)
    try:
        writer = SiteWriter(tmp)
        writer.write(MARKER, "written by citydip publish\n")
        site = _read_graph(store, progress)
        maker = PageMaker(site)
        nodes = [n for n in site.nodes_with_pages() if n.value != ONTOLOGY_IRI]
        compactor = Compactor(resources.jsonld_context())
        with progress(f"writing the pages of {len(nodes):,} IRIs", total=len(nodes)) as advance:
            for node in nodes:
                _write_resource(writer, maker, node, langs, compactor)
                advance(1)
        _write_ontology(writer, maker, langs)
        known, when = files.sources(site), files.modified(site)
        for lang in langs:
            writer.write("index" + HTML_SUFFIX[lang], maker.render(_index_page(maker, lang, known, when), langs))
        with progress("writing the dumps and the VoID description"):
            _write_site_files(writer, site, base, len(nodes))
        skipped = _unpublishable(site)
        with progress("putting the site in place (an earlier one is removed)"):
            _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Published(out, writer.pages, writer.files, writer.bytes, time.perf_counter() - started, skipped)


def _unpublishable(site: SiteGraph) -> int:
    """Project IRIs with no page because their path is not safe as a file name."""
    from citydiplomacy.core.namespaces import CDO, CDR

    ours = (str(CDO), str(CDR))
    return sum(
        1
        for node in set(site.outgoing) | set(site.incoming)
        if isinstance(node, pyoxigraph.NamedNode) and node.value.startswith(ours) and page_path(node.value) is None
    )
