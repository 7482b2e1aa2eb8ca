#!/usr/bin/env bash
# What honest verifiers differ by, and what lies look like: the numbers behind the default
# `ScoreTolerance` and `ReproductionFloor` (docs/verification.md, "Tolerances").
#
# Designs three jobs (seeds 7, 8, 9; 8 candidates, 2 rounds) with the CPU build at 1 and at
# $(nproc) threads, then checks each design as a verifier does (`studio-worker verify`: re-score
# the PNG, re-generate the winner from its published settings) at the other thread count, and
# prints a markdown table: reported vs re-measured deviation and quality, and the PSNR of the
# re-generation, and the seconds the design (the whole search) and the check (re-score and
# re-generate; models loaded, fetching aside) took. Two lies follow: a design checked against another job's settings (a different
# image than the settings make), and the deviation a liar would report (0) against the truth.
# Usage: scripts/verify-tolerance.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_toolchain
build_node
fetch_models
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prompt="an amber painted eye"
many="$(nproc)"
reference="$(RAYON_NUM_THREADS="$many" "$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" style-reference --class amber)"

design() { # seed threads → the search's JSON
	RAYON_NUM_THREADS="$2" "$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" search --prompt "$prompt" \
		--reference "$reference" --seed "$1" --candidates 8 --rounds 2 --target-ppm 0 --store "$work/store-$2" 2>/dev/null
}
check() { # png settings seed threads → the measurement's JSON
	RAYON_NUM_THREADS="$4" "$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" verify --png "$1" --settings "$2" \
		--prompt "$prompt" --reference "$reference" --seed "$3" 2>/dev/null
}

echo "| seed | designed at | checked at | reported deviation | measured | reported quality | measured | re-generation PSNR | s to design | s to verify |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for seed in 7 8 9; do
	for made in 1 "$many"; do
		designed="$(design "$seed" "$made")"
		echo "$designed" > "$work/design-$seed-$made.json"
		checker=$([ "$made" = 1 ] && echo "$many" || echo 1)
		measured="$(check "$(json_field "$designed" "['path']")" "$(json_field_as_json "$designed" "['settings']")" "$seed" "$checker")"
		psnr="$(json_field "$measured" "['reproduction_centibels']")"
		[ "$psnr" = 4294967295 ] && psnr="identical" || psnr="$(python3 -c "print(f'{$psnr/100:.2f} dB')")"
		echo "| $seed | $made threads | $checker threads | $(json_field "$designed" "['deviation_ppm']") ppm | $(json_field "$measured" "['deviation_ppm']") ppm | $(json_field "$designed" "['quality_ppm']") ppm | $(json_field "$measured" "['quality_ppm']") ppm | $psnr | $(json_field "$designed" "['seconds']" | cut -c1-5) | $(json_field "$measured" "['seconds']" | cut -c1-5) |"
	done
done
echo
echo "Lies, checked at $many threads:"
echo
seven="$(cat "$work/design-7-$many.json")"
eight="$(cat "$work/design-8-$many.json")"
settings_of_seven="$(json_field_as_json "$seven" "['settings']")"
swapped="$(check "$(json_field "$eight" "['path']")" "$settings_of_seven" 7 "$many")"
echo "- seed 8's design delivered with seed 7's settings: re-generation PSNR $(python3 -c "print(f'{$(json_field "$swapped" "['reproduction_centibels']")/100:.2f} dB')")"
echo "- a liar reporting deviation 0 on seed 7's design: verifiers measure $(json_field "$seven" "['deviation_ppm']") ppm"
