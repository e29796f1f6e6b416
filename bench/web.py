"""Web app benchmark: the SPA's initial JavaScript (gzipped) and the first contentful paint of
/admin on loopback in headless chromium.

    .venv/bin/python bench/web.py [--runs 5]

Protocol: the initial JS is every script `index.html` loads before the app can render (its
module entry and the modulepreload links), read from the built files in
src/starter/web/dist and gzipped here (level 9) one by one. For FCP, a scratch database
`starter_bench_web` is (re)created, one real `starter server` serves the build, the initial
admin logs in once through the login page, and then `--runs` fresh browser contexts (empty
HTTP cache, the session cookie only) open /admin; FCP is read from
performance.getEntriesByType('paint'). Targets: initial JS <= 200 KB gz, median FCP <= 1 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# bench/http.py is named like the stdlib `http` package: this folder goes last on the path
# (so `import http` is the stdlib) but stays importable for `benchlib`.
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import gzip  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import httpx  # noqa: E402

from benchlib import free_port, load_average, recreate_database, server_settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "src" / "starter" / "web" / "dist"
STARTER = str(ROOT / ".venv" / "bin" / "starter")
CHROMIUM = "/usr/bin/chromium"
BENCH_DB = "starter_bench_web"
ADMIN_PASSWORD = "B3nch!Web#Mark42"  # noqa: S105 - a throwaway scratch database
JS_TARGET_BYTES = 200 * 1024
FCP_TARGET_MS = 1000.0
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]  # fmt: skip


def initial_scripts(dist: Path) -> list[Path]:
    html = (dist / "index.html").read_text()
    sources = re.findall(r'<script[^>]+type="module"[^>]+src="([^"]+)"', html)
    sources += re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"', html)
    return [dist / source.lstrip("/") for source in dict.fromkeys(sources)]


def gzipped_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def report_bundle(dist: Path) -> bool:
    scripts = initial_scripts(dist)
    total = 0
    print("initial JavaScript (loaded by index.html):")
    for script in scripts:
        size = gzipped_size(script)
        total += size
        print(
            f"  {script.name:<40} {script.stat().st_size / 1024:8.1f} KB  {size / 1024:7.1f} KB gz"
        )
    lazy = sorted(p for p in (dist / "assets").glob("*.js") if p not in scripts)
    lazy_total = sum(gzipped_size(p) for p in lazy)
    print(f"  total {total / 1024:.1f} KB gz (target <= {JS_TARGET_BYTES // 1024} KB)")
    print(f"  lazily loaded: {len(lazy)} chunks, {lazy_total / 1024:.1f} KB gz in all")
    return total <= JS_TARGET_BYTES


def start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARTER__")}
    env.update(
        STARTER__DATABASE__URL=url,
        STARTER__SERVER__ACCESS_LOG="false",
        STARTER__SERVER__WEB_BUILD_PATH=str(DIST),
        STARTER__LOG_LEVEL="warning",
        STARTER__ENVIRONMENT="production",
        STARTER__INITIAL_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        return subprocess.Popen(
            [STARTER, "server", "--port", str(port), "--host", "127.0.0.1"],
            env=env, stdout=sink, stderr=sink,
        )  # fmt: skip


def wait_live(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/api/v1/health/live", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit(f"server did not become live:\n{log.read_text()}")


# The paint entry is queued after the frame is presented: observe it (buffered) for a while.
FCP_SCRIPT = """() => new Promise((resolve) => {
  const find = () => performance.getEntriesByType('paint')
    .find((e) => e.name === 'first-contentful-paint');
  const now = find();
  if (now) return resolve(now.startTime);
  new PerformanceObserver(() => { const e = find(); if (e) resolve(e.startTime); })
    .observe({ type: 'paint', buffered: true });
  setTimeout(() => resolve(find()?.startTime ?? null), 5000);
})"""


def measure_fcp(base: str, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    paints: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        login = browser.new_context(base_url=base)
        page = login.new_page()
        page.goto("/auth/login")
        page.get_by_label("Username or email").fill("admin")
        page.get_by_label("Password").fill(ADMIN_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/admin$"))
        state = login.storage_state()
        login.close()
        for _ in range(runs):
            context = browser.new_context(base_url=base, storage_state=state)
            tab = context.new_page()
            tab.goto("/admin")
            tab.get_by_role("heading", level=1).wait_for()
            fcp = tab.evaluate(FCP_SCRIPT)
            if fcp is None:
                sys.exit("no first-contentful-paint entry was recorded")
            paints.append(float(fcp))
            context.close()
        browser.close()
    return paints


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (DIST / "index.html").is_file():
        sys.exit("the web app is not built: run `make install` with Node present")
    bundle_ok = report_bundle(DIST)
    if not Path(CHROMIUM).exists():
        print("FCP: skipped (no /usr/bin/chromium; `make browser` installs it)")
        return 0 if bundle_ok else 1
    url = asyncio.run(recreate_database(BENCH_DB))
    print(asyncio.run(server_settings(url)))
    print(load_average())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = ROOT / ".starter" / "bench-web-server.log"
    process = start_server(url, port, log)
    try:
        wait_live(base, process, log)
        paints = measure_fcp(base, args.runs)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
    median = statistics.median(paints)
    runs = ", ".join(f"{p:.0f}" for p in paints)
    print(f"first contentful paint of /admin (cold cache, signed in): {runs} ms")
    print(f"  median {median:.0f} ms (target <= {FCP_TARGET_MS:.0f} ms)")
    fcp_ok = median <= FCP_TARGET_MS
    print(f"result: bundle {'OK' if bundle_ok else 'OVER'}, FCP {'OK' if fcp_ok else 'OVER'}")
    return 0 if bundle_ok and fcp_ok else 1


if __name__ == "__main__":
    sys.exit(main())
