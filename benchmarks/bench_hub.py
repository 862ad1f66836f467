"""Classroom load test: N learners on a real JupyterHub (127.0.0.1), each with their own server.

    .venv/bin/python benchmarks/bench_hub.py                      # N = 5, 10, 20, 30; 60 s of dragging
    .venv/bin/python benchmarks/bench_hub.py -n 5 10 --drag 60    # some class sizes
    .venv/bin/python benchmarks/bench_hub.py -n 10 --kill-one     # one kernel SIGKILLed halfway

Per N (a fresh hub each): every learner logs in through the hub's login form (dummy
authenticator), the hub spawns their server (.venv/bin/jupyterhub-singleuser), the learner
uploads and opens notebooks/03_gradient_descent.ipynb through the proxy, runs it top to bottom
over the kernel websocket (all N at once: a class pressing "Run all" together), then drags the
gradient-descent explorer's lr slider (a comm_msg every 0.5 s, as JupyterLab sends it) for
--drag seconds. Reported: hub + proxy peak RSS; per-learner peak RSS (server + kernel: median,
max); total; CPU per learner while dragging (cores); slider round trip through the proxy
(until the canvas model receives its new frame: median, p95); notebook execution time; spawn
time; failures. Then capacity per core and per GiB. Results also go to benchmarks/out/hub.json.
Time: about 1.5 + 0.1 * N minutes per N plus the drag time on an idle 2-core machine.
Needs jupyterhub, nbgitpuller and configurable-http-proxy (see tests/hub/hubkit.py INSTALL_HINT).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hub"))
import hubkit  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, nargs="+", default=[5, 10, 20, 30], help="class sizes")
    ap.add_argument("--drag", type=float, default=60.0, help="seconds of slider dragging")
    ap.add_argument("--interval", type=float, default=0.5, help="seconds between slider moves")
    ap.add_argument("--kill-one", action="store_true", help="SIGKILL learner00's kernel halfway")
    ap.add_argument("--proxy", choices=["auto", "node", "python"], default="auto")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "hub.json")
    args = ap.parse_args()

    cores, ram = psutil.cpu_count(), psutil.virtual_memory().total
    print(f"machine: {cores} cores, {ram / 2**30:.1f} GiB; load average {os.getloadavg()}")
    rows = []
    for n in args.n:
        with tempfile.TemporaryDirectory(prefix=f"gradlib-hub-{n}-") as tmp:
            t0 = time.monotonic()
            with hubkit.Hub(Path(tmp), proxy=args.proxy) as hub:
                print(f"N = {n}: hub on {hub.url} (proxy: {hub.proxy_kind})", flush=True)
                res = hubkit.run_class(hub, n, args.drag, interval=args.interval,
                                       kill_one=args.kill_one, log=print)
            s = res.summary()
            s["proxy"] = hub.proxy_kind
            s["bench_wall_s"] = round(time.monotonic() - t0, 1)
            rows.append(s)
            print(json.dumps(s), flush=True)
            for f in (res.failures + res.victim_failures)[:10]:
                print("   failure:", f)
            if res.failures and hub.log_path.exists():
                # the hub's log holds every single-user server's too: keep it to find out why
                kept = args.out.with_name(f"hub-{n}-failures.log")
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(hub.log_path, kept)
                print(f"   the hub's log (with every server's): {kept}")

    print()
    print("| N | hub+proxy MiB | learner MiB median / max | total MiB | CPU/learner dragging (cores) "
          "| response ms median / p95 | notebook s median / max | spawn s median / max | failures | wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in rows:
        print(f"| {s['n']} | {s['hub_proxy_mib']} | {s['learner_mib_median']} / {s['learner_mib_max']} "
              f"| {s['total_mib']} | {s['cpu_per_learner_dragging']} | {s['response_ms_median']} / "
              f"{s['response_ms_p95']} | {s['exec_s_median']} / {s['exec_s_max']} | "
              f"{s['spawn_s_median']} / {s['spawn_s_max']} | {s['failures']}"
              f"{' (+%d victim)' % s['victim_failures'] if s['victim'] else ''} | {s['bench_wall_s']} |")
    worst_mib = max(s["learner_mib_max"] for s in rows if s["learner_mib_max"])
    worst_cpu = max(s["cpu_per_learner_dragging"] for s in rows if s["cpu_per_learner_dragging"])
    hub_mib = max(s["hub_proxy_mib"] for s in rows)
    print()
    print(f"capacity per GiB (largest learner, {worst_mib:.0f} MiB): {1024 / worst_mib:.1f} learners")
    print(f"capacity per core while dragging ({worst_cpu:.3f} cores each): {1 / worst_cpu:.0f} learners")
    exec_cpu = [s["exec_s_median"] for s in rows if s["exec_s_median"]]
    print(f"hub + proxy: {hub_mib:.0f} MiB at most; notebook 03 top to bottom: "
          f"{min(exec_cpu):.1f}-{max(exec_cpu):.1f} s (median per N; concurrent runs share the cores)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": {"cores": cores, "ram_gib": round(ram / 2**30, 1)},
                                    "drag_s": args.drag, "rows": rows}, indent=1))
    print(f"written: {args.out}")
    return 0 if all(s["failures"] == 0 for s in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
