#!/usr/bin/env python3
"""Times commands in interleaved rounds and reports ratios paired within a round.

    bench/paired_runs.py ROUNDS 'BASE COMMAND' 'OTHER COMMAND' ...

Each round runs every command once, in the order given; a command's ratio in
a round is its time over the first command's time in the same round. On a
shared machine whose speed drifts from minute to minute, the median of those
paired ratios is steadier than a ratio of two separate runs' means. Output
goes to /dev/null; each argument is split as a shell would (shlex), without
a shell.
"""
import shlex
import statistics
import subprocess
import sys
import time


def main() -> None:
    rounds = int(sys.argv[1])
    commands = [shlex.split(argument) for argument in sys.argv[2:]]
    times = [[] for _ in commands]
    for _ in range(rounds):
        for index, command in enumerate(commands):
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times[index].append((time.perf_counter() - start) * 1000)
    print("| command | median | min | paired ratio to the first (median) |")
    print("|---|---|---|---|")
    for index, command in enumerate(commands):
        ratios = [mine / base for mine, base in zip(times[index], times[0])]
        print(f"| `{shlex.join(command)}` | {statistics.median(times[index]):.2f} ms"
              f" | {min(times[index]):.2f} ms | {statistics.median(ratios):.3f} |")


if __name__ == "__main__":
    main()
