"""Front-end packages installed with npm (pinned by package-lock.json, never pasted into the repo) and where the
server finds them: node_modules beside the project, or $SILKSCOPE_NODE_MODULES."""

from __future__ import annotations

import os
from pathlib import Path

NODE_MODULES_ENV = "SILKSCOPE_NODE_MODULES"
# Served under /assets/<package>/: the API reference (Swagger UI) and the chart runtime (Vega).
SERVED_PACKAGES = ("swagger-ui-dist", "vega", "vega-lite", "vega-embed", "vega-interpreter")

# vega-interpreter (Vega expressions without eval, so the pages keep a strict CSP) is an ES module that imports
# vega-util by name: this import map resolves it to /static/vega-util.js, which hands on the three helpers from
# vega's bundle (one small file instead of vega-util's 56 modules). The CSP allows exactly this inline script by its
# hash.
IMPORT_MAP = '{"imports": {"vega-util": "/static/vega-util.js"}}'


def import_map_hash() -> str:
    import base64
    import hashlib

    return "sha256-" + base64.b64encode(hashlib.sha256(IMPORT_MAP.encode()).digest()).decode()


def node_package(name: str) -> Path | None:
    """The installed package folder, or None when `npm ci` has not been run."""
    roots = [Path(os.environ[NODE_MODULES_ENV])] if os.environ.get(NODE_MODULES_ENV) else []
    here = Path(__file__).resolve()
    roots += [p / "node_modules" for p in here.parents] + [Path.cwd() / "node_modules"]
    for root in roots:
        folder = root / name
        if (folder / "package.json").is_file():
            return folder
    return None
