#!/usr/bin/env python3
"""Crawl a built gongkai site over HTTP, starting from its index, and report broken links.

Usage: crawl.py BASE_URL   (e.g. http://127.0.0.1:8081/xxgk/ndbg/)

Follows every href/src that stays under BASE_URL (pages, stylesheets, scripts, images, data
downloads) and every fragment, and prints one line per problem. The last line is
"crawled N URLs, M broken"; the exit status is 1 when anything is broken. Standard library only.
"""
import sys
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def main():
    base = sys.argv[1]
    if not base.endswith("/"):
        base += "/"
    start = urllib.parse.urljoin(base, "index.html")
    seen, queue, broken, ids, fragments = set(), [start], [], {}, []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                body = r.read()
                ctype = r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            broken.append(f"{e.code} {url}")
            continue
        except Exception as e:  # noqa: BLE001 - report any failure as broken
            broken.append(f"ERR {url}: {e}")
            continue
        if "text/html" not in ctype:
            continue
        parser = Links()
        parser.feed(body.decode("utf-8"))
        ids[url] = parser.ids
        for link in parser.links:
            target = urllib.parse.urljoin(url, link)
            target, _, frag = target.partition("#")
            if not target.startswith(base):
                continue  # external (gov.cn filing sites): not checked offline
            if frag:
                fragments.append((url, target, frag))
            queue.append(target)
    for page, target, frag in fragments:
        if target in ids and frag not in ids[target]:
            broken.append(f"missing #{frag} in {target} (from {page})")
    for b in broken:
        print(b)
    print(f"crawled {len(seen)} URLs, {len(broken)} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
