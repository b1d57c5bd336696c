"""Response models (the OpenAPI schemas). The JSON itself is built by kzlaw.output and kzlaw.service;
these models describe it (docs/findings-json.md is the reference)."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field


class Ref(BaseModel):
    iri: str = Field(description="kz:Term for vocabulary terms, a full IRI otherwise")
    label: str


class RuleRef(BaseModel):
    iri: str
    id: str


class Passage(BaseModel):
    iri: str
    quote: Optional[str] = None


class FindingOut(BaseModel):
    id: str = Field(description="The finding's IRI (stable: the same in the store and over SPARQL)")
    regime: str
    rule: RuleRef
    subject: Optional[Ref]
    conclusion: Optional[Ref]
    concerns: Optional[Ref] = None
    resource: Optional[Ref] = None
    basis: Optional[Ref] = None
    kind: Optional[Ref] = None
    on_refusal: Optional[Ref] = None
    regarding: Optional[str] = None
    obstacles: list[Ref] = []
    sanctions: list[Ref] = []
    legal_basis: list[Ref] = []
    passages: list[Passage] = []
    sources: list[str] = []
    facts: list[str] = []
    premises: list[str] = []
    explanation: dict[str, str] = {}


class AssessmentOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    schema_: str = Field(alias="schema")
    scenario: str
    as_of: Optional[str] = None
    rules_version: str
    regimes: list[str]
    findings: list[FindingOut]
    proofs: Optional[dict[str, Any]] = Field(None, description="Proof tree per finding (?proofs=true)")


class StoredFindingsOut(BaseModel):
    scenario: str
    rules_versions: list[str] = Field(description="Rules versions that produced the stored findings")
    findings: list[FindingOut]


class ProblemOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    focus: Optional[str] = None
    path: Optional[str] = None
    value: Optional[str] = None
    severity: str
    constraint: Optional[str] = None
    shape: Optional[str] = None
    message: Optional[str] = None
    messages: dict[str, str]


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
    concerns: Optional[str] = None
    base: Optional[FindingOut] = None
    other: Optional[FindingOut] = None


class ChangesOut(BaseModel):
    scenario: str
    base: str
    other: str
    changes: list[ChangeOut]


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
    article: Optional[str] = None
    paragraph: Optional[str] = None
    source: Optional[str] = None
    in_force_from: Optional[str] = None
    passages: list[str] = []
    text: dict[str, str] = {}


class RuleOut(BaseModel):
    iri: str
    id: str
    regimes: list[str]
    labels: dict[str, str]
    legal_basis: list[str]
    passages: list[str]
    sources: list[str]
    overrides: list[str]


class HealthOut(BaseModel):
    status: str
    store: str
    rules_version: str
    scenarios: int


class Problem(BaseModel):
    """RFC 9457 problem details (application/problem+json)."""
    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: Optional[str] = None
    report: Optional[ValidationOut] = Field(None, description="The SHACL report (422)")
    line: Optional[int] = None
    column: Optional[int] = None
