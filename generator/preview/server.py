"""The preview web server: Starlette app, uvicorn server, watchfiles watcher and Server-Sent Events.

The page subscribes to ``/events``; after each save the watcher reloads the bank in a worker thread and
bumps the version, every open stream sends one ``change`` event and the page fetches ``/api/state``
(only the questions it does not hold yet). Bound to 127.0.0.1 by default and guarded by a Host check, so
other machines and other web sites (DNS rebinding) cannot read the bank.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from generator.paths import TEMPLATES_DIR
from generator.preview.state import PreviewState
from generator.problems import UserError, display_path
from generator.render.common import environment, font_face_css, read_template_file

KEEPALIVE_SECONDS = 15.0
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
STATIC = {  # url name -> (template file, media type)
    "preview.js": ("preview.js", "text/javascript; charset=utf-8"),
    "preview.css": ("preview.css", "text/css; charset=utf-8"),
}


class Hub:
    """Version counter with a broadcast wake-up for the event streams (lives on the server's loop)."""

    def __init__(self) -> None:
        self.version = 0
        self.stopping = asyncio.Event()
        self._wake = asyncio.Event()

    def publish(self, version: int) -> None:
        self.version = version
        wake, self._wake = self._wake, asyncio.Event()
        wake.set()

    def stop(self) -> None:
        self.stopping.set()
        self._wake.set()

    async def wait(self, timeout: float) -> None:
        wake = self._wake
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout)


def create_app(state: PreviewState, allowed_hosts: list[str]) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
    from starlette.routing import Route
    from watchfiles import DefaultFilter, awatch

    hub_box: dict[str, Hub] = {}
    headers = {"Content-Security-Policy": CSP, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

    def page(_request: Request) -> Response:
        html = environment().get_template("preview.html.j2").render(
            bank=display_path(state.loader.root),
            blueprint=state.blueprint_path.name if state.blueprint_path else "",
        )
        return HTMLResponse(html, headers=headers)

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name == "booklet.css":  # the booklet's own styles, so questions look as they print
            body = "\n".join([font_face_css(), read_template_file("paper.css"), read_template_file("booklet.css")])
            return Response(body, media_type="text/css; charset=utf-8", headers=headers)
        if name not in STATIC:
            return Response("not found", status_code=404)
        filename, media = STATIC[name]
        return Response(read_template_file(filename), media_type=media, headers=headers)

    def font(request: Request) -> Response:
        name = request.path_params["name"]
        path = TEMPLATES_DIR / "fonts" / name
        if "/" in name or not name.endswith(".ttf") or not path.is_file():
            return Response("not found", status_code=404)
        return FileResponse(path, media_type="font/ttf", headers={"Cache-Control": "max-age=3600"})

    def math(request: Request) -> Response:
        svg = state.views.math.svgs.get(request.path_params["digest"])
        if svg is None:
            return Response("not found", status_code=404)
        return Response(svg, media_type="image/svg+xml",  # named by its content: never changes
                        headers={"Cache-Control": "max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"})

    async def api_state(request: Request) -> Response:
        try:
            have = set((await request.json()).get("have", []))
        except (ValueError, AttributeError):
            have = set()
        view = state.view
        if view is None:
            return JSONResponse({"version": 0}, headers=headers)
        body = json.dumps(view.payload(have), ensure_ascii=False)
        return Response(body, media_type="application/json", headers=headers)

    async def events(request: Request) -> Response:
        hub = hub_box["hub"]

        async def stream() -> AsyncIterator[str]:
            sent = -1
            yield "retry: 500\n\n"
            while not hub.stopping.is_set():
                if hub.version != sent:
                    sent = hub.version
                    yield f"event: change\ndata: {sent}\n\n"
                    continue
                await hub.wait(KEEPALIVE_SECONDS)
                if hub.version == sent and not hub.stopping.is_set():
                    yield ": keep-alive\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def pdf(request: Request) -> Response:
        question_id = request.path_params["qid"]
        data = await asyncio.to_thread(state.question_pdf, question_id)
        if data is None:
            return HTMLResponse(f"<p>문항 {question_id}이(가) 지금 은행에 없거나 검사에서 문제가 있습니다.</p>",
                                status_code=404)
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{question_id}.pdf"',
                                 "Cache-Control": "no-store"})

    def watched() -> list[Path]:
        roots = [state.loader.root]
        if state.blueprint_path and not state.blueprint_path.is_relative_to(state.loader.root):
            roots.append(state.blueprint_path.parent)  # the folder: editors replace files by renaming
        return roots

    async def watch(hub: Hub, stop: asyncio.Event) -> None:
        async for _changes in awatch(*watched(), watch_filter=DefaultFilter(), stop_event=stop,
                                     debounce=400, step=30, rust_timeout=200, yield_on_timeout=False):
            view = await asyncio.to_thread(state.reload_bank)  # the bank first: it is what was edited
            hub.publish(view.version)
            if state.blueprint_path is not None:
                view = await asyncio.to_thread(state.replan)
                hub.publish(view.version)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        hub = Hub()
        hub_box["hub"] = hub
        if state.view is None:
            await asyncio.to_thread(state.reload)
        assert state.view is not None
        hub.publish(state.view.version)
        stop = asyncio.Event()
        task = asyncio.create_task(watch(hub, stop))
        app.state.hub = hub
        try:
            yield
        finally:
            stop.set()
            hub.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 2)

    routes = [
        Route("/", page),
        Route("/static/{name}", static),
        Route("/static/fonts/{name}", font),  # booklet.css refers to fonts/<file>
        Route("/math/{digest}.svg", math),
        Route("/api/state", api_state, methods=["POST"]),
        Route("/events", events),
        Route("/pdf/{qid}", pdf),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)])
    return app


