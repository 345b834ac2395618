"""The shape of the package, read from its source: imports point one way, down the stages.

The import graph is built from the AST of every module of ``vizkit/``: imports
at module level and inside functions (lazy ones), relative and absolute.
"""

import ast
import io
import tokenize
from pathlib import Path


PACKAGE = Path(__file__).parents[1] / "vizkit"

#: The stages, lowest first. A module may import its own stage and any stage
#: below; stages on one line are independent of each other.
STAGES = [
    ("errors",),
    ("_keras", "style", "progress"),  # Keras imported lazily, the look, progress reports
    ("seeding",),  # Keras's seeds, also on a Dask worker
    ("inspect",),  # numbers at a frame: a model and arrays in
    ("views.registry",),  # the views by name: what each draws (it imports no view module)
    ("data",),  # a user's files read safely: tables, images, models and their configs
    ("run",),  # the recorded run on disk
    ("recording",),  # training that records a run
    ("panels", "output"),  # drawing on an axes; frames into files
    ("views",),  # a run drawn frame by frame
    ("pipeline",),  # a recipe's run into files
    ("sweep", "animation"),  # variants side by side; vizkit.animate and your own model
    ("cli", "vizkit"),  # the commands; the package's public names
    ("__main__",),  # python -m vizkit: the commands run as a program
]

#: The package's face: its public names and ``python -m vizkit``, not modules with a job.
FACE = {"__init__.py", "__main__.py"}
RANK = {stage: rank for rank, stages in enumerate(STAGES) for stage in stages}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(), str(path)) for name, path in MODULES.items()}


def imported(name, tree):
    """``{module: line}`` of every vizkit module ``name`` imports, anywhere in its body;
    other packages as their top-level name (``click``, ``numpy``)."""
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            # ``from . import commands`` imports a module; ``from .x import f`` a name of x
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target not in MODULES and "." in target:
                target = target.rpartition(".")[0]
            found.setdefault(target, node.lineno)
    return found


IMPORTS = {name: imported(name, tree) for name, tree in TREES.items()}
GRAPH = {name: {t for t in targets if t in MODULES and t != name}
         for name, targets in IMPORTS.items()}


def stage(module):
    """``vizkit.views.tween`` → ``views``; ``vizkit.errors`` → ``errors``; ``vizkit`` itself.
    The view registry is a stage of its own: every stage may ask it what a view draws,
    and it loads a view's module only when a view is made."""
    if module == "vizkit.views.registry":
        return "views.registry"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "vizkit"


def find_cycle(graph):
    """One import cycle as ``[a, b, ..., a]``, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target, path)
                if cycle:
                    return cycle
        state[node] = "done"
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start, [])
            if cycle:
                return cycle
    return None


def attribute_uses(names, trees=TREES):
    """``["module:line .attr"]`` wherever an attribute in ``names`` is read or imported."""
    uses = []
    for module, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in names:
                uses.append(f"{module}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.ImportFrom):
                uses += [f"{module}:{node.lineno} import {a.name}" for a in node.names
                         if a.name in names]
    return uses


#: Tokens whose text may hold a backslash at a line's end as content, not as a continuation.
TEXT_TOKENS = {"STRING", "FSTRING_MIDDLE", "TSTRING_MIDDLE", "COMMENT"}


def backslash_continuations(source):
    """The numbers of the lines of ``source`` that end in a backslash continuation: a
    backslash as the line's last character that no string or comment token holds."""
    ends = {}
    for number, line in enumerate(io.StringIO(source).readlines(), 1):
        text = line.rstrip("\r\n")
        if text.endswith("\\"):
            ends[number] = len(text) - 1
    texts = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
             if tokenize.tok_name[t.type] in TEXT_TOKENS]
    return [number for number, column in sorted(ends.items())
            if not any(t.start <= (number, column) < t.end for t in texts)]


