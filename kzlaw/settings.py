"""Service configuration: ``KZLAW_*`` environment variables, read once (pydantic-settings).

Defaults serve a single machine with no configuration at all: an embedded Oxigraph store under
``var/store``, the API on 127.0.0.1:8000. ``KZLAW_STORE_URL`` switches to a SPARQL 1.1 server.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .namespaces import BASE, LANGS


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KZLAW_", extra="ignore")

    store_path: str = Field("var/store", description="Directory of the embedded Oxigraph store")
    store_url: str | None = Field(
        None, description="Base URL of a SPARQL 1.1 server (query at /query, update at /update); "
                          "when set, the embedded store is not used")
    store_memory: bool = Field(
        False, description="Keep an in-memory copy of the embedded store for SPARQL queries (store-wide "
                           "questions 4-10x faster; ~275 bytes of memory a stored quad; built in the "
                           "background at start, queries answered from disk until it is ready)")
    base_iri: str = Field(BASE, description="Base of scenario, finding and graph IRIs")
    max_body_bytes: int = Field(4 * 1024 * 1024, gt=0, description="Largest request body accepted")
    query_timeout_s: float = Field(10.0, gt=0, description="Time limit of one SPARQL query")
    max_result_rows: int = Field(10_000, gt=0, description="Most rows a SPARQL SELECT may return")
    max_triples: int = Field(20_000, gt=0, description="Most triples one scenario may have (checked after "
                                                         "parsing, before validation)")
    max_query_chars: int = Field(20_000, gt=0, description="Longest SPARQL query string accepted")
    max_concurrent_queries: int = Field(4, gt=0, description="SPARQL queries evaluated at once; more wait "
                                                             "briefly, then get 503")
    api_tokens: str | None = Field(None, description="Comma-separated bearer tokens; when set, writes "
                                                     "(POST/PUT/DELETE /v1/scenarios...) need one")
    cors_origins: str | None = Field(None, description="Comma-separated origins allowed by CORS (off when "
                                                       "unset; '*' allows any)")
    default_lang: str = Field("en", description="Language of labels and explanations by default")
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def tokens(self) -> list[str]:
        return [t.strip() for t in (self.api_tokens or "").split(",") if t.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in (self.cors_origins or "").split(",") if o.strip()]

    def model_post_init(self, context, /) -> None:
        if self.default_lang not in LANGS:
            raise ValueError(f"KZLAW_DEFAULT_LANG must be one of {', '.join(LANGS)}")
        if not self.base_iri.endswith("/"):
            raise ValueError("KZLAW_BASE_IRI must end with '/'")


@cache
def get_settings() -> Settings:
    """The settings of this process (read from the environment once)."""
    return Settings()
