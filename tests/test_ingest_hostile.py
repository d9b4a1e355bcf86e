"""Hostile input: every case fails as ONE recorded issue with its exact code, and the run goes on.

Each test reads the hostile source followed by a good one and checks both: the
exact Issue code of the first, the article of the second. Servers are local.
"""

from __future__ import annotations

import json
import time
import tracemalloc
import zlib

import pytest

from pipeline.fetch import FetchLimits
from pipeline.ingest import read_document, read_inputs

from test_ingest import EN_TEXT, RSS, Route, site  # noqa: F401 - `site` is a fixture

FAST = FetchLimits(max_bytes=1024 * 1024, timeout=0.5, deadline=1.5)


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.jsonl"
    path.write_text(json.dumps({"id": "good", "lang": "en", "text": EN_TEXT}) + "\n")
    return path


def fails_alone(source, good, code, limits=None, **kwargs):
    """Read `source` then a good file: one failure with `code`, then the good article."""
    items = list(read_inputs([source, good], limits=limits, **kwargs))
    assert [(i.origin, i.issue.code if i.issue else None) for i in items[:-1]] == [(str(source), code)], items
    assert items[-1].article is not None and items[-1].article.id == "good"
    return items[0].issue.message


def no_output_contains(items, secret: str) -> None:
    for item in items:
        dumped = (item.article.model_dump_json() if item.article else "") + (item.issue.message if item.issue else "")
        assert secret not in dumped


# --- schemes and redirects -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "ftp://127.0.0.1/feed.xml", "data:text/html,<p>hi</p>", "gopher://127.0.0.1/1",
    "javascript:alert(1)",
])
def test_hostile_non_http_scheme_given_directly(url, good):
    assert "only http and https" in fails_alone(url, good, "I010")


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x.xml", "data:text/xml,<rss/>"])
def test_hostile_redirect_to_another_scheme_is_refused(site, good, target):
    url = site.add("/go", status=302, headers={"Location": target})
    message = fails_alone(url, good, "I010", limits=FAST)
    assert "redirected from" in message
    assert "root:" not in message  # nothing of /etc/passwd was read


def test_hostile_redirect_loop(site, good):
    site.add("/a", status=302, headers={"Location": "/b"})
    site.add("/b", status=301, headers={"Location": site.url("/a")})
    assert fails_alone(site.url("/a"), good, "I012", limits=FAST)
    assert site.requested == ["/a", "/b"]


def test_hostile_redirect_chain_is_capped_at_five_hops(site, good):
    for n in range(8):
        site.add(f"/r{n}", status=307, headers={"Location": f"/r{n + 1}"})
    site.add("/r8", RSS, "application/rss+xml")
    fails_alone(site.url("/r0"), good, "I011", limits=FAST)
    assert site.requested == [f"/r{n}" for n in range(6)]  # the first request and five hops
    assert len([i for i in read_inputs([site.url("/r3")], limits=FAST) if i.ok]) == 2  # five hops are fine


@pytest.mark.parametrize("status", [404, 500, 302])  # 302 without a Location
def test_hostile_http_errors(site, good, status):
    url = site.add("/e", "nothing here", "text/plain", status=status)
    assert f"HTTP {status}" in fails_alone(url, good, "I013", limits=FAST)


def test_hostile_connection_refused(good):
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fails_alone(f"http://127.0.0.1:{port}/feed", good, "I016", limits=FAST)


# --- size caps -------------------------------------------------------------------------------------


