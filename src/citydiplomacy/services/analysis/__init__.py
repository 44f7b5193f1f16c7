"""``citydip analyze``: the article's thesis (space of flows against space of places) measured on the graph.

``network`` reads the twinning agreements as an undirected networkx graph and computes the figures of
a network of flows; ``cityness`` scores every city on flows (twinning, memberships, reach abroad) and on
place (its rank in its country's urban hierarchy) and writes the scores back into the graph as RDF.
"""
