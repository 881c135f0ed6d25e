#!/usr/bin/env python3
"""Checks the web crate's module graph: no import cycles between modules, and
nothing in `support/` imports a feature module or the crate root.

A module is a file (`foo.rs`, or `foo/mod.rs` for the directory). An edge is a
`crate::…` or `super::…` path in a module's code (in `use` or inline), resolved
to the longest module it names. A directory module naming its own children
through `mod` declarations is not an import.

Usage: python3 scripts/check_module_cycles.py [crates/web/src]
Prints "no cycles" and exits 0, or prints every problem and exits 1.
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "crates/web/src"
LAYER = ("support",)


def modules(root):
    """Module path (a tuple) → file."""
    found = {}
    for directory, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".rs"):
                continue
            file = os.path.join(directory, name)
            parts = os.path.relpath(file, root)[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib"):
                parts = parts[:-1]
            found[tuple(parts)] = file
    return found


def code_of(file):
    """The file without comments and string contents."""
    text = open(file, encoding="utf-8").read()
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def imports(module, file, known):
    found = set()
    for match in re.finditer(r"\b((?:crate|super)(?:::\w+)+)", code_of(file)):
        segments = match.group(1).split("::")
        if segments[0] == "crate":
            base, rest = [], segments[1:]
        else:
            ups = 0
            while segments and segments[0] == "super":
                ups += 1
                segments = segments[1:]
            base, rest = list(module[: max(len(module) - ups, 0)]), segments
        path = base + rest
        for n in range(len(path), -1, -1):
            target = tuple(path[:n])
            if target in known:
                if target != module:
                    found.add(target)
                break
    return found


def cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main():
    known = modules(ROOT)
    graph = {m: imports(m, f, known) for m, f in known.items()}
    name = lambda m: "::".join(("crate",) + m)
    problems = []
    for component in cycles(graph):
        problems.append("cycle: " + " <-> ".join(sorted(name(m) for m in component)))
    for module, targets in sorted(graph.items()):
        if module[: len(LAYER)] != LAYER:
            continue
        for target in sorted(targets):
            if target[: len(LAYER)] != LAYER:
                problems.append(f"{name(module)} imports {name(target)}: support/ imports no feature")
    for p in problems:
        print(p)
    print("no cycles" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
