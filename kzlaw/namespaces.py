"""IRIs and namespaces. The vocabulary namespace is fixed; the base for scenarios and findings is set by
configuration (``KZLAW_BASE_IRI``) and passed in where it matters."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

KZ = Namespace("https://w3id.org/kzlaw/ontology#")
BASE = "https://w3id.org/kzlaw/"
ELI = Namespace(BASE + "eli/")
REGIME = Namespace(BASE + "regime/")
RULE = Namespace(BASE + "rule/")
SH = Namespace("http://www.w3.org/ns/shacl#")
CONTEXT_IRI = BASE + "context.jsonld"
LANGS = ("en", "ru", "kk")

PREFIXES = {
    "kz": str(KZ), "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD),
    "skos": str(SKOS), "dcterms": str(DCTERMS), "prov": str(PROV), "sh": str(SH),
    "eli": str(ELI), "regime": str(REGIME), "rule": str(RULE),
}

__all__ = [
    "BASE",
    "CONTEXT_IRI",
    "DCTERMS",
    "ELI",
    "KZ",
    "LANGS",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "REGIME",
    "RULE",
    "SH",
    "SKOS",
    "XSD",
]
