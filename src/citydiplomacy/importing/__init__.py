"""Importing real twinning data (Wikidata P190 extracts, researchers' spreadsheets) into the store.

``sources`` parses the three shared files into plain records, ``writer`` turns them into
pyoxigraph quads (one named graph per source file), ``spreadsheet`` reconciles a researcher's
CSV against the cities already in the graph.
"""
