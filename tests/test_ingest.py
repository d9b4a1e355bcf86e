"""Ingest of every input kind: JSONL, text, RSS/Atom feeds, HTML pages and URLs.

The http cases use a local server (`site`, 127.0.0.1, a free port): no other
network. Every article text here was written for these tests.
"""

from __future__ import annotations

import codecs
import gzip
import http.server
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from pipeline.errors import InputError
from pipeline.fetch import FetchLimits
from pipeline.ingest import Ingested, decode_document, expand_inputs, html_to_text, read_document, read_inputs

# --- a local web site -----------------------------------------------------------------------------


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    handler: Callable[[http.server.BaseHTTPRequestHandler], None] | None = None


class Site:
    """A local http server whose pages the tests set; it records every path asked for."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requested: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                site.requested.append(self.path)
                route = site.routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_error(404)
                    return
                if route.handler is not None:
                    try:
                        route.handler(self)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client gave up, as it should
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def add(self, path: str, body: bytes | str = b"", content_type: str = "", **kwargs: object) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[arg-type]
        if content_type:
            headers["Content-Type"] = content_type
        self.routes[path] = Route(body=data, headers=headers, **kwargs)  # type: ignore[arg-type]
        return self.url(path)


@pytest.fixture
def site():
    server = Site()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


# --- documents written for these tests -----------------------------------------------------------

AR_TEXT = "قالت شركة الواحة للأسمنت إن أرباحها بلغت 12 مليون ريال في الربع الأول، بزيادة 5% عن العام الماضي."
AR_TITLE = "أرباح الواحة للأسمنت ترتفع"
EN_TEXT = "Oasis Cement said revenue reached $40 million in the first quarter, up from $31 million a year earlier."

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Gulf Ledger</title><link>https://ledger.example/</link><language>ar</language>
<item><title>{AR_TITLE}</title><link>https://ledger.example/a/1</link>
<pubDate>Tue, 04 Mar 2025 08:30:00 +0300</pubDate><description>ملخص قصير</description>
<content:encoded><![CDATA[<p>{AR_TEXT}</p><script>var hidden = "SCRIPT-NOISE";</script><style>p {{}}</style>]]></content:encoded>
</item>
<item><title>Oasis revenue</title><guid isPermaLink="false">oasis-2</guid>
<description>&lt;p&gt;{EN_TEXT}&lt;/p&gt;</description></item>
</channel></rss>
"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>Desert Markets</title><id>urn:uuid:desert-markets</id><updated>2025-05-02T10:00:00Z</updated>
<entry><title>Oasis quarterly revenue</title><id>urn:uuid:entry-en</id>
<link rel="alternate" href="https://markets.example/oasis"/><updated>2025-05-02T09:15:00+04:00</updated>
<content type="html">&lt;p&gt;{EN_TEXT}&lt;/p&gt;&lt;style&gt;.x{{}}&lt;/style&gt;</content></entry>
<entry xml:lang="ar"><title>{AR_TITLE}</title><id>urn:uuid:entry-ar</id><updated>2025-05-01T07:00:00Z</updated>
<summary type="text">{AR_TEXT}</summary></entry>
</feed>
"""

PAGE = f"""<!DOCTYPE html><html lang="en"><head><title>Oasis revenue | Desert Markets</title>
<meta property="og:site_name" content="Desert Markets"><meta name="date" content="2025-05-02">
<style>body {{ color: black }} .STYLE-NOISE {{}}</style><script>var tracker = "SCRIPT-NOISE 999 million";</script></head>
<body><nav><a href="/">Home</a> <a href="/m">Markets</a> <a href="/x">NAV-NOISE</a></nav>
<article><h1>Oasis revenue rises</h1>
<p>{EN_TEXT}</p>
<p>The company expects full-year revenue of about $170 million, its chief financial officer told analysts on a call.</p>
<script>document.write("INLINE-SCRIPT-NOISE")</script></article>
<footer>FOOTER-NOISE all rights reserved</footer></body></html>
"""

AR_PAGE = f"""<html lang="ar"><head><meta charset="{{charset}}"><title>{AR_TITLE}</title></head>
<body><article><h1>{AR_TITLE}</h1><p>{AR_TEXT}</p>
<p>وتوقعت الشركة أن تصل مبيعاتها إلى 60 مليون ريال بنهاية العام الجاري بعد افتتاح مصنعها الجديد في المنطقة الشرقية.</p>
</article></body></html>
"""


