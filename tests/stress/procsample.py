#!/usr/bin/env python3
"""procsample.py PID OUT.csv [INTERVAL_S] - sample a process's RSS, open fds, threads and CPU until it exits.

One CSV line per sample: epoch_s,rss_kb,fds,threads,cpu_s,socket_fds,eventfd_fds. When the process is gone the last
line is "<epoch_s>,exited,,,,,". Stops on SIGTERM/SIGINT (stdlib only, reads /proc).
"""
import os
import signal
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def sample(pid):
    rss = threads = None
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    fds = sockets = eventfds = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        fds += 1
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith("socket:"):
            sockets += 1
        elif target == "anon_inode:[eventfd]":
            eventfds += 1
    with open("/proc/%d/stat" % pid) as f:
        st = f.read().rsplit(")", 1)[1].split()
    cpu = (int(st[11]) + int(st[12])) / TICK   # utime + stime
    if st[0] == "Z":
        raise FileNotFoundError("zombie")
    return rss, fds, threads, cpu, sockets, eventfds


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    pid, out = int(sys.argv[1]), sys.argv[2]
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    with open(out, "a", buffering=1) as f:
        while not stop:
            try:
                row = sample(pid)
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                f.write("%.3f,exited,,,,,\n" % time.time())
                return
            f.write("%.3f,%d,%d,%d,%.2f,%d,%d\n" % ((time.time(),) + row))
            time.sleep(interval)


if __name__ == "__main__":
    main()
