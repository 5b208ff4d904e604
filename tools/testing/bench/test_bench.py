#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of bench.py's statistics, verdicts and parsing (make check:
python3 -m unittest, no QEMU)."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402


def point(**configs):
    """A summarized fio point: {config: {"mib_s": stats + rounds}} from
    {config: [value of round 1, round 2, ...]}."""
    out = {}
    for c, vals in configs.items():
        rounds = {i + 1: v for i, v in enumerate(vals)}
        out[c] = {"mib_s": dict(bench.stats(vals), rounds=rounds)}
    return out


class RatioInterval(unittest.TestCase):
    def test_clear_difference_excludes_one(self):
        st = point(strict=[100, 101, 99, 100, 102], rudma=[150, 152, 149, 151, 150])
        ci = bench.ratio_ci(st, "rudma", "strict", "mib_s")
        self.assertAlmostEqual(ci["ratio"], 1.5, places=2)
        self.assertLessEqual(ci["lo"], ci["ratio"])
        self.assertGreaterEqual(ci["hi"], ci["ratio"])
        self.assertGreater(ci["lo"], 1.0)
        self.assertFalse(bench.spans_one(ci))
        self.assertFalse(bench.xci(ci).startswith("≈"))

    def test_noise_larger_than_effect_is_not_resolved(self):
        st = point(strict=[100, 60, 140, 90, 110], rudma=[105, 150, 70, 100, 95])
        ci = bench.ratio_ci(st, "rudma", "strict", "mib_s")
        self.assertTrue(bench.spans_one(ci))
        self.assertTrue(bench.xci(ci).startswith("≈"))

    def test_pairs_rounds(self):
        # Host drift moves both alike; paired by round, the ratio is exact.
        st = point(strict=[50, 100, 200, 400, 800], rudma=[75, 150, 300, 600, 1200])
        ci = bench.ratio_ci(st, "rudma", "strict", "mib_s")
        self.assertAlmostEqual(ci["ratio"], 1.5)
        # Resampled medians of paired rounds still come from the same
        # rounds on both sides: the interval is narrow around 1.5.
        self.assertGreater(ci["lo"], 1.0)

    def test_too_few_rounds_has_no_interval(self):
        st = point(strict=[100, 101], rudma=[150, 151])
        ci = bench.ratio_ci(st, "rudma", "strict", "mib_s")
        self.assertIsNone(ci["lo"])
        self.assertIn("(n=2)", bench.xci(ci))

    def test_missing_configuration(self):
        st = point(strict=[100, 101, 99])
        self.assertIsNone(bench.ratio_ci(st, "rudma", "strict", "mib_s"))

    def test_deterministic(self):
        st = point(strict=[100, 90, 110, 95, 105], rudma=[120, 140, 100, 130, 110])
        self.assertEqual(bench.ratio_ci(st, "rudma", "strict", "mib_s"),
                         bench.ratio_ci(st, "rudma", "strict", "mib_s"))


class Targets(unittest.TestCase):
    def verdict(self, fio, name):
        t = next(t for t in bench.targets(fio, {}, 2) if t["target"].startswith(name))
        return t["met"], len(t["misses"]), len(t["unresolved"])

    def test_met_missed_unresolved(self):
        fio = {
            ("read", "4k", 1): point(strict=[100, 101, 99, 100, 100],
                                     rudma=[150, 151, 149, 150, 150]),
            ("read", "128k", 1): point(strict=[100, 101, 99, 100, 100],
                                       rudma=[60, 61, 59, 60, 60]),
            ("read", "64k", 1): point(strict=[100, 60, 140, 90, 110],
                                      rudma=[105, 150, 70, 100, 95]),
        }
        self.assertEqual(self.verdict(fio, "rudma >= 0.95x strict"), (1, 1, 1))
        # 1.4x at 4k and 16k, one job: only 4k is there, and met.
        self.assertEqual(self.verdict(fio, "rudma >= 1.4x strict"), (1, 0, 0))

    def test_iommu_bound(self):
        fio = {
            ("read", "4k", 1): point(strict=[100, 101, 99, 100, 100],
                                     passthrough=[200, 201, 199, 200, 200]),
            ("read", "4k", 2): point(strict=[100, 101, 99, 100, 100],
                                     passthrough=[100, 99, 101, 100, 100]),
        }
        bound, judged, median_only = bench.iommu_bound(fio)
        self.assertEqual(bound, [("read", "4k", 1)])
        self.assertEqual(len(judged), 2)
        self.assertFalse(median_only)


