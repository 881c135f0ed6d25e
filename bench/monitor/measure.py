"""Runs a command and measures it: wall time, CPU time (user + system, from wait4),
peak RSS (ru_maxrss, exact) and, sampled every 2 ms from /proc/PID/status, the peak
of anonymous memory (RssAnon: heap, stacks; what the process allocated) and of file
pages mapped into it (RssFile: the program, libraries and any memory-mapped input).
Appends one line "LABEL wall_s peak_rss_kib cpu_s peak_anon_kib peak_file_kib" to
RESULTS; the command's stderr goes to ERRFILE, its stdout to /dev/null.

    python3 measure.py RESULTS LABEL ERRFILE CMD ARGS...
"""

import os
import subprocess
import sys
import time

results, label, errfile, *cmd = sys.argv[1:]
with open(errfile, "w") as err:
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    anon = file_ = 0
    status = f"/proc/{proc.pid}/status"
    while True:
        try:
            with open(status) as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        anon = max(anon, int(line.split()[1]))
                    elif line.startswith("RssFile:"):
                        file_ = max(file_, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.002)
    wall = time.monotonic() - start
code = os.waitstatus_to_exitcode(code)
if code != 0:
    sys.exit(f"{label}: {' '.join(cmd)} failed (status {code}); see {errfile}")
cpu = usage.ru_utime + usage.ru_stime
with open(results, "a") as f:
    f.write(f"{label} {wall:.3f} {usage.ru_maxrss} {cpu:.3f} {anon} {file_}\n")
