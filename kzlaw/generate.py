"""A seeded generator of valid scenarios with realistic variety: platforms (Facebook, other social
networks, portals, newspapers; domestic or foreign), residences, identification, treaties, dual
criminality, content categories, removal demands, refusals, deletions, complaints, court decisions,
state requests, data collections. Used by the property tests, the differential tests and bench/.

Each scenario is an rdflib Graph with relative-looking IRIs under its own base, exactly as a parsed
scenario file would be."""

from __future__ import annotations

import random

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from .namespaces import BASE, KZ

CATEGORIES = [KZ.CallForViolentChangeOfConstitutionalOrder, KZ.IncitementOfRacialHatred,
              KZ.IncitementOfNationalHatred, KZ.IncitementOfReligiousHatred, KZ.IncitementOfSexualHatred,
              KZ.FalseInformation, KZ.ExtremistMaterial, KZ.InsultToTheState, KZ.OrganisingUnauthorisedProtest,
              KZ.PersonalDataWithoutConsent, KZ.CallToChangeThePresident, KZ.CaricatureOffendingReligiousFeelings]


def generate(seed: int, base: str = BASE, lawful_only: bool = False) -> tuple[Graph, str]:
    """One scenario; returns (graph, scenario base IRI)."""
    rnd = random.Random(seed)
    sid = f"gen-{seed}"
    b = f"{base}scenario/{sid}/"
    g = Graph()

    def n(name: str) -> URIRef:
        return URIRef(b + name)

    def date(year_lo=2008, year_hi=2024) -> Literal:
        return Literal(f"{rnd.randint(year_lo, year_hi)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                       datatype=XSD.date)

    g.add((n(""), RDF.type, KZ.Scenario))
    g.add((n(""), RDFS.label, Literal(f"generated scenario {seed}")))
    countries = [KZ.Kazakhstan, KZ.UnitedStates]
    for i in range(rnd.randint(0, 2)):
        c = n(f"country-{i}")
        g.add((c, RDF.type, KZ.ForeignCountry))
        g.add((c, RDFS.label, Literal(f"country {i}")))
        if rnd.random() < 0.5:
            g.add((c, KZ.hasExtraditionTreatyWith, KZ.Kazakhstan))
        for cat in rnd.sample(CATEGORIES, rnd.randint(0, 3)):
            g.add((c, KZ.criminalises, cat))
        if rnd.random() < 0.3:
            g.add((c, KZ.criminalisesHosting, rnd.choice(CATEGORIES)))
        countries.append(c)

    def person(name: str) -> URIRef:
        p = n(name)
        g.add((p, RDF.type, KZ.Person))
        g.add((p, RDFS.label, Literal(name)))
        g.add((p, KZ.identified, Literal(rnd.random() < 0.75)))
        if rnd.random() < 0.9:
            g.add((p, KZ.residence, rnd.choice(countries)))
        return p

    # the resource
    kind = rnd.choice(["facebook", "network", "portal", "newspaper"])
    if kind == "facebook":
        res = KZ.Facebook
    else:
        res = n("resource")
        g.add((res, RDF.type, {"network": KZ.SocialNetwork, "portal": KZ.InformationPortal,
                               "newspaper": KZ.Newspaper}[kind]))
        g.add((res, RDFS.label, Literal(f"a {kind}")))
        g.add((res, KZ.owner, person("owner")))
        g.add((res, KZ.jurisdiction, rnd.choice(countries)))
        if kind == "network" and rnd.random() < 0.6:
            code = n("code")
            g.add((code, RDF.type, KZ.PlatformCode))
            g.add((res, KZ.hasCode, code))
            forbidden = rnd.sample(CATEGORIES, rnd.randint(0, 4))
            for cat in forbidden:
                g.add((code, KZ.forbids, cat))
            if rnd.random() < 0.3:  # known only in part, as the commentary knows Facebook's (A7: undetermined)
                g.add((code, KZ.knownInPart, Literal(True)))
                rest = [c for c in CATEGORIES if c not in forbidden]
                for cat in rnd.sample(rest, rnd.randint(0, min(2, len(rest)))):
                    g.add((code, KZ.doesNotForbid, cat))
        if kind == "portal" and rnd.random() < 0.7:
            g.add((res, KZ.editor, person("editor")))

    def categories(pub: URIRef) -> None:
        if lawful_only:
            pool = [KZ.CallToChangeThePresident, KZ.CaricatureOffendingReligiousFeelings]
            k = rnd.randint(0, 1)
        else:
            pool, k = CATEGORIES, rnd.choice([0, 1, 1, 1, 2])
        for cat in rnd.sample(pool, k):
            g.add((pub, KZ.contentCategory, cat))

    author = person("author")
    post = n("post")
    g.add((post, RDF.type, KZ.Article if kind in ("portal", "newspaper") else KZ.Post))
    g.add((post, RDFS.label, Literal("the post")))
    g.add((post, KZ.author, author))
    g.add((post, KZ.publishedOn, res))
    if rnd.random() < 0.8:
        g.add((post, KZ.date, date()))
    categories(post)

    if kind in ("facebook", "network"):
        for i in range(rnd.randint(0, 3)):
            c = n(f"comment-{i}")
            commenter = person(f"commenter-{i}")
            g.add((c, RDF.type, KZ.Comment))
            g.add((c, RDFS.label, Literal(f"comment {i}")))
            g.add((c, KZ.author, commenter))
            g.add((c, KZ.commentOn, post))
            if rnd.random() < 0.8:
                g.add((c, KZ.date, date()))
            categories(c)
            if rnd.random() < 0.5:
                d = n(f"demand-{i}")
                g.add((d, RDF.type, KZ.RemovalDemand))
                g.add((d, KZ.addressedTo, author))
                g.add((d, KZ.concernsPublication, c))
                answer = rnd.choice(["refusal", "deletion", None])
                if answer is not None:  # the post author refuses, or deletes the comment
                    r = n(f"{answer}-{i}")
                    g.add((r, RDF.type, KZ.Refusal if answer == "refusal" else KZ.Deletion))
                    g.add((r, KZ.answers, d))
                    g.add((r, KZ.agent, author))
                    if answer == "deletion":
                        g.add((r, KZ.concernsPublication, c))
        if rnd.random() < 0.3:
            body = n("state-body")
            g.add((body, RDF.type, KZ.StateBody))
            req = n("request")
            g.add((req, RDF.type, KZ.StateRequest))
            g.add((req, KZ.agent, body))
            g.add((req, KZ.addressedTo, res))
            g.add((req, KZ.requests, KZ.ContentRemoval))
            g.add((req, KZ.concernsPublication, post))
            if rnd.random() < 0.5:
                owner = g.value(res, KZ.owner) or KZ.MarkZuckerberg
                r = n("request-refusal")
                g.add((r, RDF.type, KZ.Refusal))
                g.add((r, KZ.answers, req))
                g.add((r, KZ.agent, owner))
    if rnd.random() < 0.3:
        court = n("court")
        g.add((court, RDF.type, KZ.Court))
        dec = n("decision")
        g.add((dec, RDF.type, KZ.CourtDecision))
        g.add((dec, KZ.agent, court))
        g.add((dec, KZ.concernsResource, res))
        g.add((dec, KZ.orders, KZ.AccessSuspension))
    if rnd.random() < 0.15:
        dc = n("collection")
        g.add((dc, RDF.type, KZ.DataCollection))
        g.add((dc, KZ.agent, author))
        g.add((dc, KZ.dataSubject, person("data-subject")))
        g.add((dc, KZ.explicitConsent, Literal(rnd.random() < 0.5)))
    return g, b
