"""Hostile documents the parser itself must refuse cleanly (InputError, never a crash or a store error)."""

import pytest

from kzlaw.errors import InputError
from kzlaw.parse import parse_scenario

BASE = "https://w3id.org/kzlaw/scenario/x/"


@pytest.mark.parametrize("data,fmt", [
    ('<#a b> <#p> <#c> .', "turtle"),
    ('<urn:a> <urn:p> <urn:c{x}> .', "nt"),
    ('{"@id": "a b\\"c", "@type": "kz:Person"}', "json-ld"),
    (('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:a b">'
     '<rdf:value>1</rdf:value></rdf:Description></rdf:RDF>'), "xml"),
    ('{"@context": {"@version": 2.5}, "@id": "x"}', "json-ld"),
    ('{"@context": {"kz": 42}, "kz:a": 1}', "json-ld"),
    ('{"@context": {}, "@id": "x"}', "json-ld"),  # no triples at all
    ('{"\u00a65\u009c\u0080": [[5e-324, true, 8926]]}', "json-ld"),  # a C1 control character (was a 500)
])
def test_refused(data, fmt):
    with pytest.raises(InputError):
        parse_scenario(data, fmt, BASE)


def test_a_json_ld_1_1_context_still_parses():
    g = parse_scenario('{"@context": {"@version": 1.1, "@vocab": "urn:x#"}, "@id": "a", "p": 1}', "json-ld", BASE)
    assert len(g) == 1
