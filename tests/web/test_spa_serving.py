"""Serving the built web app: cache headers, the route manifest (200 vs 404) and `/api/*`
never swallowed. Against a small fake build, and against the real build when it exists."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from starter.core.config import ServerSettings
from starter.spa import IMMUTABLE, PACKAGED_DIST
from tests.support.errors import assert_error
from tests.support.http import app_client
from tests.support.settings import make_settings

INDEX = "<!DOCTYPE html><html><head><title>starter</title></head><body>app</body></html>"
ASSET = "app-Ab12Cd34.js"


def fake_dist(root: Path) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    (root / "assets" / ASSET).write_text("console.log('hi')")
    routes = ["/", "/auth/login", "/admin", "/admin/tasks", "/admin/tasks/$taskId"]
    (root / "routes.json").write_text(json.dumps({"routes": routes}))
    return root


async def serve(database_url: str, dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        database_url, server=ServerSettings(web_build_path=str(dist), access_log=False)
    )
    async with app_client(settings) as http:
        yield http


@pytest.fixture
async def web(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for http in serve(database_url, fake_dist(tmp_path / "dist")):
        yield http


async def test_hashed_assets_are_cached_forever(web: httpx.AsyncClient) -> None:
    response = await web.get(f"/assets/{ASSET}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.text == "console.log('hi')"


async def test_missing_asset_is_404_and_not_cached_forever(web: httpx.AsyncClient) -> None:
    response = await web.get("/assets/missing-00000000.js")
    assert response.status_code == 404
    assert response.headers.get("cache-control") != IMMUTABLE


async def test_index_is_never_cached(web: httpx.AsyncClient) -> None:
    response = await web.get("/")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == INDEX


async def test_favicon_is_served(web: httpx.AsyncClient) -> None:
    response = await web.get("/favicon.ico")
    assert response.status_code == 200
    assert response.content == b"\x00\x00\x01\x00"


@pytest.mark.parametrize("path", ["/auth/login", "/admin", "/admin/tasks", "/admin/tasks/abc-123"])
async def test_spa_routes_answer_index_with_200(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("path", ["/nope", "/admin/tasks/a/b", "/admin/unknown-page"])
async def test_unknown_pages_answer_index_with_404(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert response.status_code == 404
    assert response.text == INDEX


async def test_unknown_api_path_is_a_json_404(web: httpx.AsyncClient) -> None:
    response = await web.get("/api/v1/unknown")
    assert_error(response, 404, "NOT_FOUND", "The requested resource was not found")


async def test_other_api_versions_are_json_404s(web: httpx.AsyncClient) -> None:
    assert_error(await web.get("/api/v2/x"), 404, "NOT_FOUND")
    assert_error(await web.get("/api"), 404, "NOT_FOUND")


async def test_wrong_method_on_an_api_path_is_405(web: httpx.AsyncClient) -> None:
    response = await web.post("/api/v1/health/live")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]


async def test_unsafe_method_on_a_page_is_405(web: httpx.AsyncClient) -> None:
    response = await web.post("/admin")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")


async def test_path_traversal_stays_inside_the_build(web: httpx.AsyncClient) -> None:
    response = await web.get("/..%2F..%2Fetc%2Fpasswd")
    assert response.status_code == 404
    assert response.text == INDEX


async def test_disabled_static_serving_leaves_only_json(database_url: str) -> None:
    settings = make_settings(
        database_url, server=ServerSettings(web_build_path="", access_log=False)
    )
    async with app_client(settings) as http:
        assert_error(await http.get("/admin"), 404, "NOT_FOUND")


BUILT = PACKAGED_DIST / "index.html"
needs_build = pytest.mark.skipif(
    not BUILT.is_file(), reason="web app not built (run `make install` with Node present)"
)


@pytest.fixture
async def real_web(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async for http in serve(database_url, PACKAGED_DIST):
        yield http


@needs_build
async def test_real_build_serves_its_entry_and_assets(real_web: httpx.AsyncClient) -> None:
    index = await real_web.get("/")
    assert index.status_code == 200
    assert index.headers["cache-control"] == "no-cache"
    assert index.text.startswith("<!DOCTYPE html>")
    assert "<title>starter</title>" in index.text
    scripts = re.findall(r'src="(/assets/[^"]+\.js)"', index.text)
    assert scripts, index.text
    for script in scripts:
        asset = await real_web.get(script)
        assert asset.status_code == 200
        assert asset.headers["cache-control"] == IMMUTABLE
        assert "javascript" in asset.headers["content-type"]
    assert (await real_web.get("/favicon.ico")).status_code == 200


@needs_build
async def test_real_build_manifest_covers_the_app_routes(real_web: httpx.AsyncClient) -> None:
    routes = json.loads((PACKAGED_DIST / "routes.json").read_text())["routes"]
    assert "/admin/monitoring/incidents/$incidentId" in routes
    for path in [
        "/admin",
        "/admin/tasks/new",
        "/admin/monitoring/incidents/0f0f",
        "/auth/register",
    ]:
        assert (await real_web.get(path)).status_code == 200, path
    assert (await real_web.get("/admin/does-not-exist")).status_code == 404
    assert_error(await real_web.get("/api/v1/unknown"), 404, "NOT_FOUND")


async def test_api_docs_without_swagger_assets_says_how_to_build(web: httpx.AsyncClient) -> None:
    """A build without Swagger UI's files: the page says what to run; the document still serves."""
    response = await web.get("/api-docs")
    assert response.status_code == 503
    assert "make web" in response.text
    assert (await web.get("/api-docs/openapi.json")).status_code == 200
    assert (await web.get("/api-docs/assets/swagger-ui-bundle.js")).status_code == 404
