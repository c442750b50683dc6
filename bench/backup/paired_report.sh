# Sourced by the backup benchmarks: medians and paired ratios of times
# measured in rounds (microseconds), printed as rows of a Markdown table.

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

ratios() {  # ratios A[i]/B[i] of two space-separated lists, one per round
  paste <(printf '%s\n' $1) <(printf '%s\n' $2) | awk '{ printf "%.4f\n", $1 / $2 }'
}

# "| name | baseline median | dbshift median | median ratio (range) |"
summary() {  # name, dbshift times, baseline times
  local r; r=$(ratios "$2" "$3")
  awk -v name="$1" -v s="$(median $3)" -v d="$(median $2)" -v m="$(median $r)" \
    -v lo="$(echo "$r" | sort -g | head -1)" -v hi="$(echo "$r" | sort -g | tail -1)" \
    'BEGIN { printf "| %s | %.0f ms | %.0f ms | **%.2fx** (%.2f–%.2f) |\n", name, s / 1000, d / 1000, m, lo, hi }'
}