def articles(items: list[Ingested]):
    return [i.article for i in items if i.article is not None]


def failures(items: list[Ingested]):
    return [(i.origin, i.issue.code) for i in items if i.issue is not None and i.article is None]


# --- feeds -----------------------------------------------------------------------------------------


def test_ingest_rss_entries_become_articles_with_their_metadata(tmp_path):
    path = tmp_path / "ledger.rss"
    path.write_text(RSS, encoding="utf-8")
    items = list(read_inputs([path]))
    assert [i.origin for i in items] == [f"{path}#entry-1", f"{path}#entry-2"]
    ar, en = articles(items)
    assert (ar.id, ar.url, ar.title, ar.lang, ar.outlet) == ("https://ledger.example/a/1", "https://ledger.example/a/1", AR_TITLE, "ar", "Gulf Ledger")
    assert ar.text == AR_TEXT  # content:encoded wins over the description; script and style dropped
    assert ar.date == "2025-03-04T08:30:00+03:00"
    assert (en.id, en.url, en.lang, en.text) == ("oasis-2", None, "en", EN_TEXT)  # guid as id; script says English


def test_ingest_atom_entries_with_languages_dates_and_ids(tmp_path):
    path = tmp_path / "markets.atom"
    path.write_text(ATOM, encoding="utf-8")
    en, ar = articles(list(read_inputs([path])))
    assert (en.id, en.lang, en.text, en.outlet) == ("https://markets.example/oasis", "en", EN_TEXT, "Desert Markets")
    assert en.date == "2025-05-02T09:15:00+04:00"
    assert (ar.id, ar.lang, ar.title, ar.text) == ("urn:uuid:entry-ar", "ar", AR_TITLE, AR_TEXT)
    assert ar.date.startswith("2025-05-01T07:00:00")


def test_ingest_entry_without_link_or_guid_gets_a_content_hash_id(tmp_path):
    path = tmp_path / "bare.rss"
    path.write_text(f"<rss version='2.0'><channel><title>T</title><item><description>{EN_TEXT}</description></item></channel></rss>")
    (article,) = articles(list(read_inputs([path])))
    assert article.id == f"sha256:{article.content_hash}" and len(article.content_hash) == 64


def test_ingest_feed_of_ten_entries_with_two_broken_gives_eight_articles_and_two_failures(tmp_path):
    items = [f"<item><title>Deal {n}</title><link>https://ledger.example/d/{n}</link>"
             f"<description>Firm {n} agreed to pay ${n + 1} million for a stake.</description></item>" for n in range(10)]
    items[3] = "<item><title>Empty</title><guid>empty-3</guid><description>  </description></item>"
    items[7] = "<item><title>Only a link</title><link>https://ledger.example/d/7</link></item>"
    path = tmp_path / "deals.xml"
    path.write_text(f"<rss version='2.0'><channel><title>Deals</title>{''.join(items)}</channel></rss>")
    got = list(read_inputs([path]))
    assert len(got) == 10 and len(articles(got)) == 8
    assert failures(got) == [(f"{path}#entry-4", "I003"), (f"{path}#entry-8", "I023")]


@pytest.mark.parametrize("body, code", [
    ("<rss version='2.0'><channel><title>Quiet</title></channel></rss>", "I022"),
    ("<?xml version='1.0'?><urlset><url><loc>https://x.example/</loc></url></urlset>", "I021"),
])
def test_ingest_feed_without_entries_is_one_failure(tmp_path, body, code):
    path = tmp_path / "odd.xml"
    path.write_text(body)
    assert failures(list(read_inputs([path]))) == [(str(path), code)]


def test_ingest_link_only_entry_is_fetched_only_with_fetch_pages(site):
    page = site.add("/story", PAGE, "text/html; charset=utf-8")
    feed = site.add("/feed", f"<rss version='2.0'><channel><title>Desert Markets</title><item><title>Oasis</title>"
                             f"<link>{page}</link><pubDate>Fri, 02 May 2025 09:00:00 GMT</pubDate></item></channel></rss>",
                    "application/rss+xml")
    assert failures(list(read_inputs([feed]))) == [(f"{feed}#entry-1", "I023")]
    assert site.requested == ["/feed"]  # the default never crawls
    (article,) = articles(list(read_inputs([feed], fetch_pages=True)))
    assert (article.id, article.title, article.outlet, article.origin) == (page, "Oasis", "Desert Markets", f"{feed}#entry-1")
    assert EN_TEXT in article.text and "NOISE" not in article.text
    assert article.date == "2025-05-02T09:00:00+00:00"


