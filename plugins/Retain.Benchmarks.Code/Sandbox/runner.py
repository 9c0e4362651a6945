# Retain code-execution runner: the only process that runs untrusted code. Started fresh (not forked) by the harness,
# so nothing of the harness's memory (the host's result token) is in it. It reads the job (program and tests, one JSON
# line) from stdin and runs it as HF evaluate's code_eval runs program + tests (fresh empty globals, swallowed I/O,
# stdin that raises, a real-time timer, the reliability guard), in two phases in the same globals: the program's
# top-level statements, then the tests. Between them it asks the harness, on the report pipe (its fd number is
# argv[3]), for a fresh nonce, and its one outcome line "<nonce> <outcome>" must carry it: a program that writes
# "passed" and exits during its top-level code cannot know it. Its own fd 1 and 2 go to the host's capped stderr; the
# host's verdict channel is the harness's stdout, which this process does not have.
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


def _phases(program, tests):
    # Exactly exec(program + tests): the concatenation is compiled first (so a syntax error anywhere runs nothing, as
    # there), then its top-level statements are cut where the program's end. Running those two lists one after the
    # other in one globals dict is running the module; __future__ flags of the first carry to the second.
    import __future__
    import ast
    source = program + tests
    compile(source, "<string>", "exec", dont_inherit=True)
    whole = ast.parse(source, "<string>")
    try:
        own = ast.parse(program, "<string>").body
    except SyntaxError:
        own = None
    cut = len(own) if own is not None else -1
    same = lambda a, b: ast.dump(ast.Module(a, []), include_attributes=True) == ast.dump(ast.Module(b, []), include_attributes=True)
    if own is None or not same(whole.body[:cut], own):
        raise SyntaxError("the program does not end at a top-level statement boundary before its tests")
    flags = 0
    for node in whole.body[:cut]:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                flags |= getattr(__future__, alias.name).compiler_flag
    first = compile(ast.Module(whole.body[:cut], []), "<string>", "exec", dont_inherit=True)
    second = compile(ast.Module(whole.body[cut:], []), "<string>", "exec", flags=flags, dont_inherit=True)
    return first, second


def main():
    import json
    import signal
    stdin = sys.stdin.buffer
    job = json.loads(stdin.readline().decode("utf-8"))
    timeout, report = float(sys.argv[2]), int(sys.argv[3])
    write, exit_now, getpid, readline, loads = os.write, os._exit, os.getpid, stdin.readline, json.loads
    me = getpid()
    sys.stdin = _Sink()

    def on_alarm(signum, frame):
        raise _TimedOut()

    outcome = "passed"
    nonce, asked = None, False
    _reliability_guard()
    sink = _Sink()
    saved_out, saved_err = sys.stdout, sys.stderr
    try:
        sys.stdout = sys.stderr = sink
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            first, second = _phases(job["program"], job["tests"])
            scope = {}
            exec(first, scope)
            if getpid() != me:  # a child the program forked: only the runner itself asks for the nonce
                exit_now(0)
            # The program's top-level code is over: only now does the nonce exist in this process.
            asked = write(report, b"ready\n") > 0
            nonce = loads(readline())["nonce"]
            exec(second, scope)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _TimedOut:
        outcome = "timed out"
    except BaseException as e:
        outcome = f"failed: {e}"
    finally:
        sys.stdout, sys.stderr = saved_out, saved_err
    if getpid() != me:  # a child the program forked ends here too: only the runner itself reports
        exit_now(0)
    if nonce is None:
        # The program failed or timed out in its own top-level code (or the harness never answered): still ask, so
        # that every report has the one accepted form.
        try:
            if not asked:
                write(report, b"ready\n")
            nonce = loads(readline())["nonce"]
        except BaseException:
            exit_now(0)
    write(report, (nonce + " " + outcome.replace("\n", " ") + "\n").encode("utf-8", "replace"))
    exit_now(0)


main()