def test_the_graph_is_read_from_the_source():
    """The walker sees relative, absolute, module-level and lazy imports."""
    assert {"vizkit.errors", "vizkit.run.transaction"} <= GRAPH["vizkit.output.writers"]
    assert "vizkit.output.player" in GRAPH["vizkit.output.writers"]  # inside a method
    assert {"vizkit.cli.commands", "vizkit.cli.sweep"} <= GRAPH["vizkit.cli"]  # from . import
    assert "vizkit.panels" in GRAPH["vizkit.views.base"]
    assert "click" in IMPORTS["vizkit.cli.options"]
    seen = {stage(m) for m in MODULES}
    assert seen <= set(RANK), f"stages without a rank: {seen - set(RANK)}"


def test_no_import_cycle():
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH))


def test_cycles_are_found():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_imports_point_down_the_stages():
    wrong = [f"{a} ({stage(a)}) imports {b} ({stage(b)}), line {IMPORTS[a][b]}"
             for a, targets in GRAPH.items() for b in sorted(targets)
             if stage(a) != stage(b) and RANK[stage(b)] >= RANK[stage(a)]]
    assert not wrong, "\n".join(wrong)


def test_a_view_imports_no_other_view():
    """A module holding a view imports another view's module only through the registry
    (by name, when the view is made), never directly."""
    views = {name for name, tree in TREES.items() if name.startswith("vizkit.views.")
             and any(isinstance(node, ast.ClassDef)
                     and any(getattr(b, "id", None) == "TrajectoryView" for b in node.bases)
                     for node in ast.walk(tree))}
    assert {"vizkit.views.spaces", "vizkit.views.units", "vizkit.views.decision_regions",
            "vizkit.views.image_classifier", "vizkit.views.neuron_fit"} <= views
    for name in sorted(views):
        assert not GRAPH[name] & views, f"{name} imports {GRAPH[name] & views}"


def test_only_the_command_line_imports_click():
    outside = [m for m, targets in IMPORTS.items()
               if "click" in targets and not (m == "vizkit.cli" or m.startswith("vizkit.cli."))]
    assert not outside, outside


def test_no_frame_inspection():
    assert not attribute_uses({"_getframe"})


def test_no_access_to_celluloid_privates():
    assert not attribute_uses({"_offsets", "_photos"})


def test_the_checks_find_what_they_look_for():
    """The two checks above fail on a use they forbid (each form of it)."""
    probe = {"probe": ast.parse("import sys\nfrom sys import _getframe\nsys._getframe(1)\n"
                                "camera._photos.clear()\nself._offsets['x']\n")}
    assert sorted(attribute_uses({"_getframe"}, probe)) == ["probe:2 import _getframe",
                                                           "probe:3 ._getframe"]
    assert sorted(attribute_uses({"_offsets", "_photos"}, probe)) == ["probe:4 ._photos",
                                                                      "probe:5 ._offsets"]


def test_no_backslash_continuations():
    """Lines run on inside brackets (PEP 8), where tools that follow the code keep the route."""
    found = [f"{name}:{number}" for name, path in MODULES.items()
             for number in backslash_continuations(path.read_text())]
    assert not found, found


def test_backslash_continuations_are_found():
    """The check above sees a continuation after code, not a backslash in a string or
    a comment, and reads the lines of a string that runs on."""
    sample = ('total = 1 + \\\n'
              '    2\n'
              'page = """a \\\n'
              'b \\\n'
              '"""\n'
              'note = "c \\\n'
              'd"  # e \\\n'
              'if total and \\\n'
              '        page:\n'
              '    pass\n')
    assert backslash_continuations(sample) == [1, 8]
    assert backslash_continuations("a = (1 +\n     2)\n") == []


def test_at_most_eight_modules_at_the_top():
    """Eight modules with a job at the top; ``__init__`` and ``__main__`` are the
    package's face (its public names; the package run as a program), not modules."""
    top = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in FACE)
    assert len(top) <= 8, top


def test_no_two_modules_share_a_file_name():
    names = {}
    for path in MODULES.values():
        if path.name != "__init__.py":
            names.setdefault(path.name, []).append(str(path.relative_to(PACKAGE)))
    assert not {n: p for n, p in names.items() if len(p) > 1}