def test_ingest_html_to_text_drops_scripts_styles_and_keeps_blocks():
    snippet = "<div><p>Profit <b>rose</b> to $3 million</p><script>SCRIPT</script><style>.a{}</style>" \
              "<noscript>NOSCRIPT</noscript><ul><li>one</li><li>two</li></ul>tail<br>end</div>"
    assert html_to_text(snippet) == "Profit rose to $3 million\none\ntwo\ntail\nend"
    deep = "<i>" * 200 + "deep" + "</i>" * 200  # the walk is iterative: no recursion limit to hit
    assert html_to_text(deep) == "deep"
    assert isinstance(html_to_text("<b>" * 50_000 + "x"), str)  # past libxml2's depth cap: text lost, no crash


# --- pages -----------------------------------------------------------------------------------------


def test_ingest_html_page_keeps_only_the_article_body(tmp_path):
    path = tmp_path / "oasis.html"
    path.write_text(PAGE, encoding="utf-8")
    (article,) = articles(list(read_inputs([path])))
    assert article.text.startswith(EN_TEXT) and "$170 million" in article.text
    assert "NOISE" not in article.text and "Home" not in article.text
    assert (article.title, article.date, article.outlet, article.lang) == ("Oasis revenue rises", "2025-05-02", "Desert Markets", "en")
    assert article.id == f"sha256:{article.content_hash}" and article.url is None


def test_ingest_html_page_over_http_has_its_url_as_id(site):
    url = site.add("/news/oasis", PAGE, "text/html")
    (article,) = articles(list(read_inputs([url])))
    assert (article.id, article.url, article.origin) == (url, url, url)


