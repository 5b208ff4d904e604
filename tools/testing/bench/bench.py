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
import gzip
import json
import os
import platform
import random
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
    # make bench: 5 rounds, so that every ratio has an interval
    "full": dict(rounds=5, runtime=4, ramp=2, rw="read,randread",
                 bs="4k,16k,64k,128k", jobs="1,CPUS", lat_bs="4k,128k", map_secs=2,
                 map_threads="1,CPUS", granules="1,4,16,32",
                 iova_rounds=200, iova_pages="1,4,16,32", count_secs=1),
    # make run: a first look in a couple of minutes
    "short": dict(rounds=1, runtime=1, ramp=1, rw="read", bs="4k,128k",
                  jobs="1", lat_bs="4k", map_secs=1, map_threads="1", granules="1,16",
                  iova_rounds=100, iova_pages="32", count_secs=1),
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
           "iova": [], "counts": [], "copy": [], "attached": [], "pools": [],
           "skips": [], "errors": [], "done": None}
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
            out.setdefault("fio_raw", []).append(
                {"rw": kv.get("rw"), "bs": kv.get("bs"), "jobs": kv.get("jobs"),
                 "output": "\n".join(fio_buf or [])})
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
        elif kind == "copy":
            try:
                out["copy"].append({"granule": int(kv["granule"]), "bytes": int(kv["bytes"]),
                                    "ns": float(kv["copy_ns"])})
            except (KeyError, ValueError):
                out["errors"].append(f"bad copy line: {rest}")
        elif kind == "counts":
            c = {"what": kv.pop("what", None)}
            try:
                if c["what"] == "fio":
                    c.update(rw=kv.pop("rw"), bs=kv.pop("bs"), jobs=int(kv.pop("jobs")))
                elif c["what"] == "map":
                    c.update(threads=int(kv.pop("threads")), granule=int(kv.pop("granule")))
                else:
                    raise KeyError("what")
                c["n"] = {k: int(v) for k, v in kv.items()}
            except (KeyError, ValueError):
                out["errors"].append(f"bad counts line: {rest}")
                continue
            out["counts"].append(c)
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
                     ("--lat-bs", "lat_bs"),
                     ("--map-threads", "map_threads"), ("--granules", "granules"),
                     ("--iova-pages", "iova_pages")):
        words += [opt, ":".join(split(s[key].replace("CPUS", cpus))) or "none"]
    words += ["--map-secs", str(s["map_secs"]), "--iova-rounds", str(s["iova_rounds"]),
              "--count-secs", str(s["count_secs"])]
    if s.get("skip"):
        words += ["--skip", ":".join(split(s["skip"]))]
    return words


def expected_points(s):
    cpus = str(s["smp"])
    jobs = sorted({int(j) for j in split(s["jobs"].replace("CPUS", cpus))})
    thr = sorted({int(t) for t in split(s["map_threads"].replace("CPUS", cpus))})
    fio = {(rw, bs, j) for rw in split(s["rw"]) for bs in split(s["bs"]) for j in jobs}
    fio |= {("randread-qd1", bs, 1) for bs in split(s["lat_bs"])}
    mp = {(t, int(g)) for t in thr for g in split(s["granules"])}
    skip = split(s.get("skip") or "")
    return (set() if "fio" in skip else fio), (set() if "map" in skip else mp)


def boot_timeout(s):
    fio, mp = expected_points(s)
    est = (len(fio) * (s["runtime"] + s["ramp"] + s["count_secs"] + 3)
           + len(mp) * (s["map_secs"] + s["count_secs"] + 2) + 30)
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
    """Per configuration and point: the statistics over the rounds, and
    each round's value (for the paired intervals of ratios)."""
    fio, mp, iova = {}, {}, {}
    for b in boots:
        g = b.get("guest")
        if not g:
            continue
        c, rnd = b["config"], b["round"]

        def put(table, key, metric, v):
            d = table.setdefault(key, {}).setdefault(c, {}).setdefault(metric, {})
            d[rnd] = v

        for f in g["fio"]:
            if f["rc"] != 0 or "bw_kib" not in f:
                continue
            k = (f["rw"], f["bs"], f["jobs"])
            put(fio, k, "mib_s", f["bw_kib"] / 1024)
            put(fio, k, "kiops", f["iops"] / 1000)
            for m in ("p50_us", "p99_us", "cpu_pct"):
                put(fio, k, m, f[m])
        copy_us = {x["granule"]: x["ns"] / 1000 for x in g.get("copy", [])}
        served = {(x["threads"], x["granule"]): per_unit(x) for x in g.get("counts", [])
                  if x["what"] == "map"}
        for m in g["map"]:
            k = (m["threads"], m["granule"])
            put(mp, k, "map_us", m["map_us"])
            put(mp, k, "unmap_us", m["unmap_us"])
            put(mp, k, "page_us", (m["map_us"] + m["unmap_us"]) / m["granule"])
            # The pool's own time per call: map+unmap less its copies
            # (bidirectional: in at map, out at unmap), where the counted
            # run shows the pool served the calls from cached slots.
            u = served.get(k) or {}
            if c == "rudma" and m["granule"] in copy_us and (u.get("hits") or 0) >= 0.9:
                put(mp, k, "pool_us", m["map_us"] + m["unmap_us"] - 2 * copy_us[m["granule"]])
                put(mp, k, "copy_us", copy_us[m["granule"]])
        for i in g["iova"]:
            if "map_ns" not in i:
                continue
            put(iova, i["pages"], i["mode"], i["map_ns"] + i["unmap_ns"])
    conv = lambda t: {k: {c: {m: dict(stats(list(v.values())) or {}, rounds=v)
                              for m, v in cd.items()} for c, cd in per.items()}
                      for k, per in t.items()}
    return conv(fio), conv(mp), conv(iova)