def compressed_zeros(megabytes: int, wbits: int) -> bytes:
    """Zeros compressed in pieces, so building the bomb does not hold it inflated."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(1024 * 1024)
    return b"".join(packer.compress(zeros) for _ in range(megabytes)) + packer.flush()


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    """100 MB of zeros as gzip and as deflate, each about 100 KB."""
    made = {"gzip": compressed_zeros(100, 16 + zlib.MAX_WBITS), "deflate": compressed_zeros(100, zlib.MAX_WBITS)}
    assert all(len(data) < 200_000 for data in made.values())
    return made


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_hostile_compression_bomb_stops_at_the_cap_with_little_memory(site, good, bombs, encoding):
    url = site.add("/bomb", bombs[encoding], "text/html", headers={"Content-Encoding": encoding})
    tracemalloc.start()
    try:
        fails_alone(url, good, "I014")  # the default cap: 10 MB after inflating
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB while inflating a 100 MB bomb"


def test_hostile_declared_length_over_the_cap_is_refused_before_reading(site, good):
    def liar(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(50 * 1024 * 1024))
        handler.end_headers()
        handler.wfile.write(b"<html>")

    site.routes["/big"] = Route(handler=liar)
    fails_alone(site.url("/big"), good, "I014", limits=FAST)


def endless(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    handler.wfile.write(b"<html><body><p>")
    while True:
        handler.wfile.write(b"revenue 1 million " * 4096)


def trickle(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    for _ in range(200):  # a byte every 50 ms: each read is quick, the whole is endless
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.05)


def silent(handler):
    time.sleep(3)  # never answers within the test's timeout


def test_hostile_endless_response_stops_at_the_size_cap(site, good):
    site.routes["/endless"] = Route(handler=endless)
    fails_alone(site.url("/endless"), good, "I014", limits=FAST)


def test_hostile_endless_trickle_stops_at_the_deadline(site, good):
    site.routes["/trickle"] = Route(handler=trickle)
    assert "deadline" in fails_alone(site.url("/trickle"), good, "I015", limits=FAST)


def test_hostile_slow_server_stops_at_the_read_timeout(site, good):
    site.routes["/slow"] = Route(handler=silent)
    fails_alone(site.url("/slow"), good, "I015", limits=FAST)


@pytest.mark.parametrize("headers, body", [
    ({"Content-Encoding": "br"}, b"\x1b\x00"),            # an encoding never asked for
    ({"Content-Encoding": "gzip"}, b"not gzip at all"),  # a lie about the encoding
])
def test_hostile_bad_content_encoding(site, good, headers, body):
    url = site.add("/enc", body, "text/html", headers=headers)
    fails_alone(url, good, "I016", limits=FAST)


# --- XML -------------------------------------------------------------------------------------------

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>&lol9;</title><description>Revenue was $1 million. &lol9;</description></item></channel></rss>
"""


def external_entity(target: str) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY leak SYSTEM "{target}">]>
<rss version="2.0"><channel><title>Leak</title>
<item><title>Leak</title><description>Revenue was $1 million. &leak;</description></item></channel></rss>
"""


def external_dtd(dtd_url: str) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "{dtd_url}">
<rss version="2.0"><channel><title>Dtd</title>
<item><title>Dtd</title><description>Revenue was $1 million. &fromdtd;</description></item></channel></rss>
"""


