"""The package's layout: imports go one way, with no circle and no import hidden in a function to dodge one."""

import ast
from pathlib import Path

import vaeaug

PACKAGE = Path(vaeaug.__file__).parent
# What each part may import from vaeaug (besides itself), as the package docstring says.
BASE = {"_choices", "_settings", "_typing", "_validation", "_files"}
ALLOWED = {
    "_choices": set(), "_settings": set(), "_typing": set(), "_validation": set(), "_files": set(),
    "data": BASE,
    "vae": BASE,
    "classifiers": BASE | {"vae"},
    "evaluation": BASE | {"data.tables"},  # a mixed table: its categories one-hot
    "generation": BASE | {"vae", "classifiers", "evaluation", "data.tables"},  # fit_resample reads mixed tables
    "report": {"_files"},
    "experiments": BASE | {"data", "vae", "classifiers", "evaluation", "generation", "report"},
    "_commands": BASE | {"data", "vae", "classifiers", "evaluation", "generation", "report", "experiments"},
    # The parser imports only what loads in milliseconds: --help must not wait for PyTorch.
    "cli": {"_choices", "_settings", "_files", "experiments.run_options", "_commands"},
}
# The one import inside a function: the CLI loads its commands (and PyTorch with them) after parsing.
DEFERRED = {"cli.main"}
HEAVY = ("torch", "sklearn", "scipy", "matplotlib", "skimage", "imblearn", "pandas")


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        yield ".".join(parts), parts, ast.parse(path.read_text())


def imported(name, parts, node):
    """The vaeaug modules an import node names, as dotted paths inside the package."""
    if isinstance(node, ast.ImportFrom) and node.level:
        base = list(parts[:-1])[:len(parts) - node.level]
        target = base + (node.module.split(".") if node.module else [])
        return [".".join(target + ([alias.name] if not node.module else [])) for alias in node.names]
    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vaeaug"):
        return [node.module.removeprefix("vaeaug").lstrip(".")]
    return []


def graph():
    edges = {}
    for name, parts, tree in modules():
        targets = set()
        for node in tree.body:
            for target in imported(name, parts, node):
                targets.add(target)
        edges[name] = {t for t in targets if t and t != name}
    return edges


def test_no_module_imports_vaeaug_inside_a_function():
    hidden = []
    for name, parts, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.level or (inner.module or "").startswith("vaeaug")):
                        hidden.append(f"{name}.{node.name}")
    assert sorted(hidden) == sorted(DEFERRED)


def test_there_is_no_import_circle():
    edges = graph()
    known = set(edges)
    state = {}

    def visit(node, path):
        state[node] = "open"
        for target in edges.get(node, ()):
            target = target if target in known else target.rsplit(".", 1)[0]  # `from .x import name`
            if state.get(target) == "open":
                raise AssertionError(" -> ".join(path + [node, target]))
            if target not in state:
                visit(target, path + [node])
        state[node] = "done"

    for node in edges:
        if node not in state:
            visit(node, [])


def test_each_part_imports_only_the_parts_below_it():
    wrong = []
    for name, targets in graph().items():
        part = name.split(".")[0]
        if part in ("__init__", "__main__"):
            continue
        for target in targets:
            other = target.split(".")[0]
            allowed = ALLOWED[part]
            if other != part and other not in allowed and not any(target.startswith(a + ".") or target == a
                                                                  for a in allowed):
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_the_command_line_parses_without_heavy_libraries():
    """``vaeaug --help`` answers in well under a second only if the parser imports no heavy library."""
    import subprocess
    import sys

    code = ("import sys, vaeaug.cli; vaeaug.cli._parser(); "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_the_public_api_is_annotated_and_its_annotations_resolve():
    """py.typed promises types: every public function and method says its types, and they name real things."""
    import inspect
    import typing

    unannotated = []
    for name in vaeaug.__all__:
        obj = getattr(vaeaug, name)
        if inspect.isclass(obj) and hasattr(obj, "_fields"):
            continue  # a NamedTuple: its fields are its types
        functions = [(name, obj)] if not inspect.isclass(obj) else [
            (f"{name}.{m}", f) for m, f in inspect.getmembers(obj, inspect.isfunction)
            if (not m.startswith("_") or m == "__init__") and f.__module__.startswith("vaeaug")]
        for where, function in functions:
            hints = typing.get_type_hints(function)  # a name that does not exist fails here
            parameters = [p for p, v in inspect.signature(function).parameters.items()
                          if p not in ("self", "cls") and v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD)]
            missing = [p for p in parameters if p not in hints]
            if missing or ("return" not in hints and not where.endswith("__init__")):
                unannotated.append(f"{where}: {missing}")
    assert unannotated == []


def test_the_maps_name_every_module():
    """The package docstring and docs/modules.md each name every module: a new module must join the map."""
    docs = (PACKAGE.parents[1] / "docs" / "modules.md").read_text()
    missing_docs, missing_docstring = [], []
    for name, parts, _ in modules():
        if parts[-1] in ("__init__", "__main__", "_typing"):
            continue
        if f"vaeaug.{name}" not in docs and f".{parts[-1]}`" not in docs:
            missing_docs.append(name)
        if parts[-1] not in vaeaug.__doc__:
            missing_docstring.append(name)
    assert (missing_docs, missing_docstring) == ([], [])


def test_cross_references_in_docstrings_resolve():
    """:mod:`vaeaug.x.y` and the like name something that exists (a renamed module leaves none stale)."""
    import importlib
    import re

    stale = []
    for name, _, _ in modules():
        text = (PACKAGE / (name.replace(".", "/") + ".py")).read_text()
        for ref in set(re.findall(r":(?:mod|func|class|data|meth|attr):`~?(vaeaug\.[\w.]+)`", text)):
            parts = ref.split(".")
            for i in range(len(parts), 0, -1):
                try:
                    target = importlib.import_module(".".join(parts[:i]))
                except ImportError:
                    continue
                try:
                    for attribute in parts[i:]:
                        target = getattr(target, attribute)
                except AttributeError:
                    stale.append(f"{name}: {ref}")
                break
    assert stale == []


def test_no_module_is_over_400_lines_and_no_function_body_over_60():
    """A module you can read in one sitting, a function on one screen (its docstring aside)."""
    long_modules, long_functions = [], []
    for name, _, tree in modules():
        text = (PACKAGE / (name.replace(".", "/") + ".py")).read_text()
        if len(text.splitlines()) > 400:
            long_modules.append(name)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                if body and node.end_lineno - body[0].lineno + 1 > 60:
                    long_functions.append(f"{name}.{node.name}")
    assert (long_modules, long_functions) == ([], [])