# ---------------------------------------------------------------- counts

# Events per I/O (fio) or per call (map), from a counts line's numbers:
# name: (label, numerator probes, what it is)
COUNT_KINDS = {
    "req": ("IOMMU requests", ("viommu_req", "smmu_batch"),
            "virtio-iommu MAP/UNMAP requests, or SMMUv3 command batches"),
    "sync": ("IOMMU syncs", ("viommu_sync", "smmu_sync"),
             "virtio-iommu synchronous round trips, or SMMUv3 CMD_SYNCs"),
    "dma_map": ("DMA API maps", ("dma_map_page", "dma_map_sg", "dma_map_sgtable"),
                "dma_map_page_attrs + dma_map_sg_attrs + dma_map_sgtable calls"),
    "bounced": ("bytes bounced", ("rudma_copied",), "bytes rudma copied, both ways"),
    "hits": ("pool hits", ("rudma_hits",), "rudma mappings served by a cached slot"),
    "misses": ("pool misses", ("rudma_misses",),
               "rudma mappings that mapped a fresh slot (pages allocated, one IOMMU map)"),
    "fallbacks": ("pool fallbacks", ("rudma_fallbacks",),
                  "rudma mappings sent to iommu-dma: no slot, memory or region"),
    "routed": ("routed to iommu-dma", ("rudma_routed",),
               "rudma mappings pool_route sent to iommu-dma"),
}


def per_unit(c):
    """One counts entry: each COUNT_KINDS figure per I/O (fio) or per
    dma_map_page call (map); None where nothing was counted for it."""
    n = c["n"]
    unit = n.get("ios") if c["what"] == "fio" else n.get("dma_map_page")
    if not unit:
        return {}
    out = {}
    for k, (_, probes, _) in COUNT_KINDS.items():
        have = [n[p] for p in probes if p in n]
        out[k] = sum(have) / unit if have else None
    if c["what"] == "fio" and n.get("sectors") is not None:
        out["bytes"] = n["sectors"] * 512 / unit
    return out


def summarize_counts(boots):
    """{("fio", rw, bs, jobs) | ("map", threads, granule): {config: {kind:
    median over rounds}}}.  Counts barely vary between rounds; the median
    keeps one odd round out."""
    acc = {}
    for b in boots:
        for c in (b.get("guest") or {}).get("counts", []):
            key = (("fio", c["rw"], c["bs"], c["jobs"]) if c["what"] == "fio"
                   else ("map", c["threads"], c["granule"]))
            for k, v in per_unit(c).items():
                if v is not None:
                    acc.setdefault(key, {}).setdefault(b["config"], {}).setdefault(k, []).append(v)
    return {key: {cfg: {k: statistics.median(v) for k, v in d.items()}
                  for cfg, d in per.items()} for key, per in acc.items()}


# ---------------------------------------------------------------- intervals

BOOT_RESAMPLES = 4000


def ratio_ci(st, c, base, m, resamples=BOOT_RESAMPLES):
    """Ratio of the medians of metric m, configuration c over base, with a
    paired bootstrap 95 % interval: the rounds are resampled with
    replacement, the same rounds for both (they ran interleaved, so drift
    of the host hits both alike).  None if either is missing; no interval
    with fewer than 3 common rounds."""
    try:
        a, b = st[c][m]["rounds"], st[base][m]["rounds"]
    except (KeyError, TypeError):
        return None
    rs = sorted(set(a) & set(b))
    rs = [r for r in rs if a[r] is not None and b[r] is not None]
    if not rs:
        return None
    den = statistics.median(b[r] for r in rs)
    if not den:
        return None
    point = statistics.median(a[r] for r in rs) / den
    ci = {"ratio": point, "lo": None, "hi": None, "n": len(rs)}
    if len(rs) < 3:
        return ci
    rng = random.Random(f"{c}/{base}/{m}/{len(rs)}")
    vals = []
    for _ in range(resamples):
        pick = [rs[rng.randrange(len(rs))] for _ in rs]
        d = statistics.median(b[r] for r in pick)
        if d:
            vals.append(statistics.median(a[r] for r in pick) / d)
    vals.sort()
    ci["lo"] = vals[int(0.025 * (len(vals) - 1))]
    ci["hi"] = vals[int(0.975 * (len(vals) - 1))]
    return ci


def spans_one(ci):
    return ci is not None and ci["lo"] is not None and ci["lo"] <= 1.0 <= ci["hi"]


def xci(ci, nd=2):
    """A ratio with its interval: "1.52x [1.40..1.63]", "≈" before it when
    the interval holds 1.0 (no difference resolved)."""
    if ci is None:
        return "-"
    if ci["lo"] is None:
        return f"{ci['ratio']:.{nd}f}x (n={ci['n']})"
    return (f"{'≈' if spans_one(ci) else ''}{ci['ratio']:.{nd}f}x "
            f"[{ci['lo']:.{nd}f}..{ci['hi']:.{nd}f}]")


