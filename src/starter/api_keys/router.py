from starter.core.routing import api_router

router = api_router(prefix="/api-keys", tags=["API Keys"])
