# Hostile fixture (issue 15, item 1): a completion that reports "passed" itself during its top-level code, on every
# descriptor (the report pipe among them, found through argv[3] or /proc/self/fd), with and without a guessed nonce,
# then ends the interpreter so that its (failing) tests never run. It must be scored as failed.
import posix
import sys


def add(a, b):
    return a - b


guesses = [b"0" * 32, b"f" * 32, posix.urandom(16).hex().encode()]
lines = b"passed\n" + b"".join(g + b" passed\n" for g in guesses)
targets = set(range(256))
try:
    targets.add(int(sys.argv[3]))
except (IndexError, ValueError):
    pass
try:
    targets.update(int(fd) for fd in posix.listdir("/proc/self/fd"))
except OSError:
    pass
for fd in sorted(targets):
    try:
        posix.write(fd, lines)
    except OSError:
        pass
posix._exit(0)