def med(st, c, m):
    try:
        return st[c][m]["median"]
    except (KeyError, TypeError):
        return None


def ratio(a, b):
    return a / b if a is not None and b else None


def targets(fio, mp, cpus):
    """The route issue's targets, judged on the ratios' 95 % intervals:
    met where the whole interval is on the good side, missed where it is
    wholly on the bad side, not resolved where it holds the threshold (or,
    with fewer than 3 rounds, there is no interval: judged on the median
    and said so)."""
    out = []

    def judge(name, rows, lower_is_better=False):
        met, missed, unresolved, median_only = [], [], [], 0
        for point, ci, thr in rows:
            if ci is None:
                continue
            v = {"point": point, "value": round(ci["ratio"], 3), "threshold": thr,
                 "lo": None if ci["lo"] is None else round(ci["lo"], 3),
                 "hi": None if ci["hi"] is None else round(ci["hi"], 3)}
            lo, hi = (ci["lo"], ci["hi"]) if ci["lo"] is not None else (ci["ratio"],) * 2
            median_only += ci["lo"] is None
            good, bad = (hi <= thr, lo > thr) if lower_is_better else (lo >= thr, hi < thr)
            (met if good else missed if bad else unresolved).append(v)
        out.append({"target": name, "checked": len(met) + len(missed) + len(unresolved),
                    "met": len(met), "misses": missed, "unresolved": unresolved,
                    "median_only": median_only})

    def pts(where=lambda k: True):
        for k in sorted(fio, key=lambda k: (k[0], k[2], bs_key(k[1]))):
            if where(k):
                yield "%s %s jobs=%d" % k, fio[k]

    small_one = lambda k: k[1].lower() in ("4k", "16k") and k[2] == 1 and not k[0].endswith("-qd1")
    judge("rudma >= 0.95x strict at every fio point",
          [(p, ratio_ci(st, "rudma", "strict", "mib_s"), 0.95) for p, st in pts()])
    judge("rudma >= 1.4x strict at 4k and 16k, one job",
          [(p, ratio_ci(st, "rudma", "strict", "mib_s"), 1.4) for p, st in pts(small_one)])
    judge("rudma >= lazy at 4k and 16k, one job",
          [(p, ratio_ci(st, "rudma", "lazy", "mib_s"), 1.0) for p, st in pts(small_one)])
    judge("stretch: rudma >= 0.9x passthrough at 4k and 16k, one job",
          [(p, ratio_ci(st, "rudma", "passthrough", "mib_s"), 0.9) for p, st in pts(small_one)])
    # With jobs = CPUs the gain over strict at 4k is at least the one-job
    # gain: judged on the medians (a ratio of two ratios).
    rows = []
    for rw in sorted({k[0] for k in fio}):
        one, many = fio.get((rw, "4k", 1)), fio.get((rw, "4k", cpus))
        if cpus > 1 and one and many:
            r1 = ratio_ci(one, "rudma", "strict", "mib_s")
            rn = ratio_ci(many, "rudma", "strict", "mib_s")
            if r1 and rn:
                rows.append((f"{rw} 4k jobs={cpus} vs jobs=1",
                             {"ratio": rn["ratio"] / r1["ratio"], "lo": None, "hi": None,
                              "n": min(r1["n"], rn["n"])}, 1.0))
    judge(f"gain over strict at 4k with {cpus} jobs >= the one-job gain (medians)", rows)
    # The pool's own cost per 1-page map+unmap beyond its copies: met if
    # every round is at or below 0.5 us, missed if every round is above.
    rows = []
    for k in sorted(mp):
        st = (mp[k].get("rudma") or {}).get("pool_us")
        if k[1] == 1 and st and "n" in st:
            rows.append((f"threads={k[0]} granule=1",
                         {"ratio": st["median"], "lo": st["min"] if st["n"] >= 3 else None,
                          "hi": st["max"] if st["n"] >= 3 else None, "n": st["n"]}, 0.5))
    judge("pool overhead per 1-page map+unmap beyond the copy <= 0.5 us "
          "(us, rounds' min..max as the interval)", rows, lower_is_better=True)
    return out


def iommu_bound(fio):
    """The fio points where passthrough is measurably faster than strict
    (interval wholly above 1.0; without an interval, a median above 1.0):
    only there can fio show what rudma saves.  Returns (bound points,
    points judged, whether any was judged without an interval)."""
    bound, judged, median_only = [], [], False
    for k in sorted(fio, key=lambda k: (k[0], k[2], bs_key(k[1]))):
        ci = ratio_ci(fio[k], "passthrough", "strict", "mib_s")
        if ci is None:
            continue
        judged.append(k)
        median_only |= ci["lo"] is None
        lo = ci["lo"] if ci["lo"] is not None else ci["ratio"]
        if lo > 1.0:
            bound.append(k)
    return bound, judged, median_only


# ---------------------------------------------------------------- table

def fmt(v, nd=1):
    if v is None:
        return "-"
    return f"{v:.{nd}f}" if abs(v) < 1e5 else f"{v:.0f}"


