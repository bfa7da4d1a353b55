#!/usr/bin/python3
"""Browser test of the HTML report: render it in headless Chromium.

usage: check_report.py MAKE_REPORT [--charts N]
       check_report.py --html REPORT.html [--charts N]

1. Finds Chromium; when it is missing and this runs as root with apt-get (as in
   CI), installs Debian's chromium package (--no-install-recommends). When that
   is impossible it prints why and exits 77, which CTest reports as skipped.
2. Writes a report with MAKE_REPORT (or takes --html), renders it with
   --dump-dom and checks the rendered DOM: N figures of class "chart" (4 by
   default), each with an <svg> holding at least one series path with a
   drawing, as many series paths as its data-series attribute says, 90% bands,
   a legend and a data table; the tables id="headline" (class data-table),
   id="parameters", id="provenance" and the block id="scenario"; no <script>
   and nothing fetched from elsewhere.
   What each chart plots: its data-metric and data-unit are set, the unit is
   the one the chart's note and y-axis label show, and the series (each line's
   data-label) are the legend's entries and the data table's rows, in order.
   For the report MAKE_REPORT writes, each chart's metric, unit, kind of series
   (data-rows) and series names must be the expected ones (EXPECTED below):
   e.g. the income-quintile chart plots spending, not car purchases.
3. Takes a 1280x2400 screenshot and checks that it is a PNG of that size and
   of non-trivial weight. With SPENDSIM_SCREENSHOT_OUT=FILE it is copied there.
4. The headline table fits the page: in a copy of the report with a small
   measuring script added (the report itself has none), rendered 1280 pixels
   wide, the headline table's scrolling wrapper is no wider than its box.
5. With MAKE_REPORT, the same checks on the Chinese report (MAKE_REPORT OUT zh):
   its charts plot the same metrics with Chinese units, series and legends
   (EXPECTED_ZH), and no English category or quintile name is a series.

Chromium may print harmless errors on stderr: only the DOM and the PNG count.
Exit status: 0 passed, 1 failed, 77 skipped. Standard library only.
"""
import html.parser
import os
import shutil
import struct
import subprocess
import sys
import tempfile

SKIP = 77
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


PACKAGES = ["Status quo", "Voucher <food & goods>"]
CATEGORIES = ["food", "clothing", "housing", "household_goods", "transport", "education",
              "health", "other", "total"]
QUINTILES = ["Q1", "Q2", "Q3", "Q4", "Q5"]
# What each chart of make_report's report plots, in page order:
# (data-metric, data-unit, data-rows, series).
EXPECTED = [
    ("spending", "change in yuan", "package", PACKAGES),
    ("car_purchases", "change in cars", "package", PACKAGES),
    ("spending", "change in yuan per person", "category", CATEGORIES),
    ("spending", "change in yuan per person", "quintile", QUINTILES),
]


CATEGORIES_ZH = ["食品烟酒", "衣着", "居住", "生活用品及服务", "交通通信", "教育文化娱乐",
                 "医疗保健", "其他用品及服务", "合计"]
QUINTILES_ZH = ["低收入组", "中等偏下收入组", "中等收入组", "中等偏上收入组", "高收入组"]
EXPECTED_ZH = [
    ("spending", "变化（元）", "方案", PACKAGES),
    ("car_purchases", "变化（辆）", "方案", PACKAGES),
    ("spending", "人均变化（元/人）", "消费类别", CATEGORIES_ZH),
    ("spending", "人均变化（元/人）", "收入五分位组", QUINTILES_ZH),
]

MEASURE = ("<script>window.addEventListener('load',function(){"
           "var t=document.getElementById('headline');var w=t&&t.parentElement;"
           "document.body.setAttribute('data-headline-fit',"
           "w?(w.scrollWidth+' '+w.clientWidth):'none');});</script>")


