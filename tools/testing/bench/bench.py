#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: stock iommu-dma (strict, lazy), passthrough and rudma, compared.

Boots the same kernel, initramfs and disk image once per configuration and
round, interleaved (strict lazy passthrough rudma strict lazy ...) so that
drift of the host hits every configuration alike.  Each boot runs the
guest suite "bench", i.e. tools/testing/bench/rudma-bench.sh (the script
real hosts run too) with the round's settings, through
tools/testing/qemu/run.  Then prints a table (median of the rounds with
min..max, ratios against stock strict and against passthrough, how noisy
the run was, the issue's targets), and writes every raw figure with the
exact command lines to OUT/<YYYY-MM-DD-HHMM>.json and a plot of
throughput by block size to OUT/<YYYY-MM-DD-HHMM>.png (gnuplot).

With --host there is no QEMU: rudma-bench.sh runs on this machine
(booted into the patched kernel) against --device, alternating the DMA
path as booted ("stock", named strict, lazy or passthrough after the
disk's IOMMU group) and rudma attached, with the same table, JSON
(OUT/<date>-host.json) and plot.

Exits non-zero if any boot or measurement failed (the table says which).
Targets missed are reported, not failures.  Documentation/bench.rst.

Environment: BENCH_ROUNDS, BENCH_RUNTIME (fio seconds per point) override
the defaults of the chosen profile.
"""

import argparse
import hashlib
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

TOP = Path(__file__).resolve().parents[3]
RUNNER = TOP / "tools/testing/qemu/run"
BENCH_SH = TOP / "tools/testing/bench/rudma-bench.sh"

# name: kernel arguments, rudma-bench.sh --config, expected iommu group type
CONFIGS = {
    "strict": ("iommu.strict=1", "stock", "DMA"),
    "lazy": ("iommu.strict=0", "stock", "DMA-FQ"),
    "passthrough": ("iommu.passthrough=1", "stock", "identity"),
    "rudma": ("iommu.strict=1", "rudma", "DMA"),
}
# --host: the stock configuration is what the machine was booted with.
HOST_LABEL = {"DMA": "strict", "DMA-FQ": "lazy", "identity": "passthrough"}
# Every boot: DMA-API debugging is built into the test kernel; off, it
# costs one branch per call instead of a hash table update.
COMMON_APPEND = "dma_debug=off"

PROFILES = {
    # make bench
    "full": dict(rounds=3, runtime=3, ramp=1, rw="read,randread",
                 bs="4k,16k,64k,128k", jobs="1,CPUS", map_secs=2,
                 map_threads="1,CPUS", granules="1,4,16,32",
                 iova_rounds=200, iova_pages="1,4,16,32"),
    # make run: a first look in a couple of minutes
    "short": dict(rounds=1, runtime=1, ramp=1, rw="read", bs="4k,128k",
                  jobs="1", map_secs=1, map_threads="1", granules="1,16",
                  iova_rounds=100, iova_pages="32"),
}

BS_ORDER = ["512", "1k", "2k", "4k", "8k", "16k", "32k", "64k", "128k", "256k",
            "512k", "1m"]


def bs_key(bs):
    return BS_ORDER.index(bs.lower()) if bs.lower() in BS_ORDER else 99


def split(s):
    return [w for w in re.split(r"[,: ]+", s) if w]


# ---------------------------------------------------------------- guest output

def parse_guest(tap):
    """Reads rudma-bench.sh's lines out of the suite's TAP (each test output
    line carries one "# " prefix there)."""
    out = {"info": {}, "cmdline": "", "cmds": [], "fio": [], "map": [],
           "iova": [], "attached": [], "pools": [], "skips": [], "errors": [],
           "done": None}
    fio_buf = None
    for raw in tap.splitlines():
        line = raw[2:] if raw.startswith("# ") else raw.lstrip("#")
        if fio_buf is not None and not line.startswith("rudma-bench: fio-end "):
            fio_buf.append(line)
            continue
        if not line.startswith("rudma-bench: "):
            continue
        kind, _, rest = line[len("rudma-bench: "):].partition(" ")
        kv = dict(w.split("=", 1) for w in rest.split() if "=" in w)
        if kind == "info":
            out["info"].update(kv)
        elif kind == "cmdline":
            out["cmdline"] = rest
        elif kind == "cmd":
            out["cmds"].append(rest)
        elif kind == "attached":
            out["attached"].append(rest)
        elif kind == "pools":
            out["pools"].append(rest)
        elif kind == "error:":
            out["errors"].append(rest)
        elif kind == "skip":
            out["skips"].append(rest)
        elif kind == "fio-begin":
            fio_buf = []
        elif kind == "fio-end":
            out["fio"].append(fio_point(kv, fio_buf or []))
            fio_buf = None
        elif kind == "map":
            try:
                out["map"].append({"threads": int(kv["threads"]),
                                   "granule": int(kv["granule"]),
                                   **{k: float(kv[k]) for k in
                                      ("map_us", "map_sd", "unmap_us", "unmap_sd")}})
            except (KeyError, ValueError):
                out["errors"].append(f"bad map line: {rest}")
        elif kind == "iova":
            p = {"mode": kv.get("mode"), "pages": int(kv.get("pages", 0))}
            if "unavailable" in kv:
                p["unavailable"] = kv["unavailable"]
            else:
                try:
                    p.update(rounds=int(kv["rounds"]), map_ns=int(kv["map_ns"]),
                             unmap_ns=int(kv["unmap_ns"]))
                except (KeyError, ValueError):
                    out["errors"].append(f"bad iova line: {rest}")
                    continue
            out["iova"].append(p)
        elif kind == "done":
            out["done"] = int(kv.get("failures", -1))
    return out


def fio_point(kv, lines):
    p = {"rw": kv.get("rw"), "bs": kv.get("bs"), "jobs": int(kv.get("jobs", 0)),
         "rc": int(kv.get("rc", -1))}
    busy, total = int(kv.get("busy_ticks", 0)), int(kv.get("total_ticks", 0))
    p["cpu_pct"] = round(100.0 * busy / total, 1) if total else None
    text = "\n".join(lines)
    start = text.find("{")
    try:
        d = json.loads(text[start:]) if start >= 0 else None
        job = d["jobs"][0]
        r = job["read"]
        pct = r["clat_ns"].get("percentile", {})
        p.update(bw_kib=r["bw"], iops=round(r["iops"], 1), ios=r["total_ios"],
                 p50_us=round(pct["50.000000"] / 1000, 1),
                 p99_us=round(pct["99.000000"] / 1000, 1),
                 fio_usr_cpu=round(job["usr_cpu"], 1), fio_sys_cpu=round(job["sys_cpu"], 1),
                 fio_error=job["error"], fio_version=d.get("fio version"))
        if job["error"] or not r["total_ios"]:
            p["rc"] = p["rc"] or 1
    except (ValueError, KeyError, IndexError, TypeError) as e:
        p["rc"] = p["rc"] or 1
        p["parse_error"] = f"{type(e).__name__}: {e}"
    return p


# ---------------------------------------------------------------- boots

def guest_args(s, config):
    cpus = str(s["smp"])
    mode = CONFIGS[config][1] if config in CONFIGS else config  # --host: stock, rudma
    words = ["--config", mode, "--runtime", str(s["runtime"]),
             "--ramp", str(s["ramp"]), "--size", s["size"]]
    for opt, key in (("--rw", "rw"), ("--bs", "bs"), ("--jobs", "jobs"),
                     ("--map-threads", "map_threads"), ("--granules", "granules"),
                     ("--iova-pages", "iova_pages")):
        words += [opt, ":".join(split(s[key].replace("CPUS", cpus)))]
    words += ["--map-secs", str(s["map_secs"]), "--iova-rounds", str(s["iova_rounds"])]
    return words


def expected_points(s):
    cpus = str(s["smp"])
    jobs = sorted({int(j) for j in split(s["jobs"].replace("CPUS", cpus))})
    thr = sorted({int(t) for t in split(s["map_threads"].replace("CPUS", cpus))})
    fio = {(rw, bs, j) for rw in split(s["rw"]) for bs in split(s["bs"]) for j in jobs}
    mp = {(t, int(g)) for t in thr for g in split(s["granules"])}
    return fio, mp


def boot_timeout(s):
    fio, mp = expected_points(s)
    est = (len(fio) * (s["runtime"] + s["ramp"] + 2) + len(mp) * (s["map_secs"] + 1)
           + 30)
    return int(est * 3 + 120)


def check(b, g, s, want_group):
    """Judges one boot's (or host run's) output: b["problems"] lists what is
    missing or wrong."""
    b["guest"] = g
    b["problems"] += [f"guest: {e}" for e in g["errors"]]
    got = g["info"].get("group_type")
    if got not in want_group:
        b["problems"].append(f"disk's iommu group type is {got}, "
                             f"{b['config']} wants {' or '.join(want_group)}")
    if g["done"] != 0:
        b["problems"].append(f"rudma-bench.sh did not finish cleanly (done={g['done']})")
    fio_want, map_want = expected_points(s)
    have = {(f["rw"], f["bs"], f["jobs"]) for f in g["fio"] if f["rc"] == 0}
    for k in sorted(fio_want - have):
        b["problems"].append("no fio result for %s %s jobs=%d" % k)
    if s.get("host") and any(x.startswith("map:") for x in g["skips"]):
        map_want = set()
    have = {(m["threads"], m["granule"]) for m in g["map"]}
    for k in sorted(map_want - have):
        b["problems"].append("no dma_map_benchmark result for threads=%d granule=%d" % k)


def run_boot(s, config, rnd, logdir):
    """One QEMU boot of the bench suite in one configuration."""
    # The guest's per-test limit (run-suite, 600 s by default) must not
    # cut a long run short: the runner's limit is the one that counts.
    append = " ".join([COMMON_APPEND, CONFIGS[config][0],
                       f"rudma.test_timeout={boot_timeout(s)}",
                       "rudma.bench=" + ",".join(guest_args(s, config))])
    cmd = [sys.executable, str(RUNNER), "--arch", s["arch"], "--suite", "bench", "--quiet",
           "--accel", s["accel"], "--smp", str(s["smp"]), "--mem", str(s["mem"]),
           "--disk", str(s["disk"]), "--timeout", str(boot_timeout(s)),
           "--logdir", str(logdir), "--append", append]
    start = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    took = time.monotonic() - start
    if logdir.exists():
        (logdir / "runner.out").write_text(p.stdout)
    b = {"config": config, "round": rnd, "seconds": round(took, 1),
         "runner_cmd": shlex.join(cmd[1:]).replace(str(TOP) + "/", ""),
         "logdir": str(logdir), "problems": []}
    res = logdir / "result.json"
    if not res.exists():
        b["problems"].append(f"runner error (exit {p.returncode}): "
                             + (p.stdout.strip().splitlines() or ["no output"])[-1])
        b["ok"] = False
        return b
    r = json.loads(res.read_text())
    b["runner"] = {k: r.get(k) for k in ("passed", "failed", "log_problems", "ok",
                                          "accel", "seconds")}
    b["problems"] += r.get("log_problems", []) + [f"failed: {f}" for f in r.get("failures", [])]
    qc = logdir / "qemu.cmd"
    b["qemu_cmd"] = qc.read_text().strip() if qc.exists() else None
    check(b, parse_guest((logdir / "tap.log").read_text(errors="replace")), s,
          [CONFIGS[config][2]])
    b["ok"] = bool(r.get("ok")) and not b["problems"]
    return b


def run_host(s, config, rnd, logdir):
    """rudma-bench.sh on this machine (--host): stock is the DMA path as
    booted, rudma attaches the pool for the run (and detaches it after)."""
    cmd = ["sh", str(BENCH_SH), *guest_args(s, config), "--device", s["device"],
           *shlex.split(s["host_args"])]
    if os.geteuid() != 0:
        cmd = ["sudo", *cmd]
    logdir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    took = time.monotonic() - start
    (logdir / "output.txt").write_text(p.stdout)
    b = {"config": config, "round": rnd, "seconds": round(took, 1),
         "host_cmd": shlex.join(cmd).replace(str(TOP) + "/", ""),
         "logdir": str(logdir), "problems": []}
    if p.returncode:
        b["problems"].append(f"rudma-bench.sh exit {p.returncode}")
    check(b, parse_guest(p.stdout), s,
          ["DMA", "DMA-FQ"] if config == "rudma" else list(HOST_LABEL))
    b["ok"] = not b["problems"]
    return b


# ---------------------------------------------------------------- statistics

def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    med = statistics.median(vals)
    return {"median": med, "min": min(vals), "max": max(vals), "n": len(vals),
            "spread": (max(vals) - min(vals)) / med if med else 0.0}


def summarize(boots, configs):
    """Per configuration and point: the statistics over the rounds."""
    fio, mp, iova = {}, {}, {}
    for b in boots:
        g = b.get("guest")
        if not g:
            continue
        c = b["config"]
        for f in g["fio"]:
            if f["rc"] != 0 or "bw_kib" not in f:
                continue
            d = fio.setdefault((f["rw"], f["bs"], f["jobs"]), {}).setdefault(c, {})
            d.setdefault("mib_s", []).append(f["bw_kib"] / 1024)
            d.setdefault("kiops", []).append(f["iops"] / 1000)
            for k in ("p50_us", "p99_us", "cpu_pct"):
                d.setdefault(k, []).append(f[k])
        for m in g["map"]:
            d = mp.setdefault((m["threads"], m["granule"]), {}).setdefault(c, {})
            d.setdefault("map_us", []).append(m["map_us"])
            d.setdefault("unmap_us", []).append(m["unmap_us"])
            d.setdefault("page_us", []).append((m["map_us"] + m["unmap_us"]) / m["granule"])
        for i in g["iova"]:
            if "map_ns" not in i:
                continue
            d = iova.setdefault(i["pages"], {}).setdefault(c, {})
            d.setdefault(i["mode"], []).append(i["map_ns"] + i["unmap_ns"])
    conv = lambda t: {k: {c: {m: stats(v) for m, v in cd.items()} for c, cd in per.items()}
                      for k, per in t.items()}
    return conv(fio), conv(mp), conv(iova)


def med(st, c, m):
    try:
        return st[c][m]["median"]
    except (KeyError, TypeError):
        return None


def ratio(a, b):
    return a / b if a is not None and b else None


def targets(fio, mp):
    """The issue's targets, judged on medians."""
    out = []

    def judge(name, rows):
        rows = [r for r in rows if r[1] is not None]
        misses = [r for r in rows if not r[2]]
        out.append({"target": name, "checked": len(rows), "met": len(rows) - len(misses),
                    "misses": [{"point": p, "value": round(v, 3)} for p, v, _ in misses]})

    def pts():
        for k in sorted(fio, key=lambda k: (k[0], k[2], bs_key(k[1]))):
            yield "%s %s jobs=%d" % k, fio[k]

    judge("rudma >= 0.9x passthrough throughput (fio)",
          [(p, r, r is not None and r >= 0.9) for p, st in pts()
           for r in [ratio(med(st, "rudma", "mib_s"), med(st, "passthrough", "mib_s"))]])
    judge("rudma >= lazy throughput (fio)",
          [(p, r, r is not None and r >= 1.0) for p, st in pts()
           for r in [ratio(med(st, "rudma", "mib_s"), med(st, "lazy", "mib_s"))]])
    judge("rudma >= 3x strict where passthrough >= 3x strict (fio)",
          [(p, r, r >= 3.0) for p, st in pts()
           for pt in [ratio(med(st, "passthrough", "mib_s"), med(st, "strict", "mib_s"))]
           for r in [ratio(med(st, "rudma", "mib_s"), med(st, "strict", "mib_s"))]
           if pt is not None and pt >= 3.0 and r is not None])
    judge("rudma map+unmap per page <= 1.5x passthrough (dma_map_benchmark)",
          [("threads=%d granule=%d" % k, r, r is not None and r <= 1.5)
           for k in sorted(mp)
           for r in [ratio(med(mp[k], "rudma", "page_us"), med(mp[k], "passthrough", "page_us"))]])
    return out


# ---------------------------------------------------------------- table

def fmt(v, nd=1):
    if v is None:
        return "-"
    return f"{v:.{nd}f}" if abs(v) < 1e5 else f"{v:.0f}"


def mmm(st, nd=1):
    if not st:
        return "failed"
    if st["n"] == 1:
        return fmt(st["median"], nd)
    return f"{fmt(st['median'], nd)} [{fmt(st['min'], nd)}..{fmt(st['max'], nd)}]"


def spread(st):
    return f"{st['spread'] * 100:.0f}%" if st and st["n"] > 1 else "-"


def xr(v):
    return f"{v:.2f}x" if v is not None else "-"


def table(s, configs, fio, mp, iova, tgt, boots):
    L = []
    n = s["rounds"]
    what = (f"median of {n} runs [min..max]" if n > 1 else "1 run each: no noise estimate")
    where = (f"this host, {s['smp']} CPUs, /dev/{s['device']}" if s.get("host") else
             f"QEMU {s.get('arch', 'x86_64')} {s['accel'].upper()} {s['smp']} CPUs "
             f"{s['mem']} MiB")
    L.append(f"rudma bench: {s['date']}, {len(boots)} {'runs' if s.get('host') else 'boots'} "
             f"({', '.join(configs)} x {n}), {where}, "
             f"fio {s['runtime']}s (+{s['ramp']}s ramp) per point; {what}")
    failed = [b for b in boots if not b["ok"]]
    if failed:
        L.append(f"FAILED {'runs' if s.get('host') else 'boots'}: {len(failed)} of {len(boots)}:")
        for b in failed:
            for p in b["problems"][:5] or ["failed"]:
                L.append(f"  round {b['round']} {b['config']}: {p}")
    if fio:
        L.append("")
        L.append("fio (libaio, direct, iodepth 64): MiB/s; xstrict, xpass = MiB/s ratio "
                 "against stock strict, passthrough (higher is better)")
        L.append(f"{'test':<20} {'config':<12} {'MiB/s':>26} {'spread':>7} {'kIOPS':>7} "
                 f"{'p50 us':>8} {'p99 us':>8} {'cpu%':>6} {'xstrict':>8} {'xpass':>7}")
        for k in sorted(fio, key=lambda k: (k[0], k[2], bs_key(k[1]))):
            st = fio[k]
            name = "%s %s jobs=%d" % k
            for c in configs:
                cs = st.get(c, {})
                bw = cs.get("mib_s")
                L.append(f"{name:<20} {c:<12} {mmm(bw):>26} "
                         f"{spread(bw):>7} "
                         f"{fmt(med(st, c, 'kiops')):>7} {fmt(med(st, c, 'p50_us')):>8} "
                         f"{fmt(med(st, c, 'p99_us')):>8} {fmt(med(st, c, 'cpu_pct'), 0):>6} "
                         f"{xr(ratio(med(st, c, 'mib_s'), med(st, 'strict', 'mib_s'))):>8} "
                         f"{xr(ratio(med(st, c, 'mib_s'), med(st, 'passthrough', 'mib_s'))):>7}")
                name = ""
    if mp:
        L.append("")
        L.append("dma_map_benchmark on edu: us per call; per page = (map+unmap)/granule; "
                 "xstrict, xpass = per-page cost ratio (lower is better)")
        L.append(f"{'threads granule':<20} {'config':<12} {'map us':>20} {'unmap us':>20} "
                 f"{'per page us':>22} {'xstrict':>8} {'xpass':>7}")
        for k in sorted(mp):
            st = mp[k]
            name = "%d %d" % k
            for c in configs:
                cs = st.get(c, {})
                L.append(f"{name:<20} {c:<12} {mmm(cs.get('map_us')):>20} "
                         f"{mmm(cs.get('unmap_us')):>20} {mmm(cs.get('page_us'), 2):>22} "
                         f"{xr(ratio(med(st, c, 'page_us'), med(st, 'strict', 'page_us'))):>8} "
                         f"{xr(ratio(med(st, c, 'page_us'), med(st, 'passthrough', 'page_us'))):>7}")
                name = ""
    if iova:
        L.append("")
        L.append("two-stage (rudma_edu iova_bench on edu): ns per round of N pages; classic = "
                 "N dma_map_page + N unmap, two-stage = reserve + N link + 1 sync + destroy")
        L.append(f"{'pages':<20} {'config':<12} {'classic ns':>28} {'two-stage ns':>28} "
                 f"{'2-stage/classic':>16}")
        for k in sorted(iova):
            name = str(k)
            for c in configs:
                if c not in iova[k]:
                    continue
                cs = iova[k][c]
                L.append(f"{name:<20} {c:<12} {mmm(cs.get('classic'), 0):>28} "
                         f"{mmm(cs.get('iova'), 0) if cs.get('iova') else 'n/a':>28} "
                         f"{xr(ratio(med(iova[k], c, 'iova'), med(iova[k], c, 'classic'))):>16}")
                name = ""
    # Noise: spread (max-min)/median of every point with more than one run.
    L.append("")
    sp = [(st["spread"], f"fio {'%s %s jobs=%d' % k} {c}")
          for k, per in fio.items() for c, cs in per.items()
          for st in [cs.get("mib_s")] if st and st["n"] > 1]
    sp += [(st["spread"], f"map {'threads=%d granule=%d' % k} {c}")
           for k, per in mp.items() for c, cs in per.items()
           for st in [cs.get("page_us")] if st and st["n"] > 1]
    if sp:
        sp.sort()
        L.append(f"noise: spread (max-min)/median over {n} runs: median {statistics.median(x for x, _ in sp) * 100:.1f}%, "
                 f"worst {sp[-1][0] * 100:.1f}% ({sp[-1][1]}); "
                 f"{sum(1 for x, _ in sp if x > 0.1)} of {len(sp)} points above 10%")
    else:
        L.append("noise: not measured (one run per point)")
    L.append("targets (on medians):")
    for t in tgt:
        if not t["checked"]:
            why = "not measured"
            if "where passthrough" in t["target"] and any(
                    med(st, "strict", "mib_s") and med(st, "passthrough", "mib_s")
                    for st in fio.values()):
                why = "not applicable: passthrough is nowhere 3x strict"
            L.append(f"  {t['target']}: {why}")
            continue
        verdict = "MET" if not t["misses"] else "MISSED"
        worst = sorted(t["misses"], key=lambda m: m["value"],
                       reverse="<=" in t["target"])[:3]
        extra = ("; worst: " + ", ".join(f"{m['point']} {m['value']:.3f}x" for m in worst)
                 if worst else "")
        L.append(f"  {t['target']}: {verdict}, met at {t['met']} of {t['checked']} points{extra}")
    return "\n".join(L)


# ---------------------------------------------------------------- plot

COLOURS = {"strict": "#d62728", "lazy": "#ff7f0e", "passthrough": "#2ca02c",
           "rudma": "#1f77b4"}


def plot(png, s, configs, fio):
    """Throughput by block size, one line per configuration, one panel per
    (rw, jobs); error bars are min..max."""
    panels = sorted({(k[0], k[2]) for k in fio})
    if not panels:
        return "no fio data to plot"
    dat = png.with_suffix(".dat")
    blocks = []
    idx = {}
    for rw, j in panels:
        for c in configs:
            rows = []
            for k in sorted((k for k in fio if k[0] == rw and k[2] == j), key=lambda k: bs_key(k[1])):
                st = fio[k].get(c, {}).get("mib_s")
                if st:
                    kib = int(re.sub(r"[kK]$", "", k[1])) if k[1][-1] in "kK" else int(k[1]) / 1024
                    rows.append(f"{kib} {st['median']:.2f} {st['min']:.2f} {st['max']:.2f}")
            idx[(rw, j, c)] = len(blocks)
            blocks.append("\n".join(rows) if rows else "nan nan nan nan")
    dat.write_text("\n\n\n".join(blocks) + "\n")
    cols = 2 if len(panels) > 1 else 1
    nrows = (len(panels) + cols - 1) // cols
    g = [f"set terminal pngcairo size {600 * cols},{420 * nrows} font 'sans,10'",
         f"set output '{png}'",
         f"set multiplot layout {nrows},{cols} title "
         f"'rudma bench {s['date']}: fio throughput by block size "
         f"(median of {s['rounds']}, bars min..max; "
         f"{'host' if s.get('host') else 'QEMU ' + s['accel'].upper()})'",
         "set logscale x 2", "set logscale y", "set xrange [*:*] noextend",
         "set offsets graph 0.05, graph 0.05, 0, 0",
         "set xlabel 'block size (KiB)'", "set ylabel 'MiB/s (log scale)'",
         "set key top left", "set grid",
         "set xtics (" + ", ".join(f"'{v}' {v}" for v in (1, 2, 4, 8, 16, 32, 64, 128, 256)) + ")"]
    for rw, j in panels:
        g.append(f"set title '{rw}, {j} job{'s' if j > 1 else ''}, iodepth 64'")
        g.append("plot " + ", ".join(
            f"'{dat}' index {idx[(rw, j, c)]} using 1:2:3:4 with yerrorlines "
            f"lw 2 pt 7 lc rgb '{COLOURS.get(c, 'black')}' title '{c}'" for c in configs))
    g.append("unset multiplot")
    gp = png.with_suffix(".gp")
    gp.write_text("\n".join(g) + "\n")
    try:
        r = subprocess.run(["gnuplot", str(gp)], capture_output=True, text=True)
    except FileNotFoundError:
        return "gnuplot not installed (tools/testing/deps.sh)"
    finally:
        dat.unlink(missing_ok=True)
        gp.unlink(missing_ok=True)
    if r.returncode:
        return "gnuplot failed: " + r.stderr.strip()[-300:]
    return None


# ---------------------------------------------------------------- README

README_BEGIN = ".. bench-begin (written by make bench: tools/testing/bench/bench.py)"
README_END = ".. bench-end"


def update_readme(text, png):
    readme = TOP / "README"
    cur = readme.read_text()
    if README_BEGIN not in cur or README_END not in cur:
        return "README has no bench markers"
    a = cur.index(README_BEGIN) + len(README_BEGIN)
    b = cur.index(README_END)
    body = "\n\n" + "\n".join(("    " + l).rstrip() for l in text.splitlines()) + \
        f"\n\nPlot: {os.path.relpath(png, TOP)}\n\n"
    readme.write_text(cur[:a] + body + cur[b:])
    return None


# ---------------------------------------------------------------- main

def git_info():
    def g(*a):
        r = subprocess.run(["git", "-C", str(TOP), *a], capture_output=True, text=True)
        return r.stdout.strip()
    return {"commit": g("rev-parse", "HEAD"), "branch": g("rev-parse", "--abbrev-ref", "HEAD"),
            "dirty": bool(g("status", "--porcelain", "--untracked-files=no"))}


def prepare_disk(path, mib):
    """A fixed image: written once with pseudo-random data (not sparse, so
    reads return real data), then read once per run to be in the host's
    page cache for every configuration alike."""
    if not path.exists() or path.stat().st_size != mib << 20:
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            seed = b"rudma-bench"
            block = b"".join(hashlib.sha512(seed + i.to_bytes(4, "little")).digest()
                             for i in range(16384))  # 1 MiB
            for i in range(mib):
                f.write(block[i % 64:] + block[:i % 64])
        tmp.rename(path)
    with open(path, "rb") as f:
        while f.read(8 << 20):
            pass


def report(s, configs, boots, out_png, update):
    """Table, plot and (optionally) README from the boots; returns the table
    and whether the plot failed."""
    fio, mp, iova = summarize(boots, configs)
    tgt = targets(fio, mp)
    text = table(s, configs, fio, mp, iova, tgt, boots)
    print()
    print(text)
    err = plot(out_png, s, configs, fio)
    print()
    print(f"bench: {err}" if err else f"bench: plot {out_png}")
    if update:
        if all(b["ok"] for b in boots):
            err2 = update_readme(text, out_png)
            print(f"bench: {err2}" if err2 else "bench: README updated")
        else:
            print("bench: README left as it was: the run failed")
    return text, (fio, mp, iova, tgt), err


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--short", action="store_true",
                    help="make run's profile: 1 round, few points, output in build/bench")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--runtime", type=int, help="fio seconds per point")
    ap.add_argument("--ramp", type=int, help="fio ramp seconds per point (not counted)")
    ap.add_argument("--configs", help="comma-separated subset of " + ", ".join(CONFIGS)
                    + " (--host: stock, rudma)")
    for k in ("rw", "bs", "jobs", "map_threads", "granules", "iova_pages"):
        ap.add_argument("--" + k.replace("_", "-"), help="comma-separated list; CPUS = the number of CPUs")
    ap.add_argument("--map-secs", type=int)
    ap.add_argument("--iova-rounds", type=int)
    ap.add_argument("--size", default="256M", help="fio region per job")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--mem", type=int, default=2048,
                    help="guest MiB, the same for every configuration (fio does not "
                    "start in 256)")
    ap.add_argument("--accel", default="tcg", choices=["tcg", "kvm"])
    ap.add_argument("--arch", default="x86_64", choices=["x86_64", "arm64"],
                    help="guest architecture (QEMU q35 + virtio-iommu, or virt + SMMUv3)")
    ap.add_argument("--disk-mib", type=int, default=512)
    ap.add_argument("--host", action="store_true",
                    help="no QEMU: run rudma-bench.sh here (root), stock as booted "
                    "versus rudma attached to --device")
    ap.add_argument("--device", help="--host: block device, e.g. nvme0n1")
    ap.add_argument("--host-args", default="",
                    help="--host: more rudma-bench.sh options, e.g. '--map-device "
                    "0000:05:00.1 --modules /path'")
    ap.add_argument("--yes", action="store_true",
                    help="--host: let rudma-bench.sh change this machine (attach "
                    "rudma to --device's PCI function, take --map-device from its "
                    "driver); see its plan first with rudma-bench.sh --dry-run")
    ap.add_argument("--out", type=Path, help="results directory (bench/results; "
                    "--short: build/bench)")
    ap.add_argument("--update-readme", action="store_true",
                    help="write the table into README between the bench markers")
    ap.add_argument("--report", type=Path,
                    help="only re-print the table and plot of a results JSON")
    a = ap.parse_args()

    if a.report:
        d = json.loads(a.report.read_text())
        report(d["settings"], d["settings"]["configs"], d["boots"],
               a.report.with_suffix(".png"), a.update_readme)
        return 0

    s = dict(PROFILES["short" if a.short else "full"])
    for k in ("rounds", "runtime", "ramp", "rw", "bs", "jobs", "map_threads", "granules",
              "iova_pages", "map_secs", "iova_rounds"):
        if getattr(a, k) is not None:
            s[k] = getattr(a, k)
    for k in ("rounds", "runtime"):
        if getattr(a, k) is None and os.environ.get("BENCH_" + k.upper()):
            s[k] = int(os.environ["BENCH_" + k.upper()])
    known = ["stock", "rudma"] if a.host else list(CONFIGS)
    configs = split(a.configs) if a.configs else known
    bad = [c for c in configs if c not in known]
    if bad:
        sys.exit(f"bench: unknown configuration(s) {bad}: {', '.join(known)}")
    if a.host and not a.device:
        sys.exit("bench: --host needs --device (e.g. nvme0n1)")
    if a.host and not a.yes:
        sys.exit("bench: --host changes this machine for each run (rudma attached to "
                 f"{a.device}'s PCI function, the map device taken from its driver): "
                 f"see the plan with 'sudo {BENCH_SH.relative_to(TOP)} --config rudma "
                 f"--device {a.device} {a.host_args} --dry-run', then add --yes")
    if a.host:
        a.host_args = (a.host_args + " --yes").strip()
    stamp = time.strftime("%Y-%m-%d-%H%M")
    name = (f"{stamp}-host" if a.host else
            stamp if a.arch == "x86_64" else f"{stamp}-{a.arch}")
    if a.update_readme and (a.host or a.arch != "x86_64"):
        # The README's table is the x86-64 QEMU comparison.
        print("bench: README not updated (its table is the x86_64 QEMU run)")
        a.update_readme = False
    out = a.out or (TOP / "build/bench" if a.short else TOP / "bench/results")
    out = out if out.is_absolute() else Path.cwd() / out
    out.mkdir(parents=True, exist_ok=True)
    logroot = TOP / "build/logs" / f"bench-{name}"
    s.update(date=stamp, size=a.size, configs=configs,
             profile="short" if a.short else "full")
    if a.host:
        s.update(host=True, smp=os.cpu_count(), device=a.device.removeprefix("/dev/"),
                 host_args=a.host_args)
    else:
        disk = TOP / "build" / f"bench-nvme-{a.arch}.img"
        s.update(arch=a.arch, smp=a.smp, mem=a.mem, accel=a.accel, disk=str(disk),
                 disk_mib=a.disk_mib, common_append=COMMON_APPEND)
        prepare_disk(disk, a.disk_mib)

    total = s["rounds"] * len(configs)
    print(f"bench: {total} {'runs' if a.host else 'boots'} ({', '.join(configs)} x "
          f"{s['rounds']}), logs in {os.path.relpath(logroot, TOP)}", flush=True)
    boots = []
    t0 = time.monotonic()
    for rnd in range(1, s["rounds"] + 1):
        for c in configs:
            n = len(boots) + 1
            run = run_host if a.host else run_boot
            b = run(s, c, rnd, logroot / f"r{rnd}-{c}")
            boots.append(b)
            left = (time.monotonic() - t0) / n * (total - n)
            print(f"bench: [{n}/{total}] round {rnd} {c:<12} "
                  f"{'ok' if b['ok'] else 'FAILED'} in {b['seconds']:.0f}s"
                  f"{f', about {left / 60:.0f} min left' if n < total else ''}", flush=True)
            for p in b["problems"][:3]:
                print(f"bench:     {p}", flush=True)
    if a.host:
        # Name the stock runs after the DMA path the machine was booted with.
        gt = next((b["guest"]["info"].get("group_type") for b in boots
                   if b["config"] == "stock" and b.get("guest")), None)
        label = HOST_LABEL.get(gt, "stock")
        for b in boots:
            if b["config"] == "stock":
                b["config"] = label
        configs = [label if c == "stock" else c for c in configs]
        s["configs"] = configs

    ok = all(b["ok"] for b in boots)
    png = out / f"{name}.png"
    text, (fio, mp, iova, tgt), err = report(s, configs, boots, png, a.update_readme)
    kern = next((b["guest"]["info"].get("kernel") for b in boots if b.get("guest")), None)
    qemu = {"x86_64": "qemu-system-x86_64", "arm64": "qemu-system-aarch64"}[a.arch]
    qv = subprocess.run([qemu, "--version"], capture_output=True, text=True)
    doc = {
        "date": stamp, "ok": ok, "seconds": round(time.monotonic() - t0),
        "host": {"machine": platform.machine(), "cpus": os.cpu_count(),
                 "kernel": platform.release(),
                 "cpu": next((l.split(":", 1)[1].strip() for l in
                              Path("/proc/cpuinfo").read_text().splitlines()
                              if l.startswith("model name")), None),
                 "qemu": None if a.host else (qv.stdout.splitlines() or [None])[0]},
        "guest_kernel": kern, "git": git_info(),
        "bench_cmd": shlex.join(sys.argv).replace(str(TOP) + "/", ""),
        "settings": s,
        "configs": ({c: "as booted" if c != "rudma" else "rudma-bench.sh --config rudma"
                     for c in configs} if a.host else
                    {c: {"append": f"{COMMON_APPEND} {CONFIGS[c][0]}",
                         "rudma_bench_config": CONFIGS[c][1],
                         "group_type": CONFIGS[c][2]} for c in configs}),
        "boots": boots,
        "summary": {
            "fio": [{"rw": k[0], "bs": k[1], "jobs": k[2], "config": c, **v}
                    for k, per in fio.items() for c, v in per.items()],
            "map": [{"threads": k[0], "granule": k[1], "config": c, **v}
                    for k, per in mp.items() for c, v in per.items()],
            "iova": [{"pages": k, "config": c, **v}
                     for k, per in iova.items() for c, v in per.items()],
        },
        "targets": tgt,
        "table": text,
    }
    jpath = out / f"{name}.json"
    jpath.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"bench: results {jpath}")
    if not ok:
        print(f"bench: FAILED: {sum(not b['ok'] for b in boots)} of {len(boots)} "
              f"{'runs' if a.host else 'boots'} failed (see above)")
    return 0 if ok and not err else 1


if __name__ == "__main__":
    sys.exit(main())