def mmm(st, nd=1):
    if not st or "n" not in st:
        return "failed"
    if st["n"] == 1:
        return fmt(st["median"], nd)
    return f"{fmt(st['median'], nd)} [{fmt(st['min'], nd)}..{fmt(st['max'], nd)}]"


def spread(st):
    return f"{st['spread'] * 100:.0f}%" if st and st.get("n", 0) > 1 else "-"


def fio_keys(fio):
    return sorted(fio, key=lambda k: (k[0].endswith("-qd1"), k[0], k[2], bs_key(k[1])))


def cnt(counts, key, c, k, nd=2):
    v = counts.get(key, {}).get(c, {}).get(k)
    return "-" if v is None else fmt(v, nd)


def provenance(s):
    """Where and from what the figures came: the table's first lines."""
    p = s.get("provenance") or {}
    L = [f"commit {p.get('describe', '?')}; machine: {p.get('cpu', '?')}, "
         f"{p.get('cores', '?')} cores; {p.get('qemu') or 'no QEMU (host run)'}; "
         f"guest kernel {p.get('guest_kernel', '?')}",
         f"command: {p.get('command', '?')}"]
    return L


def headline(s, configs, fio, counts):
    """The README's first table: one workload (randread, else the first),
    one job, every block size: each configuration's throughput as a ratio
    to strict with its interval, and the exact IOMMU work per I/O."""
    rws = sorted({k[0] for k in fio if not k[0].endswith("-qd1")})
    if not rws or "strict" not in configs:
        return []
    rw = "randread" if "randread" in rws else rws[0]
    keys = sorted((k for k in fio if k[0] == rw and k[2] == 1), key=lambda k: bs_key(k[1]))
    if not keys:
        return []
    others = [c for c in configs if c != "strict"]
    n = s["rounds"]
    L = [f"headline: fio {rw}, 1 job, iodepth 64: throughput as a ratio to stock strict "
         f"(median of {n} round{'s' if n != 1 else ''}, paired bootstrap 95 % interval; "
         "≈ = no difference resolved); IOMMU requests + syncs per I/O (exact counts)"]
    L.append(f"{'bs':<6} {'strict MiB/s':>13} " + " ".join(f"{c:>22}" for c in others)
             + f"  {'req+sync/IO: strict':>20} {'rudma':>8}")
    for k in keys:
        st = fio[k]
        ck = ("fio",) + k

        def rs(c):
            r = counts.get(ck, {}).get(c, {})
            if r.get("req") is None and r.get("sync") is None:
                return "-"
            return f"{(r.get('req') or 0):.2f}+{(r.get('sync') or 0):.2f}"
        L.append(f"{k[1]:<6} {fmt(med(st, 'strict', 'mib_s')):>13} "
                 + " ".join(f"{xci(ratio_ci(st, c, 'strict', 'mib_s')):>22}" for c in others)
                 + f"  {rs('strict'):>20} {rs('rudma'):>8}")
    return L


