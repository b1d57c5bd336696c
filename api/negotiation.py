"""Content negotiation: one parser of the Accept header (RFC 9110 §12.5.1) for every route."""

from __future__ import annotations


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
