#!/usr/bin/env bash
# A RUSTC_WRAPPER that logs each rustc run: crate name, crate type, source file, the
# codegen-units it was given, wall milliseconds, user and system CPU seconds. Used to compare
# what two tools have cargo compile (see benchmarks/README.md, "What cargo compiles"):
#   RUSTC_WRAPPER=$PWD/benchmarks/rustc-cpu.sh RUSTC_CPU_LOG=/tmp/a.log maturin build ...
#   awk '{c[$1" "$2]+=$6+$7; n[$1" "$2]++} END {for (k in c) print k, n[k], c[k]}' /tmp/a.log
set -u
log=${RUSTC_CPU_LOG:?set RUSTC_CPU_LOG to the log file}
name="" kind=lib src="-" units=default
args=("$@")
for ((i = 1; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --crate-name) name=${args[$((i + 1))]} ;;
    --crate-type) kind=${args[$((i + 1))]} ;;
    codegen-units=*) units=${args[$i]#codegen-units=} ;;
    *.rs) src=${args[$i]##*/registry/src/} ;;
  esac
done
if [ -z "$name" ]; then  # cargo asking rustc for its version or target info
  exec "$@"
fi
times=$(mktemp)
start=$(date +%s%N)
/usr/bin/time -f "%U %S" -o "$times" "$@"
code=$?
end=$(date +%s%N)
echo "$name $kind $src $units $(( (end - start) / 1000000 )) $(tail -1 "$times")" >> "$log"
rm -f "$times"
exit $code
