#!/usr/bin/env python3
"""Fail when the .rs files of one Rust crate import each other in a cycle.

Usage:
    scripts/check_module_cycles.py [SRC_DIR] [-v]    (default SRC_DIR: crates/web/src)
    scripts/check_module_cycles.py --self-test

Exit status: 0 when no cycle, 1 when at least one cycle, 2 on a usage error,
and for --self-test, 0 when every expectation holds and 1 otherwise.
Only the Python 3 standard library is used.

Files and modules
    Every .rs file under SRC_DIR is one node.  lib.rs (or main.rs when there
    is no lib.rs) is the crate root; a/mod.rs is crate::a, a/b.rs is
    crate::a::b, and a.rs next to a folder a/ is crate::a (a/b.rs is then
    crate::a::b).  A main.rs next to a lib.rs and everything under bin/ are
    separate crates and are skipped.  #[path = "..."] attributes are not
    followed: files are mapped by where they are, not by how they are declared.

What counts as an edge (file A -> file B)
    Comments (//, /* */ nested, ///, //!), string literals ("..", b"..",
    r"..", r#".."#, ...) and char literals are blanked out first, so a path
    that only appears in a comment, doc comment or string never counts.  Then
    these path references are collected:
      * every `use` (also `pub use`, `pub(crate) use`, `use` inside a
        function), with grouped and nested trees `use crate::{a::b, c::{d, e}}`,
        `self` in groups, `as` renames and `*` globs;
      * every path written inline in code with at least one `::`, e.g.
        `crate::casework::today()` or `super::helpers::f(x)`, in types,
        expressions, generics, attributes and macro calls.
    A path starts with crate:: (or $crate::), self::, super:: (repeatable), or
    with a bare name that is a child module of the current module (Rust 2018:
    `use pages::x;` in a mod.rs that has pages.rs next to it) or a name that a
    `use` in scope bound to a module file of this crate (so after
    `use crate::pages;` the inline `pages::admin::f()` is a reference to
    pages/admin.rs).  Paths starting with `::` or with any other name (std::,
    axum::, another crate of the workspace) are external and ignored; a name
    bound by a `use` of another crate (`use axum::middleware;`) hides a child
    module of the same name within the block of that `use`.  The resolved path is mapped to
    the longest prefix that is a module file in the tree: crate::a::b::Item is
    the file of crate::a::b if that file exists, else crate::a, else the crate
    root.  So `use crate::AppState;` is an edge to lib.rs, and it counts like
    any other edge.  A reference from a file to itself is not an edge.
    `mod x;` declarations are not edges (a parent declaring a child does not
    depend on it), and neither is the path in `pub(in crate::x)`.

Inline modules
    `mod tests { ... }` and other inline module blocks are part of their file:
    what they import is counted for that file.  They are tracked only so that
    `super::` inside them is resolved correctly (`use super::*;` in the tests
    of a/b.rs means a/b.rs itself, and `super::super::x` there means a::x).
    Bare names inside an inline module are also looked up among the children
    of the file's module (the usual `use super::*;` makes them visible).

Limits (it is a text scanner, not the compiler)
    #[cfg(...)] is ignored: test-only and feature-gated imports count too.
    Macro expansion, #[macro_use] / textual macro scope, include!(), #[path]
    and paths written inside string literals (e.g. serde `with = "crate::x"`)
    are not seen.  Glob imports are not expanded (except the fallback above
    for inline modules), and `pub use` re-exports are not followed: an edge
    goes to the file the path names, not to where the item is defined.  A
    path that names a module that does not exist (e.g. half-way through a
    move) falls back to its longest existing prefix, like any item path.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import deque

DEFAULT_SRC = os.path.join("crates", "web", "src")
EXTERN = object()  # a name bound by a `use` of something outside this crate

# ---------------------------------------------------------------------------
# Blanking comments, strings and char literals
# ---------------------------------------------------------------------------

_CHAR_LIT = re.compile(
    r"'(?:[^'\\\n]|\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F_]{1,6}\}|.))'")
_RAW_STR = re.compile(r'(?:br|cr|r)(#*)"')
_PREFIXED_STR = re.compile(r'[bc]"')
_IDENT_TAIL = re.compile(r"[A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9][A-Za-z0-9_]*")


def _is_ident_char(ch):
    return ch.isalnum() or ch == "_"


def strip_code(text):
    """Return `text` with comments, string and char literals replaced by
    spaces.  Newlines are kept, so offsets and line numbers stay valid."""
    out = list(text)
    n = len(text)

    def blank(a, b):
        for k in range(a, min(b, n)):
            if out[k] != "\n":
                out[k] = " "

    def string_end(i):  # i is just after the opening quote
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == '"':
                return i + 1
            i += 1
        return n

    i = 0
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif c == "/" and nxt == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif c == '"':
            j = string_end(i + 1)
            blank(i, j)
            i = j
        elif c == "'":
            m = _CHAR_LIT.match(text, i)
            if m:
                blank(i, m.end())
                i = m.end()
            else:  # a lifetime or a loop label
                i += 1
        elif c.isalpha() or c == "_":
            m = _RAW_STR.match(text, i)
            if m:
                close = '"' + m.group(1)
                j = text.find(close, m.end())
                j = n if j < 0 else j + len(close)
                blank(i, j)
                i = j
                continue
            if _PREFIXED_STR.match(text, i):
                j = string_end(i + 2)
                blank(i, j)
                i = j
                continue
            if c == "b" and nxt == "'":
                m = _CHAR_LIT.match(text, i + 1)
                if m:
                    blank(i, m.end())
                    i = m.end()
                    continue
            i = _IDENT_TAIL.match(text, i + 1).end()
        elif c.isdigit():
            i = _NUMBER.match(text, i).end()
        else:
            i += 1
    return "".join(out)


# ---------------------------------------------------------------------------
# `use` trees
# ---------------------------------------------------------------------------

_USE_TOKEN = re.compile(r"\s*(::|\{|\}|,|\*|;|\$?[A-Za-z_][A-Za-z0-9_]*|r#[A-Za-z_][A-Za-z0-9_]*)")


class UseParseError(ValueError):
    pass


def _tokenize_use(body):
    toks, i = [], 0
    body = body.rstrip()
    while i < len(body):
        m = _USE_TOKEN.match(body, i)
        if not m:
            if body[i:].strip() == "":
                break
            raise UseParseError("unexpected %r" % body[i:i + 10])
        tok = m.group(1)
        if tok.startswith("r#"):
            tok = tok[2:]
        toks.append(tok)
        i = m.end()
    return toks


def parse_use_tree(body):
    """Parse the text between `use` and `;`.

    Returns a list of (segments, bound_name, is_glob, is_absolute_extern):
    segments is the full path (["crate", "a", "b"]), bound_name the name the
    import introduces (None for globs and `as _`)."""
    toks = _tokenize_use(body)
    pos = [0]
    result = []

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take(expected=None):
        tok = peek()
        if tok is None or (expected is not None and tok != expected):
            raise UseParseError("expected %r, got %r" % (expected, tok))
        pos[0] += 1
        return tok

    def tree(prefix, extern):
        segs = []
        while True:
            tok = peek()
            if tok == "{":
                take("{")
                while peek() != "}":
                    tree(prefix + segs, extern)
                    if peek() == ",":
                        take(",")
                    elif peek() != "}":
                        raise UseParseError("expected , or }")
                take("}")
                return
            if tok == "*":
                take("*")
                result.append((prefix + segs, None, True, extern))
                return
            if tok is None or tok in ("::", "}", ",", ";"):
                raise UseParseError("expected a name, got %r" % tok)
            segs.append(take())
            if peek() == "::":
                take("::")
                continue
            break
        full = prefix + segs
        bound = full[-1]
        if segs == ["self"]:  # `a::{self}` imports a itself
            full = prefix
            bound = prefix[-1] if prefix else None
        if peek() == "as":
            take("as")
            bound = take()
            if bound == "_":
                bound = None
        result.append((full, bound, False, extern))

    extern = False
    if peek() == "::":
        take("::")
        extern = True
    tree([], extern)
    if peek() is not None:
        raise UseParseError("trailing %r" % peek())
    return result


# ---------------------------------------------------------------------------
# Scanning one file
# ---------------------------------------------------------------------------

_USE_KW = re.compile(r"(?<![A-Za-z0-9_$#])use\b")
_INLINE_MOD = re.compile(r"(?<![A-Za-z0-9_$#])mod\s+(?:r#)?([A-Za-z_][A-Za-z0-9_]*)\s*\{")
_PUB_IN = re.compile(r"\bpub\s*\(\s*in\s[^)]*\)")
_PATH = re.compile(
    r"(?<![A-Za-z0-9_$#])(\$?[A-Za-z_][A-Za-z0-9_]*(?:\s*::\s*[A-Za-z_][A-Za-z0-9_]*)+)")


def _match_braces(code):
    """Map the offset of every `{` to the offset of its matching `}`."""
    pairs, stack = {}, []
    for i, c in enumerate(code):
        if c == "{":
            stack.append(i)
        elif c == "}" and stack:
            pairs[stack.pop()] = i
    for i in stack:  # unbalanced: let it run to the end of the file
        pairs[i] = len(code)
    return pairs


class FileScan:
    """References found in one file, as raw (path, offset, kind, text)."""

    def __init__(self, rel, module, text):
        self.rel = rel
        self.module = list(module)
        self.text = text
        code = strip_code(text)
        code = _PUB_IN.sub(lambda m: " " * len(m.group(0)), code)
        self.code = code
        self.line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        braces = _match_braces(code)
        self.blocks = sorted(braces.items())  # (open, close) of every {} block
        # inline `mod name { ... }` blocks: (open, close, name)
        self.inline_mods = []
        for m in _INLINE_MOD.finditer(code):
            open_ = m.end() - 1
            self.inline_mods.append((open_, braces.get(open_, len(code)), m.group(1)))
        self.uses = []  # (offset, end, statement text, [(segs, bound, glob, extern)])
        self.warnings = []
        for m in _USE_KW.finditer(code):
            after = code[m.end():m.end() + 40].lstrip()
            if after.startswith("<"):  # `impl Trait + use<'a>` precise capturing
                continue
            end = code.find(";", m.end())
            if end < 0:
                continue
            body = code[m.end():end]
            try:
                trees = parse_use_tree(body)
            except UseParseError as e:
                if "$" not in body:  # macro_rules fragments are not real uses
                    self.warnings.append("%s:%d: could not parse `use%s;` (%s)" % (
                        rel, self.line_of(m.start()), " ".join(body.split())[:60], e))
                continue
            stmt = "use " + " ".join(body.split()) + ";"
            stmt = stmt.replace(":: ", "::").replace(" ::", "::").replace("{ ", "{").replace(" }", "}")
            self.uses.append((m.start(), end + 1, stmt, trees))
        # inline paths outside the use statements
        self.inline = []  # (offset, segments)
        use_spans = [(a, b) for a, b, _, _ in self.uses]
        for m in _PATH.finditer(code):
            start = m.start()
            if any(a <= start < b for a, b in use_spans):
                continue
            k = start - 1
            while k >= 0 and code[k] in " \t\r\n":
                k -= 1
            if k >= 1 and code[k - 1:k + 1] == "::":  # continues `Vec::<T>::new`, `::std::x`
                continue
            segs = [s.strip() for s in m.group(1).split("::")]
            self.inline.append((start, segs))

    def line_of(self, offset):
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def line_text(self, line):
        a = self.line_starts[line - 1]
        b = self.text.find("\n", a)
        return self.text[a:] if b < 0 else self.text[a:b]

    def scope_of(self, offset):
        """(start, end) of the innermost {} block around offset, or the whole file."""
        best = (-1, len(self.code) + 1)
        for o, c in self.blocks:
            if o >= offset:
                break
            if c > offset and o > best[0]:
                best = (o, c)
        return best

    def module_at(self, offset):
        """Module path at an offset, taking inline `mod x { }` blocks into account."""
        inner = sorted((o, name) for o, c, name in self.inline_mods if o < offset < c)
        return self.module + [name for _, name in inner]


# ---------------------------------------------------------------------------
# The crate
# ---------------------------------------------------------------------------

def module_of(rel, has_lib):
    """Module path of a file given its path relative to src, or None to skip."""
    parts = rel.split("/")
    if parts[0] == "bin" and len(parts) > 1:
        return None
    if rel == "lib.rs":
        return ()
    if rel == "main.rs":
        return None if has_lib else ()
    stem = parts[-1][:-3]
    if stem == "mod":
        return tuple(parts[:-1])
    return tuple(parts[:-1]) + (stem,)


def _short(s, limit=110):
    s = " ".join(s.split())
    return s if len(s) <= limit else s[:limit - 1] + "…"


class Crate:
    def __init__(self, src):
        self.src = src
        self.files = {}    # rel -> module tuple
        self.modules = {}  # module tuple -> rel
        self.notes = []
        self.edges = {}    # rel -> {rel: [(line, text, resolved)]}
        rels = []
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames.sort()
            for fn in sorted(filenames):
                if fn.endswith(".rs"):
                    full = os.path.join(dirpath, fn)
                    rels.append(os.path.relpath(full, src).replace(os.sep, "/"))
        has_lib = "lib.rs" in rels
        for rel in rels:
            mod = module_of(rel, has_lib)
            if mod is None:
                self.notes.append("skipped %s (a separate crate root)" % rel)
                continue
            if mod in self.modules:
                other = self.modules[mod]
                self.notes.append("both %s and %s are module %s; using %s" % (
                    other, rel, "::".join(("crate",) + mod), min(other, rel)))
                if rel > other:
                    continue
                del self.files[other]
            self.files[rel] = mod
            self.modules[mod] = rel
        self.scans = {}
        for rel in sorted(self.files):
            try:
                with open(os.path.join(src, rel), encoding="utf-8", errors="replace") as f:
                    text = f.read()
            except OSError as e:  # the tree may be changing under us
                self.notes.append("could not read %s: %s" % (rel, e))
                continue
            self.scans[rel] = FileScan(rel, self.files[rel], text)
        # files that vanished while reading are not nodes
        for rel in list(self.files):
            if rel not in self.scans:
                del self.modules[self.files.pop(rel)]
        for rel, scan in self.scans.items():
            self.notes.extend(scan.warnings)
            self._collect(rel, scan)

    # -- resolution --------------------------------------------------------

    def _resolve(self, segs, cur, fmod, bound_at):
        """Absolute module path (list) of `segs` written in module `cur`, or None.

        bound_at(name) gives what a `use` in scope bound `name` to: a path of
        this crate, EXTERN for anything else, or None when no `use` bound it."""
        first = segs[0]
        if first in ("crate", "$crate"):
            return segs[1:]
        if first == "self":
            base, rest = list(cur), segs[1:]
            if rest and rest[0] == "super":
                segs = rest
                first = "super"
            else:
                return base + rest
        if first == "super":
            base, i = list(cur), 0
            while i < len(segs) and segs[i] == "super":
                if not base:
                    return None  # super of the crate root: not a valid path
                base.pop()
                i += 1
            return base + segs[i:]
        target = bound_at(first)
        if target is EXTERN:  # e.g. `use axum::middleware;` shadows a child `middleware`
            return None
        if target is not None:
            return list(target) + segs[1:]
        if tuple(cur) + (first,) in self.modules:
            return list(cur) + segs
        if list(cur) != list(fmod) and tuple(fmod) + (first,) in self.modules:
            return list(fmod) + segs
        return None

    def _file_of(self, path):
        for k in range(len(path), -1, -1):
            rel = self.modules.get(tuple(path[:k]))
            if rel is not None:
                return rel
        return None

    def _collect(self, rel, scan):
        fmod = scan.module
        out = self.edges.setdefault(rel, {})
        bindings = {}  # name -> {scope (start, end): crate path or EXTERN}

        def bound_at(offset):
            def lookup(name):
                best, target = None, None
                for (a, b), t in bindings.get(name, {}).items():
                    if a < offset < b and (best is None or a > best):
                        best, target = a, t
                return target
            return lookup

        def add(target_path, offset, text):
            dst = self._file_of(target_path)
            if dst is None or dst == rel:
                return
            line = scan.line_of(offset)
            text = text if text is not None else _short(scan.line_text(line))
            refs = out.setdefault(dst, [])
            if not any(r[0] == line and r[1] == text for r in refs):  # one per line
                refs.append((line, text, "::".join(["crate"] + list(target_path))))

        # two passes so that an alias used before its `use` line still resolves
        for final in (False, True):
            for offset, _end, stmt, trees in scan.uses:
                cur = scan.module_at(offset)
                scope = scan.scope_of(offset)
                flat = len(trees) == 1
                for segs, bound, glob, extern in trees:
                    if not segs:
                        continue
                    path = None if extern else self._resolve(segs, cur, fmod, bound_at(offset))
                    # Remember names that stand for a module file of this crate (so that
                    # `pages::admin::f()` after `use crate::pages;` is seen) and names
                    # bound to other crates (they shadow a child module of that name).
                    # Item names (`use crate::error::AppError;`) add nothing: any
                    # `AppError::x` path resolves to the file the `use` already counts.
                    if bound and not glob and bound != segs[0]:
                        if path is None:
                            bindings.setdefault(bound, {})[scope] = EXTERN
                        elif tuple(path) in self.modules:
                            bindings.setdefault(bound, {})[scope] = path
                    if path is None:
                        continue
                    if final:
                        text = stmt if flat or len(stmt) <= 110 else (
                            "use %s  (in a grouped use)" % "::".join(segs + (["*"] if glob else [])))
                        add(path, offset, _short(text))
        for offset, segs in scan.inline:
            path = self._resolve(segs, scan.module_at(offset), fmod, bound_at(offset))
            if path is not None:
                add(path, offset, None)

    # -- graph -------------------------------------------------------------

    def graph(self):
        return {src: sorted(dsts) for src, dsts in self.edges.items()}

    def components(self):
        """Strongly connected components with more than one file (Tarjan, iterative)."""
        g = self.graph()
        nodes = sorted(self.scans)
        index, low, on_stack, stack, sccs = {}, {}, set(), [], []
        counter = 0
        for root in nodes:
            if root in index:
                continue
            work = [(root, 0)]
            while work:
                v, i = work.pop()
                if i == 0:
                    index[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on_stack.add(v)
                succ = g.get(v, [])
                recursed = False
                while i < len(succ):
                    w = succ[i]
                    i += 1
                    if w not in index:
                        work.append((v, i))
                        work.append((w, 0))
                        recursed = True
                        break
                    if w in on_stack:
                        low[v] = min(low[v], index[w])
                if recursed:
                    continue
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        sccs.append(sorted(comp))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
        return sorted(sccs, key=lambda c: (-len(c), c))

    def shortest_cycle(self, comp):
        """One shortest cycle inside a component, as [a, b, ..., a]."""
        members = set(comp)
        g = self.graph()
        best = None
        for start in comp:
            prev = {start: None}
            queue = deque([start])
            found = None
            while queue and found is None:
                v = queue.popleft()
                for w in g.get(v, []):
                    if w not in members:
                        continue
                    if w == start:
                        found = v
                        break
                    if w not in prev:
                        prev[w] = v
                        queue.append(w)
            if found is None:
                continue
            path = [found]
            while prev[path[-1]] is not None:
                path.append(prev[path[-1]])
            path.reverse()
            cycle = path + [start]
            if best is None or len(cycle) < len(best):
                best = cycle
        return best


def leaf_violations(crate, leaf):
    """Imports from a file under the folder `leaf` to a file outside it."""
    prefix = leaf.strip("/") + "/"
    found = []
    for a, targets in sorted(crate.edges.items()):
        if not a.startswith(prefix):
            continue
        for b, refs in sorted(targets.items()):
            if not b.startswith(prefix):
                line, text, _ = sorted(refs)[0]
                found.append((a, b, line, text))
    return found


def check(src, verbose=False, out=sys.stdout, leaves=()):
    """Print the report for `src`; return the exit status."""
    crate = Crate(src)
    for note in crate.notes:
        print("note: " + note, file=out)
    status = 0
    for leaf in leaves:
        bad = leaf_violations(crate, leaf)
        for a, b, line, text in bad:
            print("error: %s/ is a leaf layer, but %s imports %s\n    %s:%d: %s"
                  % (leaf.strip("/"), a, b, a, line, text), file=out)
        if bad:
            status = 1
        else:
            print("%s/ imports nothing outside itself" % leaf.strip("/"), file=out)
    comps = crate.components()
    n = len(crate.scans)
    if not comps:
        print("no import cycles among %d files" % n, file=out)
        return status
    for comp in comps:
        print("", file=out)
        print("error: these %d files of %s import each other in a cycle "
              "(each one reaches all the others through imports):" % (len(comp), src), file=out)
        for rel in comp:
            print("    " + rel, file=out)
        cycle = crate.shortest_cycle(comp)
        print("  one such cycle, with the import behind each step:", file=out)
        print("  cycle: " + " -> ".join(cycle), file=out)
        for a, b in zip(cycle, cycle[1:]):
            refs = sorted(crate.edges[a][b])
            line, text, resolved = refs[0]
            more = ("  (+%d more reference%s)" % (len(refs) - 1, "" if len(refs) == 2 else "s")
                    if len(refs) > 1 else "")
            print("    %s:%d: %s   [-> %s]%s" % (a, line, text, resolved, more), file=out)
        inside = sum(len(refs) for a in comp for b, refs in crate.edges.get(a, {}).items()
                     if b in comp)
        if not verbose:
            print("  (%d references in all between these files; run with -v to list them)"
                  % inside, file=out)
        else:
            print("  every import between these files:", file=out)
            for a in comp:
                for b in sorted(crate.edges.get(a, {})):
                    if b in comp:
                        for line, text, resolved in sorted(crate.edges[a][b]):
                            print("    %s -> %s  %s:%d: %s" % (a, b, a, line, text), file=out)
    total = sum(len(c) for c in comps)
    print("", file=out)
    print("FAILED: %d import cycle%s involving %d of %d files; break %s by moving what "
          "both sides need into a module that imports neither." % (
              len(comps), "" if len(comps) == 1 else "s", total, n,
              "it" if len(comps) == 1 else "each"), file=out)
    return 1


# ---------------------------------------------------------------------------
# Self-test
# ---------------------------------------------------------------------------

_FIXTURE = {
    "lib.rs": '''//! The crate root. Mentions crate::support::render in a doc comment only.
pub mod feature;
pub mod support;

use feature::page;
pub(crate) use support::render::x as rx;

pub fn app() {
    page::show();
    feature::sub::deep::run();
}
''',
    "support/mod.rs": '''//! Leaf helpers. `crate::feature::page` here is only a doc comment.
pub mod render;

pub fn helper() {}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn t() { helper(); }
}
''',
    "support/render.rs": '''use super::helper;

// crate::feature::page::x();  -- a comment, not an import
/* outer /* nested */ crate::feature::page::x() */
/// Doc: see [`crate::feature::page::show`].
pub fn x() {
    let _a = "crate::feature::page::x()";
    let _b = r#"use crate::feature::page; "quoted" crate::feature"#;
    let _c = r"super::super::feature";
    let _d = b"crate::feature::x";
    let _e = '{';
    let _f = '"';
    helper();
}

pub fn render<'a>(s: &'a str) -> impl Sized + use<'a> { s }
''',
    "feature/mod.rs": '''pub mod page;
pub mod sub;

pub fn go() {
    crate::support::render::x();
}

#[cfg(test)]
mod tests {
    use super::*;
    use super::super::support::helper;
}
''',
    "feature/page.rs": '''use crate::{support::{render::{self, x as y}, helper}};

pub(in crate::feature) fn hidden() {}

pub fn show() {
    y();
    helper();
    let _ = render::render("t");
}
''',
    "feature/sub.rs": '''pub mod deep;

pub fn call() {
    deep::run();
}
''',
    "feature/sub/deep.rs": '''use super::super::page::show;

pub fn run() {
    let _ = "super::super::super::nothing";
    show();
}
''',
}

_EXPECTED_CLEAN_EDGES = {
    ("lib.rs", "feature/page.rs"),
    ("lib.rs", "feature/sub/deep.rs"),
    ("lib.rs", "support/render.rs"),
    ("feature/mod.rs", "support/render.rs"),
    ("feature/mod.rs", "support/mod.rs"),
    ("feature/page.rs", "support/render.rs"),
    ("feature/page.rs", "support/mod.rs"),
    ("feature/sub.rs", "feature/sub/deep.rs"),
    ("feature/sub/deep.rs", "feature/page.rs"),
    ("support/render.rs", "support/mod.rs"),
}


def _write_tree(root, files):
    for rel, text in files.items():
        path = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def _edge_set(crate):
    return {(a, b) for a, dsts in crate.edges.items() for b in dsts}


def self_test():
    failures = []

    def expect(ok, what, detail=""):
        print("%s: %s" % ("ok  " if ok else "FAIL", what))
        if not ok:
            if detail:
                print("      " + detail.replace("\n", "\n      "))
            failures.append(what)

    # parsing -----------------------------------------------------------
    got = [(s, b, g) for s, b, g, _ in parse_use_tree(
        "crate::{a::{b, c}, d as e, f::*, g::{self, h::{i}}}")]
    want = [(["crate", "a", "b"], "b", False), (["crate", "a", "c"], "c", False),
            (["crate", "d"], "e", False), (["crate", "f"], None, True),
            (["crate", "g"], "g", False), (["crate", "g", "h", "i"], "i", False)]
    expect(got == want, "nested `use crate::{a::{b, c}, d as e, f::*, g::{self, h::{i}}}` "
           "parses into the six paths it names", "got %r" % got)
    got = parse_use_tree("::std::fmt")
    expect(got and got[0][3], "`use ::std::fmt` is marked as an external path")

    src = 'a("crate::x") /* c /* n */ crate::y */ b // crate::z\nr#"crate::w"# \'{\' \'a'
    stripped = strip_code(src)
    expect(len(stripped) == len(src) and stripped.count("\n") == src.count("\n")
           and "crate" not in stripped and "{" not in stripped and "'a" in stripped,
           "blanking keeps offsets and lines, removes strings, raw strings, nested block "
           "comments, line comments and char literals, keeps lifetimes", repr(stripped))

    # trees ------------------------------------------------------------
    with tempfile.TemporaryDirectory(prefix="module_cycles_") as tmp:
        _write_tree(tmp, _FIXTURE)
        crate = Crate(tmp)
        expect(crate.files.get("feature/sub.rs") == ("feature", "sub")
               and crate.files.get("feature/sub/deep.rs") == ("feature", "sub", "deep")
               and crate.files.get("support/mod.rs") == ("support",)
               and crate.files.get("lib.rs") == (),
               "files map to modules (lib.rs = crate, a/mod.rs = a, a.rs with folder a/, a/b.rs = a::b)",
               repr(crate.files))
        edges = _edge_set(crate)
        expect(edges == _EXPECTED_CLEAN_EDGES,
               "the clean tree has exactly the expected edges",
               "missing %r\nunexpected %r" % (sorted(_EXPECTED_CLEAN_EDGES - edges),
                                              sorted(edges - _EXPECTED_CLEAN_EDGES)))
        expect(("feature/page.rs", "support/render.rs") in edges
               and ("feature/page.rs", "support/mod.rs") in edges,
               "nested `use crate::{support::{render::{self, x as y}, helper}}` gives edges to "
               "support/render.rs and support/mod.rs")
        expect(("feature/sub/deep.rs", "feature/page.rs") in edges,
               "`use super::super::page::show;` in feature/sub/deep.rs resolves to feature/page.rs")
        expect(("feature/mod.rs", "support/mod.rs") in edges,
               "`use super::super::support::helper;` inside `mod tests {}` of feature/mod.rs "
               "resolves from the inline module (to support/mod.rs, not above the crate root)")
        expect(("feature/mod.rs", "support/render.rs") in edges,
               "inline call `crate::support::render::x();` is found")
        expect(("lib.rs", "feature/sub/deep.rs") in edges and ("lib.rs", "feature/page.rs") in edges,
               "bare child paths from the crate root (`use feature::page;`, "
               "`feature::sub::deep::run()`) are found")
        expect(not any(a == "support/render.rs" and b.startswith("feature/") for a, b in edges),
               "paths inside comments, doc comments, strings and raw strings are ignored")
        expect(("support/mod.rs", "support/render.rs") not in edges
               and ("lib.rs", "feature/mod.rs") not in edges
               and ("feature/page.rs", "feature/mod.rs") not in edges,
               "`mod x;` declarations and `pub(in crate::x)` are not edges")
        expect(not crate.components(), "the clean tree has no cycle")
        run = subprocess.run([sys.executable, os.path.abspath(__file__), tmp],
                             capture_output=True, text=True)
        expect(run.returncode == 0 and "no import cycles among 7 files" in run.stdout,
               "the script exits 0 on the clean tree and says `no import cycles among 7 files`",
               "exit %d\n%s%s" % (run.returncode, run.stdout, run.stderr))

        expect(not leaf_violations(crate, "support"),
               "in the clean tree support/ imports nothing outside itself")

        # the deliberate back-import
        with open(os.path.join(tmp, "support", "render.rs"), "a", encoding="utf-8") as f:
            f.write("\nuse crate::feature::page::x;\n")
        crate = Crate(tmp)
        expect([(a, b) for a, b, _, _ in leaf_violations(crate, "support")]
               == [("support/render.rs", "feature/page.rs")],
               "--leaf support names support/render.rs importing feature/page.rs")
        comps = crate.components()
        expect(comps == [["feature/page.rs", "support/render.rs"]],
               "after `use crate::feature::page::x;` in support/render.rs, feature/page.rs and "
               "support/render.rs form the one cycle", repr(comps))
        run = subprocess.run([sys.executable, os.path.abspath(__file__), tmp],
                             capture_output=True, text=True)
        cycle_line = [l for l in run.stdout.splitlines() if l.strip().startswith("cycle:")]
        expect(run.returncode == 1 and cycle_line
               and "feature/page.rs" in cycle_line[0] and "support/render.rs" in cycle_line[0]
               and "support/render.rs:" in run.stdout and "feature/page.rs:1:" in run.stdout,
               "the script exits 1, names both files in the cycle and prints the import lines",
               "exit %d\n%s%s" % (run.returncode, run.stdout, run.stderr))
        if run.returncode == 1:
            print("      its report:")
            for line in run.stdout.strip().splitlines():
                print("      | " + line)

    with tempfile.TemporaryDirectory(prefix="module_cycles_") as tmp:
        _write_tree(tmp, {
            "lib.rs": "pub mod a;\npub mod b;\nmod mw;\npub struct Root;\n"
                      "fn layer() {\n    use axum::middleware as mw;\n    mw::from_fn(f);\n}\n",
            "a.rs": "pub fn f() -> crate::Root { crate::Root }\n",
            "b.rs": "use crate::a::f;\n",
            "mw.rs": "pub fn h() -> crate::Root { crate::Root }\n",
        })
        edges = _edge_set(Crate(tmp))
        expect(("a.rs", "lib.rs") in edges,
               "`crate::Root` (an item of lib.rs) is an edge to lib.rs")
        expect(("lib.rs", "mw.rs") not in edges,
               "`mw::from_fn()` after a block-level `use axum::middleware as mw;` is external, "
               "not the child module mw.rs")
        with open(os.path.join(tmp, "lib.rs"), "a", encoding="utf-8") as f:
            f.write("pub fn g() { b::nothing(); }\n")
        comps = Crate(tmp).components()
        expect(comps == [["a.rs", "b.rs", "lib.rs"]],
               "an edge to lib.rs counts in cycles like any other", repr(comps))

    print()
    if failures:
        print("self-test FAILED: %d of the expectations above did not hold" % len(failures))
        return 1
    print("self-test passed")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", nargs="?", default=DEFAULT_SRC,
                    help="the crate's source directory (default: %(default)s)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="also list every import between the files of each cycle")
    ap.add_argument("--self-test", action="store_true", help="run the built-in tests")
    ap.add_argument("--leaf", action="append", default=[], metavar="DIR",
                    help="a folder (relative to src) whose files may import only each other, "
                         "e.g. the support layer; may be repeated")
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test()
    if not os.path.isdir(args.src):
        print("error: %s is not a directory" % args.src, file=sys.stderr)
        return 2
    return check(args.src, verbose=args.verbose, leaves=args.leaf)


if __name__ == "__main__":
    sys.exit(main())
