# Hostile fixture (issue 15, item 2): writes a file into every usually world-writable place (and a few others). The
# test checks afterwards that none of them exists on the host. Writes inside the sandbox's own /tmp and working
# directory must work (they are private to it), so the program passes.
import posix

MARKER = "MARKER"
places = ["/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/run", "/var", "/dev", "/", "/root", "/etc", "."]
places += EXTRA
try:
    places += ["/run/user/" + name for name in posix.listdir("/run/user")]
except OSError:
    pass
written = []
for place in places:
    try:
        fd = posix.open(place + "/" + MARKER, posix.O_WRONLY | posix.O_CREAT, 0o666)
        posix.write(fd, b"escaped")
        posix.close(fd)
        written.append(place)
    except OSError:
        pass
assert "/tmp" in written and "." in written, "the sandbox's own /tmp and working directory must be writable: " + repr(written)
