"""The house's one-way rules, read from the source (no warehouse needed).

One figure, one path (issue 19): every chart and table is declared once in dashboard/figures.py
and the pages draw the declarations (`ui.figure`); no page builds a figure of its own. Imports
run one way: no cycle among dashboard's modules; the low modules (filters, audience, privacy,
the queries, disclosure, the figures) import nothing from the Streamlit side; pages use no
other module's private names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dashboard import disclosure, figures, keynumbers, report
from dashboard.filters import Filters

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "dashboard"
VIEWS = sorted((DASHBOARD / "views").glob("*.py"))

# the declarations no page draws, by design: none (every image and embed is of a page's figure)
IMAGE_ONLY: frozenset[str] = frozenset()


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(DASHBOARD.rglob("*.py"))}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at its top or inside a function (dashboard's by their
    module name: `from dashboard import ui` is dashboard.ui)."""
    out: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.add(sub if sub in MODULES else node.module)
    return out


GRAPH = {name: {m for m in _imports(path) if m in MODULES} for name, path in MODULES.items()}


def _reach(start: str) -> set[str]:
    """Every module `start` imports, directly or through others (dashboard's and foreign)."""
    seen, todo, foreign = set(), [start], set()
    while todo:
        name = todo.pop()
        for m in _imports(MODULES[name]):
            if m in MODULES and m not in seen:
                seen.add(m)
                todo.append(m)
            elif m not in MODULES:
                foreign.add(m.split(".")[0])
    return seen | foreign


# ---- one figure, one path ------------------------------------------------------------------

def _calls(path: Path):
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name):
            yield node.func.value.id, node.func.attr, node


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.stem)
def test_a_page_builds_no_figure_of_its_own(path):
    """Pages draw declarations (`ui.figure`): no chart builder, no figure or table of their
    own handed to the chart frame, no plotly."""
    imported = _imports(path)
    assert "dashboard.charts" not in imported, f"{path.name} imports dashboard.charts"
    assert not any(m.startswith("plotly") for m in imported), f"{path.name} imports plotly"
    own = [f"{mod}.{attr}" for mod, attr, _ in _calls(path)
           if mod == "charts" or (mod == "ui" and attr in ("chart", "table"))]
    assert own == [], f"{path.name} builds figures itself: {own}"


# what the declarations say in a sentence (their summaries): a page never says it again
SENTENCES = {("interval", "sentence"), ("interval", "pretrend_sentence"),
             ("rights", "worst_gaps")}


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.stem)
def test_a_page_says_no_declarations_sentence_itself(path):
    own = [f"{mod}.{attr}" for mod, attr, _ in _calls(path) if (mod, attr) in SENTENCES]
    assert own == [], f"{path.name} says a declaration's sentence itself: {own}"


def _drawn() -> dict[str, set[str]]:
    """page → the declaration keys it draws (`ui.figure(ctx, "key", …)`)."""
    out = {}
    for path in VIEWS:
        keys = set()
        for mod, attr, node in _calls(path):
            if (mod, attr) == ("ui", "figure"):
                key = node.args[1]
                assert isinstance(key, ast.Constant), f"{path.name}: a figure's key is literal"
                keys.add(key.value)
        out[path.stem] = keys
    return out


def test_every_declaration_is_drawn_by_a_page():
    drawn = _drawn()
    every = set().union(*drawn.values())
    assert every <= set(figures.DECLARED), every - set(figures.DECLARED)
    assert set(figures.DECLARED) - every == IMAGE_ONLY
    # images, embeds and `twinimpact chart` draw what a page shows, and the report too
    assert set(figures.REGISTRY) <= every
    assert set(report.CHARTS) <= set(figures.REGISTRY)
    # the pages that show figures draw them all through declarations
    assert drawn["displacement"] >= {"displacement-estimates", "displacement-breakdown"}


# the page's choices some declarations take (a survey series), as a page passes them
OPTIONS = {"employment-types": {"family": "APS", "every": "year", "level": "country"},
           "employment-survey": {"source": "S", "every": "year", "level": "country"}}


def test_every_declaration_reads_queries_with_a_people_rule():
    """A declaration's people rule is its queries' (disclosure.RULES, CONTRACT §6): each one
    it reads has one, so no figure reaches a page, image or report unruled."""
    f = Filters(from_month="2025-01", to_month="2025-12", brand=("B",))
    for key, chart in figures.DECLARED.items():
        for name, *_ in chart.needs(f, OPTIONS.get(key)):
            assert name in disclosure.RULES, f"{key} reads {name}, which has no people rule"