def table(s, configs, fio, mp, iova, counts, tgt, boots):
    L = []
    n = s["rounds"]
    what = (f"median of {n} runs [min..max]" if n > 1 else "1 run each: no noise estimate")
    where = (f"this host, {s['smp']} CPUs, /dev/{s['device']}" if s.get("host") else
             f"QEMU {s.get('arch', 'x86_64')} {s['accel'].upper()} {s['smp']} CPUs "
             f"{s['mem']} MiB")
    L.append(f"rudma bench: {s['date']}, {len(boots)} {'runs' if s.get('host') else 'boots'} "
             f"({', '.join(configs)} x {n}), {where}, "
             f"fio {s['runtime']}s (+{s['ramp']}s ramp) per point; {what}")
    L += provenance(s)
    failed = [b for b in boots if not b["ok"]]
    if failed:
        L.append(f"FAILED {'runs' if s.get('host') else 'boots'}: {len(failed)} of {len(boots)}:")
        for b in failed:
            for p in b["problems"][:5] or ["failed"]:
                L.append(f"  round {b['round']} {b['config']}: {p}")
    h = headline(s, configs, fio, counts)
    if h:
        L.append("")
        L += h
    bound, judged, median_only = iommu_bound(fio)
    if judged:
        L.append("")
        how, alone = ("", " on the medians alone") if median_only else ("measurably ", "")
        if median_only:
            L.append("IOMMU-bound? (judged on medians: fewer than 3 rounds give no interval)")
        if len(bound) == len(judged):
            L.append(f"IOMMU-bound: passthrough is {how}faster than strict at every fio "
                     f"point ({len(judged)}){alone}: the throughput ratios show what the IOMMU "
                     "costs.")
        else:
            L.append(f"IOMMU-bound at {len(bound)} of {len(judged)} fio points only (passthrough "
                     f"{how}faster than strict{alone}); at the others fio on this machine is bound "
                     "by something other than the IOMMU (see cpu%), so throughput cannot show "
                     "what rudma saves there: the counts per I/O and dma_map_benchmark still hold.")
            nb = [k for k in judged if k not in bound]
            L.append("  not IOMMU-bound: " + ", ".join("%s %s jobs=%d" % k for k in nb[:12])
                     + (" ..." if len(nb) > 12 else ""))
    if fio:
        L.append("")
        L.append("fio (libaio, direct; iodepth 64, -qd1: iodepth 1): MiB/s; xstrict = "
                 "throughput ratio to stock strict with its 95 % interval (higher is better)")
        L.append(f"{'test':<24} {'config':<12} {'MiB/s':>26} {'spread':>7} {'kIOPS':>7} "
                 f"{'p50 us':>8} {'p99 us':>8} {'cpu%':>6} {'xstrict':>22} {'xpass':>6}")
        for k in fio_keys(fio):
            st = fio[k]
            name = "%s %s jobs=%d" % k
            for c in configs:
                cs = st.get(c, {})
                bw = cs.get("mib_s")
                xs = xci(ratio_ci(st, c, "strict", "mib_s")) if c != "strict" else ""
                xp = ratio_ci(st, c, "passthrough", "mib_s")
                xp = f"{xp['ratio']:.2f}x" if xp else "-"
                L.append(f"{name:<24} {c:<12} {mmm(bw):>26} "
                         f"{spread(bw):>7} "
                         f"{fmt(med(st, c, 'kiops')):>7} {fmt(med(st, c, 'p50_us')):>8} "
                         f"{fmt(med(st, c, 'p99_us')):>8} {fmt(med(st, c, 'cpu_pct'), 0):>6} "
                         f"{xs:>22} {xp:>6}")
                name = ""
    if counts:
        L.append("")
        L.append("counts per I/O (fio) or per dma_map_page call (map), exact, from a counted "
                 "second run of each point (kprobes; rudma's pool counters):")
        L.append("  req = " + COUNT_KINDS["req"][2] + "; sync = " + COUNT_KINDS["sync"][2]
                 + "; maps = DMA API map calls; bounced = bytes rudma copied")
        L.append(f"{'point':<28} {'config':<12} {'req':>7} {'sync':>7} {'maps':>7} "
                 f"{'bounced B':>10} {'hits':>6} {'misses':>7} {'fallb':>6} {'routed':>7}")
        order = sorted(counts, key=lambda k: (k[0], str(k[1]).endswith("-qd1"), str(k[1]),
                                              k[-1] if k[0] == "fio" else 0,
                                              bs_key(str(k[2])) if k[0] == "fio" else k[2]))
        for key in order:
            name = ("%s %s jobs=%d" % key[1:]) if key[0] == "fio" else \
                "map threads=%d granule=%d" % key[1:]
            for c in configs:
                if c not in counts[key]:
                    continue
                L.append(f"{name:<28} {c:<12} {cnt(counts, key, c, 'req'):>7} "
                         f"{cnt(counts, key, c, 'sync'):>7} {cnt(counts, key, c, 'dma_map'):>7} "
                         f"{cnt(counts, key, c, 'bounced', 0):>10} {cnt(counts, key, c, 'hits'):>6} "
                         f"{cnt(counts, key, c, 'misses'):>7} "
                         f"{cnt(counts, key, c, 'fallbacks'):>6} {cnt(counts, key, c, 'routed'):>7}")
                name = ""
    if mp:
        L.append("")
        L.append("dma_map_benchmark on edu: us per call; per page = (map+unmap)/granule; "
                 "xstrict = per-page cost ratio to strict with its 95 % interval (lower is better)")
        L.append("  pool us (rudma) = map + unmap - 2 copies of the mapping (in at map, out at "
                 "unmap), one copy timed by rudma_copy_bench in the same boot (copy us): the "
                 "pool's own cost per call")
        L.append(f"{'threads granule':<20} {'config':<12} {'map us':>20} {'unmap us':>20} "
                 f"{'per page us':>22} {'xstrict':>22} {'copy us':>8} {'pool us':>18}")
        for k in sorted(mp):
            st = mp[k]
            name = "%d %d" % k
            for c in configs:
                cs = st.get(c, {})
                xs = xci(ratio_ci(st, c, "strict", "page_us")) if c != "strict" else ""
                pool = mmm(cs["pool_us"], 2) if cs.get("pool_us") else ""
                cp = fmt(med(st, c, "copy_us"), 2) if cs.get("copy_us") else ""
                L.append(f"{name:<20} {c:<12} {mmm(cs.get('map_us')):>20} "
                         f"{mmm(cs.get('unmap_us')):>20} {mmm(cs.get('page_us'), 2):>22} "
                         f"{xs:>22} {cp:>8} {pool:>18}")
                name = ""
    if iova:
        L.append("")
        L.append("two-stage (rudma_edu iova_bench on edu): ns per round of N pages; classic = "
                 "N dma_map_page + N unmap, two-stage = reserve + N link + 1 sync + destroy")
        L.append(f"{'pages':<20} {'config':<12} {'classic ns':>28} {'two-stage ns':>28} "
                 f"{'2-stage/classic':>22}")
        for k in sorted(iova):
            name = str(k)
            for c in configs:
                if c not in iova[k]:
                    continue
                cs = iova[k][c]
                two = iova[k][c].get("iova")
                ci = None
                if two and cs.get("classic"):
                    ci = ratio_ci({"a": {"v": two}, "b": {"v": cs["classic"]}}, "a", "b", "v")
                L.append(f"{name:<20} {c:<12} {mmm(cs.get('classic'), 0):>28} "
                         f"{mmm(two, 0) if two else 'n/a':>28} {xci(ci):>22}")
                name = ""
    # Noise: spread (max-min)/median of every point with more than one run.
    L.append("")
    sp = [(st["spread"], f"fio {'%s %s jobs=%d' % k} {c}")
          for k, per in fio.items() for c, cs in per.items()
          for st in [cs.get("mib_s")] if st and st.get("n", 0) > 1]
    sp += [(st["spread"], f"map {'threads=%d granule=%d' % k} {c}")
           for k, per in mp.items() for c, cs in per.items()
           for st in [cs.get("page_us")] if st and st.get("n", 0) > 1]
    if sp:
        sp.sort()
        L.append(f"noise: spread (max-min)/median over {n} runs: median "
                 f"{statistics.median(x for x, _ in sp) * 100:.1f}%, "
                 f"worst {sp[-1][0] * 100:.1f}% ({sp[-1][1]}); "
                 f"{sum(1 for x, _ in sp if x > 0.1)} of {len(sp)} points above 10%")
    else:
        L.append("noise: not measured (one run per point)")
    L.append("targets (met: the whole 95 % interval on the good side; missed: wholly on the "
             "bad side; not resolved: the interval holds the threshold):")
    for t in tgt:
        if not t["checked"]:
            L.append(f"  {t['target']}: not measured")
            continue
        unit = " us" if " us" in t["target"] else "x"
        parts = [f"met at {t['met']} of {t['checked']}"]
        if t["misses"]:
            worst = sorted(t["misses"], key=lambda m: m["value"],
                           reverse="<=" in t["target"])[:3]
            parts.append(f"MISSED at {len(t['misses'])} (worst: "
                         + ", ".join(f"{m['point']} {m['value']:.2f}{unit}" for m in worst) + ")")
        if t["unresolved"]:
            parts.append(f"not resolved at {len(t['unresolved'])} ("
                         + ", ".join(f"{m['point']} {m['value']:.2f}{unit}" for m in t["unresolved"][:3])
                         + (" ..." if len(t["unresolved"]) > 3 else "") + ")")
        if t["median_only"]:
            parts.append(f"{t['median_only']} judged on the median alone (no interval)")
        verdict = ("MET" if t["met"] == t["checked"] else
                   "MISSED" if t["misses"] else "NOT RESOLVED")
        L.append(f"  {t['target']}: {verdict}; " + "; ".join(parts))
    return "\n".join(L)