def _allowed_hosts(host: str) -> list[str]:
    hosts = {host, "127.0.0.1", "localhost", "[::1]"}
    return sorted(hosts) if host not in ("0.0.0.0", "::") else ["*"]


class PreviewServer:
    """A uvicorn server on an already bound socket (port 0 picks a free port); ``stop()`` ends it."""

    def __init__(self, state: PreviewState, host: str = "127.0.0.1", port: int = 8765) -> None:
        import uvicorn

        self.state = state
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((host, port))
        except OSError as error:
            self.socket.close()
            raise UserError(f"cannot listen on {host}:{port} ({error.strerror}); "
                            "pass another --port, or --port 0 for any free port") from None
        self.socket.listen(64)
        self.host, self.port = host, self.socket.getsockname()[1]
        app = create_app(state, _allowed_hosts(host))
        config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2,
                                access_log=False)

        class _Server(uvicorn.Server):
            async def shutdown(self, sockets: Any = None) -> None:
                hub = getattr(app.state, "hub", None)
                if hub is not None:
                    hub.stop()  # end the event streams first, or the shutdown would wait for them
                await super().shutdown(sockets)

        self.server = _Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def run(self) -> None:
        """Serve until interrupted (Ctrl+C) or ``stop()``."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self) -> "PreviewServer":
        """Serve in a background thread; returns once the server accepts connections."""
        self._thread = threading.Thread(target=self.run, name="mockexam-preview", daemon=True)
        self._thread.start()
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the preview server did not start")
            self._thread.join(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)


def serve(bank_root: Path, blueprint_path: Path | None, host: str, port: int, open_browser: bool,
          say: Callable[[str], None]) -> None:
    """``mockexam preview``: load, serve, open the browser, and run until Ctrl+C."""
    if blueprint_path is not None and not blueprint_path.is_file():
        raise UserError(f"file not found: {display_path(blueprint_path)}")
    if not bank_root.is_dir():
        raise UserError(f"bank folder not found: {display_path(bank_root)} (pass --bank DIR)")
    state = PreviewState(bank_root, blueprint_path)
    view = state.reload()
    bank = view.snapshot.bank
    count = len(bank.questions) if bank else 0
    say(f"{display_path(state.loader.root)}: {count} questions, {len(view.snapshot.problems)} problem(s) "
        f"(loaded in {view.seconds:.1f} s)")
    server = PreviewServer(state, host, port)
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"warning: listening on {host}: other machines on the network can read the bank")
    say(f"preview at {server.url} — updates on every save; Ctrl+C to stop")
    if open_browser:
        import webbrowser

        threading.Timer(0.5, webbrowser.open, [server.url]).start()
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C after its graceful shutdown
        pass
    say("preview stopped")
