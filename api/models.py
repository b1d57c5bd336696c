"""Response models (the OpenAPI schemas). The JSON itself is built by kzlaw.output and kzlaw.service;
these models describe it (docs/findings-json.md is the reference)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Ref(BaseModel):
    iri: str = Field(description="kz:Term for vocabulary terms, a full IRI otherwise")
    label: str


class RuleRef(BaseModel):
    iri: str
    id: str


class Passage(BaseModel):
    iri: str
    quote: str | None = None


class FindingOut(BaseModel):
    id: str = Field(description="The finding's IRI (stable: the same in the store and over SPARQL)")
    regime: str
    rule: RuleRef
    subject: Ref | None
    conclusion: Ref | None
    concerns: Ref | None = None
    resource: Ref | None = None
    basis: Ref | None = None
    kind: Ref | None = None
    on_refusal: Ref | None = None
    regarding: str | None = None
    categories: list[Ref] = Field([], description="The content categories the finding rests on: what a liability "
                                                  "is for, what makes a site eligible, what a code forbids")
    obstacles: list[Ref] = []
    sanctions: list[Ref] = []
    legal_basis: list[Ref] = []
    passages: list[Passage] = []
    sources: list[str] = []
    facts: list[str] = []
    premises: list[str] = []
    explanation: dict[str, str] = {}
    notices: list[Ref] = Field([], description="Notices that bear on this finding (facts from beyond the two "
                                               "sources, such as the replacement of a law it cites); each "
                                               "is given in full in the response's `notices`.")


class SourceRef(BaseModel):
    iri: str
    label: str
    address: str = Field(description="Where the source is: a file of the two source texts, or a public address")


class NoticeOut(BaseModel):
    iri: str
    label: str
    text: str = Field(description="What the notice says, in the language asked for")
    passages: list[Passage]
    sources: list[SourceRef]


class AssessmentOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    schema_: str = Field(alias="schema")
    scenario: str
    as_of: str | None = None
    rules_version: str
    regimes: list[str]
    findings: list[FindingOut]
    notices: list[NoticeOut] = []
    proofs: dict[str, Any] | None = Field(None, description="Proof tree per finding (?proofs=true)")


class StoredFindingsOut(BaseModel):
    scenario: str
    rules_versions: list[str] = Field(description="Rules versions that produced the stored findings")
    findings: list[FindingOut]
    notices: list[NoticeOut] = []


class ProblemOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    focus: str | None = None
    path: str | None = None
    value: str | None = None
    severity: str
    constraint: str | None = None
    shape: str | None = None
    message: str | None = None
    messages: dict[str, str]
    hint: str | None = Field(None, description="A blank focus node described (its types and label): its "
                                                 "\"_:…\" name is the parser's, not the file's")


class ValidationOut(BaseModel):
    conforms: bool
    problems: list[ProblemOut]


class ScenarioSummary(BaseModel):
    id: str
    iri: str = Field(description="The scenario node's IRI")
    href: str = Field(description="Where the scenario is in this API")
    findings: str = Field(description="Where its findings are")


class ScenarioCreated(ScenarioSummary):
    rules_version: str
    regimes: list[str]
    findings_count: int


class ScenarioPage(BaseModel):
    page: int
    size: int
    total: int
    items: list[ScenarioSummary]


class ScenarioOut(ScenarioSummary):
    graphs: dict[str, Any] = Field(description="Named graphs holding the scenario in the store")
    facts: Any = Field(description="The stored facts, as JSON-LD")


class ChangeOut(BaseModel):
    change: str
    topic: str
    subject: str
    concerns: str | None = None
    base: FindingOut | None = None
    other: FindingOut | None = None


class ChangesOut(BaseModel):
    scenario: str
    base: str
    other: str
    changes: list[ChangeOut]
    notices: list[NoticeOut] = []


class RegimeOut(BaseModel):
    id: str
    iri: str
    version: str
    labels: dict[str, str]
    definitions: dict[str, str]
    sources: list[str]
    rules: list[str]


class ProvisionOut(BaseModel):
    iri: str
    labels: dict[str, str]
    article: str | None = None
    paragraph: str | None = None
    source: str | None = None
    in_force_from: str | None = None
    passages: list[str] = []
    text: dict[str, str] = {}


class RuleOut(BaseModel):
    iri: str
    id: str
    regimes: list[str]
    labels: dict[str, str]
    legal_basis: list[str] = Field(description="The provisions every finding of the rule cites.")
    basis_from_content: bool = Field(
        False, description="Each finding cites the provision its content violates (its category's legal basis), "
                           "e.g. criminal law for a call to violence, the Code of Administrative Offences for "
                           "false information; legal_basis is then empty.")
    passages: list[str]
    sources: list[str]
    overrides: list[str]


class HealthOut(BaseModel):
    status: str
    store: str
    rules_version: str
    scenarios: int
    memory_replica: str = Field(
        "off", description="The embedded store's in-memory copy for SPARQL (KZLAW_STORE_MEMORY): off, "
                           "building (queries answered from disk meanwhile), ready, or failed (from disk)")


class Problem(BaseModel):
    """RFC 9457 problem details (application/problem+json)."""
    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str | None = None
    report: ValidationOut | None = Field(None, description="The SHACL report (422)")
    line: int | None = None
    column: int | None = None
