"""Joins `studio-worker bench` and scripts/bench_torch.py into one table: each measurement's
two rates side by side with their ratio. Reads the two outputs (markdown rows
`| what (on what) | batch | rate |`) from the files given; prints markdown.

Usage: python3 scripts/bench_table.py candle-rows.md torch-rows.md
"""

import re
import sys


def rows(path):
    """(measurement, batch) → (what it ran on, rate), from the markdown rows in `path`."""
    found = {}
    for line in open(path):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[0-9.]+", cells[2]):
            on = re.search(r"\(([^()]*)\)$", cells[0])
            what = cells[0][: on.start()].strip() if on else cells[0]
            found[(what, cells[1])] = (on.group(1) if on else "", float(cells[2]))
    return found


def main():
    candle, torch = rows(sys.argv[1]), rows(sys.argv[2])
    print("| measurement | batch | candle (candidates/s) | PyTorch (candidates/s) | candle ÷ PyTorch |")
    print("|---|---|---|---|---|")
    for key in list(candle) + [key for key in torch if key not in candle]:
        ours, theirs = candle.get(key), torch.get(key)
        cell = lambda measured: f"{measured[1]:.1f} ({measured[0]})" if measured else "not measured"
        ratio = f"**{ours[1] / theirs[1]:.2f}×**" if ours and theirs else "—"
        print(f"| {key[0]} | {key[1]} | {cell(ours)} | {cell(theirs)} | {ratio} |")


if __name__ == "__main__":
    main()
