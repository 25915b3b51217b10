"""Runs commands repeatedly and reports median wall time and peak RSS per run.

Used by the bench/*.sh scripts; rusage comes from os.wait4, so each figure is
the measured process alone (not the shell around it).
"""
import os
import statistics
import subprocess
import sys
import time


def run_once(argv, stdin_path=None, env=None):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if stdin_path:
        stdin.close()
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024.0, code, stderr  # seconds, MiB


def measure(argv, runs=5, stdin_path=None, env=None, allowed_codes=(0,)):
    """Median seconds and max peak RSS (MiB) over `runs` runs, after one warm-up."""
    run_once(argv, stdin_path, env)
    times, rss = [], []
    for _ in range(runs):
        elapsed, peak, code, stderr = run_once(argv, stdin_path, env)
        if code not in allowed_codes:
            sys.exit(f"command failed ({code}): {' '.join(argv)}\n{stderr}")
        times.append(elapsed)
        rss.append(peak)
    return statistics.median(times), max(rss)


def fmt_time(seconds):
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.2f} s"