# ---------------------------------------------------------------- plot

COLOURS = {"strict": "#d62728", "lazy": "#ff7f0e", "passthrough": "#2ca02c",
           "rudma": "#1f77b4"}


def plot(png, s, configs, fio):
    """Throughput as a ratio to stock strict by block size, one panel per
    workload (rw, jobs), on a linear axis; bars are the ratios' 95 %
    intervals; passthrough, dashed, is the ceiling no IOMMU can beat."""
    panels = sorted({(k[0], k[2]) for k in fio}, key=lambda p: (p[0].endswith("-qd1"), p))
    series = [c for c in configs if c != "strict"]
    if not panels or "strict" not in configs or not series:
        print("bench: no plot: it needs fio points of strict and another configuration")
        return None
    dat = png.with_suffix(".dat")
    blocks = []
    idx = {}
    for rw, j in panels:
        for c in series:
            rows = []
            for k in sorted((k for k in fio if k[0] == rw and k[2] == j), key=lambda k: bs_key(k[1])):
                ci = ratio_ci(fio[k], c, "strict", "mib_s")
                if ci:
                    kib = int(re.sub(r"[kK]$", "", k[1])) if k[1][-1] in "kK" else int(k[1]) / 1024
                    lo = ci["lo"] if ci["lo"] is not None else ci["ratio"]
                    hi = ci["hi"] if ci["hi"] is not None else ci["ratio"]
                    rows.append(f"{kib} {ci['ratio']:.4f} {lo:.4f} {hi:.4f}")
            idx[(rw, j, c)] = len(blocks)
            blocks.append("\n".join(rows) if rows else "nan nan nan nan")
    dat.write_text("\n\n\n".join(blocks) + "\n")
    cols = 2 if len(panels) > 1 else 1
    nrows = (len(panels) + cols - 1) // cols
    g = [f"set terminal pngcairo size {600 * cols},{420 * nrows} font 'sans,10'",
         f"set output '{png}'",
         f"set multiplot layout {nrows},{cols} title "
         f"'rudma bench {s['date']} ({(s.get('provenance') or {}).get('describe', '?')}): "
         f"fio throughput / stock strict "
         f"(median of {s['rounds']}, bars: 95 % interval; "
         f"{'host' if s.get('host') else 'QEMU ' + s['accel'].upper()})'",
         "set logscale x 2", "set xrange [*:*] noextend",
         "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05",
         "set yrange [0:*]",
         "set xlabel 'block size (KiB)'", "set ylabel 'throughput / strict (linear)'",
         "set key below", "set bmargin 7", "set grid",
         "set xtics (" + ", ".join(f"'{v}' {v}" for v in (1, 2, 4, 8, 16, 32, 64, 128, 256)) + ")"]
    for rw, j in panels:
        depth = 1 if rw.endswith("-qd1") else 64
        g.append(f"set title '{rw.removesuffix('-qd1')}, {j} job{'s' if j > 1 else ''}, "
                 f"iodepth {depth}'")
        g.append("plot 1 with lines lw 1 lc rgb '" + COLOURS["strict"] + "' title 'strict (1.0)', "
                 + ", ".join(
                     f"'{dat}' index {idx[(rw, j, c)]} using 1:2:3:4 with yerrorlines "
                     f"lw 2 pt 7 {'dt 2 ' if c == 'passthrough' else ''}"
                     f"lc rgb '{COLOURS.get(c, 'black')}' "
                     f"title '{c}{' (ceiling)' if c == 'passthrough' else ''}'"
                     for c in series))
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


