"""Examples shown in the OpenAPI document: the worked case "Facebook, reachable commenter"."""

SCENARIO_ID = "facebook-reachable"

SCENARIO_JSONLD = {
    "@context": "https://w3id.org/kzlaw/context.jsonld",
    "@graph": [
        {"id": "", "type": "Scenario", "label": "The Facebook case, reachable commenter"},
        {"id": "blogger", "type": "Person", "label": "the blogger", "identified": True,
         "residence": "kz:Kazakhstan", "citizenship": ["kz:Kazakhstan"]},
        {"id": "john-doe", "type": "Person", "label": "John Doe", "identified": True,
         "residence": "kz:Kazakhstan"},
        {"id": "post", "type": "Post", "label": "post about the political system of Kazakhstan",
         "author": "blogger", "publishedOn": "kz:Facebook", "date": "2015-03-02"},
        {"id": "comment", "type": "Comment", "label": "John Doe's comment", "author": "john-doe",
         "commentOn": "post", "date": "2015-03-02",
         "contentCategory": ["kz:CallForViolentChangeOfConstitutionalOrder"]},
    ],
}

SCENARIO_TURTLE = """@prefix kz:   <https://w3id.org/kzlaw/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
<> a kz:Scenario ; rdfs:label "The Facebook case, reachable commenter" .
<blogger> a kz:Person ; rdfs:label "the blogger" ; kz:identified true ;
    kz:residence kz:Kazakhstan ; kz:citizenship kz:Kazakhstan .
<john-doe> a kz:Person ; rdfs:label "John Doe" ; kz:identified true ; kz:residence kz:Kazakhstan .
<post> a kz:Post ; rdfs:label "post about the political system of Kazakhstan" ;
    kz:author <blogger> ; kz:publishedOn kz:Facebook ; kz:date "2015-03-02"^^xsd:date .
<comment> a kz:Comment ; rdfs:label "John Doe's comment" ;
    kz:author <john-doe> ; kz:commentOn <post> ; kz:date "2015-03-02"^^xsd:date ;
    kz:contentCategory kz:CallForViolentChangeOfConstitutionalOrder .
"""

# The request body of every route that takes a scenario (the routes read the raw body themselves, so
# that size, media type and syntax are checked by kzlaw before anything else).
SCENARIO_BODY = {
    "requestBody": {
        "required": True,
        "description": "A scenario: JSON-LD (application/json implies kzlaw's context), Turtle, "
                       "N-Triples or RDF/XML. Relative IRIs resolve against the scenario's IRI.",
        "content": {
            "application/ld+json": {"schema": {"type": "object"}, "example": SCENARIO_JSONLD},
            "application/json": {"schema": {"type": "object"}, "example": SCENARIO_JSONLD},
            "text/turtle": {"schema": {"type": "string"}, "example": SCENARIO_TURTLE},
            "application/n-triples": {"schema": {"type": "string"}},
            "application/rdf+xml": {"schema": {"type": "string"}},
        },
    }
}

SPARQL_EXAMPLE = """PREFIX kz: <https://w3id.org/kzlaw/ontology#>
SELECT ?finding ?subject WHERE { ?finding a kz:Finding ; kz:conclusion kz:Liable ; kz:subject ?subject }"""
