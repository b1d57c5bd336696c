"""Compare the findings of one scenario under two regimes, like a reform in rules-as-code systems:
what appears, what disappears, what changes. Findings are paired by what they are about — subject,
publication and the question they answer (liability, enforcement, suspension, …)."""

from __future__ import annotations

from dataclasses import dataclass

from .assess import Assessment, Finding
from .namespaces import KZ

TOPICS = {
    "liability": ("Liable", "NotLiable", "SharesResponsibility"),
    "enforcement": ("Enforceable", "NotEnforceable"),
    "media-status": ("TreatedAsMassMedium", "SpecialCategory"),
    "suspension": ("EligibleForSuspension", "NotBlockable"),
    "suspension-order": ("SuspensionOrdered", "SuspensionNotOrdered"),
    "removal": ("VoluntaryDeletionRequestOnly", "RemovalDemandAvailable", "RemovalDemandNotAvailable"),
    "account-blocking": ("AccountBlockingAvailable", "AccountBlockingNotAvailable", "AccountBlockingUndetermined"),
}
_TOPIC_OF = {str(KZ[c]): t for t, cs in TOPICS.items() for c in cs}


def topic(f: Finding) -> str:
    return _TOPIC_OF.get(f.conclusion, f.conclusion.rsplit("#", 1)[-1])


def _pair_key(f: Finding) -> tuple:
    t = topic(f)
    return (f.subject, t, None if t == "media-status" else f.concerns)


@dataclass
class Change:
    kind: str  # appears | disappears | changes
    key: tuple
    base: Finding | None
    other: Finding | None


def _same(a: Finding, b: Finding) -> bool:
    return (a.conclusion, a.basis, sorted(a.obstacles), a.kind) == (b.conclusion, b.basis, sorted(b.obstacles), b.kind)


def compare(a: Assessment, base: str, other: str) -> list[Change]:
    left = {}
    for f in a.by_regime(base):
        left.setdefault(_pair_key(f), f)
    right = {}
    for f in a.by_regime(other):
        right.setdefault(_pair_key(f), f)
    changes = []
    for key in sorted(set(left) | set(right), key=lambda k: tuple(str(x) for x in k)):
        lf, rf = left.get(key), right.get(key)
        if lf and not rf:
            changes.append(Change("disappears", key, lf, None))
        elif rf and not lf:
            changes.append(Change("appears", key, None, rf))
        elif not _same(lf, rf):
            changes.append(Change("changes", key, lf, rf))
    return changes