def update_readme(s, head, full, png):
    """The README's bench section: provenance, the headline table, links to
    the full table and the plot."""
    readme = TOP / "README"
    cur = readme.read_text()
    if README_BEGIN not in cur or README_END not in cur:
        return "README has no bench markers"
    a = cur.index(README_BEGIN) + len(README_BEGIN)
    b = cur.index(README_END)
    lines = [f"rudma bench {s['date']}, {s['rounds']} interleaved rounds"] + provenance(s) \
        + [""] + head
    body = "\n\n" + "\n".join(("    " + l).rstrip() for l in lines) + \
        f"\n\nFull table (every point, counts, targets): {os.path.relpath(full, TOP)}\n" \
        f"Plot: {os.path.relpath(png, TOP)}\n\n"
    readme.write_text(cur[:a] + body + cur[b:])
    return None


# ---------------------------------------------------------------- model

# Per-event costs on a real platform: the defaults are the reference values
# of ../shared/brief/perf-model.md, with their sources.
MODEL_DEFAULTS = {
    "sync_us": (8.5, "one synchronous IOMMU round trip (virtio-iommu kick and wait, "
                "a trapped invalidation): 7-10 us in a KVM guest at 1-8 vCPUs "
                "(research data on Intel vIOMMU; virtio-iommu has the same shape)"),
    "req_us": (0.0, "each queued request beyond its round trip (virtio-iommu sends "
               "the queued requests with the next sync; no separate published figure)"),
    "memcpy_gbs": (9.5, "memcpy of cold data on one current server core: about "
                   "9-10 GB/s"),
    "io_us": (0.0, "the rest of an I/O's cost on the path that bounds throughput "
              "(0: compare the DMA-path costs alone)"),
}


def model(d, p):
    """Expected rudma/strict ratios on a platform with the given per-event
    costs, from the exact counts per I/O of a results JSON.  A model, not a
    measurement: it says what the counts imply where the costs are p's."""
    counts = summarize_counts(d["boots"])
    L = ["MODEL, not a measurement: the counts per I/O measured in "
         f"{d.get('date', '?')} ({(d.get('git') or {}).get('describe', '?')}) priced with:"]
    for k, (v, why) in MODEL_DEFAULTS.items():
        L.append(f"  {k} = {p[k]:g}{'' if p[k] == v else f' (default {v:g})'}: {why}")

    def cost(c):
        return ((c.get("req") or 0) * p["req_us"] + (c.get("sync") or 0) * p["sync_us"]
                + (c.get("bounced") or 0) / (p["memcpy_gbs"] * 1e3))
    L.append("")
    L.append(f"{'point':<28} {'strict us/IO':>13} {'rudma us/IO':>12} {'rudma/strict':>13}"
             f"  (throughput where the per-I/O cost bounds it; latency at QD1 inversely)")
    cross = []
    for key in sorted((k for k in counts if k[0] == "fio"),
                      key=lambda k: (k[1].endswith("-qd1"), k[1], k[3], bs_key(k[2]))):
        st, ru = counts[key].get("strict"), counts[key].get("rudma")
        if not st or not ru:
            continue
        cs, cr = cost(st), cost(ru)
        r = (p["io_us"] + cs) / (p["io_us"] + cr) if p["io_us"] + cr > 0 else None
        L.append(f"{'%s %s jobs=%d' % key[1:]:<28} {cs:>13.2f} {cr:>12.2f} "
                 f"{(f'{r:.2f}x' if r else '-'):>13}")
        # Copies per byte of I/O (from-device: about 2, the slot is filled
        # before the device writes it) and strict's IOMMU cost per I/O give
        # the size where the copy costs what the IOMMU work saved.
        if ru.get("bytes") and ru.get("bounced"):
            k = ru["bounced"] / ru["bytes"]
            saved = cost({**st, "bounced": 0}) - cost({**ru, "bounced": 0})
            if k > 0 and saved > 0:
                cross.append((key, saved * p["memcpy_gbs"] * 1e3 / k, k))
    if cross:
        L.append("")
        L.append("crossover (the block size at which rudma's copy costs what it saves in IOMMU "
                 "work, assuming the same requests per I/O at every size):")
        for key, b, k in cross:
            L.append(f"  from {'%s %s jobs=%d' % key[1:]}: {b / 1024:.0f} KiB "
                     f"({k:.2f} bytes copied per byte read)")
    else:
        L.append("no crossover: no point has both strict's and rudma's counts (counts need "
                 "a run with kprobe events; see Documentation/bench.rst)")
    return "\n".join(L)


# ---------------------------------------------------------------- main

