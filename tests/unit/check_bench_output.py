#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Checks of vcmdq-bench's machine-readable output, run by
# tests/unit/test_bench_output.c on files it wrote from synthetic results:
#
#   check_bench_output.py json FILE N   JSON parses, has the documented
#                                       fields (README.md), N results
#   check_bench_output.py svg FILE N    SVG is well-formed XML with one
#                                       CDF curve per mode x batch, N in all
#
# Exit 0 when the check passes, 1 (with the reason on stderr) when not.
import json
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"

CONFIG_FIELDS = {
    "kernel": str, "machine": str, "cpus": int, "clocksource": str,
    "clock_gettime_ns": (int, float), "model_checked": bool,
    "instances": list, "modes": list, "batches": list, "threads": int,
    "shared_vm": bool, "queue_bytes": int, "kick": str, "uring_depth": int,
    "uring_fixed": bool, "think_us": int, "seconds": (int, float),
    "iters": int, "warmup": int, "asid": int, "fill": int,
    "unavailable": list,
}
RESULT_FIELDS = {
    "mode": str, "batch": int, "fill": int, "samples": int, "batches": int,
    "commands": int, "seconds": (int, float), "ops_per_s": (int, float),
    "p50_ns": int, "p90_ns": int, "p99_ns": int, "max_ns": int,
    "mean_ns": (int, float), "kicks": int, "need_wakeup_seen": int,
    "cdf_ns": list,
}


def fail(msg):
    print("check_bench_output: " + msg, file=sys.stderr)
    sys.exit(1)


def check_fields(obj, fields, where):
    for name, typ in fields.items():
        if name not in obj:
            fail("%s: no field %r" % (where, name))
        if isinstance(obj[name], bool) and typ is not bool:
            fail("%s: %r is a boolean" % (where, name))
        if not isinstance(obj[name], typ):
            fail("%s: %r is %r" % (where, name, obj[name]))


def check_json(path, n):
    with open(path) as f:
        doc = json.load(f)
    if doc.get("version") != 1:
        fail("version is %r, not 1" % doc.get("version"))
    check_fields(doc["config"], CONFIG_FIELDS, "config")
    for k in ("engine_spin_us", "engine_poll_us", "engine_hybrid_us"):
        v = doc["config"].get(k, "absent")
        if v is not None and not isinstance(v, int):
            fail("config: %r is %r" % (k, v))
    v = doc["config"].get("engine_doorbell", "absent")
    if v is not None and not isinstance(v, bool):
        fail("config: 'engine_doorbell' is %r" % (v,))
    skipped = set()
    for i, u in enumerate(doc["config"]["unavailable"]):
        check_fields(u, {"mode": str, "reason": str},
                     "config.unavailable[%d]" % i)
        if not u["reason"]:
            fail("config.unavailable[%d]: no reason" % i)
        skipped.add(u["mode"])
    fr = doc["cdf_fractions"]
    if fr[0] != 0 or fr[-1] != 1 or fr != sorted(fr):
        fail("cdf_fractions do not rise from 0 to 1")
    res = doc["results"]
    if len(res) != n:
        fail("%d results, expected %d" % (len(res), n))
    seen = set()
    for i, r in enumerate(res):
        check_fields(r, RESULT_FIELDS, "results[%d]" % i)
        ratio = r.get("ratio_p50_vs_slow_single", "absent")
        if ratio is not None and not isinstance(ratio, (int, float)):
            fail("results[%d]: ratio is %r" % (i, ratio))
        if not r["p50_ns"] <= r["p90_ns"] <= r["p99_ns"] <= r["max_ns"]:
            fail("results[%d]: percentiles out of order" % i)
        if len(r["cdf_ns"]) != len(fr) or r["cdf_ns"] != sorted(r["cdf_ns"]):
            fail("results[%d]: cdf_ns is not a CDF" % i)
        if r["mode"] in skipped:
            fail("results[%d]: mode %r ran and is unavailable" % (i, r["mode"]))
        if r["fill"] not in (0, doc["config"]["fill"]):
            fail("results[%d]: fill %r, config.fill %r" %
                 (i, r["fill"], doc["config"]["fill"]))
        key = (r["mode"], r["batch"], r["fill"])
        if key in seen:
            fail("results[%d]: %r twice" % (i, key))
        seen.add(key)


def check_svg(path, n):
    root = ET.parse(path).getroot()
    if root.tag != SVG + "svg":
        fail("root element is %r" % root.tag)
    curves = [e for e in root.iter(SVG + "polyline")
              if e.get("class") == "cdf"]
    if len(curves) != n:
        fail("%d CDF curves, expected %d" % (len(curves), n))
    keys = set()
    for c in curves:
        key = (c.get("data-mode"), c.get("data-batch"))
        if None in key or key in keys:
            fail("curve %r missing or twice" % (key,))
        keys.add(key)
        pts = [tuple(map(float, p.split(","))) for p in c.get("points").split()]
        if len(pts) < 2:
            fail("curve %r has %d points" % (key, len(pts)))
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        if xs != sorted(xs) or ys != sorted(ys, reverse=True):
            fail("curve %r does not rise left to right" % (key,))
    texts = "".join(t.text or "" for t in root.iter(SVG + "text"))
    for mode, batch in keys:
        if "%s, batch %s" % (mode, batch) not in texts:
            fail("no legend entry for %s, batch %s" % (mode, batch))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("json", "svg"):
        fail("usage: check_bench_output.py json|svg FILE N")
    kind, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    try:
        (check_json if kind == "json" else check_svg)(path, n)
    except (ValueError, KeyError, TypeError, ET.ParseError) as e:
        fail("%s: %s: %s" % (path, type(e).__name__, e))


if __name__ == "__main__":
    main()
