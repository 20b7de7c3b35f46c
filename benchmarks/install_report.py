"""What each install command of the README and the docs would download: pip's own resolution, not a guess.

Each command's requirements are resolved by ``pip install --dry-run --report`` in a fresh virtual environment,
ignoring pip configuration (``--isolated``) so that only the public index counts, and each file's size is read
from the index (an HTTP HEAD of its URL). Run it by hand on a machine that reaches the index:

    python benchmarks/install_report.py        # writes benchmarks/results/install.{json,md}
    python benchmarks/install_report.py --index-url https://download.pytorch.org/whl/cpu --only cpu-torch
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPI = "https://pypi.org/simple"
# name -> (what the user types, the requirements it resolves together, the index it asks)
COMMANDS = {
    "run": ('pip install "torch==2.13.0" && pip install .', ["torch==2.13.0", str(ROOT)], PYPI),
    "test": ('pip install "torch==2.13.0" && pip install -e ".[test]"', ["torch==2.13.0", f"{ROOT}[test]"], PYPI),
    "docs": ('pip install "torch==2.13.0" && pip install -e ".[docs]"', ["torch==2.13.0", f"{ROOT}[docs]"], PYPI),
    "docs-unpinned": ('pip install -e ".[docs]"', [f"{ROOT}[docs]"], PYPI),
    "cpu-torch": ('pip install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu',
                  ["torch==2.13.0"], "https://download.pytorch.org/whl/cpu"),
}


def resolve(requirements, index_url) -> list[dict]:
    """The packages pip would install into a fresh environment, each with its file's URL."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "venv", folder], check=True)
        report = Path(folder) / "report.json"
        subprocess.run([str(Path(folder) / "bin" / "pip"), "install", "--isolated", "--dry-run", "--quiet",
                        "--ignore-installed", "--report", str(report), "--index-url", index_url, *requirements],
                       check=True)
        return json.loads(report.read_text())["install"]


def size_of(url) -> int | None:
    """The file's size as the index serves it (None for a local project, which has no download)."""
    if not url.startswith("http"):
        return None
    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=60) as response:
        return int(response.headers["Content-Length"])


def measure(name) -> dict:
    typed, requirements, index_url = COMMANDS[name]
    packages = [p for p in resolve(requirements, index_url) if p["download_info"]["url"].startswith("http")]
    sizes = {p["metadata"]["name"]: size_of(p["download_info"]["url"]) for p in packages}
    nvidia = sorted(n for n in sizes if n.lower().startswith(("nvidia", "cuda", "triton")))
    return {"command": typed, "index": index_url, "packages": len(sizes), "bytes": sum(sizes.values()),
            "gpu_packages": nvidia, "torch": next((p["download_info"]["url"].rsplit("/", 1)[-1] for p in packages
                                                  if p["metadata"]["name"] == "torch"), None)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(COMMANDS), default=[c for c in COMMANDS if c != "cpu-torch"])
    args = parser.parse_args()
    results = {"machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
               "commands": {name: measure(name) for name in args.only}}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "install.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"Resolved by pip against the public index ({results['machine']}):", "",
             "| command | packages | download | torch file | GPU packages |", "|---|---|---|---|---|"]
    for r in results["commands"].values():
        lines.append(f"| `{r['command']}` | {r['packages']} | {r['bytes'] / 1e9:.2f} GB | `{r['torch']}` | "
                     f"{len(r['gpu_packages'])} |")
    (out / "install.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