def git_info():
    def g(*a):
        r = subprocess.run(["git", "-C", str(TOP), *a], capture_output=True, text=True)
        return r.stdout.strip()
    return {"commit": g("rev-parse", "HEAD"), "branch": g("rev-parse", "--abbrev-ref", "HEAD"),
            "describe": g("describe", "--always", "--dirty", "--tags"),
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
    """Table (also OUT/<name>.txt), plot and (optionally) README from the
    boots; returns the table, the summaries and whether the plot failed."""
    fio, mp, iova = summarize(boots, configs)
    counts = summarize_counts(boots)
    tgt = targets(fio, mp, s.get("smp", 1))
    text = table(s, configs, fio, mp, iova, counts, tgt, boots)
    full = out_png.with_suffix(".txt")
    full.write_text(text + "\n")
    print()
    print(text)
    print()
    err = plot(out_png, s, configs, fio)
    if err:
        print(f"bench: {err}")
    elif out_png.exists():
        print(f"bench: plot {out_png}")
    if update:
        if all(b["ok"] for b in boots):
            err2 = update_readme(s, headline(s, configs, fio, counts), full, out_png)
            print(f"bench: {err2}" if err2 else "bench: README updated")
        else:
            print("bench: README left as it was: the run failed")
    return text, (fio, mp, iova, counts, tgt), err


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
    for k in ("rw", "bs", "jobs", "lat_bs", "map_threads", "granules", "iova_pages"):
        ap.add_argument("--" + k.replace("_", "-"), help="comma-separated list; CPUS = the number of CPUs")
    ap.add_argument("--count-secs", type=int,
                    help="seconds of each point's counted second run (0: no counts)")
    ap.add_argument("--skip", help="comma-separated: any of fio, map, iova, counts "
                    "(measurements left out)")
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
    ap.add_argument("--model", type=Path, metavar="RESULTS_JSON",
                    help="price a results JSON's counts per I/O with a platform's "
                    "per-event costs (the options below): a model, not a measurement")
    for k, (v, why) in MODEL_DEFAULTS.items():
        ap.add_argument("--" + k.replace("_", "-"), type=float, default=v,
                        help=f"--model: {why} (default {v:g})")
    a = ap.parse_args()

    if a.model:
        print(model(json.loads(a.model.read_text()),
                    {k: getattr(a, k) for k in MODEL_DEFAULTS}))
        return 0

    if a.update_readme:
        # The README's figures must come from committed code, and name it.
        gi = git_info()
        if gi["dirty"]:
            sys.exit("bench: --update-readme refuses a dirty tree (commit first: the "
                     "README's table names the commit it measured)")
    if a.report:
        d = json.loads(a.report.read_text())
        if a.update_readme and (d.get("git") or {}).get("dirty", True):
            sys.exit(f"bench: --update-readme: {a.report} was measured on a dirty tree "
                     "(or does not say): run the bench again on a clean one")
        report(d["settings"], d["settings"]["configs"], d["boots"],
               a.report.with_suffix(".png"), a.update_readme)
        return 0

    s = dict(PROFILES["short" if a.short else "full"])
    for k in ("rounds", "runtime", "ramp", "rw", "bs", "jobs", "lat_bs", "map_threads",
              "granules", "iova_pages", "map_secs", "iova_rounds", "count_secs", "skip"):
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
    kern = next((b["guest"]["info"].get("kernel") for b in boots if b.get("guest")), None)
    qemu = {"x86_64": "qemu-system-x86_64", "arm64": "qemu-system-aarch64"}[a.arch]
    qv = subprocess.run([qemu, "--version"], capture_output=True, text=True)
    gi = git_info()
    cpu = next((l.split(":", 1)[1].strip() for l in
                Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor() or None)
    s["provenance"] = {
        "describe": gi["describe"], "cpu": cpu, "cores": os.cpu_count(),
        "qemu": None if a.host else (qv.stdout.splitlines() or [None])[0],
        "guest_kernel": kern,
        "command": shlex.join(sys.argv).replace(str(TOP) + "/", "")}
    # fio's own output of every timed point (--output-format=json+, with
    # its latency histograms), kept apart and compressed.
    raw = []
    for b in boots:
        for f in (b.get("guest") or {}).pop("fio_raw", []):
            raw.append({"round": b["round"], "config": b["config"], **f})
    rawpath = out / f"{name}-fio.json.gz"
    with gzip.open(rawpath, "wt") as f:
        json.dump(raw, f)
    text, (fio, mp, iova, counts, tgt), err = report(s, configs, boots, png, a.update_readme)
    doc = {
        "date": stamp, "ok": ok, "seconds": round(time.monotonic() - t0),
        "host": {"machine": platform.machine(), "cpus": os.cpu_count(),
                 "kernel": platform.release(),
                 "cpu": next((l.split(":", 1)[1].strip() for l in
                              Path("/proc/cpuinfo").read_text().splitlines()
                              if l.startswith("model name")), None),
                 "qemu": None if a.host else (qv.stdout.splitlines() or [None])[0]},
        "guest_kernel": kern, "git": gi, "fio_raw": os.path.relpath(rawpath, TOP),
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
            "counts": [{"point": list(k), "config": c, **v}
                       for k, per in counts.items() for c, v in per.items()],
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