def log(msg):
    print("report_browser: " + msg, file=sys.stderr, flush=True)


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def install_browser():
    """Installs Debian's chromium when allowed; returns its path or None."""
    if os.environ.get("SPENDSIM_NO_INSTALL") == "1":
        log("SKIP: Chromium is not installed and SPENDSIM_NO_INSTALL=1")
        return None
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        log("SKIP: Chromium is not installed, and installing it needs root and apt-get "
            "(apt-get install chromium)")
        return None
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"]
    log("installing chromium: " + " ".join(cmd))
    for attempt in range(2):
        try:
            r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=150)
        except (OSError, subprocess.TimeoutExpired) as e:
            log("SKIP: cannot install chromium: %s" % e)
            return None
        if r.returncode == 0:
            break
        if attempt == 0:  # package lists may be missing: refresh once and retry
            subprocess.run(["apt-get", "update", "-qq"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120, check=False)
        else:
            tail = r.stdout.decode("utf-8", "replace")[-600:]
            log("SKIP: cannot install chromium:\n" + tail)
            return None
    return find_browser()


def chromium(browser, profile, args, url, timeout=90):
    """Runs headless Chromium on url; returns (stdout bytes, stderr text)."""
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
           "--force-device-scale-factor=1", "--host-resolver-rules=MAP * ~NOTFOUND",
           "--user-data-dir=" + profile] + args + [url]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        return r.stdout, r.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return e.stdout or b"", "timed out after %d s" % timeout


class Dom(html.parser.HTMLParser):
    """Collects what the checks need from the rendered DOM."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = {}            # id -> (tag, classes)
        self.figures = []        # one dict per figure.chart
        self.data_tables = 0
        self.scripts = 0
        self.external = []       # attributes that reference another resource
        self.stack = []          # open elements: (tag, figure or None)
        self.figure = None
        self.capture = None      # (tag, list of the figure's texts, buffer) being read

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if "id" in a:
            self.ids[a["id"]] = (tag, classes)
        if tag == "script":
            self.scripts += 1
        for key in ("src", "href", "xlink:href", "srcset", "poster", "data"):
            v = a.get(key)
            if v is not None and not v.startswith("#"):
                self.external.append("<%s %s=%r>" % (tag, key, v))
        if tag == "table" and "data-table" in classes:
            self.data_tables += 1
            if self.figure is not None:
                self.figure["tables"] += 1
        if tag == "figure" and "chart" in classes:
            self.figure = {"id": a.get("id"), "series": a.get("data-series"),
                           "metric": a.get("data-metric"), "unit": a.get("data-unit"),
                           "rows": a.get("data-rows"), "svg": 0, "lines": 0, "drawn": 0,
                           "bands": 0, "legend": 0, "tables": 0, "labels": [],
                           "legend_labels": [], "row_heads": [], "axis": [], "note": []}
            self.figures.append(self.figure)
        f = self.figure
        if f is not None:
            if tag == "svg":
                f["svg"] += 1
            elif tag in ("path", "polyline") and "line" in classes:
                f["lines"] += 1
                f["labels"].append(a.get("data-label"))
                d = a.get("d") or a.get("points") or ""
                if any(ch.isdigit() for ch in d):
                    f["drawn"] += 1
            elif tag == "polygon" and "band" in classes:
                f["bands"] += 1
            elif tag == "span" and "swatch" in classes:
                f["legend"] += 1
            where = {"li": "legend_labels", "th": "row_heads", "text": "axis", "span": "note"}
            wanted = ((tag == "li" and "legend-title" not in classes) or
                      (tag == "th" and a.get("scope") == "row" and f["tables"] == 1) or
                      (tag == "text" and "axis-label" in classes) or
                      (tag == "span" and "chart-note" in classes))
            if wanted and self.capture is None:
                self.capture = (tag, f[where[tag]], [])
        if tag not in self.VOID:
            self.stack.append((tag, self.figure if tag == "figure" else None))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if self.capture is not None:
            self.capture[2].append(data)

    def handle_endtag(self, tag):
        if self.capture is not None and self.capture[0] == tag:
            self.capture[1].append("".join(self.capture[2]).strip())
            self.capture = None
        while self.stack:
            t, fig = self.stack.pop()
            if fig is not None:
                self.figure = None
            if t == tag:
                break


def check_dom(dom_text, ncharts):
    """Returns a list of problems (empty when the DOM is as expected)."""
    d = Dom()
    d.feed(dom_text)
    d.close()
    bad = []
    if len(d.figures) != ncharts:
        bad.append("%d figures of class chart, expected %d" % (len(d.figures), ncharts))
    for f in d.figures:
        name = f["id"] or "a chart"
        if f["svg"] < 1:
            bad.append("%s has no <svg>" % name)
        if f["drawn"] < 1:
            bad.append("%s has no drawn series path" % name)
        if f["series"] is None or not f["series"].isdigit() or int(f["series"]) != f["lines"]:
            bad.append("%s: data-series=%r but %d series paths" % (name, f["series"], f["lines"]))
        if f["bands"] < 1:
            bad.append("%s has no 90%% band (the report has 3 replicates)" % name)
        if f["legend"] != f["lines"]:
            bad.append("%s: %d legend entries for %d series" % (name, f["legend"], f["lines"]))
        if f["tables"] < 1:
            bad.append("%s has no data table" % name)
        bad += check_plot(f, name)
    want = {"headline": "table", "parameters": "table", "provenance": "table", "scenario": "pre"}
    for ident, tag in want.items():
        if ident not in d.ids:
            bad.append('no element id="%s"' % ident)
        elif d.ids[ident][0] != tag:
            bad.append('id="%s" is a <%s>, expected <%s>' % (ident, d.ids[ident][0], tag))
    if "headline" in d.ids and "data-table" not in d.ids["headline"][1]:
        bad.append('id="headline" lacks class data-table')
    if d.data_tables < ncharts + 3:
        bad.append("%d data-tables, expected at least %d" % (d.data_tables, ncharts + 3))
    if d.scripts:
        bad.append("%d <script> elements" % d.scripts)
    if d.external:
        bad.append("references outside the page: " + ", ".join(d.external[:5]))
    return bad, d


def check_plot(f, name):
    """What one chart says it plots agrees with what it shows."""
    bad = []
    for key in ("metric", "unit", "rows"):
        if not f[key]:
            bad.append("%s has no data-%s" % (name, key))
    if f["axis"] != [f["unit"]]:
        bad.append("%s: y-axis label %r, data-unit %r" % (name, f["axis"], f["unit"]))
    if not f["note"] or not f["note"][0].startswith(f["unit"] or "?"):
        bad.append("%s: note %r does not start with data-unit %r" % (name, f["note"], f["unit"]))
    if f["labels"] != f["legend_labels"]:
        bad.append("%s: lines %r, legend %r" % (name, f["labels"], f["legend_labels"]))
    if f["labels"] != f["row_heads"]:
        bad.append("%s: lines %r, data table rows %r" % (name, f["labels"], f["row_heads"]))
    return bad


def check_expected(figures, expected=None):
    """Each chart of make_report's report plots what EXPECTED says."""
    bad = []
    for f, (metric, unit, rows, series) in zip(figures, expected or EXPECTED):
        name = f["id"] or "a chart"
        got = (f["metric"], f["unit"], f["rows"], f["labels"])
        if got != (metric, unit, rows, series):
            bad.append("%s plots metric=%r unit=%r rows=%r series=%r; expected %r %r %r %r"
                       % ((name,) + got + (metric, unit, rows, series)))
    return bad


