"""What it takes to use pyLODE 3.4.1 as a library: the one place that works around it.

1. Importing it. pyLODE 3.4.1's ``pylode/version.py`` reads ``pyproject.toml`` next to the
   package, which its wheel does not ship, so ``import pylode`` raises FileNotFoundError
   (https://github.com/RDFLib/pyLODE/issues/260, fixed upstream after 3.4.1). We then import it
   once with a stand-in ``pylode.version`` module carrying the installed distribution's version,
   and take the stand-in out of ``sys.modules`` again afterwards.
2. Adding to its page. pyLODE's ``make_html`` returns a finished page and has no hook for extra
   sections, so :func:`add_to_page` inserts ours at landmarks of its HTML (the first
   ``<div class="section" id="classes">``, ``<div id="content">``, the table of contents); when a
   landmark is missing (another pyLODE layout) the addition goes before ``</body>`` or is skipped.
3. Quieting it. pyLODE logs its progress at INFO on the root logger; :func:`ontpub_html` turns
   INFO off while it runs and restores the previous level.

Delete this module's workarounds as pyLODE gains the corresponding fixes and hooks.
"""

from __future__ import annotations

import importlib.metadata
import logging
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

import rdflib

_VERSION_MODULE = "pylode.version"


@contextmanager
def _version_stand_in() -> Iterator[None]:
    """``pylode.version`` answered by the installed distribution's metadata, inside the block only."""
    for name in [m for m in sys.modules if m == "pylode" or m.startswith("pylode.")]:
        del sys.modules[name]  # the half-imported modules of the failed first attempt
    stand_in = types.ModuleType(_VERSION_MODULE)
    vars(stand_in)["__version__"] = importlib.metadata.version("pylode")
    sys.modules[_VERSION_MODULE] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(_VERSION_MODULE) is stand_in:
            del sys.modules[_VERSION_MODULE]


def import_ontpub():
    """pyLODE's ``OntPub`` class, imported with the workaround for RDFLib/pyLODE#260 when needed."""
    try:
        from pylode import OntPub
    except FileNotFoundError:
        with _version_stand_in():
            from pylode import OntPub
    return OntPub


def ontpub_html(graph: rdflib.Graph) -> str:
    """pyLODE's OntPub page for *graph* (subjects sorted), without its INFO logging."""
    ontpub = import_ontpub()
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        return ontpub(graph, sort_subjects=True).make_html()
    finally:
        logging.disable(previous)


_SECTIONS_LANDMARK = '<div class="section" id="classes">'
_CONTENT_LANDMARK = '<div id="content">'
_TOC_LANDMARK = '<h3>Table of Contents</h3>\n      <ul class="first">'


def add_to_page(html: str, sections: str, top: str, toc_items: str) -> str:
    """*html* from pyLODE with *sections* before its classes, *top* first in its content and
    *toc_items* first in its table of contents; ``lang="en"`` on ``<html>`` if it has none."""
    if _SECTIONS_LANDMARK in html:
        html = html.replace(_SECTIONS_LANDMARK, sections + _SECTIONS_LANDMARK, 1)
    else:
        html = html.replace("</body>", sections + "</body>", 1)
    html = html.replace(_CONTENT_LANDMARK, _CONTENT_LANDMARK + top, 1)
    html = html.replace(_TOC_LANDMARK, _TOC_LANDMARK + toc_items, 1)
    if 'lang="en"' not in html[:500]:
        html = html.replace("<html>", '<html lang="en">', 1)
    return html
