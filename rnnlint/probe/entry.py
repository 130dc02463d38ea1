"""Where training probably starts, read from the script's text with `ast` (never run): the hint of a
"no verdict" report when the script ran but no fit was probed."""

from __future__ import annotations

import ast
from pathlib import Path

MAX_SIBLINGS = 200


def _calls_fit(node: ast.AST) -> ast.Call | None:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in (
                "fit", "fit_generator", "apply_gradients"):
            return sub
    return None


def _called_names(tree: ast.Module) -> set[str]:
    return {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def _untaken_name_guard(node: ast.AST) -> ast.Compare | None:
    """The test of `if __name__ == "<not __main__>":` or `if __name__ != "__main__":` (false when run
    as a script); None for any other statement."""
    test = node.test if isinstance(node, ast.If) else None
    if not (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.ops) == 1 and isinstance(test.comparators[0], ast.Constant)):
        return None
    is_main = test.comparators[0].value == "__main__"
    untaken = (isinstance(test.ops[0], ast.Eq) and not is_main) or (isinstance(test.ops[0], ast.NotEq) and is_main)
    return test if untaken else None


def _importers(script: Path) -> list[str]:
    """Sibling scripts that import this one by module name."""
    module, found = script.stem, []
    for sibling in sorted(script.parent.glob("*.py"))[:MAX_SIBLINGS]:
        if sibling == script:
            continue
        try:
            tree = ast.parse(sibling.read_text(encoding="utf-8", errors="replace"))
        except (SyntaxError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == module or n.endswith("." + module) for n in names):
                found.append(sibling.name)
                break
    return found


def where_training_starts(script: Path, text: str) -> str:
    """One sentence: why no fit ran, as far as the text shows."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return "the script's text does not parse, so where training starts is unknown"
    called = _called_names(tree)
    for statement in tree.body:
        guard = _untaken_name_guard(statement)
        guarded_fit = _calls_fit(statement) if guard is not None else None
        if guard is not None and guarded_fit is not None:
            value = guard.comparators[0]
            return (f"its fit (line {guarded_fit.lineno}) sits under the guard on line {statement.lineno}, "
                    f"which compares __name__ with {getattr(value, 'value', '?')!r} and was not taken")
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name not in called:
            fit = _calls_fit(node)
            if fit is not None:
                return f"fit (line {fit.lineno}) is inside {node.name}(), which the script never calls"
    importers = _importers(script)
    if importers:
        return f"no fit runs here; training probably starts in {', '.join(importers)}, which imports it"
    if _calls_fit(tree) is None:
        return "the script has no fit or apply_gradients call"
    return "its fit calls were not reached"
