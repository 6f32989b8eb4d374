#!/usr/bin/python3
"""The HTML report in a real browser: headless Chromium renders it from a file:// URL.

Checks that the inline script ran and drew the charts (one bar group per call, the
cumulative cost line, one row per agent), that the page loads nothing from anywhere, and that
a screenshot is not blank (decoded here with zlib and struct only).

usage: report_browser_test.py TOKWISE_BINARY EXAMPLE_TRACE SWE_AGENT_TRACE
Exit 77 (skipped) when Chromium is not installed; ./setup.sh installs it.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
    "--virtual-time-budget=5000",
]


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(binary, workdir, profile, args):
    """Runs Chromium with a fresh profile directory; returns its standard output."""
    user_data = os.path.join(workdir, profile)
    os.mkdir(user_data)
    cmd = [binary] + CHROMIUM_FLAGS + ["--user-data-dir=" + user_data] + args
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90,
                          cwd=workdir)
    if done.returncode != 0:
        raise AssertionError("chromium failed (%d): %s" % (done.returncode,
                                                           done.stderr.decode()[-2000:]))
    return done.stdout.decode("utf-8", "replace")


def make_report(tokwise, trace, html, extra):
    subprocess.run([tokwise, "report", trace, "--html", html, "--quiet"] + extra, check=True,
                   stdout=subprocess.DEVNULL)
    with open(html, encoding="utf-8") as f:
        return f.read()


def png_pixels(path):
    """Decodes an 8-bit RGB or RGBA PNG; returns (width, height, rows of RGB tuples)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, color, depth = 8, b"", 0, 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    raw = zlib.decompress(idat)
    bpp = 3 if color == 2 else 4
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        ftype, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def check_dom(dom, calls, agents, name):
    assert 'data-rendered="1"' in dom, name + ": the script did not finish"
    steps = re.findall(r'<g class="step" data-call="(\d+)"', dom)
    assert len(steps) == calls, "%s: %d bar groups, want %d" % (name, len(steps), calls)
    assert steps == [str(i + 1) for i in range(calls)], name + ": bar groups out of order"
    for group in re.findall(r'<g class="step" data-call="\d+">(.*?)</g>', dom):
        assert "<rect" in group, name + ": a bar group without bars"
    assert dom.count('class="cost-line"') >= 1, name + ": no cumulative cost line"
    rows = dom.count('class="agent-row"')
    assert rows == agents, "%s: %d agent rows, want %d" % (name, rows, agents)


def main():
    tokwise, example, swe = sys.argv[1:4]
    browser = find_chromium()
    if browser is None:
        print("chromium is not installed (./setup.sh deps installs it): skipped")
        return 77
    workdir = tempfile.mkdtemp(prefix="tokwise-browser-")
    try:
        example_html = os.path.join(workdir, "example.html")
        page = make_report(tokwise, example, example_html, [])
        # Self-contained: no URL the browser would fetch.
        for ref in ("src=", "<link", "@import", "url(", "fetch(", "XMLHttpRequest"):
            assert ref not in page, "the page refers to something outside it: " + ref
        swe_html = os.path.join(workdir, "swe.html")
        make_report(tokwise, swe, swe_html, ["--model", "gpt-4-1106-preview"])

        check_dom(chromium(browser, workdir, "profile-1",
                           ["--dump-dom", "file://" + example_html]), 5, 1, "example")
        check_dom(chromium(browser, workdir, "profile-2",
                           ["--dump-dom", "file://" + swe_html]), 12, 1, "swe-agent")

        shot = os.path.join(workdir, "shot.png")
        chromium(browser, workdir, "profile-3",
                 ["--window-size=1280,1300", "--screenshot=" + shot, "file://" + example_html])
        width, height, rows = png_pixels(shot)
        assert (width, height) == (1280, 1300), (width, height)
        counts = {}
        for row in rows:
            for px in row:
                key = (px[0] >> 3, px[1] >> 3, px[2] >> 3)
                counts[key] = counts.get(key, 0) + 1
        background = max(counts.values())
        total = width * height
        assert len(counts) >= 200, "only %d distinct colours: blank page?" % len(counts)
        assert background < 0.8 * total, "one colour covers %.0f%% of the page" % (
            100.0 * background / total)
        # The bar chart's colours are on screen: the kinds' hues (tool results orange).
        orange = sum(n for (r, g, b), n in counts.items() if r >= 28 and 10 <= g <= 16 and b <= 4)
        assert orange > 500, "the tool-result bars are not on screen (%d px)" % orange
        print("ok: %d distinct colours; background %.0f%%; %d tool-result pixels" % (
            len(counts), 100.0 * background / total, orange))
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
