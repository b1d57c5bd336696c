from fastapi import APIRouter

from kzlaw.rules import rules_version

from ..deps import SettingsDep, StoreDep
from ..models import HealthOut

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut, summary="Liveness and store status")
def health(store: StoreDep, settings: SettingsDep) -> dict:
    return {"status": "ok", "store": "remote" if settings.store_url else "embedded",
            "rules_version": rules_version(), "scenarios": store.scenario_count(),
            "memory_replica": store.replica_state}