def parameter_entity(dtd_url: str) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{dtd_url}"> %remote;]>
<rss version="2.0"><channel><title>Pe</title><item><description>Revenue was $1 million.</description></item></channel></rss>
"""


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-7f3a")
    return path


def test_hostile_billion_laughs_file(tmp_path, good):
    path = tmp_path / "laughs.rss"
    path.write_text(LAUGHS)
    assert "'lol'" in fails_alone(path, good, "I018")


def test_hostile_billion_laughs_over_http(site, good):
    url = site.add("/laughs", LAUGHS, "application/rss+xml")
    fails_alone(url, good, "I018", limits=FAST)


def test_hostile_external_entity_never_reads_the_local_file(tmp_path, good, secret):
    path = tmp_path / "leak.xml"
    path.write_text(external_entity(secret.as_uri()))
    fails_alone(path, good, "I019")
    no_output_contains(list(read_inputs([path, good])), "TOP-SECRET")


def test_hostile_external_entity_over_http_is_never_fetched(site, good):
    site.add("/payload", "TOP-SECRET-7f3a", "text/plain")
    url = site.add("/leak", external_entity(site.url("/payload")), "application/rss+xml")
    fails_alone(url, good, "I019", limits=FAST)
    assert "/payload" not in site.requested


def test_hostile_external_dtd_is_never_fetched(site, good):
    site.add("/evil.dtd", '<!ENTITY fromdtd "TOP-SECRET-7f3a">', "application/xml-dtd")
    url = site.add("/dtd", external_dtd(site.url("/evil.dtd")), "application/rss+xml")
    fails_alone(url, good, "I020", limits=FAST)
    assert site.requested == ["/dtd"]


def test_hostile_parameter_entity_is_never_fetched(site, good):
    site.add("/p.dtd", '<!ENTITY fromdtd "TOP-SECRET-7f3a">', "application/xml-dtd")
    url = site.add("/pe", parameter_entity(site.url("/p.dtd")), "application/rss+xml")
    fails_alone(url, good, "I019", limits=FAST)
    assert site.requested == ["/pe"]


@pytest.mark.parametrize("hint", ["feed", "page"])
def test_hostile_document_that_is_a_file_name_is_not_opened(secret, hint):
    items = list(read_document(str(secret).encode(), "memory", hint=hint))  # feedparser would open a str or bytes path
    assert [i.issue.code for i in items if i.issue] == ["I021" if hint == "feed" else "I024"]
    no_output_contains(items, "TOP-SECRET")


def test_hostile_entities_in_a_malformed_feed_are_refused_too(tmp_path, good):
    path = tmp_path / "broken.rss"
    path.write_text(LAUGHS.replace("</channel>", "<unclosed></channel>"))
    fails_alone(path, good, "I018")


def test_hostile_entity_tricks_in_html_pages_are_not_expanded(site, good, secret):
    site.add("/evil.dtd", '<!ENTITY fromdtd "TOP-SECRET-7f3a">', "application/xml-dtd")
    html = (f'<?xml version="1.0"?><!DOCTYPE html SYSTEM "{site.url("/evil.dtd")}" '
            f'[<!ENTITY leak SYSTEM "{secret.as_uri()}"><!ENTITY lol "lollollollol">]>'
            f"<html><body><article><p>{EN_TEXT} &leak; &lol; &fromdtd;</p></article></body></html>")
    url = site.add("/page", html, "text/html")
    items = list(read_inputs([url, good], limits=FAST))
    assert [i.ok for i in items] == [True, True]
    assert EN_TEXT in items[0].article.text
    no_output_contains(items, "TOP-SECRET")
    assert "lollollollol" not in items[0].article.text
    assert site.requested == ["/page"]


def test_hostile_old_rss_091_doctype_is_dropped_unread(site, good):
    dtd = site.url("/rss-0.91.dtd")
    feed = RSS.replace('<?xml version="1.0" encoding="utf-8"?>',
                       f'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "{dtd}">')
    url = site.add("/old", feed, "application/rss+xml")
    assert [i.ok for i in read_inputs([url], limits=FAST)] == [True, True]
    assert site.requested == ["/old"]


# --- bytes-level entry points never raise -----------------------------------------------------------


@pytest.mark.parametrize("data", [
    b"", b"\x00" * 64, b"<", b"<rss", b"<rss><channel><item>", b"\xff\xfe<\x00r\x00s\x00s\x00>\x00",
    b"<?xml version='1.0' encoding='unicode_escape'?><rss><channel><item><description>\\ud800 $1m</description></item></channel></rss>",
    b"<?xml version='1.0' encoding='punycode'?><feed/>", b"<html>" + b"<div>" * 5000,
    "<rss><channel><item><description>&#xD800; and &#0; $2 million</description></item></channel></rss>".encode(),
    # found by fuzz/ingest_target.py:
    b"<rss version='2.0'><channel><item><link>https://x.examp[e/a</link><description>$1 million</description></item></channel></rss>",
    "<feed xmlns='http://a\u00a0b c\u2003d e/Atom'><entry><summary>$3 million</summary></entry></feed>".encode(),
])
def test_hostile_garbage_documents_give_ingested_records_never_exceptions(data):
    for hint in ("feed", "page"):
        items = list(read_document(data, "fuzz", hint=hint))
        assert items and all((i.article is None) != (i.issue is None) for i in items)
        assert not [i for i in items if i.issue is not None and i.issue.code.startswith("X")]
        for item in items:
            if item.article is not None:
                item.article.model_dump_json().encode("utf-8")
