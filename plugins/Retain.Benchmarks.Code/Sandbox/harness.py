# Retain code-execution harness. Runs inside the sandbox process, reads one job (JSON) from stdin, confines itself,
# executes the program as HF evaluate's code_eval does (fresh empty globals, swallowed I/O, stdin that raises, a
# real-time timer, the reliability guard) and writes "<token> <outcome>" to the original stdout.
import json
import os
import sys


def _private_tmp():
    # Only as PID 1 of a fresh PID + mount namespace: these mounts vanish with the namespace.
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    for target in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(target):
            libc.mount(b"tmpfs", target.encode(), b"tmpfs", 0, b"size=64m,mode=1777")


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
    import resource
    if job["private_mounts"] and os.getpid() == 1:
        _private_tmp()
        os.makedirs("/tmp/work", exist_ok=True)
        os.chdir("/tmp/work")
    uid = job["drop_to"]
    if _real_root():
        # Root bypasses RLIMIT_NPROC and may write anywhere: become an unprivileged user first.
        os.chown(".", uid, uid)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        if os.getuid() == 0:
            raise RuntimeError("could not drop root privileges")
    limits = job["limits"]
    for name, value in (("RLIMIT_AS", limits["memory"]), ("RLIMIT_NPROC", limits["processes"]),
                        ("RLIMIT_FSIZE", limits["file_size"]), ("RLIMIT_CPU", limits["cpu_seconds"]),
                        ("RLIMIT_CORE", 0), ("RLIMIT_NOFILE", 256)):
        if value is not None and hasattr(resource, name):
            resource.setrlimit(getattr(resource, name), (value, value))
    os.environ["HOME"] = os.getcwd()


class _Sink:
    # Discards writes (code_eval swallows output) and raises on reads, like its WriteOnlyStringIO.
    def write(self, s):
        return len(s)

    def writelines(self, lines):
        pass

    def flush(self):
        pass

    def isatty(self):
        return False

    def readable(self):
        return False

    def read(self, *args):
        raise OSError("stdin is not readable here")

    readline = readlines = read


class _TimedOut(Exception):
    pass


def _reliability_guard():
    import builtins
    import faulthandler
    import shutil
    import subprocess
    faulthandler.disable()
    builtins.exit = None
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork", "forkpty",
                 "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown", "chmod", "chown",
                 "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        setattr(os, name, None)
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None


def main():
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    result = os.fdopen(os.dup(1), "w")
    token = job["token"]
    try:
        _confine(job)
    except Exception as e:  # the sandbox could not be set up: never run the program unconfined
        result.write(f"{token} error: {type(e).__name__}: {e}\n")
        result.flush()
        return
    import signal
    sink = _Sink()
    sys.stdin = sink

    def on_alarm(signum, frame):
        raise _TimedOut()

    outcome = "passed"
    _reliability_guard()
    saved_out, saved_err = sys.stdout, sys.stderr
    try:
        sys.stdout = sys.stderr = sink
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, job["timeout"])
        try:
            exec(job["program"], {})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _TimedOut:
        outcome = "timed out"
    except BaseException as e:
        outcome = f"failed: {e}"
    finally:
        sys.stdout, sys.stderr = saved_out, saved_err
    result.write(f"{token} {outcome}".replace("\n", " ") + "\n")
    result.flush()


main()
