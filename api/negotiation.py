"""Content negotiation: one parser of the Accept header (RFC 9110 §12.5.1) for every route."""

from __future__ import annotations

from .errors import ApiProblem


def ranked_media_types(accept: str) -> list[tuple[str, float]]:
    """(media type, q) pairs, best first; equal q keep the client's order. A malformed q counts as 0."""
    ranked = []
    for i, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        q = 1.0
        for p in parts[1:]:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, parts[0].lower()))
    return [(mt, -neg_q) for neg_q, _, mt in sorted(ranked)]


def negotiate(accept: str, offers: list[tuple[str, object]]) -> tuple[str, object]:
    """The first of ``offers`` ((media type, format), preferred first) the Accept header takes, by its
    ranking; a wildcard takes the first offer it covers that is not refused (q=0) by name. No Accept: the
    first offer; nothing acceptable: 406."""
    ranked = ranked_media_types(accept)
    refused = {mt for mt, q in ranked if q <= 0}  # "text/turtle;q=0, */*": anything but Turtle
    for mt, q in ranked:
        if q <= 0:
            continue
        for offer in offers:
            if offer[0] not in refused and (mt == offer[0] or mt in ("*/*", "")
                                            or (mt.endswith("/*") and offer[0].startswith(mt[:-1]))):
                return offer
    if not accept.strip():
        return offers[0]
    raise ApiProblem(406, "not-acceptable", "Not acceptable",
                     f"no format offered here matches Accept: {accept}; offered: "
                     f"{', '.join(o[0] for o in offers)}")
