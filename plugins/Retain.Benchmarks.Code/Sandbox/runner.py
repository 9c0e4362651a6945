# Retain code-execution runner: the only process that runs untrusted code. Started fresh (not forked) by the harness,
# so nothing of the harness's memory (the host's result token) is in it. It reads the program from stdin, runs it as
# HF evaluate's code_eval does (fresh empty globals, swallowed I/O, stdin that raises, a real-time timer, the
# reliability guard) and writes one outcome line to the harness's report pipe (its fd number is argv[3]). Its own fd 1 and 2 go to the
# host's capped stderr; the host's verdict channel is the harness's stdout, which this process does not have.
import os
import sys

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
    import signal
    program = sys.stdin.buffer.read().decode("utf-8")
    timeout, report = float(sys.argv[2]), int(sys.argv[3])
    write, exit_now, getpid = os.write, os._exit, os.getpid
    me = getpid()
    sys.stdin = _Sink()

    def on_alarm(signum, frame):
        raise _TimedOut()

    outcome = "passed"
    _reliability_guard()
    sink = _Sink()
    saved_out, saved_err = sys.stdout, sys.stderr
    try:
        sys.stdout = sys.stderr = sink
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            exec(program, {})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _TimedOut:
        outcome = "timed out"
    except BaseException as e:
        outcome = f"failed: {e}"
    finally:
        sys.stdout, sys.stderr = saved_out, saved_err
    if getpid() == me:  # a child the program forked ends here too: only the runner itself reports
        write(report, (outcome.replace("\n", " ") + "\n").encode("utf-8", "replace"))
    exit_now(0)


main()