def test_ingest_page_without_text_is_one_failure(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body><style>p {}</style><img src='x.png'></body></html>")
    assert failures(list(read_inputs([path]))) == [(str(path), "I024")]


# --- telling kinds apart: Content-Type, suffix, sniffing ---------------------------------------------


def test_ingest_content_type_lies_are_overruled_by_sniffing(site):
    feed = site.add("/feed.php", RSS, "text/html; charset=utf-8")  # a feed served as HTML
    page = site.add("/page.bin", PAGE, "application/octet-stream")
    got = list(read_inputs([feed, page]))
    assert [a.id for a in articles(got)] == ["https://ledger.example/a/1", "oasis-2", page]


def test_ingest_neither_feed_nor_page_is_one_failure(site):
    url = site.add("/data.txt", "revenue,40\n", "text/plain")
    assert failures(list(read_inputs([url]))) == [(url, "I025")]


def test_ingest_file_without_suffix_is_sniffed_and_folders_pick_up_every_kind(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "feed").write_text(RSS, encoding="utf-8")
    for name, text in [("a.rss", RSS), ("b.atom", ATOM), ("c.xml", RSS), ("d.html", PAGE), ("e.htm", PAGE),
                       ("f.txt", EN_TEXT), ("g.jsonl", json.dumps({"id": "g", "text": EN_TEXT})), ("h.csv", "x")]:
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = [Path(p).name for p in expand_inputs([tmp_path])]
    assert found == ["a.rss", "b.atom", "c.xml", "d.html", "e.htm", "f.txt", "g.jsonl"]
    assert len(articles(list(read_inputs([tmp_path / "sub" / "feed"])))) == 2


def test_ingest_urls_pass_through_expand_and_missing_paths_still_raise(tmp_path):
    assert expand_inputs(["https://ledger.example/feed"]) == ["https://ledger.example/feed"]
    with pytest.raises(InputError, match="no such file"):
        list(read_inputs([tmp_path / "missing.rss"]))


# --- charsets --------------------------------------------------------------------------------------


def test_ingest_declared_latin1_but_utf8_arabic_is_read_as_utf8(site):
    url = site.add("/ar", AR_PAGE.format(charset="iso-8859-1"), "text/html; charset=iso-8859-1")
    (article,) = articles(list(read_inputs([url])))
    assert AR_TEXT in article.text and article.lang == "ar"


@pytest.mark.parametrize("header, meta", [
    ("text/html; charset=windows-1256", "windows-1256"),  # declared and true
    ("text/html", "windows-1256"),                         # declared in the page only
    ("text/html; charset=iso-8859-1", "iso-8859-1"),      # declared wrong, everywhere
    ("text/html", "utf-8"),                                # declared wrong in the page
])
def test_ingest_windows_1256_arabic_is_decoded_whatever_is_declared(site, header, meta):
    url = site.add("/ar", AR_PAGE.format(charset=meta).encode("cp1256"), header)
    (item,) = list(read_inputs([url]))
    assert item.article is not None and AR_TEXT in item.article.text and not item.notes


def test_ingest_feed_in_windows_1256_with_its_xml_declaration(tmp_path):
    path = tmp_path / "ar.rss"
    path.write_bytes(RSS.replace('encoding="utf-8"', 'encoding="windows-1256"').encode("cp1256"))
    ar, _ = articles(list(read_inputs([path])))
    assert ar.text == AR_TEXT


def test_ingest_undecodable_bytes_are_replaced_and_noted(site):
    body = AR_PAGE.format(charset="utf-8").encode("utf-8").replace("مبيعاتها".encode(), b"\xff\xfe", 1)
    url = site.add("/broken", body, "text/html; charset=utf-8")
    (item,) = list(read_inputs([url]))
    assert item.article is not None and "\ufffd" in item.article.text
    assert [n.code for n in item.notes] == ["I017"]


def test_ingest_decode_document_order_bom_then_utf8_then_declared():
    assert decode_document(codecs.BOM_UTF16_LE + "ربح".encode("utf-16-le"), "iso-8859-1").text == "ربح"
    assert decode_document("ربح".encode("utf-8"), "windows-1256").text == "ربح"
    assert decode_document("café".encode("latin-1"), "iso-8859-1").text == "café"


def test_ingest_gzip_encoded_response_is_inflated(site):
    url = site.add("/gz", gzip.compress(RSS.encode("utf-8")), "application/rss+xml", headers={"Content-Encoding": "gzip"})
    assert [a.id for a in articles(list(read_inputs([url])))] == ["https://ledger.example/a/1", "oasis-2"]


# --- JSONL: lone surrogates ------------------------------------------------------------------------


def test_ingest_lone_surrogates_in_jsonl_become_replacement_characters(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "s1", "title": "T\\udc00", "text": "Revenue \\ud800rose to $4 million."}\n'
                    '{"id": "s2", "text": "A pair \\ud83d\\ude00 is fine: $5 million."}\n')
    first, second = read_inputs([path])
    assert first.article is not None and first.article.text == "Revenue \ufffdrose to $4 million."
    assert [n.code for n in first.notes] == ["I009"] and "text" in first.notes[0].message
    first.article.model_dump_json().encode("utf-8")  # the point: writing UTF-8 no longer fails
    assert second.article is not None and second.article.text == "A pair \U0001F600 is fine: $5 million." and not second.notes


def test_ingest_notes_reach_the_run_report(tmp_path):
    from pipeline.stages import Pipeline

    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "s1", "lang": "en", "text": "Acme said revenue \\ud800rose to 12 mln dlrs."}\n')
    (result,) = Pipeline().run(read_inputs([path]))
    assert "I009" in [i.code for i in result.report.issues]


def test_ingest_read_document_bytes_entry_point_without_a_file():
    got = list(read_document(ATOM.encode("utf-8"), "memory"))
    assert [i.origin for i in got] == ["memory#entry-1", "memory#entry-2"] and all(i.ok for i in got)


def test_ingest_cli_extract_reads_a_feed_url(site, tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    feed = site.add("/feed", RSS, "application/rss+xml")
    out = tmp_path / "claims.jsonl"
    result = CliRunner().invoke(app, ["extract", feed, "-o", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "claims.manifest.json").read_text(encoding="utf-8"))
    assert [a["origin"] for a in manifest["articles"]] == [f"{feed}#entry-1", f"{feed}#entry-2"]
    assert manifest["counts"]["claims"] >= 1


def test_ingest_limits_apply_to_local_documents_too(tmp_path):
    path = tmp_path / "big.html"
    path.write_text(PAGE)
    assert failures(list(read_inputs([path], limits=FetchLimits(max_bytes=100)))) == [(str(path), "I014")]
