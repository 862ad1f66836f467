"""A real JupyterHub on loopback, and simulated learners who use it through its proxy.

Shared by the ``hub`` tests (tests/hub/) and the classroom load test (benchmarks/bench_hub.py).
Nothing here imports gradlib: the hub serves the project's .venv as the single-user environment.

    with Hub(workdir) as hub:                      # hub + proxy on 127.0.0.1, free ports
        learner = Learner(hub, "ada")
        learner.login()                            # the hub's login form (dummy authenticator)
        learner.wait_ready()                       # the hub spawned the learner's own server
        learner.upload("03.ipynb", notebook_json)  # contents API, through the proxy
        with learner.kernel("03.ipynb") as k:      # kernel protocol over the proxied websocket
            k.run_notebook(learner.get("03.ipynb"))
            k.drag("explorer", "lr", values)       # comm_msg updates, like a dragged slider

Every process the hub starts (proxy, single-user servers, kernels) carries the environment
variable GRADLIB_HUB_RUN=<a random id of this Hub>; ``Hub.close`` kills exactly those
processes, so nothing outlives a test even if the hub itself crashed.
"""
from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil
import requests
import websocket  # websocket-client

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent          # the project's .venv when run with .venv/bin/python
MARKER = "GRADLIB_HUB_RUN"
NODE_CHP = ROOT / "build" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
INSTALL_HINT = (
    "Install the proxy JupyterHub needs, either the Node original\n"
    "    npm install --prefix build/chp configurable-http-proxy\n"
    "or its Python port into the project's environment\n"
    "    .venv/bin/python -m pip install configurable-http-proxy\n"
    "(or set GRADLIB_CHP=/path/to/configurable-http-proxy).")


class HubError(RuntimeError):
    """The hub could not start or answer; the message says which part failed and how to fix it."""


# ---------------------------------------------------------------------------------------------
# Ports and the proxy
# ---------------------------------------------------------------------------------------------
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def find_proxy(kind: str = "auto") -> tuple[str, list[str]]:
    """(kind, command) of configurable-http-proxy: ``node`` (npm package: build/chp or PATH) or
    ``python`` (the PyPI port in this environment). ``auto`` prefers Node, JupyterHub's default."""
    override = os.environ.get("GRADLIB_CHP")
    if override:
        if not Path(override).exists() and not shutil.which(override):
            raise HubError(f"GRADLIB_CHP={override!r} does not exist.\n{INSTALL_HINT}")
        return "custom", [override]
    node = [str(NODE_CHP)] if NODE_CHP.exists() else None
    if node is None:
        on_path = shutil.which("configurable-http-proxy")
        if on_path and Path(on_path).parent != VENV_BIN:
            node = [on_path]
    python_port = VENV_BIN / "configurable-http-proxy"
    py = [str(python_port)] if python_port.exists() else None
    if kind == "node" or (kind == "auto" and node):
        if node and shutil.which("node"):
            return "node", node
        if kind == "node":
            raise HubError("configurable-http-proxy (Node) not found, or `node` missing.\n" + INSTALL_HINT)
    if py:
        return "python", py
    raise HubError("JupyterHub's proxy, configurable-http-proxy, is not installed.\n" + INSTALL_HINT)


# ---------------------------------------------------------------------------------------------
# The hub
# ---------------------------------------------------------------------------------------------
CONFIG = """\
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = {proxy!r}
c.ConfigurableHTTPProxy.pid_file = {pid_file!r}
c.JupyterHub.db_url = "sqlite:///{db}"
c.JupyterHub.cookie_secret_file = {cookie!r}
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = ["--allow-root"]            # the sessions here run as root
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.Spawner.environment = {environment!r}
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.JupyterHub.cleanup_servers = False         # a hub restart keeps the learners' servers
c.JupyterHub.concurrent_spawn_limit = 200
c.JupyterHub.services = [{{"name": "gradlib-bench", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "gradlib-bench", "services": ["gradlib-bench"],
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "admin:server_state"]}}]
"""


