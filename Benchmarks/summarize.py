#!/usr/bin/env python3
"""Summarise a Benchmarks/run.sh run: reads the manifest and hyperfine JSON exports,
prints the table, ratios, targets and machine info, and writes the same text to --out.

Exit status: 0, or 3 when a Triage target is missed (run.sh turns 3 into 0 unless STRICT=1).
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

TARGET_FILE_MBS = 400.0
TARGET_PIPE_MBS = 300.0
TARGET_GZ_RATIO = 1.2
TARGET_CLASSIFY_RATIO = 1.25
TARGET_RSS_MIB = 64.0
TARGET_SPANS_MBS = 100.0
TARGET_SPANS_RSS_FRACTION = 0.25
TARGET_REPORT_MBS = 300.0
TARGET_REPORT_SMALL_S = 0.100


def sh(cmd, timeout=10):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        text = (out.stdout or out.stderr).strip()
        return text.splitlines()[0] if text else "?"
    except Exception:
        return "n/a"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return "%.1f GiB" % (int(line.split()[1]) / 1048576)
    except OSError:
        pass
    return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--gz", required=True)
    ap.add_argument("--size", required=True)
    ap.add_argument("--seed", required=True)
    ap.add_argument("--runs", required=True)
    ap.add_argument("--lnav-runs", required=True)
    ap.add_argument("--triage", default="")
    ap.add_argument("--skip-triage", default="0")
    ap.add_argument("--spans", default="")
    ap.add_argument("--small", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    in_bytes = os.path.getsize(a.file)
    gz_bytes = os.path.getsize(a.gz) if os.path.exists(a.gz) else 0
    outdir = os.path.dirname(a.manifest)

    rows = []
    with open(a.manifest) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            key, label, cmd, js, rss, rc = line.split("\t")
            mean = sd = mn = mx = None
            if os.path.exists(js):
                with open(js) as jf:
                    r = json.load(jf)["results"][0]
                mean, sd, mn, mx = r["mean"], r.get("stddev") or 0.0, r["min"], r["max"]
            rows.append({
                "key": key, "label": label, "cmd": cmd, "mean": mean, "sd": sd, "min": mn, "max": mx,
                "rss_mib": (int(rss) / 1024.0) if rss.strip().isdigit() else None, "rc": int(rc or 0),
            })
    by = {r["key"]: r for r in rows}

    spans_bytes = os.path.getsize(a.spans) if a.spans and os.path.exists(a.spans) else 0
    small_bytes = os.path.getsize(a.small) if a.small and os.path.exists(a.small) else 0

    def mbs(r):
        if not r or not r["mean"]:
            return None
        size = {"triage_spans": spans_bytes, "triage_report_small": small_bytes}.get(r["key"], in_bytes)
        return size / 1e6 / r["mean"]

    L = []
    now = datetime.datetime.now(datetime.timezone.utc)
    L.append("Triage benchmark  %s" % now.strftime("%Y-%m-%d %H:%M:%S UTC"))
    L.append("")
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    L.append("machine : nproc=%s, CPU: %s, memory %s, kernel %s" % (nproc, cpu_model(), mem_total(), platform.release()))
    try:
        L.append("load    : %s (1/5/15 min)" % " ".join("%.2f" % x for x in os.getloadavg()))
    except OSError:
        pass
    gen_info = ""
    gen_txt = a.file + ".gen.txt"
    if os.path.exists(gen_txt):
        m = re.search(r"wrote (\d+) lines", open(gen_txt).read())
        if m:
            gen_info = ", %s lines" % m.group(1)
    L.append("input   : %s (%d bytes = %.1f MB%s; compose format, seed %s, size %s)" % (
        a.file, in_bytes, in_bytes / 1e6, gen_info, a.seed, a.size))
    if gz_bytes:
        L.append("          %s (%d bytes, %.1fx)" % (a.gz, gz_bytes, in_bytes / gz_bytes))
    if spans_bytes:
        L.append("          %s (%d bytes = %.1f MB; OTLP JSON lines, generate-spans.py; MB/s of this row use its size)" % (
            a.spans, spans_bytes, spans_bytes / 1e6))
    tv = [("triage", [a.triage, "--version"]) if a.skip_triage != "1" and a.triage else None,
          ("rg", ["rg", "--version"]), ("lnav", ["lnav", "-V"]), ("hyperfine", ["hyperfine", "--version"]),
          ("gzip", ["gzip", "--version"])]
    L.append("tools   : " + "; ".join("%s" % sh(c) if n != "triage" else "triage: %s (%s)" % (sh(c), a.triage)
                                      for n, c in (x for x in tv if x)))
    L.append("method  : hyperfine --warmup 1 --runs %s --output=pipe (lnav: --runs %s), warm page cache; "
             "peak RSS = /usr/bin/time -f %%M on one extra run; MB = 10^6 bytes of *uncompressed* input" % (a.runs, a.lnav_runs))
    L.append("")

    hdr = "%-52s %9s %8s %9s %9s" % ("command", "mean s", "± s", "MB/s", "RSS MiB")
    L.append(hdr)
    L.append("-" * len(hdr))
    for r in rows:
        mean = "%9.3f" % r["mean"] if r["mean"] is not None else "%9s" % "failed"
        sd = "%8.3f" % r["sd"] if r["mean"] is not None else "%8s" % ""
        rate = "%9.1f" % mbs(r) if r["mean"] else "%9s" % "-"
        rss = "%9.1f" % r["rss_mib"] if r["rss_mib"] is not None else "%9s" % "-"
        flag = "" if r["rc"] == 0 else "  (exit %d)" % r["rc"]
        L.append("%-52s %s %s %s %s%s" % (r["label"][:52], mean, sd, rate, rss, flag))
    L.append("")

    def ratio(k1, k2):
        r1, r2 = by.get(k1), by.get(k2)
        if r1 and r2 and r1["mean"] and r2["mean"]:
            return r1["mean"] / r2["mean"]
        return None

    L.append("ratios (time; < 1 means triage is faster):")
    x = ratio("triage_file", "rg")
    L.append("  triage --stats FILE    / rg -c FILE          : %s" % ("%.2fx" % x if x else "n/a"))
    g = ratio("triage_gz", "zcat_wc")
    L.append("  triage --stats FILE.gz / zcat FILE.gz | wc -l: %s   (target <= %.1fx)" % (
        "%.2fx" % g if g else "n/a", TARGET_GZ_RATIO))
    c = ratio("triage_classify", "triage_file")
    L.append("  classification: --stats --classify / --stats           : %s   (target <= %.2fx)" % (
        "%.3fx" % c if c else "n/a", TARGET_CLASSIFY_RATIO))
    u = ratio("triage_user", "triage_file")
    L.append("  with 500 user patterns: / --stats                      : %s   (target <= %.2fx)" % (
        "%.3fx" % u if u else "n/a", TARGET_CLASSIFY_RATIO))
    y = ratio("triage_file", "lnav")
    L.append("  triage --stats FILE    / lnav (SQL count)    : %s" % (
        ("%.3fx (lnav %.1fx slower)" % (y, 1 / y)) if y else "n/a"))
    L.append("")

    missed = 0
    if a.skip_triage != "1" and any(k.startswith("triage_") for k in by):
        L.append("targets:")

        def check(desc, ok, value, *keys):
            nonlocal missed
            bad = [by[k]["rc"] for k in keys if k in by and by[k]["rc"] != 0]
            if bad and ok is not None:
                ok = False  # a crashing/failing command does not meet a target however fast it is
                value += " (exit %d)" % bad[0]
            if ok is None:
                L.append("  %-44s %-22s n/a" % (desc, value))
                missed += 1
                return
            missed += 0 if ok else 1
            L.append("  %-44s %-22s %s" % (desc, value, "PASS" if ok else "MISS"))

        if c is not None:
            check("classification adds <= 25%", c <= TARGET_CLASSIFY_RATIO, "%.3fx" % c, "triage_classify", "triage_file")
        if u is not None:
            check("classification + 500 patterns adds <= 25%", u <= TARGET_CLASSIFY_RATIO, "%.3fx" % u, "triage_user", "triage_file")
        v = mbs(by.get("triage_file"))
        check("events --stats FILE   >= %d MB/s" % TARGET_FILE_MBS, None if v is None else v >= TARGET_FILE_MBS,
              "%.1f MB/s" % v if v else "-", "triage_file")
        v = mbs(by.get("triage_pipe"))
        check("events --stats (pipe) >= %d MB/s" % TARGET_PIPE_MBS, None if v is None else v >= TARGET_PIPE_MBS,
              "%.1f MB/s" % v if v else "-", "triage_pipe")
        check("events --stats FILE.gz <= %.1fx zcat|wc -l" % TARGET_GZ_RATIO, None if g is None else g <= TARGET_GZ_RATIO,
              "%.2fx" % g if g else "-", "triage_gz")
        r = by.get("triage_spans")
        if r:
            v = mbs(r)
            check("traces: span dump >= %d MB/s" % TARGET_SPANS_MBS, None if v is None else v >= TARGET_SPANS_MBS,
                  "%.1f MB/s" % v if v else "-", "triage_spans")
            limit = spans_bytes * TARGET_SPANS_RSS_FRACTION / 1048576
            rss = r["rss_mib"]
            check("traces: peak RSS <= 25%% of dump (%.0f MiB)" % limit, None if rss is None else rss <= limit,
                  "%.1f MiB (%.1f%%)" % (rss, rss * 1048576 * 100 / spans_bytes) if rss is not None else "-", "triage_spans")
        r = by.get("triage_report")
        if r:
            v = mbs(r)
            check("report --format json FILE >= %d MB/s" % TARGET_REPORT_MBS, None if v is None else v >= TARGET_REPORT_MBS,
                  "%.1f MB/s" % v if v else "-", "triage_report")
        r = by.get("triage_report_small")
        if r:
            check("report on 20,000 lines <= %d ms" % (TARGET_REPORT_SMALL_S * 1000),
                  None if r["mean"] is None else r["mean"] <= TARGET_REPORT_SMALL_S,
                  "%.1f ms" % (r["mean"] * 1000) if r["mean"] else "-", "triage_report_small")
        for k, short in (("triage_file", "--stats FILE"), ("triage_pipe", "--stats (pipe)"),
                         ("triage_gz", "--stats FILE.gz"), ("triage_json", "--format json FILE"),
                         ("triage_report", "report FILE")):
            r = by.get(k)
            if r:
                v = r["rss_mib"]
                check("peak RSS <= %d MiB: %s" % (TARGET_RSS_MIB, short),
                      None if v is None else v <= TARGET_RSS_MIB, "%.1f MiB" % v if v is not None else "-", k)
        L.append("")

    L.append("commands (as timed):")
    for r in rows:
        L.append("  %-12s %s" % (r["key"], r["cmd"]))
    L.append("")
    L.append("outputs of the RSS run (first lines):")
    for r in rows:
        p = os.path.join(outdir, r["key"] + ".out")
        txt = open(p, errors="replace").read(4096) if os.path.exists(p) else ""
        lines = [s[:160] for s in txt.splitlines()[:12]]
        L.append("  [%s]%s" % (r["key"], "" if lines else " (no output)"))
        L.extend("    " + s for s in lines)
        if r["rc"] != 0:
            pe = os.path.join(outdir, r["key"] + ".err")
            err = open(pe, errors="replace").read(2000) if os.path.exists(pe) else ""
            L.append("    stderr (exit %d):" % r["rc"])
            L.extend("    ! " + s[:160] for s in err.splitlines()[:8])

    text = "\n".join(L) + "\n"
    sys.stdout.write(text)
    with open(a.out, "w") as f:
        f.write(text)
    return 3 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
