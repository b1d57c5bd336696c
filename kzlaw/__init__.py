"""kzlaw: knowledge-graph legal reasoning for Kazakh media law.

The core library knows no HTTP: parse → validate → reason → rules → explain → store.
"""

__version__ = "0.1.0"
