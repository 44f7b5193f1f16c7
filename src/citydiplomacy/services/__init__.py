"""The services: one per job (validate, query, load, import, reason, export, docs, analyze).

Each is callable from Python with plain arguments and results, stands on ``citydiplomacy.core``
and never imports ``citydiplomacy.cli``, which sits above them.
"""
