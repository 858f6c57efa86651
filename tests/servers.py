"""Real servers for the tests that need more than Django's test client: Varnish in front
(Debian's varnish with varnish-modules' xkey) and gunicorn app servers, on 127.0.0.1 only,
each stopped by its PID when the block ends."""

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.bench_import import production_environment

ROOT = Path(__file__).resolve().parent.parent
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
VCL = ROOT / "site_config" / "varnish.vcl"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, **headers):
    """(status, headers, body) of a GET, without following redirects or raising."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def wait_until_answering(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def stopped_at_exit(process):
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def varnish(backend_port, folder):
    """Varnish with the site's VCL, in front of 127.0.0.1:``backend_port``; yields its URL."""
    port = free_port()
    vcl = Path(folder) / "varnish.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000"', f'.port = "{backend_port}"'))
    command = [
        VARNISHD, "-F", "-j", "none", "-T", "none", "-a", f"127.0.0.1:{port}",
        "-f", str(vcl), "-n", str(Path(folder) / "varnish"), "-s", "malloc,32m",
    ]  # fmt: skip
    log = open(Path(folder) / "varnish.log", "w")  # noqa: SIM115 - closed below
    with log, stopped_at_exit(subprocess.Popen(command, stdout=log, stderr=log)):
        url = f"http://127.0.0.1:{port}"
        wait_until_answering(url + "/robots.txt")
        yield url


@contextlib.contextmanager
def gunicorn(env, *, workers=2, port=None):
    """The site under gunicorn with ``env``; yields its URL. ``workers``: None for as many as
    site_config/gunicorn.conf.py chooses."""
    port = port or free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "--config",
        str(ROOT / "site_config" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
        *(["--workers", str(workers)] if workers else []), "site_config.wsgi",
    ]  # fmt: skip
    with stopped_at_exit(subprocess.Popen(command, cwd=ROOT, env=env)):
        url = f"http://127.0.0.1:{port}"
        wait_until_answering(url + "/robots.txt")
        yield url


def manage(env, *arguments):
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, check=True, timeout=300
    )


def production_env(database_url, **overrides):
    """The benchmarks' production environment (debug off) on 127.0.0.1, with cookies over plain
    HTTP, plain static files, and ``overrides``."""
    env = production_environment(database_url, host="127.0.0.1")
    env = {name: value for name, value in env.items() if not name.startswith("PYTEST")}
    env.update(
        DJANGO_SECRET_KEY="tests-only-not-a-secret",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_PLAIN_STATIC="1",
        **overrides,
    )
    return env
