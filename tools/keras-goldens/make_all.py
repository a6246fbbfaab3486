"""Regenerates every Keras golden file: runs each piece of tools/keras-goldens/.

    KERAS_BACKEND=numpy /tmp/kvenv/bin/python tools/keras-goldens/make_all.py [piece ...]

A piece is a `*.py` file of this folder (other than make_all.py, common.py and
files starting with "_") that defines a top-level `main()`; found by reading the
file (nothing is imported to look). Each piece runs in its own Python process
(`import piece; piece.main()`, with this folder on sys.path and
KERAS_BACKEND=numpy unless set), in name order, so one piece's Keras state,
seeds or failure cannot change another's output. Pieces may be named on the
command line to run only those.

After a piece runs, every JSON file it wrote or changed under
test/fixtures/keras-goldens/ that is a JSON object without a "versions" key
gets one (keras, its backend, numpy, scipy, pillow, scikit-image, jax, python),
and one whose "versions" lacks any of keras, numpy, scipy and pillow gets those
added, so each output index says what made it. A summary of the run goes to
test/fixtures/keras-goldens/versions.json. The exit code is 1 when a piece failed.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402

NOT_PIECES = {"make_all.py", "common.py"}


def has_main(path: Path) -> bool:
    try:
        tree = ast.parse(path.read_text(), filename=str(path))
    except SyntaxError as e:
        print(f"skipping {path.name}: syntax error: {e}", file=sys.stderr)
        return False
    return any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body)


def pieces() -> list[Path]:
    return [
        p for p in sorted(HERE.glob("*.py"))
        if p.name not in NOT_PIECES and not p.name.startswith("_") and has_main(p)
    ]


def json_files() -> dict[Path, int]:
    if not common.GOLDENS.exists():
        return {}
    return {p: p.stat().st_mtime_ns for p in common.GOLDENS.rglob("*.json")}


#: Versions every output index must record (make_all adds those a piece left out).
REQUIRED_VERSIONS = ("keras", "numpy", "scipy", "pillow")


def stamp_versions(before: dict[Path, int], versions: dict) -> list[str]:
    """In the JSON objects written since `before`: adds "versions" where it is
    missing, and the REQUIRED_VERSIONS a piece's own "versions" left out (a
    piece's own entries are kept as they are). Files already complete are not
    touched; rewritten ones take common.dump_json's layout."""
    stamped = []
    for path, mtime in json_files().items():
        if before.get(path) == mtime:
            continue
        try:
            value = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(value, dict):
            continue
        own = value.get("versions")
        if own is None:
            value["versions"] = versions
        elif isinstance(own, dict) and any(k not in own for k in REQUIRED_VERSIONS):
            value["versions"] = {**own, **{k: versions[k] for k in REQUIRED_VERSIONS if k not in own}}
        else:
            continue
        path.write_text(common.dump_json(value))
        stamped.append(str(path.relative_to(common.REPO)))
    return stamped


def run_piece(path: Path) -> tuple[int, float]:
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "numpy"), "PYTHONHASHSEED": "0"}
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.argv = [sys.argv[2]]; "
        f"import {path.stem} as piece; piece.main()"
    )
    start = time.monotonic()
    # cwd: the repository, never a folder whose modules could shadow the standard library.
    rc = subprocess.call([sys.executable, "-c", code, str(HERE), str(path)], cwd=common.REPO, env=env)
    return rc, time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    found = pieces()
    chosen = [p for p in found if not argv or p.stem in argv or p.name in argv]
    unknown = set(argv) - {p.stem for p in found} - {p.name for p in found}
    if unknown:
        print(f"no such piece: {', '.join(sorted(unknown))} (pieces: {', '.join(p.stem for p in found)})", file=sys.stderr)
        return 2
    versions = common.versions()
    print(f"pieces: {', '.join(p.stem for p in chosen)}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    results = []
    for path in chosen:
        print(f"== {path.name}", flush=True)
        before = json_files()
        rc, seconds = run_piece(path)
        stamped = stamp_versions(before, versions) if rc == 0 else []
        for s in stamped:
            print(f"  versions added to {s}")
        results.append({"piece": path.name, "ok": rc == 0, "exit_code": rc, "seconds": round(seconds, 1)})
        print(f"  {'ok' if rc == 0 else f'FAILED (exit code {rc})'} in {seconds:.1f} s", flush=True)
    common.GOLDENS.mkdir(parents=True, exist_ok=True)
    summary_path = common.GOLDENS / "versions.json"
    previous = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    runs = {r["piece"]: r for r in previous.get("pieces", [])}
    runs.update({r["piece"]: {k: v for k, v in r.items() if k != "seconds"} for r in results})
    summary = {
        "generator": "tools/keras-goldens/make_all.py",
        "versions": versions,
        "pieces": [runs[k] for k in sorted(runs)],
    }
    summary_path.write_text(common.dump_json(summary))
    failed = [r["piece"] for r in results if not r["ok"]]
    print(f"{len(results) - len(failed)} of {len(results)} pieces ok" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
