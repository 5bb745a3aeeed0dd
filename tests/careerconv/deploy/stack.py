"""Running docker-compose.yml's services on this host, without Docker: each service's `command` with the environment
compose would give it (its `env_file` and its interpolated `environment`), the service names db, redis and web
mapped to processes on 127.0.0.1, and its `healthcheck.test` run as a plain command.

Every process is started in its own process group and ended, whatever happens, by `Stack.close()`.
"""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "docker-compose.yml"
LOCAL = "127.0.0.1"
BIN = Path(sys.executable).parent

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$\$")


def interpolate(value, variables):
    """Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, nested defaults, $$."""

    def substitute(match):
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        value = variables.get(name)
        empty = value is None or (operator and operator.startswith(":") and value == "")
        if operator in (":-", "-") and empty:
            return interpolate(argument, variables)
        if operator in (":?", "?") and empty:
            raise ValueError(f"compose would refuse to start: {argument}")
        return value or ""

    return _VARIABLE.sub(substitute, value)


def read_env_file(path):
    """KEY=VALUE lines as compose reads .env: comments and blank lines skipped, quotes removed (single quotes keep
    the value as written; elsewhere ${…} is interpolated)."""
    variables = {}
    for line in Path(path).read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, value = line.split("=", 1)
        if len(value) >= 2 and value[0] == value[-1] == "'":
            variables[name.strip()] = value[1:-1]
        else:
            value = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
            variables[name.strip()] = interpolate(value, variables)
    return variables


def load_compose():
    return yaml.safe_load(COMPOSE.read_text())


def free_port():
    with socket.socket() as probe:
        probe.bind((LOCAL, 0))
        return probe.getsockname()[1]


class Stack:
    """The compose services as host processes. `hosts` maps a compose service name to its address on 127.0.0.1;
    `image_env` is what the Dockerfile's ENV lines give every container; `container_paths` maps paths inside the
    image to folders on this host."""

    def __init__(self, *, dotenv, workdir, hosts, image_env, container_paths):
        self.compose = load_compose()
        self.dotenv = read_env_file(dotenv)
        self.workdir = Path(workdir)
        self.hosts = hosts
        self.image_env = image_env
        self.container_paths = container_paths
        self.processes = {}
        # Every replica started, running or not: a stopped container's health check still runs (and fails).
        self.replicas = {}

    def _to_host(self, text):
        for container_path, host_path in self.container_paths.items():
            text = text.replace(container_path, str(host_path))
        for service, (host, port, container_port) in self.hosts.items():
            text = text.replace(f"0.0.0.0:{container_port}", f"{host}:{port}")
            text = text.replace(f"{LOCAL}:{container_port}", f"{host}:{port}")
            text = re.sub(rf"(//|@){service}:{container_port}\b", rf"\g<1>{host}:{port}", text)
        return text

    def environment(self, service, *, hostname):
        """The container's environment: the image's ENV, then env_file, then the service's environment."""
        definition = self.compose["services"][service]
        env = {"PATH": f"{BIN}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT), "HOSTNAME": hostname,
               **self.image_env}
        for env_file in definition.get("env_file", []):
            assert env_file == ".env", env_file
            env.update(self.dotenv)
        for name, value in definition.get("environment", {}).items():
            env[name] = self._to_host(interpolate(str(value), self.dotenv))
        for service_name, (host, port, _container_port) in self.hosts.items():
            if env.get("POSTGRES_HOST") == service_name:
                env["POSTGRES_HOST"], env["POSTGRES_PORT"] = host, str(port)
        return env

    def command(self, service):
        return [self._to_host(part) for part in self.compose["services"][service]["command"]]

    def start(self, service, *, name=None, hostname=None, extra_args=()):
        """Start a service (or one replica of it, under `name`); `hostname` stands for the container's host name."""
        name = name or service
        hostname = hostname or f"{name}-container"
        log = open(self.workdir / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen([*self.command(service), *extra_args], cwd=ROOT,
                                   env=self.environment(service, hostname=hostname), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = (process, log, service, hostname)
        self.replicas[name] = (service, hostname)
        return process

    def run(self, service, *, timeout):
        """A one-shot service (migrate): its exit status, as service_completed_successfully would see it."""
        process = self.start(service)
        try:
            return process.wait(timeout=timeout)
        finally:
            self.stop(service)

    def log(self, name):
        return (self.workdir / f"{name}.log").read_text()

    def healthcheck(self, name):
        """Run the service's healthcheck.test in its environment; True when it exits 0 within its timeout."""
        service, hostname = self.replicas.get(name, (name, f"{name}-container"))
        check = self.compose["services"][service]["healthcheck"]
        test = check["test"]
        if test[0] == "CMD":
            args = [self._to_host(interpolate(part, {})) for part in test[1:]]
        else:
            assert test[0] == "CMD-SHELL", test
            args = ["sh", "-c", self._to_host(interpolate(test[1], {}))]
        timeout = int(check.get("timeout", "30s").rstrip("s"))
        try:
            result = subprocess.run(args, cwd=ROOT, env=self.environment(service, hostname=hostname),
                                    capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return result.returncode == 0

    def stop(self, name):
        process, log, _service, _hostname = self.processes.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()

    def close(self):
        for name in list(self.processes):
            self.stop(name)


def start_process(args, *, log_path, env=None):
    log = open(log_path, "w")  # noqa: SIM115 - closed by stop_process
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    process.log = log
    return process


def stop_process(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    process.log.close()


def command_line(args):
    return " ".join(shlex.quote(part) for part in args)


def dockerfile_instructions():
    """The Dockerfile's instructions as (keyword, argument) pairs, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    return [tuple(line.split(None, 1)) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def dockerfile_env():
    env = {}
    for keyword, argument in dockerfile_instructions():
        if keyword == "ENV":
            env.update(part.split("=", 1) for part in shlex.split(argument))
    return env


def build_static_files(static_root, var_dir):
    """Run the Dockerfile's collectstatic step as the build does: the image's ENV, the step's own variables, and
    nothing of this machine's settings; the image's /app paths mapped to folders here. Returns the process result."""
    step = next(argument for keyword, argument in dockerfile_instructions()
                if keyword == "RUN" and "collectstatic" in argument)
    words = shlex.split(step.split("&&")[0])
    step_env = dict(word.split("=", 1) for word in words if re.fullmatch(r"[A-Z_]+=.*", word))
    command = [word for word in words if not re.fullmatch(r"[A-Z_]+=.*", word)]
    assert command[:2] == ["python", "manage.py"], command
    env = {"PATH": os.environ["PATH"], **dockerfile_env(), **step_env,
           "STATIC_ROOT": str(static_root), "CAREERCONV_VAR_DIR": str(var_dir)}
    return subprocess.run([sys.executable, *command[1:]], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
