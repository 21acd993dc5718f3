"""The local screening web app: keyboard-first, blinded, every decision on disk before "saved".

Start it with ``implmap screen --reviewer ID`` (or ``implmap resolve``), or from Python::

    from implmap.app import create_app, serve

    app = create_app("evidence", reviewer="ana")   # an ASGI app (Starlette)
    serve("evidence", reviewer="ana", port=0)       # runs it on 127.0.0.1 and opens a browser

Heavy imports (starlette, uvicorn) load only when this package is imported.
"""

from __future__ import annotations

from .server import create_app, serve
from .session import MODES, ScreeningSession

__all__ = ["MODES", "ScreeningSession", "create_app", "serve"]
