"""Solara's front-end files, installed from the npm registry so that the live app works offline.

Solara fetches its JavaScript and CSS from a public CDN at run time, unless it
finds them in its cache folder, ``<venv>/share/solara/cdn/<package>@<version>/``.
:func:`install` fills that folder with ``npm pack``, once; ``make run`` and
``make test`` call it (``python -m model.viz.assets``).

The versions are the ones solara 1.64's own templates name; :func:`named_by_solara`
checks them against the installed solara, so that an upgrade that moves them
fails a test rather than leaving a blank page.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# (folder name under the cache = the URL prefix solara asks for, npm package spec)
PACKAGES: tuple[tuple[str, str], ...] = (
    ("@widgetti/solara-vuetify-app@10.1.1", "@widgetti/solara-vuetify-app@10.1.1"),
    ("requirejs@2.3.6", "requirejs@2.3.6"),
    ("font-awesome@4.5.0", "font-awesome@4.5.0"),
    ("@widgetti/vue-grid-layout@2.3.13-alpha.2", "@widgetti/vue-grid-layout@2.3.13-alpha.2"),
    # Altair/Vega plots (Mesa's altair components); solara asks for these major-version ranges.
    ("vega@5", "vega@5"),
    ("vega-lite@5", "vega-lite@5"),
    ("vega-embed@6", "vega-embed@6"),
    # Every solara Markdown widget loads mermaid (diagrams) and KaTeX (formulas) when it is mounted (the app's
    # pages use none; a page of the user's own may).
    ("mermaid@10.8.0", "mermaid@10.8.0"),
    ("katex@0.16.9", "katex@0.16.9"),
)
COMPLETE = ".domwork-complete"  # written last in each folder: a half-unpacked package is not taken for whole


def cache_dir() -> Path:
    """Where solara looks for its front-end files before it tries the CDN."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def missing(root: Path | None = None) -> list[str]:
    """Folder names of the packages not yet (completely) installed."""
    root = cache_dir() if root is None else root
    return [folder for folder, _ in PACKAGES if not (root / folder / COMPLETE).exists()]


def named_by_solara() -> dict[str, bool]:
    """For each folder name, whether the installed solara's sources ask for exactly it."""
    import solara

    base = Path(solara.__file__).parent
    sources = [p for pattern in ("server/templates/*.j2", "server/settings.py", "widgets/vue/*.vue",
                                                     "components/markdown.py")
               for p in base.glob(pattern)]
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sources)
    return {folder: f"{folder}/" in text for folder, _ in PACKAGES}


def install(root: Path | None = None, *, npm: str = "npm", quiet: bool = False) -> list[str]:
    """Fetch the missing packages with ``npm pack`` and unpack each into its folder.

    Args:
        root: the cache folder (default: solara's, under the running Python's prefix).
        npm: the npm executable.
        quiet: print nothing.

    Returns:
        The folder names installed now (empty when all were there).

    Raises:
        RuntimeError: npm is missing or a package could not be fetched.
    """
    root = cache_dir() if root is None else root
    todo = missing(root)
    if not todo:
        return []
    if shutil.which(npm) is None:
        raise RuntimeError(f"'{npm}' not found: install Node.js and npm to fetch the live app's front-end files")
    specs = dict(PACKAGES)
    for folder in todo:
        if not quiet:
            print(f"fetching {specs[folder]} into {root / folder}")
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run([npm, "pack", "--silent", specs[folder]], cwd=tmp, capture_output=True, text=True,
                                  check=False)
            tarballs = list(Path(tmp).glob("*.tgz"))
            if done.returncode != 0 or len(tarballs) != 1:
                raise RuntimeError(f"npm pack {specs[folder]} failed: {done.stderr.strip() or done.stdout.strip()}")
            unpacked = Path(tmp) / "unpacked"
            with tarfile.open(tarballs[0]) as tar:
                tar.extractall(unpacked, filter="data")
            tops = list(unpacked.iterdir())  # npm tarballs hold one folder, usually "package"
            source = tops[0] if len(tops) == 1 and tops[0].is_dir() else unpacked
            target = root / folder
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(source), target)
            (target / COMPLETE).write_text(specs[folder] + "\n", encoding="utf-8")
    return todo


def main() -> int:
    """``python -m model.viz.assets``: install what is missing; exit 1 with a message on failure."""
    try:
        installed = install()
    except (RuntimeError, OSError) as err:
        print(f"model.viz.assets: {err}", file=sys.stderr)
        return 1
    if not installed:
        print(f"solara front-end files already in {cache_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
