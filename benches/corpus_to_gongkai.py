#!/usr/bin/env python3
"""Convert the tool-neutral benchmark corpus (../shared/bench/gen_corpus.py, its plain/ output)
into a gongkai platform: platform.toml plus one folder per body with site.toml and
content/<year>/report.yaml + report.md.

Usage: corpus_to_gongkai.py CORPUS_DIR [OUT_DIR]   (OUT_DIR default CORPUS_DIR/gongkai)

The numbers come from plain/reports/<body>/<year>.json (tidy cells with the official labels);
the narrative from <year>.md without its front matter and its raw-HTML tables (gongkai renders
the tables from report.yaml). Standard library only.
"""
import json
import os
import re
import shutil
import sys

PARTS = {
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
}
EDITION = {"2019": "2019版", "2021": "2021版"}


def kind_of(name):
    if name.endswith("街道办事处"):
        return "街道办事处"
    if name.endswith("镇人民政府") or name.endswith("乡人民政府"):
        return "乡镇人民政府"
    return "区县部门"


def value_text(cell):
    v = cell["value"]
    text = str(int(v)) if float(v).is_integer() else repr(v)
    if cell["column"][-1] == "采购总金额":
        return text + cell["unit"]
    return text


def keys_of(cell):
    part = PARTS[cell["part"]]
    if cell["part"] == "二":
        return [part, cell["row"][0], cell["row"][1], cell["column"][-1]]
    if cell["part"] == "三":
        return [part] + cell["row"] + [cell["column"][-1]]
    return [part] + cell["column"]


def report_yaml(data, title, published):
    tree = {}
    for c in data["cells"]:
        node = tree
        *path, leaf = keys_of(c)
        for k in path:
            node = node.setdefault(k, {})
        node[leaf] = value_text(c)
    lines = [
        "年度: %d" % data["year"],
        "格式: %s" % EDITION[data["edition"]],
        "标题: %s" % title,
        "发布日期: %s" % published,
    ]

    def dump(node, indent):
        for k, v in node.items():
            if isinstance(v, dict):
                lines.append("%s%s:" % (" " * indent, k))
                dump(v, indent + 2)
            else:
                lines.append("%s%s: %s" % (" " * indent, k, v))

    for part in PARTS.values():
        if part in tree:
            lines.append("")
            lines.append(part + ":")
            dump(tree[part], 2)
    return "\n".join(lines) + "\n"


FRONT = re.compile(r"^\+\+\+\n(.*?)\n\+\+\+\n", re.S)
TABLE = re.compile(r"<table.*?</table>\s*", re.S)


def report_md(md):
    m = FRONT.match(md)
    front = m.group(1) if m else ""
    body = md[m.end():] if m else md
    body = TABLE.sub("", body)
    title = re.search(r'^title = "(.*)"$', front, re.M).group(1)
    date = re.search(r"^date = (\S+)$", front, re.M).group(1)
    return body.lstrip("\n"), title, date


def main():
    corpus = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(corpus, "gongkai")
    plain = os.path.join(corpus, "plain")
    with open(os.path.join(plain, "orgs.json"), encoding="utf-8") as f:
        orgs = json.load(f)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    with open(os.path.join(out, "platform.toml"), "w", encoding="utf-8") as f:
        f.write('name = "基准测试平台（生成的语料）"\n\n[operator]\nname = "示例市人民政府办公室"\n'
                'kind = "设区的市人民政府"\n\n[website]\nhost = "示例市人民政府办公室"\n')
    reports = 0
    for org in orgs:
        slug = org["slug"]
        short = org["title"].replace("政府信息公开工作年度报告", "")
        body = os.path.join(out, slug)
        os.makedirs(os.path.join(body, "content"))
        with open(os.path.join(body, "site.toml"), "w", encoding="utf-8") as f:
            f.write('[body]\nname = "%s"\nshort_name = "%s"\nkind = "%s"\n\n[website]\nhost = "%s"\n'
                    % (org["organisation"], short, kind_of(org["organisation"]), org["organisation"]))
        for year in org["years"]:
            src = os.path.join(plain, "reports", slug, str(year))
            with open(src + ".json", encoding="utf-8") as f:
                data = json.load(f)
            with open(src + ".md", encoding="utf-8") as f:
                md, title, date = report_md(f.read())
            ydir = os.path.join(body, "content", str(year))
            os.makedirs(ydir)
            with open(os.path.join(ydir, "report.yaml"), "w", encoding="utf-8") as f:
                f.write(report_yaml(data, title, date))
            with open(os.path.join(ydir, "report.md"), "w", encoding="utf-8") as f:
                f.write(md)
            reports += 1
    print("converted %d reports of %d bodies into %s" % (reports, len(orgs), out))


if __name__ == "__main__":
    main()
