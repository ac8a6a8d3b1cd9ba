"""Real git servers on 127.0.0.1 for the sync tests: ``git daemon``, smart HTTP
(``git http-backend`` as CGI behind a small http.server) and ``sshd`` (Debian's
openssh-server, a throw-away host key and user key). Each serves the bare repositories
under one folder, on a free port, and is stopped when its fixture ends.

A server's ``url(name)`` is the URL a clone syncs with. ssh needs the user's ssh command:
``ssh_command`` is what a test puts in its global git config (``core.sshCommand``), the
way a user would; the tracker never takes it from a repository's config.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 15.0) -> None:
    """Until the server accepts a connection (or its process died, or time ran out)."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on port {port}")
        time.sleep(0.02)


def bare(root: Path, name: str) -> Path:
    """A new bare repository ``root/name`` whose HEAD names ``main`` (as the stores do)."""
    path = root / name
    subprocess.run(
        ["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True, env=_git_env()
    )
    # Smart HTTP pushes only where the repository allows it (no authenticated user here).
    subprocess.run(["git", "-C", str(path), "config", "http.receivepack", "true"], check=True)
    return path


def _git_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.environ.get("GIT_CONFIG_GLOBAL", "/dev/null"),
    }


@dataclass
class Server:
    kind: str
    root: Path
    port: int
    ssh_command: str = ""
    user: str = "root"

    def url(self, name: str) -> str:
        if self.kind == "file":
            return (self.root / name).as_uri()
        if self.kind == "git":
            return f"git://127.0.0.1:{self.port}/{name}"
        if self.kind == "http":
            return f"http://127.0.0.1:{self.port}/{name}"
        return f"ssh://{self.user}@127.0.0.1:{self.port}{self.root / name}"


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def git_daemon(root: Path) -> Iterator[Server]:
    port = free_port()
    proc = subprocess.Popen(
        [
            "git", "daemon", "--export-all", "--enable=receive-pack", "--reuseaddr",
            f"--base-path={root}", "--listen=127.0.0.1", f"--port={port}", str(root),
        ],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=_git_env(),
    )  # fmt: skip
    try:
        wait_for_port(port, proc)
        yield Server("git", root, port)
    finally:
        _stop(proc)


class _Backend(BaseHTTPRequestHandler):
    """Smart HTTP: every request handed to ``git http-backend`` as CGI."""

    root: Path

    def do_GET(self) -> None:
        self._cgi(b"")

    def do_POST(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._cgi(body)

    def _cgi(self, body: bytes) -> None:
        path, _, query = self.path.partition("?")
        env = _git_env() | {
            "GIT_PROJECT_ROOT": str(self.server.root),  # type: ignore[attr-defined]
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        proc = subprocess.run(
            ["git", "http-backend"], input=body, capture_output=True, env=env, check=False
        )
        head, _, payload = proc.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = proc.stdout.partition(b"\n\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.strip().split()[0])
            elif key:
                headers.append((key, value.strip()))
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the tests read the tracker's output, not the server's


@contextlib.contextmanager
def http_backend(root: Path) -> Iterator[Server]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
    server.root = root  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server("http", root, server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def sshd_missing() -> str | None:
    """Why the ssh tests cannot run here, or None."""
    if not os.path.exists(SSHD):
        return "sshd is not installed (apt-get install openssh-server)"
    if not shutil.which("ssh") or not shutil.which("ssh-keygen"):
        return "the ssh client is not installed"
    if os.geteuid() != 0 and not os.path.isdir("/run/sshd"):
        return "sshd needs /run/sshd, which only root can make"
    return None


@contextlib.contextmanager
def sshd(root: Path, keys: Path) -> Iterator[Server]:
    """sshd on a free port that lets in one throw-away key, as the user running the
    tests (root in CI); the URL names the repositories by absolute path."""
    keys.mkdir(parents=True, exist_ok=True)
    for name in ("host", "user"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True
        )
    (keys / "authorized_keys").write_bytes((keys / "user.pub").read_bytes())
    (keys / "authorized_keys").chmod(0o600)
    if not os.path.isdir("/run/sshd"):
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation
    port = free_port()
    config = keys / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
        f"AuthorizedKeysFile {keys / 'authorized_keys'}\nPidFile {keys / 'sshd.pid'}\n"
        "UsePAM no\nStrictModes no\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "PermitRootLogin prohibit-password\nLogLevel ERROR\n"
    )
    proc = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    user = os.environ.get("USER") or "root"
    # One connection shared by every git call of the tests (ControlMaster): an ssh
    # handshake per fetch and push would be most of the ssh tests' time.
    control = keys / "control"
    command = (
        f"ssh -i {keys / 'user'} -o IdentitiesOnly=yes -o BatchMode=yes "
        "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "
        f"-o ControlMaster=auto -o ControlPath={control} -o ControlPersist=60"
    )
    try:
        wait_for_port(port, proc)
        yield Server("ssh", root, port, ssh_command=command, user=user)
    finally:
        subprocess.run(
            ["ssh", "-o", f"ControlPath={control}", "-O", "exit", f"{user}@127.0.0.1"],
            capture_output=True, check=False, timeout=10,
        )  # fmt: skip
        _stop(proc)


def use_ssh_command(command: str) -> None:
    """Put the ssh command in the test's global git config (core.sshCommand), which is
    where the tracker takes it from."""
    path = Path(os.environ["GIT_CONFIG_GLOBAL"])
    text = path.read_text() if path.exists() else ""
    path.write_text(text + f"[core]\n\tsshCommand = {command}\n")
