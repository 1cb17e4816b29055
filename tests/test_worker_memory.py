"""A public worker's memory (issue #15: at most 90 MB resident per gunicorn worker).

Each worker imports the WSGI application, and with it every module the admin's autodiscovery
reaches. Libraries that only the editors' tools, the uploads or the downloads use are imported by
the functions that need them, so a worker that only serves readers never loads them: together
they cost about 12 MB of every worker's memory. This runs in a new interpreter, as a worker
starts, because the test process has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What only a rarely used path needs, and which module imports it there.
ON_DEMAND = {
    "citeproc": "encyclopedia.page_citation (APA and MLA not stored with the publication)",
    "lxml": "citeproc, and editorial.importer.html",
    "bibtexparser": "encyclopedia.page_citation.bibtex (the BibTeX download)",
    "rispy": "encyclopedia.page_citation (the RIS downloads)",
    "PIL": "encyclopedia.images (an upload)",
    "stdnum": "encyclopedia.coding (checking a LOINC or SNOMED CT code)",
    "textstat": "editorial.readability (the editor's reading-grade hint)",
}


def test_a_worker_starts_without_the_libraries_only_editors_and_downloads_use():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "x",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    script = (
        "import json, sys\n"
        "import config.wsgi, config.urls\n"
        f"print(json.dumps(sorted(n for n in {sorted(ON_DEMAND)!r} if n in sys.modules)))\n"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, the project's own modules
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], "imported at startup: " + "; ".join(
        f"{n} (needed by {ON_DEMAND[n]})" for n in loaded
    )