class Hub:
    """JupyterHub + configurable-http-proxy on 127.0.0.1, each learner a SimpleLocalProcessSpawner
    server running this project's .venv/bin/jupyterhub-singleuser (JupyterLab) in
    ``workdir/home/<name>``. Use as a context manager; ``close()`` kills everything it started."""

    def __init__(self, workdir: Path, *, proxy: str = "auto", start_timeout: float = 90.0,
                 extra_env: dict[str, str] | None = None) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.homes = self.workdir / "home"
        self.homes.mkdir(exist_ok=True)
        self.run_id = uuid.uuid4().hex
        self.token = secrets.token_hex(24)
        self.proxy_kind, self.proxy_cmd = find_proxy(proxy)
        self.port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.start_timeout = start_timeout
        self.singleuser = VENV_BIN / "jupyterhub-singleuser"
        if not self.singleuser.exists():
            raise HubError(f"{self.singleuser} is missing: install jupyterhub into the project's "
                           "environment (`.venv/bin/python -m pip install jupyterhub`).")
        env = {MARKER: self.run_id, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MPLBACKEND": "agg", **(extra_env or {})}
        self.config = self.workdir / "jupyterhub_config.py"
        self.config.write_text(CONFIG.format(
            port=self.port, hub_port=self.hub_port, api_port=self.api_port, proxy=self.proxy_cmd,
            pid_file=str(self.workdir / "proxy.pid"), db=self.workdir / "jupyterhub.sqlite",
            cookie=str(self.workdir / "cookie_secret"), singleuser=str(self.singleuser),
            environment=env, homes=str(self.homes), token=self.token))
        self.log_path = self.workdir / "jupyterhub.log"
        self.process: subprocess.Popen | None = None
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"token {self.token}"

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "Hub":
        for name, port in (("hub (public)", self.port), ("hub (internal)", self.hub_port),
                           ("proxy API", self.api_port)):
            if port_in_use(port):
                raise HubError(f"port {port} for the {name} is already in use on 127.0.0.1: "
                               f"stop what listens there (`ss -ltnp | grep {port}`) or retry.")
        env = {**os.environ, MARKER: self.run_id,
               "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "jupyterhub"), "-f", str(self.config)], cwd=self.workdir, env=env,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HubError(f"JupyterHub exited with code {self.process.returncode} while "
                               f"starting.\n{self._diagnose()}")
            try:
                r = self.api.get(f"{self.url}/hub/api/", timeout=2)
                if r.status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise HubError(f"JupyterHub did not answer on {self.url} within {self.start_timeout:.0f} s."
                       f"\n{self._diagnose()}")

    def _diagnose(self) -> str:
        tail = self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""
        hint = ""
        low = tail.lower()
        if "address already in use" in low or "eaddrinuse" in low:
            hint = "A port is already in use (another hub or proxy?); stop it or retry.\n"
        elif "configurable-http-proxy" in low and ("not found" in low or "no such file" in low
                                                   or "failed to start proxy" in low):
            hint = "The proxy did not start.\n" + INSTALL_HINT + "\n"
        return f"{hint}Log: {self.log_path}\n--- last lines ---\n{tail}"

    def stop_hub(self, timeout: float = 30.0) -> None:
        """Stop the hub process (and the proxy it started) but NOT the learners' servers
        (cleanup_servers = False): what a hub upgrade or crash-restart does."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        # the proxy is the hub's child; make sure it is gone before the next start
        for p in self.processes():
            if self.role(p) == "proxy":
                _kill(p)

    def restart_hub(self) -> None:
        self.stop_hub()
        self.start()

    def close(self) -> None:
        """Kill every process this hub started: hub, proxy, servers, kernels (by marker)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                pass
        for _ in range(3):
            procs = self.processes()
            if not procs:
                break
            for p in procs:
                _kill(p)
            psutil.wait_procs(procs, timeout=5)
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.api.close()

    def __enter__(self) -> "Hub":
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- processes ---------------------------------------------------------------------------
    def processes(self) -> list[psutil.Process]:
        """Every live process carrying this hub's marker (hub, proxy, servers, kernels)."""
        found = []
        me = os.getpid()
        for p in psutil.process_iter(["pid"]):
            if p.pid == me:
                continue
            try:
                if p.environ().get(MARKER) == self.run_id:
                    found.append(p)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
                continue
        return found

    @staticmethod
    def role(p: psutil.Process) -> str:
        """'hub', 'proxy', 'server', 'kernel' or 'other'."""
        try:
            cmd = " ".join(p.cmdline())
            env = p.environ()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return "gone"
        if "ipykernel" in cmd:
            return "kernel"
        if "jupyterhub-singleuser" in cmd or "JUPYTERHUB_USER" in env and "jupyter" in cmd:
            return "server"
        if "configurable-http-proxy" in cmd or "configurable_http_proxy" in cmd:
            return "proxy"
        if "jupyterhub" in cmd:
            return "hub"
        return "other"

    def snapshot(self) -> dict[str, Any]:
        """RSS (bytes) and CPU seconds by role; learner processes grouped by JUPYTERHUB_USER."""
        out: dict[str, Any] = {"hub": 0, "proxy": 0, "hub_cpu": 0.0, "proxy_cpu": 0.0, "users": {}}
        for p in self.processes():
            try:
                role = self.role(p)
                rss = p.memory_info().rss
                t = p.cpu_times()
                cpu = t.user + t.system
                user = p.environ().get("JUPYTERHUB_USER")
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            if role in ("hub", "proxy"):
                out[role] += rss
                out[role + "_cpu"] += cpu
            elif user:
                u = out["users"].setdefault(user, {"server": 0, "kernel": 0, "cpu": 0.0,
                                                    "kernel_pids": []})
                u["server" if role == "server" else "kernel"] += rss
                u["cpu"] += cpu
                if role == "kernel":
                    u["kernel_pids"].append(p.pid)
        return out

    def user_cpu(self, name: str) -> float:
        """CPU seconds (user + system) so far of one learner's server and kernels."""
        total = 0.0
        for p in self.processes():
            try:
                if p.environ().get("JUPYTERHUB_USER") == name:
                    t = p.cpu_times()
                    total += t.user + t.system
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return total

    # -- REST API (admin token of the gradlib-bench service) ----------------------------------
    def call(self, method: str, path: str, ok: Iterable[int] = (200, 201, 202, 204), **kw: Any) -> requests.Response:
        r = self.api.request(method, f"{self.url}/hub/api/{path}", timeout=60, **kw)
        if r.status_code not in tuple(ok):
            raise HubError(f"{method} /hub/api/{path} -> {r.status_code}: {r.text[:500]}")
        return r

    def user(self, name: str) -> dict[str, Any]:
        return self.call("GET", f"users/{name}").json()

    def user_token(self, name: str) -> str:
        return self.call("POST", f"users/{name}/tokens", json={"note": "gradlib hub test"}).json()["token"]

    def start_server(self, name: str) -> None:
        self.call("POST", f"users/{name}/server", ok=(201, 202, 400))

    def stop_server(self, name: str, timeout: float = 60.0) -> None:
        self.call("DELETE", f"users/{name}/server", ok=(202, 204))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "" not in self.user(name).get("servers", {}):
                return
            time.sleep(0.3)
        raise HubError(f"{name}'s server did not stop within {timeout:.0f} s")

    def wait_ready(self, name: str, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.user(name).get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        raise HubError(f"{name}'s single-user server was not ready within {timeout:.0f} s. "
                       f"Hub log: {self.log_path}")


def _kill(p: psutil.Process) -> None:
    try:
        p.kill()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        pass


# ---------------------------------------------------------------------------------------------
# A learner
# ---------------------------------------------------------------------------------------------
class Learner:
    """One learner: logs in through the hub's form, then talks to their own server through the
    proxy (contents API, sessions, kernel websocket) with a token the hub issued for them."""

    def __init__(self, hub: Hub, name: str) -> None:
        self.hub, self.name = hub, name
        self.browser = requests.Session()                   # cookies, like a browser
        self.http = requests.Session()                      # token auth for the API calls
        self.base = f"{hub.url}/user/{name}"

    def login(self) -> None:
        """The hub's login page: GET the form (sets _xsrf), POST name + any password; the hub
        redirects to its spawn page and starts this learner's server."""
        r = self.browser.get(f"{self.hub.url}/hub/login", timeout=60)
        r.raise_for_status()
        xsrf = self.browser.cookies.get("_xsrf", path="/hub/")
        r = self.browser.post(f"{self.hub.url}/hub/login?next=", timeout=120, allow_redirects=False,
                              data={"username": self.name, "password": "pw", "_xsrf": xsrf})
        if r.status_code != 302:
            raise HubError(f"login of {self.name} -> {r.status_code}: {r.text[:300]}")
        # follow the redirects a browser would (to /hub/spawn..., which starts the server)
        self.browser.get(f"{self.hub.url}{r.headers['Location']}" if r.headers["Location"].startswith("/")
                         else r.headers["Location"], timeout=120)
        self.http.headers["Authorization"] = f"token {self.hub.user_token(self.name)}"

    def wait_ready(self, timeout: float = 300.0) -> None:
        self.hub.start_server(self.name)        # no-op (400) if the login already started it
        self.hub.wait_ready(self.name, timeout)

    def open_lab(self) -> requests.Response:
        """What the browser does after login: /user/<name>/lab through the proxy (OAuth with the hub)."""
        return self.browser.get(f"{self.base}/lab", timeout=120)

    # -- contents API ------------------------------------------------------------------------
    def api(self, method: str, path: str, ok: Iterable[int] = (200, 201, 204), **kw: Any) -> requests.Response:
        r = self.http.request(method, f"{self.base}/api/{path}", timeout=120, **kw)
        if r.status_code not in tuple(ok):
            raise HubError(f"{self.name}: {method} /user/{self.name}/api/{path} -> {r.status_code}: {r.text[:300]}")
        return r

    def upload(self, path: str, notebook: dict[str, Any]) -> None:
        self.api("PUT", f"contents/{quote(path)}", json={"type": "notebook", "format": "json",
                                                          "content": notebook})

    def put_text(self, path: str, text: str) -> None:
        self.api("PUT", f"contents/{quote(path)}", json={"type": "file", "format": "text", "content": text})

    def get(self, path: str) -> dict[str, Any]:
        return self.api("GET", f"contents/{quote(path)}").json()["content"]

    def exists(self, path: str) -> bool:
        return self.api("GET", f"contents/{quote(path)}?content=0", ok=(200, 404)).status_code == 200

    def git_pull(self, repo: str, branch: str = "main", targetpath: str | None = None,
                 timeout: float = 120.0) -> list[str]:
        """What nbgitpuller's link page does: stream /git-pull/api until finished; the lines."""
        params = {"repo": repo, "branch": branch}
        if targetpath:
            params["targetpath"] = targetpath
        r = self.http.get(f"{self.base}/git-pull/api", params=params, stream=True, timeout=timeout)
        r.raise_for_status()
        lines: list[str] = []
        for raw in r.iter_lines(decode_unicode=True):
            if not raw or not raw.startswith("data:"):
                continue
            event = json.loads(raw[5:])
            if event.get("output"):
                lines.append(event["output"].rstrip())
            if event.get("phase") == "finished":
                return lines
            if event.get("phase") == "error":
                raise HubError(f"nbgitpuller failed: {event.get('message')}\n{event.get('output', '')}\n"
                               + "\n".join(lines))
        raise HubError("nbgitpuller's stream ended without 'finished'\n" + "\n".join(lines))

    @contextmanager
    def kernel(self, path: str) -> Iterator["KernelClient"]:
        """A notebook session (kernel) for ``path`` and its websocket through the proxy."""
        session = self.api("POST", "sessions", json={"path": path, "type": "notebook", "name": path,
                                                    "kernel": {"name": "python3"}}).json()
        client = KernelClient(self, session["kernel"]["id"])
        try:
            yield client
        finally:
            client.close()
            try:
                self.api("DELETE", f"sessions/{session['id']}", ok=(204, 404, 500))
            except (HubError, requests.RequestException):
                pass


# ---------------------------------------------------------------------------------------------
# The kernel protocol over the websocket (jupyter_server's legacy JSON/binary framing)
# ---------------------------------------------------------------------------------------------
class KernelError(RuntimeError):
    pass


def _unpack(frame: bytes | str) -> dict[str, Any]:
    if isinstance(frame, str):
        return json.loads(frame)
    n = struct.unpack("!I", frame[:4])[0]
    offsets = list(struct.unpack("!" + "I" * n, frame[4:4 + 4 * n])) + [len(frame)]
    msg = json.loads(frame[offsets[0]:offsets[1]].decode())
    msg["buffers"] = [frame[offsets[i]:offsets[i + 1]] for i in range(1, n)]
    return msg


class KernelClient:
    """Sends shell requests and reads iopub/shell replies on one websocket."""

    def __init__(self, learner: Learner, kernel_id: str, connect_timeout: float = 60.0) -> None:
        self.learner = learner
        self.kernel_id = kernel_id
        self.session = uuid.uuid4().hex
        url = (learner.base.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
               f"?session_id={self.session}")
        self.ws = websocket.create_connection(
            url, timeout=connect_timeout,
            header=[f"Authorization: {learner.http.headers['Authorization']}"])
        self.comms: dict[str, dict[str, Any]] = {}       # comm_id -> latest known state

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001 - closing a dead socket
            pass

    def _msg(self, msg_type: str, content: dict[str, Any], channel: str = "shell") -> dict[str, Any]:
        return {"header": {"msg_id": uuid.uuid4().hex, "username": self.learner.name,
                           "session": self.session, "msg_type": msg_type, "version": "5.3",
                           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
                "buffers": []}

    def send(self, msg: dict[str, Any]) -> None:
        self.ws.send(json.dumps(msg))

    def recv(self, deadline: float) -> dict[str, Any]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no kernel message before the deadline")
        self.ws.settimeout(left)
        msg = _unpack(self.ws.recv())
        if msg.get("msg_type") == "comm_open" or msg["header"]["msg_type"] == "comm_open":
            c = msg["content"]
            self.comms[c["comm_id"]] = c.get("data", {}).get("state", {})
        return msg

    def execute(self, code: str, timeout: float = 180.0) -> dict[str, Any]:
        """Run ``code``; wait for execute_reply and idle. Returns {'stdout', 'error', 'seconds'}."""
        t0 = time.monotonic()
        msg = self._msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                            "user_expressions": {}, "allow_stdin": False,
                                            "stop_on_error": True})
        mid = msg["header"]["msg_id"]
        self.send(msg)
        deadline = t0 + timeout
        stdout, error, replied, idle = [], None, False, False
        while not (replied and idle):
            m = self.recv(deadline)
            if m.get("parent_header", {}).get("msg_id") != mid:
                continue
            t = m["header"]["msg_type"]
            if t == "stream" and m["content"]["name"] == "stdout":
                stdout.append(m["content"]["text"])
            elif t == "error":
                error = f"{m['content']['ename']}: {m['content']['evalue']}"
            elif t == "execute_reply":
                replied = True
                if m["content"]["status"] != "ok" and error is None:
                    error = f"{m['content'].get('ename')}: {m['content'].get('evalue')}"
            elif t == "status" and m["content"]["execution_state"] == "idle":
                idle = True
        return {"stdout": "".join(stdout), "error": error, "seconds": time.monotonic() - t0}

    def run_notebook(self, nb: dict[str, Any], timeout_per_cell: float = 300.0) -> float:
        """Execute every code cell top to bottom; raise KernelError at the first failing cell."""
        t0 = time.monotonic()
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            r = self.execute(src, timeout_per_cell)
            if r["error"]:
                raise KernelError(f"{self.learner.name}: cell {i} failed: {r['error']}")
        return time.monotonic() - t0

    def model_ids(self, explorer: str, control: str) -> dict[str, Any]:
        """The comm ids of an explorer's control and its canvas (instrumentation, not a learner
        action: a browser knows them from the widget views it renders)."""
        code = (f"import json as _j; _e = {explorer}; _c = _e.controls[{control!r}]\n"
                f"print(_j.dumps({{'control': _c.model_id, 'canvas': _e.canvas.model_id, "
                f"'value': _c.value, 'min': _c.min, 'max': _c.max}}))")
        r = self.execute(code, 60)
        if r["error"]:
            raise KernelError(f"{self.learner.name}: cannot find {explorer}.controls[{control!r}]: {r['error']}")
        return json.loads(r["stdout"].strip().splitlines()[-1])

    def set_value(self, control_comm: str, canvas_comm: str, value: float,
                  timeout: float = 30.0) -> float:
        """One slider move as JupyterLab sends it (comm_msg 'update' to the control's model);
        waits until the canvas model receives its new frame and the kernel is idle again.
        Returns the round trip in seconds; raises TimeoutError/KernelError."""
        t0 = time.monotonic()
        msg = self._msg("comm_msg", {"comm_id": control_comm,
                                     "data": {"method": "update", "state": {"value": value},
                                              "buffer_paths": []}})
        mid = msg["header"]["msg_id"]
        self.send(msg)
        deadline = t0 + timeout
        framed = idle = False
        while not (framed and idle):
            m = self.recv(deadline)
            if m.get("parent_header", {}).get("msg_id") != mid:
                continue
            t = m["header"]["msg_type"]
            if t == "comm_msg" and m["content"]["comm_id"] == canvas_comm:
                data = m["content"]["data"]
                if data.get("method") == "update" and "frame" in data.get("state", {}) | {
                        p[0]: None for p in data.get("buffer_paths", []) if p}:
                    framed = True
            elif t == "error":
                raise KernelError(f"{self.learner.name}: {m['content']['ename']}: {m['content']['evalue']}")
            elif t == "status" and m["content"]["execution_state"] == "idle":
                idle = True
        return time.monotonic() - t0


@dataclass
class DragResult:
    times: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def drag(client: KernelClient, explorer: str, control: str, duration: float,
         interval: float = 0.5, stop: threading.Event | None = None) -> DragResult:
    """Move ``explorer.controls[control]`` every ``interval`` s for ``duration`` s, the way a
    learner drags a slider: values sweep back and forth around the starting value within the
    slider's range (log sliders: min/max are exponents). Then check the kernel agrees."""
    ids = client.model_ids(explorer, control)
    v0, lo, hi = ids["value"], ids["min"], ids["max"]
    log_slider = lo < 0 or (v0 > 0 and v0 < lo)       # FloatLogSlider: min/max are exponents
    res = DragResult()
    t_start = time.monotonic()
    k = 0
    value = previous = v0
    while time.monotonic() - t_start < duration and not (stop and stop.is_set()):
        t_tick = time.monotonic()
        s = 0.5 * (1 + math.sin(0.7 * (k + 1)))                  # 0..1, a back-and-forth drag
        if log_slider:
            e0 = math.log10(v0)
            value = 10 ** (e0 - 0.5 + s)                        # one decade around the default
            value = min(max(value, 10 ** lo), 10 ** hi)
        else:
            value = lo + (hi - lo) * (0.25 + 0.5 * s)
        value = float(f"{value:.6g}")
        if value == previous:                  # an unchanged value sends nothing: nudge it
            value = float(f"{value * 1.01:.6g}")
        previous = value
        try:
            res.times.append(client.set_value(ids["control"], ids["canvas"], value))
        except (TimeoutError, KernelError, websocket.WebSocketException, OSError) as exc:
            res.failures.append(f"{client.learner.name}: move {k}: {type(exc).__name__}: {exc}")
            if isinstance(exc, (websocket.WebSocketException, OSError)):
                break
        k += 1
        time.sleep(max(0.0, interval - (time.monotonic() - t_tick)))
    res.seconds = time.monotonic() - t_start
    if not res.failures:
        try:
            check = client.execute(
                f"assert abs({explorer}.controls[{control!r}].value - {value!r}) <= 1e-9 * abs({value!r}), "
                f"{explorer}.controls[{control!r}].value\n"
                f"assert not getattr({explorer}, 'error', None), {explorer}.error", 60)
            if check["error"]:
                res.failures.append(f"{client.learner.name}: after dragging: {check['error']}")
        except (TimeoutError, websocket.WebSocketException, OSError) as exc:
            res.failures.append(f"{client.learner.name}: after dragging: {exc}")
    return res


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    i = (len(s) - 1) * q
    lo, hi = int(i), min(int(i) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (i - lo)


# ---------------------------------------------------------------------------------------------
# A class: N learners at once
# ---------------------------------------------------------------------------------------------
NOTEBOOK = ROOT / "notebooks" / "03_gradient_descent.ipynb"


@dataclass
class ClassResult:
    n: int
    duration: float
    spawn_s: list[float] = field(default_factory=list)        # login -> own server ready
    exec_s: list[float] = field(default_factory=list)         # notebook top to bottom
    move_s: dict[str, list[float]] = field(default_factory=dict)   # per learner: slider round trips
    failures: list[str] = field(default_factory=list)
    victim: str | None = None                                 # whose kernel was killed
    victim_failures: list[str] = field(default_factory=list)
    hub_rss: int = 0                                          # peak, hub + proxy
    hub_rss_parts: dict[str, int] = field(default_factory=dict)
    learner_rss: dict[str, int] = field(default_factory=dict) # peak server + kernel, per learner
    learner_cpu: dict[str, float] = field(default_factory=dict)   # cores used while dragging
    hub_cpu: float = 0.0                                      # cores used by hub + proxy while dragging
    server_rss: dict[str, int] = field(default_factory=dict)  # peak, per learner
    kernel_rss: dict[str, int] = field(default_factory=dict)  # peak, per learner
    wall_s: float = 0.0
    load_avg: tuple[float, float, float] = (0.0, 0.0, 0.0)               # machine load at the end

    def summary(self) -> dict[str, Any]:
        moves = [t for name, ts in self.move_s.items() if name != self.victim for t in ts]
        rss = sorted(self.learner_rss.values())
        cpu = sorted(v for k, v in self.learner_cpu.items() if k != self.victim)
        mib = 2 ** 20
        return {
            "n": self.n, "drag_s": self.duration, "wall_s": round(self.wall_s, 1),
            "failures": len(self.failures), "victim": self.victim,
            "victim_failures": len(self.victim_failures),
            "hub_proxy_mib": round(self.hub_rss / mib, 1),
            "hub_mib": round(self.hub_rss_parts.get("hub", 0) / mib, 1),
            "proxy_mib": round(self.hub_rss_parts.get("proxy", 0) / mib, 1),
            "learner_mib_median": round(percentile(rss, 0.5) / mib, 1) if rss else None,
            "learner_mib_max": round(rss[-1] / mib, 1) if rss else None,
            "server_mib_median": round(percentile(sorted(self.server_rss.values()), 0.5) / mib, 1)
            if self.server_rss else None,
            "kernel_mib_median": round(percentile(sorted(self.kernel_rss.values()), 0.5) / mib, 1)
            if self.kernel_rss else None,
            "kernel_mib_max": round(max(self.kernel_rss.values()) / mib, 1) if self.kernel_rss else None,
            "total_mib": round((self.hub_rss + sum(rss)) / mib, 1),
            "cpu_per_learner_dragging": round(percentile(cpu, 0.5), 4) if cpu else None,
            "cpu_per_learner_max": round(cpu[-1], 4) if cpu else None,
            "hub_proxy_cpu_dragging": round(self.hub_cpu, 4),
            "moves": len(moves),
            "response_ms_median": round(1000 * percentile(moves, 0.5), 1) if moves else None,
            "response_ms_p95": round(1000 * percentile(moves, 0.95), 1) if moves else None,
            "response_ms_max": round(1000 * max(moves), 1) if moves else None,
            "exec_s_median": round(percentile(self.exec_s, 0.5), 1) if self.exec_s else None,
            "exec_s_max": round(max(self.exec_s), 1) if self.exec_s else None,
            "spawn_s_median": round(percentile(self.spawn_s, 0.5), 1) if self.spawn_s else None,
            "spawn_s_max": round(max(self.spawn_s), 1) if self.spawn_s else None,
            "load_avg_1_5_15": [round(x, 1) for x in self.load_avg],
        }


def run_class(hub: Hub, n: int, duration: float, *, notebook: Path = NOTEBOOK,
              explorer: str = "explorer", control: str = "lr", interval: float = 0.5,
              kill_one: bool = False, prefix: str = "learner", log=print) -> ClassResult:
    """N learners at once: log in, get a server, open ``notebook`` through the proxy, run it top
    to bottom, then all drag ``explorer.controls[control]`` every ``interval`` s for
    ``duration`` s while memory and CPU are sampled. ``kill_one``: halfway through the drag,
    SIGKILL the first learner's kernel; the others must not notice."""
    res = ClassResult(n=n, duration=duration)
    names = [f"{prefix}{i:02d}" for i in range(n)]
    res.victim = names[0] if kill_one else None
    nb_json = json.loads(notebook.read_text())
    path = notebook.name
    lock = threading.Lock()
    marks: dict[str, Any] = {}

    def at_drag_start() -> None:
        marks["t0"], marks["snap0"] = time.monotonic(), hub.snapshot()

    start_line = threading.Barrier(n, action=at_drag_start, timeout=1800)
    end_line = threading.Barrier(n, timeout=1800)
    done = threading.Event()

    def fail(msg: str) -> None:
        with lock:
            (res.victim_failures if msg.startswith(f"{res.victim}:") else res.failures).append(msg)

    def learner(name: str) -> None:
        ok = False
        client = None
        L = Learner(hub, name)
        try:
            t = time.monotonic()
            L.login()
            L.wait_ready()
            with lock:
                res.spawn_s.append(time.monotonic() - t)
            L.upload(path, nb_json)
            with L.kernel(path) as client:
                secs = client.run_notebook(L.get(path))
                with lock:
                    res.exec_s.append(secs)
                ok = True
                _arrive(start_line)
                c0, t0 = hub.user_cpu(name), time.monotonic()
                d = drag(client, explorer, control, duration, interval)
                c1, t1 = hub.user_cpu(name), time.monotonic()
                with lock:
                    res.learner_cpu[name] = (c1 - c0) / (t1 - t0)
                with lock:
                    res.move_s[name] = d.times
                for f in d.failures:
                    fail(f)
                _arrive(end_line)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is hidden
            fail(f"{name}: {type(exc).__name__}: {exc}")
        finally:
            if not ok:
                _arrive(start_line)
                _arrive(end_line)

    t_all = time.monotonic()
    threads = [threading.Thread(target=learner, args=(nm,), daemon=True) for nm in names]
    for th in threads:
        th.start()
    peak_hub: dict[str, int] = {"hub": 0, "proxy": 0}
    peak_user: dict[str, int] = {}
    peak_server: dict[str, int] = {}
    peak_kernel: dict[str, int] = {}
    killed = False
    while any(th.is_alive() for th in threads):
        snap = hub.snapshot()
        peak_hub = {k: max(peak_hub[k], snap[k]) for k in peak_hub}
        for u, d in snap["users"].items():
            peak_user[u] = max(peak_user.get(u, 0), d["server"] + d["kernel"])
            peak_server[u] = max(peak_server.get(u, 0), d["server"])
            peak_kernel[u] = max(peak_kernel.get(u, 0), d["kernel"])
        if "t0" in marks and "hub_end" not in marks and time.monotonic() - marks["t0"] >= duration:
            marks["hub_end"] = (time.monotonic(), snap)
        if kill_one and not killed and "t0" in marks and time.monotonic() - marks["t0"] > duration / 2:
            pids = snap["users"].get(res.victim, {}).get("kernel_pids", [])
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            killed = True
            log(f"  killed {res.victim}'s kernel (pid {pids}) at {time.monotonic() - marks['t0']:.1f} s into the drag")
        time.sleep(1.0)
    done.set()
    res.wall_s = time.monotonic() - t_all
    res.hub_rss = peak_hub["hub"] + peak_hub["proxy"]
    res.hub_rss_parts = peak_hub
    res.learner_rss = peak_user
    res.server_rss, res.kernel_rss = peak_server, peak_kernel
    if "snap0" in marks and "hub_end" in marks:
        s0, (t1, s1) = marks["snap0"], marks["hub_end"]
        res.hub_cpu = (s1["hub_cpu"] + s1["proxy_cpu"] - s0["hub_cpu"] - s0["proxy_cpu"]) / (t1 - marks["t0"])
    res.load_avg = os.getloadavg()
    if kill_one and not killed:
        res.failures.append("the victim's kernel was never killed (drag phase not reached)")
    return res


def _arrive(barrier: threading.Barrier) -> None:
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