def test_a_declaration_is_a_table_or_draws_a_figure():
    for key, chart in figures.DECLARED.items():
        assert not (chart.table and chart.served), f"{key}: a table is not an image"
        assert chart.title and chart.sources, key


def _headlines_drawn() -> dict[str, tuple[str, ...]]:
    """page → the headline keys it draws (`ui.headlines(ctx, HEADLINES, …)` with the
    page's literal HEADLINES tuple)."""
    out = {}
    for path in VIEWS:
        tree = _tree(path)
        consts = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                  for t in node.targets if isinstance(t, ast.Name)}
        keys: tuple[str, ...] = ()
        for mod, attr, node in _calls(path):
            if (mod, attr) == ("ui", "headlines"):
                arg = node.args[1]
                arg = consts.get(arg.id, arg) if isinstance(arg, ast.Name) else arg
                keys += tuple(ast.literal_eval(arg))
        out[path.stem] = keys
    return out


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.stem)
def test_a_page_draws_headlines_only_as_declared(path):
    """Headline numbers are declarations too (keynumbers.HEADLINES): a page draws them with
    `ui.headlines`, never a metric of its own (no page is excepted: the survey's and the
    loads' own counts are declared too)."""
    own = [f"{mod}.{attr}" for mod, attr, _ in _calls(path)
           if attr == "metric" or (mod, attr) == ("ui", "metric")]
    assert own == [], f"{path.name} draws metrics itself: {own}"


def test_every_headline_is_declared_drawn_and_ruled():
    drawn = _headlines_drawn()
    every = {k for keys in drawn.values() for k in keys}
    assert every <= set(keynumbers.HEADLINES), every - set(keynumbers.HEADLINES)
    assert set(keynumbers.HEADLINES) == every | set(keynumbers.KEY_NUMBERS) | {"before-after"}
    assert all(drawn[page] for page in ("overview", "displacement", "income", "consent",
                                        "brand_report", "employment", "data_sources"))
    for key, h in keynumbers.HEADLINES.items():
        assert h.query in disclosure.RULES, f"{key} reads {h.query}, which has no people rule"
        assert h.sources and h.label and h.kind in ("pct", "num", "money", "interval"), key
        # each has its summary sentence, saying the number as shown (the estimate's:
        # interval.sentence)
        assert "{value}" in h.says or h.kind == "interval", key


# ---- imports run one way -------------------------------------------------------------------

def test_no_import_cycle_in_the_dashboard():
    path: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in path:
            cycle = path[path.index(name):] + [name]
            raise AssertionError("import cycle: " + " → ".join(cycle))
        if name in done:
            return
        path.append(name)
        for m in sorted(GRAPH[name]):
            visit(m)
        path.pop()
        done.add(name)

    for name in sorted(GRAPH):
        visit(name)


STREAMLIT_SIDE = {"streamlit", "dashboard.ui", "dashboard.data", "dashboard.signin",
                  "dashboard.app", "dashboard.perf"}
LOW = ["dashboard.filters", "dashboard.audience", "dashboard.privacy", "dashboard.text",
       "dashboard.money", "dashboard.labels", "dashboard.keynumbers", "dashboard.disclosure",
       "dashboard.public", "dashboard.charts", "dashboard.figures", "dashboard.report",
       *(m for m in MODULES if m.startswith("dashboard.queries"))]


@pytest.mark.parametrize("name", LOW)
def test_the_low_modules_import_nothing_from_the_streamlit_side(name):
    reached = _reach(name)
    assert not reached & STREAMLIT_SIDE, f"{name} reaches {sorted(reached & STREAMLIT_SIDE)}"
    assert not any(m.startswith("dashboard.views") for m in reached)


def test_the_filters_are_a_value_type():
    """dashboard.filters: the standard library and the contract's names, nothing else."""
    assert _reach("dashboard.filters") <= {"__future__", "re", "collections", "dataclasses",
                                           "datetime", "etl", "etl.contracts"}


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.stem)
def test_a_page_uses_no_private_name_of_another_module(path):
    tree = _tree(path)
    modules = {a.asname or a.name for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) for a in node.names} | \
              {a.asname or a.name for node in ast.walk(tree)
               if isinstance(node, ast.Import) for a in node.names}
    private = [f"{node.module}.{a.name}" for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) for a in node.names
               if a.name.startswith("_")]
    private += [f"{node.value.id}.{node.attr}" for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in modules and node.attr.startswith("_")
                and not node.attr.startswith("__")]
    assert private == [], f"{path.name} uses private names: {private}"
