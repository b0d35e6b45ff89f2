#!/usr/bin/env python3
"""Replay the site search client's fetches for a set of queries on a built site.

    search_replay.py SITE [QUERY ...]            bytes each query transfers (a new visitor: the
                                                 document table, the shards of its terms, the
                                                 texts of the results it shows first), raw and
                                                 gzipped, then the largest and the median
    search_replay.py SITE --list QUERY           the index files the query loads, as JSON
    search_replay.py SITE --expect QUERY=PREFIX  whether the first result's URL starts with
                                                 PREFIX (repeatable); ends with `N passed, M failed`

It follows themes/default/static/search.js step by step (tokens, shard hash, postings, ranking,
the batches of texts and their check), reading the files the build wrote; tests/e2e/reader.js
checks in Chromium that a query loads exactly the files listed here. Standard library only.
"""
import gzip
import json
import math
import os
import statistics
import sys

ALPHA = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
BATCH = 10
DEFAULT_QUERIES = ["行政复议", "依申请公开", "不予公开", "政府信息公开申请", "主动公开", "行政诉讼",
                   "2021年", "年度报告 2023", "公开指南", "保密审查"]


def fold(s):
    out = []
    for ch in s:
        c = ord(ch)
        if 0xFF01 <= c <= 0xFF5E:
            c -= 0xFEE0
        elif 65 <= c <= 90:
            c += 32
        out.append(chr(c))
    return "".join(out)


def is_han(c):
    return 0x3400 <= c <= 0x4DBF or 0x4E00 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF or 0x20000 <= c <= 0x3134F


def runs(text):
    out, run, kind = [], [], 0
    for ch in fold(text):
        c = ord(ch)
        k = 1 if is_han(c) else 2 if (48 <= c <= 57 or 97 <= c <= 122) else 0
        if k != kind and run:
            out.append((kind, run))
            run = []
        kind = k
        if k:
            run.append(ch)
    if run:
        out.append((kind, run))
    return out


def parse_query(q):
    terms, pieces = [], []
    for kind, chars in runs(q):
        if len(chars) < 2:
            continue
        pieces.append("".join(chars))
        new = ["".join(chars)] if kind == 2 and len(chars) <= 24 else [] if kind == 2 else \
            [chars[i - 1] + chars[i] for i in range(1, len(chars))]
        for t in new:
            if t not in terms:
                terms.append(t)
    return terms, pieces


def shard_of(term, shards):
    h = 0x811C9DC5
    for ch in term:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    h ^= h >> 16
    h = (h * 0x045D9F3B) & 0xFFFFFFFF
    h ^= h >> 16
    return h & (shards - 1)


def decode(s):
    """Postings as search.js decodes them: [doc, weight, doc, weight, ...]."""
    out, v, shift, doc = [], 0, 0, -1
    for ch in s:
        c = ALPHA.index(ch)
        if c >= 32:
            v += (c - 32) << shift
            shift += 5
            continue
        v += c << shift
        doc += (v >> 5) + 1
        out += [doc, v & 31]
        v = shift = 0
    return out


class Site:
    def __init__(self, root):
        self.dir = os.path.join(root, "search")
        self.cache = {}

    def load(self, key):
        """The payload of search/<key>.js and its bytes."""
        if key not in self.cache:
            raw = open(os.path.join(self.dir, key + ".js"), "rb").read()
            text = raw.decode("utf-8")
            body = text[text.index("(") + 1:text.rindex(")")]
            if key.startswith("i/"):
                body = body[body.index(",") + 1:]
            elif key.startswith("t/"):
                body = body[body.index(",") + 1:]
            self.cache[key] = (json.loads(body), raw)
        return self.cache[key]


def body_of(meta, doc):
    b = meta["bodies"]
    lo, hi = 0, len(b) - 1
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if b[mid][1] <= doc:
            lo = mid
        else:
            hi = mid - 1
    return b[lo]


def verify(d, pieces):
    head = fold(d["t"] + " " + d["b"] + " " + (str(d["y"]) if d["y"] else ""))
    return all(q in head or any(q in fold(p[2] + p[1]) for p in d["p"]) for q in pieces)


def run(site, q):
    """(files loaded in order, result URLs in the order shown)."""
    loaded = ["index"]
    meta, _ = site.load("index")
    terms, pieces = parse_query(q)
    if not terms:
        return ["search/" + k + ".js" for k in loaded], []
    lists = []
    for t in terms:
        key = "i/%d" % shard_of(t, meta["shards"])
        if key not in loaded:
            loaded.append(key)
        shard, _ = site.load(key)
        lists.append(decode(shard.get(t, "")))
    n = meta["n"]
    score, hits = [0.0] * n, [0] * n
    for p in lists:
        df = len(p) // 2
        if not df:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for j in range(0, len(p), 2):
            w = p[j + 1]
            score[p[j]] += idf * (w * 2.2) / (w + 1.2)
            hits[p[j]] += 1
    best = max(hits) if n else 0
    docs = [i for i in range(n) if hits[i] and hits[i] == best]
    docs.sort(key=lambda d: (-score[d], d))
    got, nxt, batches = [], 0, 2 if best == len(terms) else 1
    while True:
        ids = docs[nxt:nxt + BATCH]
        nxt += len(ids)
        for i in ids:
            b = body_of(meta, i)
            key = "t/" + ((b[0] + "/") if b[0] else "") + str(i - b[1])
            loaded.append(key)
            d, _ = site.load(key)
            got.append((verify(d, pieces), d["u"]))
        ok = sum(1 for v, _ in got if v)
        batches -= 1
        if batches > 0 and ok < BATCH and nxt < len(docs):
            continue
        break
    shown = [u for v, u in got if v] + [u for v, u in got if not v]
    return ["search/" + k + ".js" for k in loaded], shown


def main(argv):
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    site = Site(argv[0])
    rest = argv[1:]
    if rest[:1] == ["--list"]:
        print(json.dumps(run(site, rest[1])[0], ensure_ascii=False))
        return 0
    if "--expect" in rest:
        passed = failed = 0
        for i, a in enumerate(rest):
            if a != "--expect":
                continue
            q, prefix = rest[i + 1].rsplit("=", 1)
            shown = run(site, q)[1]
            ok = bool(shown) and shown[0].startswith(prefix)
            passed += ok
            failed += not ok
            print("%s %-28s first: %s (expected %s…)" % ("PASS" if ok else "FAIL", q, shown[0] if shown else "-", prefix))
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0
    queries = rest or DEFAULT_QUERIES
    raws, packs = [], []
    for q in queries:
        files = run(site, q)[0]
        raw = sum(len(site.load(f[len("search/"):-3])[1]) for f in files)
        packed = sum(len(gzip.compress(site.load(f[len("search/"):-3])[1], 6)) for f in files)
        raws.append(raw)
        packs.append(packed)
        print("query %-16s %3d files %8.1f KB  %7.1f KB gzipped" % (q, len(files), raw / 1024, packed / 1024))
    print("bytes per query: max %.1f KB (%.1f KB gzipped), median %.1f KB (%.1f KB gzipped)" % (
        max(raws) / 1024, max(packs) / 1024, statistics.median(raws) / 1024, statistics.median(packs) / 1024))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
