"""The promises of SECURITY.md that no other test file holds: Mizan executes nothing that
comes from its input, and fetches only what it is told to fetch."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml
from helpers import ROOT

from pipeline.ingest import read_inputs
from pipeline.lexicons import safe_yaml
from pipeline.run import RunOptions, run_batch

from test_ingest import EN_TEXT, site  # noqa: F401 - `site` is a fixture

# Calls and modules through which text could become code or a command.
_FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile"}
_FORBIDDEN_MODULES = {"pickle", "marshal", "shelve", "dill", "cloudpickle", "subprocess", "pty", "code", "codeop"}
_FORBIDDEN_ATTRIBUTES = {("os", "system"), ("os", "popen"), ("os", "execv"), ("os", "execvp"), ("os", "spawnv"),
                         ("yaml", "load"), ("yaml", "unsafe_load"), ("yaml", "full_load"), ("importlib", "import_module"),
                         ("yaml", "Loader"), ("yaml", "FullLoader"), ("yaml", "UnsafeLoader"), ("yaml", "CLoader"),
                         ("yaml", "CFullLoader"), ("yaml", "CUnsafeLoader")}


def code_paths(source: str) -> list[str]:
    """Every use of a code-running call or module in one Python source, in line order."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
            found.append((line, f"{node.func.id}()"))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (node.value.id, node.attr) in _FORBIDDEN_ATTRIBUTES:
            found.append((line, f"{node.value.id}.{node.attr}"))
        elif isinstance(node, ast.Import):
            found += [(line, f"import {a.name}") for a in node.names if a.name.split(".")[0] in _FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in _FORBIDDEN_MODULES:
            found.append((line, f"from {node.module} import"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def test_security_the_scan_catches_each_kind_it_forbids():
    probe = ("import pickle\nfrom subprocess import run\nimport os, yaml\neval(x)\nos.system(c)\nyaml.load(s)\n"
             "yaml.safe_load(s)\nyaml.UnsafeLoader(s)\nyaml.CSafeLoader(s)\n")
    assert code_paths(probe) == ["line 1: import pickle", "line 2: from subprocess import", "line 4: eval()",
                                 "line 5: os.system", "line 6: yaml.load", "line 8: yaml.UnsafeLoader"]


def test_security_yaml_builds_no_python_objects():
    with pytest.raises(yaml.YAMLError, match="python/object"):
        safe_yaml("!!python/object/apply:os.system ['echo hi']")
    assert safe_yaml("a: [1, two]") == {"a": [1, "two"]}


def test_security_the_package_has_no_path_from_input_to_code():
    """No eval/exec, no pickle (Ray ships our own records between our processes, never input
    bytes), no shell or subprocess, YAML only through the safe loaders, no import by name."""
    found = {str(p.relative_to(ROOT)): code_paths(p.read_text(encoding="utf-8"))
             for p in sorted((ROOT / "pipeline").rglob("*.py"))}
    assert len(found) > 20 and "pipeline/ingest.py" in found  # the scan read the whole package
    assert {path: hits for path, hits in found.items() if hits} == {}


HOSTILE_TEXTS = [
    "$(touch {marker}) `touch {marker}` ; touch {marker}",
    "{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}} ${{7*7}}",
    "__import__('os').system('touch {marker}')",
    "!!python/object/apply:os.system ['touch {marker}']",
    "=cmd|' /C touch {marker}'!A0 ; @SUM(1+1)*cmd|' /C touch {marker}'!A0",
]


def test_security_text_that_looks_like_code_stays_text(tmp_path):
    """Shell, template, Python, YAML and spreadsheet payloads in an article are stored as
    written and run nowhere, through the whole batch job and its store."""
    marker = tmp_path / "ran"
    source = tmp_path / "hostile.jsonl"
    texts = [t.format(marker=marker) + " " + EN_TEXT for t in HOSTILE_TEXTS]
    source.write_text("".join(json.dumps({"id": f"h{n}", "lang": "en", "title": text[:40], "text": text}) + "\n"
                              for n, text in enumerate(texts)), encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch([str(source)], out, RunOptions(workers=1, progress=False))
    assert summary.counts.articles == len(texts) and summary.counts.failed == 0
    assert not marker.exists()
    stored = {json.loads(line)["id"]: json.loads(line)["text"] for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()}
    assert stored == {f"h{n}": text for n, text in enumerate(texts)}
    claims = [json.loads(line) for line in (out / "claims.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {c["article_id"] for c in claims} == set(stored)  # the $40 million of each article is still read


PAGE = f"""<html><head><title>Oasis</title>
<link rel="stylesheet" href="/style.css"><script src="/app.js"></script>
<meta http-equiv="refresh" content="0; url=/refresh"></head>
<body><img src="/pixel.gif"><iframe src="/frame"></iframe>
<article><h1>Oasis</h1><p>{EN_TEXT}</p><p><a href="/more">more</a></p></article>
<script>fetch('/beacon')</script></body></html>"""


def _feed(site) -> str:
    page = site.add("/page", PAGE, "text/html")
    return site.add("/feed", f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Desert Markets</title><language>en</language>
<item><title>Oasis</title><link>{page}</link></item>
<item><title>Cement</title><link>{site.url('/other')}</link><description>{EN_TEXT}</description>
<enclosure url="{site.url('/audio.mp3')}" type="audio/mpeg" length="1"/></item>
</channel></rss>""", "application/rss+xml")


def test_security_fetches_only_what_it_is_told(site, tmp_path):
    """A feed URL fetches the feed and nothing it links to; an article's `url` field and a
    saved page's scripts, images, frames, styles and refresh are never requested."""
    feed = _feed(site)
    articles = tmp_path / "articles.jsonl"
    articles.write_text(json.dumps({"id": "a", "lang": "en", "text": EN_TEXT, "url": site.url("/from-url-field")}) + "\n")
    saved = tmp_path / "saved.html"
    saved.write_text(PAGE.replace('"/', f'"{site.url("/")}'), encoding="utf-8")
    items = list(read_inputs([feed, str(articles), str(saved)]))
    assert site.requested == ["/feed"]
    assert [i.issue.code for i in items if i.issue] == ["I023"]  # the link-only entry, reported, not crawled
    assert sum(1 for i in items if i.article is not None) == 3

    site.requested.clear()
    run_batch([feed, str(articles), str(saved)], tmp_path / "out", RunOptions(workers=1, progress=False))
    assert site.requested == ["/feed"]


def test_security_fetch_pages_fetches_the_entry_pages_and_nothing_they_link(site):
    """With fetch_pages, a link-only entry's page is read; what that page links to is not."""
    feed = _feed(site)
    items = list(read_inputs([feed], fetch_pages=True))
    assert site.requested == ["/feed", "/page"]
    assert all(i.article is not None for i in items) and len(items) == 2
