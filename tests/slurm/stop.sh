#!/usr/bin/env bash
# Stops the Slurm daemons tests/slurm/start.sh started (by their pid files; munged only if it started it) and removes
# its state folder.
set -uo pipefail
dir="${RETAIN_SLURM_DIR:-/tmp/retain-slurm}"
for daemon in slurmd slurmctld; do
  pidfile="$dir/$daemon.pid"
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
done
if [ -f "$dir/munged.started" ] && [ -f /run/munge/munged.pid ]; then
  kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
fi
rm -rf "$dir"
