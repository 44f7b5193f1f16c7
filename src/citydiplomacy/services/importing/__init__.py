"""Importing real twinning data (Wikidata P190 extracts, researchers' spreadsheets) into the store.

``sources`` parses the three shared files into plain records, ``writer`` turns them into
pyoxigraph quads (all in the data graph; PROV-O says which file stated what), ``spreadsheet`` reconciles a researcher's
CSV against the cities already in the graph.
"""
