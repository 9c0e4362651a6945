#!/usr/bin/env bash
# Starts a real single-node Slurm on this machine for the executor tests: munged, slurmctld and slurmd on localhost
# with a minimal slurm.conf (one node with this machine's CPUs and memory, its real hostname, no cgroups, no
# accounting daemon). Everything lives under $RETAIN_SLURM_DIR (default /tmp/retain-slurm); the configuration is
# $RETAIN_SLURM_DIR/slurm.conf, which clients find through SLURM_CONF (the script prints the export line).
# Needs root (slurmd starts jobs as their user) and Debian's slurm-wlm and munge. tests/slurm/stop.sh stops it.
set -euo pipefail
dir="${RETAIN_SLURM_DIR:-/tmp/retain-slurm}"
for tool in munged slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "slurm: $tool not found (install slurm-wlm and munge)" >&2; exit 3; }
done
[ "$(id -u)" = 0 ] || { echo "slurm: needs root to start slurmd (jobs run as their submitting user)" >&2; exit 3; }

mkdir -p "$dir/state" "$dir/spool" "$dir/log"
host="$(hostname -s)"
node="$(slurmd -C | head -n 1)"                   # NodeName=<host> CPUs=... RealMemory=... as slurmd itself sees them
cat > "$dir/slurm.conf" <<CONF
ClusterName=retain-ci
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=${RETAIN_SLURMCTLD_PORT:-6817}
SlurmdPort=${RETAIN_SLURMD_PORT:-6818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
ReturnToService=2
KillWait=5
MinJobAge=300
DefMemPerCPU=1024
$node State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
# slurmd of Slurm 22.05 always initialises a cgroup plugin (autodetected); with proctrack/linuxproc and task/none it
# only reads the hierarchy, so containers without a writable cgroup tree work too.

# munged: reuse a running one, or start one as the munge user (it refuses to run as root).
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  touch "$dir/munged.started"                        # stop.sh stops only a munged this script started
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 150); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.2
done
echo "slurm: the node did not become idle within 30 s; logs in $dir/log:" >&2
tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
sinfo >&2 || true
exit 1