class Counts(unittest.TestCase):
    TAP = "\n".join([
        "# rudma-bench: info counts=dma_map_page,viommu_req,viommu_sync counts_missing=smmu_batch",
        "# rudma-bench: counts what=fio rw=read bs=4k jobs=1 ios=1000 sectors=8000 "
        "dma_map_page=1000 viommu_req=2000 viommu_sync=2000 rudma_copied=8192000 rudma_hits=990",
        "# rudma-bench: counts what=map threads=1 granule=1 dma_map_page=500 viommu_req=1000",
        "# rudma-bench: counts what=fio rw=read bs=4k",
        "# rudma-bench: done failures=0",
    ])

    def test_parse_and_per_io(self):
        g = bench.parse_guest(self.TAP)
        self.assertEqual(len(g["counts"]), 2)
        self.assertEqual(len(g["errors"]), 1)   # the truncated line
        fio = bench.per_unit(g["counts"][0])
        self.assertEqual(fio["req"], 2.0)
        self.assertEqual(fio["sync"], 2.0)
        self.assertEqual(fio["dma_map"], 1.0)
        self.assertEqual(fio["bounced"], 8192.0)
        self.assertEqual(fio["bytes"], 4096.0)
        self.assertIsNone(fio["fallbacks"])     # not counted, not zero
        mp = bench.per_unit(g["counts"][1])
        self.assertEqual(mp["req"], 2.0)
        self.assertIsNone(mp["sync"])

    def test_model_prices_counts(self):
        def boot(config, **n):
            return {"config": config, "round": 1, "guest": {"counts": [
                {"what": "fio", "rw": "read", "bs": "4k", "jobs": 1, "n": n}]}}
        d = {"boots": [boot("strict", ios=100, sectors=800, viommu_req=200, viommu_sync=200),
                       boot("rudma", ios=100, sectors=800, viommu_req=0, viommu_sync=0,
                            rudma_copied=819200)]}
        p = {k: v for k, (v, _) in bench.MODEL_DEFAULTS.items()}
        text = bench.model(d, p)
        self.assertTrue(text.startswith("MODEL, not a measurement"))
        # strict: 2 syncs x 8.5 us = 17 us per I/O; rudma: 8192 B copied at
        # 9.5 GB/s = 0.86 us: 19.7x.  Two bytes copied per byte read: the
        # copy costs the 17 us saved at 17 * 9500 / 2 bytes = 79 KiB.
        self.assertIn("17.00", text)
        self.assertIn("0.86", text)
        self.assertIn("19.71x", text)
        self.assertIn("79 KiB (2.00 bytes copied per byte read)", text)


class PoolOverhead(unittest.TestCase):
    def boot(self, rnd, hits, map_us):
        tap = "\n".join([
            f"# rudma-bench: map threads=1 granule=1 map_us={map_us} map_sd=0.1 "
            "unmap_us=1.0 unmap_sd=0.1",
            "# rudma-bench: copy granule=1 bytes=4096 rounds=20000 copy_ns=400.0",
            f"# rudma-bench: counts what=map threads=1 granule=1 dma_map_page=100 "
            f"rudma_hits={hits} rudma_copied=819200",
        ])
        return {"config": "rudma", "round": rnd, "guest": bench.parse_guest(tap)}

    def test_map_unmap_less_two_copies(self):
        boots = [self.boot(r, 100, m) for r, m in ((1, 1.2), (2, 1.3), (3, 1.25))]
        _, mp, _ = bench.summarize(boots, ["rudma"])
        st = mp[(1, 1)]["rudma"]["pool_us"]
        # (1.25 + 1.0) - 2 * 0.4 = 1.45 us
        self.assertAlmostEqual(st["median"], 1.45)
        t = next(t for t in bench.targets({}, mp, 2) if t["target"].startswith("pool overhead"))
        self.assertEqual(len(t["misses"]), 1)

    def test_not_where_the_pool_did_not_serve(self):
        _, mp, _ = bench.summarize([self.boot(1, 0, 1.2)], ["rudma"])
        self.assertNotIn("pool_us", mp[(1, 1)]["rudma"])


if __name__ == "__main__":
    unittest.main()
