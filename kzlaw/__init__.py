"""kzlaw: knowledge-graph legal reasoning for Kazakh media law.

The core library knows no HTTP: parse → validate → reason → rules → explain → store.
"""

import warnings

import rdflib

__version__ = "0.1.0"



def literals_as_written() -> None:
    """Literals are kept as written. rdflib's default normalisation rewrites an ill-typed value to a valid
    one ("maybe"^^xsd:boolean became "false"), so a report showed the wrong value as a valid one, and the
    facts stored were not the facts given. The setting is rdflib's global, and pySHACL sets it back to
    True whenever it finishes a validation (pyshacl.monkey; kzlaw runs pySHACL through
    :func:`pyshacl_entrypoints`, which stops that): kzlaw sets it again where text becomes terms (kzlaw.parse,
    the reference reasoner); its own term conversions pass ``normalize=False``."""
    rdflib.NORMALIZE_LITERALS = False


def pyshacl_entrypoints():
    """pyshacl's entry points (validate, shacl_rules) without their rdflib patches: around every run
    pySHACL set rdflib's process-wide NORMALIZE_LITERALS and xsd:boolean reading, then set them back to
    rdflib's defaults, so a pySHACL run in one thread changed how another thread read literals (3 of 189
    parses racing one in a test normalised "maybe"^^xsd:boolean). Here both stay as kzlaw sets them."""
    from pyshacl import entrypoints

    entrypoints.rdflib_bool_patch = entrypoints.rdflib_bool_unpatch = literals_as_written
    return entrypoints


literals_as_written()
# rdflib's warning about such a boolean is for whoever wrote the value: the report says so in its place
warnings.filterwarnings("ignore", message="Parsing weird boolean", category=UserWarning)
