"""How much memory does one learner need? (issue 6, "Hosting for a class")

    .venv/bin/python benchmarks/bench_memory.py [NOTEBOOK ...] [--users 100]

Each notebook is executed top to bottom in a fresh python3 kernel (nbclient, working directory
notebooks/, as a learner's "Run all"); after the last cell, still running, the kernel process
is measured:

  peak RSS   the most resident memory the kernel ever had (Linux ``VmHWM`` in
             /proc/<pid>/status); elsewhere the largest RSS sampled every 50 ms with psutil
  RSS, PSS   resident memory at the end, and its proportional share (PSS: pages shared with
             other processes, such as NumPy's and SciPy's libraries, count 1/n for n sharers;
             psutil, Linux only), the better guess of what each extra kernel adds on a hub

Then the single-user server: ``jupyter lab`` started on 127.0.0.1 in a scratch folder, its
RSS after start-up and after serving the /lab page once. On a JupyterHub every learner gets
one such server plus the kernels of the notebooks they have open.

The recommendation (per learner, and for ``--users``): a guarantee of server + the heaviest
notebook's peak kernel, a limit that also fits a second kernel left running (a learner who
moves on without shutting the previous notebook down), each with 25 % headroom and rounded
up to 64 MiB. Numbers depend on the machine (core count changes BLAS buffers); rerun it on
the hub's image.
"""
from __future__ import annotations

import argparse
import math
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
HEADROOM = 1.25
ROUND = 64 * MIB


@dataclass(frozen=True)
class Usage:
    """Memory of one process, in bytes (pss is None where the platform cannot say)."""

    name: str
    peak_rss: int
    rss: int
    pss: int | None
    seconds: float


def _status_kib(pid: int, key: str) -> int | None:
    """A ``kB`` field of /proc/<pid>/status (VmHWM, VmRSS) in bytes; None off Linux."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class _Sampler:
    """Largest RSS seen every ``interval`` s (the fallback where VmHWM does not exist)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil
        proc = psutil.Process(self.pid)
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, proc.memory_info().rss)
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> "_Sampler":
        if _status_kib(self.pid, "VmHWM") is None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def measure(pid: int, name: str, seconds: float, sampled_peak: int = 0) -> Usage:
    import psutil
    proc = psutil.Process(pid)
    rss = proc.memory_info().rss
    try:
        pss: int | None = proc.memory_full_info().pss
    except (AttributeError, psutil.Error):
        pss = None
    peak = _status_kib(pid, "VmHWM") or max(sampled_peak, rss)
    return Usage(name, peak, rss, pss, seconds)


def kernel_usage(notebook: Path, timeout: int = 600, attempts: int = 3) -> Usage:
    """Run every cell of ``notebook`` in a fresh kernel, then measure that kernel.

    A kernel that dies at start-up (on a busy machine another process can take one of the
    TCP ports jupyter_client picked) is started again, up to ``attempts`` times."""
    for attempt in range(1, attempts + 1):
        try:
            return _kernel_usage(notebook, timeout)
        except RuntimeError as err:
            if "died before replying" not in str(err) or attempt == attempts:
                raise
    raise AssertionError("unreachable")


def _kernel_usage(notebook: Path, timeout: int) -> Usage:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        with _Sampler(pid) as sampler:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        return measure(pid, notebook.name, time.perf_counter() - start, sampler.peak)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_usage() -> tuple[Usage, Usage]:
    """JupyterLab's own process: after start-up, and after serving the /lab page once."""
    work = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    token, port = secrets.token_hex(16), _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(work / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(work / "workspaces"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
         "--LabApp.news_url=", "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        start = time.perf_counter()
        while True:
            if proc.poll() is not None:
                raise RuntimeError("jupyter lab exited during start-up")
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
                break
            except OSError:
                if time.perf_counter() - start > 90:
                    raise RuntimeError("jupyter lab did not start within 90 s") from None
                time.sleep(0.3)
        idle = measure(proc.pid, "jupyter lab, started", time.perf_counter() - start)
        urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30).read()
        time.sleep(1.0)
        served = measure(proc.pid, "jupyter lab, /lab served", time.perf_counter() - start)
        return idle, served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def _mib(n: int | None) -> str:
    return "   n/a" if n is None else f"{n / MIB:6.0f}"


def _round_up(n: float) -> int:
    return int(math.ceil(n / ROUND) * ROUND)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to measure (default: every notebook in notebooks/)")
    parser.add_argument("--users", type=int, default=100, help="class size for the total")
    args = parser.parse_args(argv)
    if args.users <= 0:
        parser.error(f"--users must be a positive integer, got {args.users}")
    notebooks = ([p.resolve() for p in args.notebooks]
                 or sorted((ROOT / "notebooks").glob("*.ipynb")))

    print(f"{'process':42s} {'peak RSS':>9s} {'RSS':>7s} {'PSS':>7s}  (MiB)   time")
    kernels = []
    for nb in notebooks:
        usage = kernel_usage(nb)
        kernels.append(usage)
        print(f"kernel: {usage.name:34s} {_mib(usage.peak_rss):>9s} {_mib(usage.rss):>7s} "
              f"{_mib(usage.pss):>7s}  {usage.seconds:10.1f} s", flush=True)
    idle, served = server_usage()
    for usage in (idle, served):
        print(f"{usage.name:42s} {_mib(usage.peak_rss):>9s} {_mib(usage.rss):>7s} "
              f"{_mib(usage.pss):>7s}  {usage.seconds:10.1f} s")

    heaviest = max(kernels, key=lambda u: u.peak_rss)
    server = served.peak_rss
    guarantee = _round_up(HEADROOM * (server + heaviest.peak_rss))
    limit = _round_up(HEADROOM * (server + 2 * heaviest.peak_rss))
    print()
    print(f"heaviest notebook: {heaviest.name}, kernel peak {heaviest.peak_rss / MIB:.0f} MiB; "
          f"server {server / MIB:.0f} MiB")
    print(f"per learner: guarantee {guarantee / MIB:.0f} MiB (server + heaviest kernel, +25 %), "
          f"limit {limit / MIB:.0f} MiB (room for a second kernel left running)")
    print(f"a class of {args.users}: {args.users * guarantee / 2**30:.1f} GiB guaranteed "
          f"({args.users * limit / 2**30:.1f} GiB if every learner reaches the limit at once), "
          f"plus the hub itself")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
