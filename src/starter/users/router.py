from starter.core.routing import api_router

router = api_router(tags=["Users"])
admin_router = api_router(tags=["Admin"])
