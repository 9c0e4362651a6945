# Retain code-execution harness: the trusted supervisor inside the sandbox. It reads one job (JSON) from stdin,
# confines the sandbox (private, read-only mounts; an unprivileged uid or no capabilities; limits), starts runner.py
# as a fresh process for the untrusted program, and writes "<token> <outcome>" to its own stdout, the host's verdict
# channel. The token never enters the runner, the runner gets no handle on that stdout, and this process is made
# non-dumpable so the runner cannot reach its memory or file descriptors through /proc or ptrace either.
import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import time

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME, MS_STRICTATIME = 16384, 1 << 18, 1 << 21, 1 << 24
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 4, 24, 38
REPORT_LIMIT = 65536

libc = ctypes.CDLL(None, use_errno=True)


def _mount(source, target, fstype, flags, data):
    enc = lambda s: None if s is None else s.encode()
    if libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {target}: {os.strerror(errno)}")


def _mount_points():
    # /proc/self/mountinfo: "id parent major:minor root mountpoint options ..."; octal escapes for spaces etc.
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            point = fields[4].encode().decode("unicode_escape")
            yield point, fields[5].split(",")


def _read_only_everywhere():
    # Every mount becomes read-only inside this mount namespace (the host's mounts are untouched), so no
    # world-writable place (/run/lock, /var/lock, /run/user/*, ...) can be written from the sandbox; the per-mount
    # flags are kept because a user namespace may not clear them.
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    keep = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
            "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}
    failed = []
    for point, options in sorted(_mount_points(), key=lambda m: m[0]):
        # /proc (fresh, it shadows the host's submounts) and /sys hold no world-writable data, only kernel files.
        if "ro" in options or any(point == p or point.startswith(p + "/") for p in ("/proc", "/sys")):
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for option in options:
            flags |= keep.get(option, 0)
        if not any(o in options for o in ("noatime", "relatime")):
            flags |= MS_STRICTATIME
        try:
            _mount(None, point, None, flags, None)
        except OSError as e:
            if os.path.ismount(point):  # else it is shadowed by a later mount and cannot be reached anyway
                failed.append(f"{point} ({e.strerror})")
    if failed:
        raise RuntimeError("could not make these mounts read-only: " + ", ".join(failed))


def _private_tmp():
    for target in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(target) and not os.path.islink(target):
            _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")


def _real_root():
    if os.getuid() != 0:
        return False
    try:
        with open("/proc/self/uid_map") as f:
            fields = f.readline().split()
        return len(fields) == 3 and fields[1] == "0"
    except OSError:
        return True


def _confine(job):
    if job["private_mounts"] and os.getpid() == 1:
        _read_only_everywhere()
        _private_tmp()
        os.makedirs("/tmp/work", exist_ok=True)
        os.chdir("/tmp/work")
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise RuntimeError("could not make the harness non-dumpable")
    uid = job["drop_to"] if _real_root() else None
    if uid is not None:
        os.chown(".", uid, uid)
    return uid


def _drop_capabilities():
    # Root inside a user namespace: the runner keeps uid 0 there, so it loses every capability instead (the bounding
    # set too, so an exec cannot regain them) and may gain no privileges later.
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header, data = Header(0x20080522, 0), (Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def _runner_setup(job, uid):
    import resource
    limits = job["limits"]

    def setup():
        # Runs in the forked child just before it executes the runner: the fresh interpreter keeps none of this memory.
        os.setsid()
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            if os.getuid() == 0:
                os._exit(121)
        elif os.getuid() == 0:
            _drop_capabilities()
        for name, value in (("RLIMIT_AS", limits["memory"]), ("RLIMIT_NPROC", limits["processes"]),
                            ("RLIMIT_FSIZE", limits["file_size"]), ("RLIMIT_CPU", limits["cpu_seconds"]),
                            ("RLIMIT_CORE", 0), ("RLIMIT_NOFILE", 256)):
            if value is not None and hasattr(resource, name):
                resource.setrlimit(getattr(resource, name), (value, value))
    return setup


def _run(job, uid):
    read_end, write_end = os.pipe()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": os.getcwd(),
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    runner = subprocess.Popen([sys.executable, "-I", "-B", "-c", job["runner"], "retain-sandbox-program", str(job["timeout"]), str(write_end)],
                              stdin=subprocess.PIPE, stdout=2, stderr=2, pass_fds=(write_end,), close_fds=True, env=env,
                              preexec_fn=_runner_setup(job, uid))
    os.close(write_end)
    # Made now, in this process, and sent only when the runner says the program's top-level code has finished.
    nonce = os.urandom(16).hex()
    _send(runner, {"program": job["program"], "tests": job["tests"]}, close=False)
    report = b""
    nonce_sent = False
    deadline = time.monotonic() + job["timeout"] + 0.5
    killed = False
    while runner.poll() is None:
        left = deadline - time.monotonic()
        if left <= 0:
            runner.kill()
            runner.wait()
            killed = True
            break
        ready, _, _ = select.select([read_end], [], [], min(left, 0.05))
        if ready:
            chunk = os.read(read_end, REPORT_LIMIT)
            report += chunk[:max(0, REPORT_LIMIT - len(report))]
            if not nonce_sent and report.startswith(b"ready\n"):
                # The first thing on the pipe is the runner's request: anything before it came from the program.
                report = report[len(b"ready\n"):]
                _send(runner, {"nonce": nonce}, close=True)
                nonce_sent = True
            elif not nonce_sent and not b"ready\n".startswith(report[:6]):
                # The program wrote first; the runner would only wait for a nonce that will never come.
                runner.kill()
                runner.wait()
                break
    os.set_blocking(read_end, False)
    try:
        while len(report) < REPORT_LIMIT and (chunk := os.read(read_end, REPORT_LIMIT)):
            report += chunk
    except BlockingIOError:
        pass
    return _judge(report, nonce if nonce_sent else None, runner.returncode, killed)


def _send(runner, message, close):
    try:
        runner.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
        runner.stdin.flush()
        if close:
            runner.stdin.close()
    except OSError:
        pass  # it died before reading; its exit says why


def _judge(report, nonce, code, killed):
    lines = [line for line in report.decode("utf-8", "replace").split("\n") if line]
    if code == 121:
        raise RuntimeError("could not drop root privileges")
    if nonce is None and report and not b"ready\n".startswith(report[:6]):
        # The runner asks for the nonce before it writes anything else: this is the program's own writing.
        return "failed: the program wrote to the harness's report channel before its tests ran"
    if killed:
        return "timed out"
    if len(lines) > 1:
        # The runner writes exactly one line, last: more means the program wrote to the report pipe itself.
        return "failed: the program wrote to the harness's report channel"
    if len(lines) == 1 and not lines[0].startswith(nonce + " "):
        return "failed: the report line does not carry this run's nonce (the program wrote it)"
    if code == 0 and len(lines) == 1:
        return lines[0][len(nonce) + 1:]
    if code == -signal.SIGXCPU or code == -signal.SIGKILL:
        return "timed out"
    if code is not None and code < 0:
        return f"failed: killed by signal {signal.Signals(-code).name}"
    return f"failed: no result (exit code {code})"


def main():
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    token = job.pop("token")
    out = sys.stdout
    try:
        uid = _confine(job)
        outcome = _run(job, uid)
    except Exception as e:  # the sandbox could not be set up: never run the program unconfined
        outcome = f"error: {type(e).__name__}: {e}"
    out.write(f"{token} {outcome}".replace("\n", " ") + "\n")
    out.flush()


main()