def check_png(path, width, height):
    """Returns a list of problems with the screenshot."""
    if not os.path.isfile(path):
        return ["no screenshot was written"]
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(24)
    bad = []
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return ["the screenshot is not a PNG"]
    w, h = struct.unpack(">II", head[16:24])
    if (w, h) != (width, height):
        bad.append("screenshot is %dx%d, expected %dx%d" % (w, h, width, height))
    if size < 20000:
        bad.append("screenshot is only %d bytes: the page looks empty" % size)
    return bad


def check_fit(browser, work, report):
    """The headline table needs no horizontal scrolling 1280 pixels wide."""
    with open(report, encoding="utf-8") as f:
        page = f.read()
    probe = os.path.join(work, "probe.html")
    with open(probe, "w", encoding="utf-8") as f:
        f.write(page.replace("</body>", MEASURE + "</body>"))
    dom, err = chromium(browser, tempfile.mkdtemp(dir=work),
                        ["--dump-dom", "--window-size=1280,2400", "--virtual-time-budget=5000"],
                        "file://" + os.path.abspath(probe))
    text = dom.decode("utf-8", "replace")
    i = text.find('data-headline-fit="')
    if i < 0:
        return ["the headline table could not be measured: " + err[-300:]]
    fit = text[i + 19:text.find('"', i + 19)].split()
    if len(fit) != 2 or not all(x.isdigit() for x in fit):
        return ["the headline table could not be measured (%r)" % fit]
    if int(fit[0]) > int(fit[1]):
        return ["the headline table is %s px wide in a %s px box: it does not fit the page"
                % tuple(fit)]
    log("headline table fits: %s px of %s px" % tuple(fit))
    return []


def check_zh(browser, work, maker, ncharts):
    """The Chinese report: same structure, Chinese labels in charts and legends."""
    report = os.path.join(work, "report_zh.html")
    r = subprocess.run([maker, report, "zh"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    if r.returncode != 0 or not os.path.isfile(report):
        return ["%s zh exited %d: %s" % (maker, r.returncode, r.stdout.decode("utf-8", "replace"))]
    dom, _ = chromium(browser, tempfile.mkdtemp(dir=work), ["--dump-dom"],
                      "file://" + os.path.abspath(report))
    text = dom.decode("utf-8", "replace")
    bad, d = check_dom(text, ncharts)
    bad += check_expected(d.figures, EXPECTED_ZH)
    english = set(CATEGORIES + QUINTILES)
    for f in d.figures:
        for label in f["labels"] + f["legend_labels"] + f["row_heads"]:
            if label in english:
                bad.append("%s of the Chinese report shows the English name %r" % (f["id"], label))
    if '<html lang="zh-CN"' not in text:
        bad.append("the Chinese report does not say lang=zh-CN")
    bad += check_fit(browser, work, report)
    return ["zh: " + b for b in bad]


def main(argv):
    args = argv[1:]
    ncharts = len(EXPECTED)
    html_in = None
    maker = None
    while args:
        a = args.pop(0)
        if a == "--charts" and args:
            ncharts = int(args.pop(0))
        elif a == "--html" and args:
            html_in = args.pop(0)
        elif maker is None and not a.startswith("--"):
            maker = a
        else:
            print(__doc__, file=sys.stderr)
            return 2
    if not maker and not html_in:
        print(__doc__, file=sys.stderr)
        return 2

    browser = find_browser() or install_browser()
    if not browser:
        return SKIP

    work = tempfile.mkdtemp(prefix="spendsim_browser_")
    try:
        report = os.path.join(work, "report.html")
        if html_in:
            shutil.copyfile(html_in, report)
        else:
            r = subprocess.run([maker, report], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=120)
            if r.returncode != 0 or not os.path.isfile(report):
                log("FAIL: %s exited %d:\n%s" % (maker, r.returncode,
                                                  r.stdout.decode("utf-8", "replace")))
                return 1
        url = "file://" + os.path.abspath(report)

        dom, err = chromium(browser, tempfile.mkdtemp(dir=work), ["--dump-dom"], url)
        dom_text = dom.decode("utf-8", "replace")
        if "<html" not in dom_text.lower():
            log("FAIL: Chromium gave no DOM. Its stderr ends:\n" + err[-1500:])
            return 1
        bad, d = check_dom(dom_text, ncharts)
        if not html_in:
            bad += check_expected(d.figures)

        png = os.path.join(work, "report.png")
        _, err2 = chromium(browser, tempfile.mkdtemp(dir=work),
                           ["--screenshot=" + png, "--window-size=1280,2400"], url)
        shot_bad = check_png(png, 1280, 2400)
        if shot_bad and not os.path.isfile(png):
            shot_bad.append("Chromium's stderr ends:\n" + err2[-1500:])
        bad += shot_bad

        bad += check_fit(browser, work, report)
        if maker:
            bad += check_zh(browser, work, maker, ncharts)

        out = os.environ.get("SPENDSIM_SCREENSHOT_OUT")
        if out and os.path.isfile(png):
            shutil.copyfile(png, out)
            log("screenshot copied to " + out)
        if bad:
            for b in bad:
                log("FAIL: " + b)
            return 1
        log("ok: %d charts (%s), %d data tables, screenshot %d bytes" % (
            len(d.figures), ", ".join("%s by %s x%d" % (f["metric"], f["rows"], f["lines"])
                                      for f in d.figures),
            d.data_tables, os.path.getsize(png)))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
