#!/usr/bin/env bash
# Regenerates the CUDA bindings with jextract, where jextract and the headers exist, and compares them
# with the committed ones.
#
# The committed bindings (native-bindings/src/main/java/org/vfmtok/cuda/{CudaRuntime,CudaDriver,Cublas,
# CublasLt,Cudnn,Nccl}.java) are hand-written in jextract's form, with two deliberate differences:
#   * each layout is named with its C type (CTypes), which the signature check compiles against the
#     headers (SignatureCheckTest, run in the default test suite wherever the headers are installed);
#   * the library loads lazily, in the function's handle holder, not in the class initialiser.
# So this script does not overwrite them. For each library it
#   1. asks the Java side which functions and constants it binds (SignatureCheck --symbols/--constants),
#   2. runs jextract on the library's header with exactly those --include-function/--include-constant
#      options, into native-bindings/target/jextract/<lib>/ (package org.vfmtok.cuda.jextract.<lib>),
#   3. compiles that output and compares every descriptor with ours (SignatureCheck --compare), ignoring
#      names and pointer targets; any difference is printed and the script exits non-zero,
#   4. runs the header signature check for all libraries.
# When a binding must change, edit its prototype in tools/bindings/write_bindings.py (which writes the
# classes in that form), run it with /usr/bin/python3, then run this script and the signature check.
#
# Usage: tools/regen-bindings.sh            (all libraries whose headers are found)
#        JEXTRACT=/opt/jextract-25/bin/jextract VFM_CUDA_INCLUDE=/path/include tools/regen-bindings.sh
# Needs: a JDK 25 (tools/env.sh), jextract 25 (https://jdk.java.net/jextract/; not installed here), the
# headers (CUDA toolkit include/, or pip wheels' nvidia/*/include), and `mvn -pl native-bindings install`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. tools/env.sh
jextract=${JEXTRACT:-$(command -v jextract || true)}
if [ -z "$jextract" ] || [ ! -x "$jextract" ]; then
  echo "regen-bindings: jextract not found (set JEXTRACT=/path/to/jextract; get it from https://jdk.java.net/jextract/)" >&2
  exit 2
fi
classes=native-bindings/target/classes
[ -d "$classes" ] || mvn -q -o -pl native-bindings install -DskipTests
java_cp() { java --enable-native-access=ALL-UNNAMED -cp "$1" org.vfmtok.cuda.SignatureCheck "${@:2}"; }

# include folders: explicit ones, the toolkits, pip wheels (the same places the signature check searches)
incs=()
IFS=: read -r -a extra <<<"${VFM_CUDA_INCLUDE:-}"
for d in "${extra[@]}" ${CUDA_HOME:+$CUDA_HOME/include} /usr/local/cuda/include /usr/local/cuda-*/include \
         /usr/lib/python3/dist-packages/nvidia/*/include /usr/local/lib/python3*/*-packages/nvidia/*/include \
         "$HOME"/.local/lib/python3*/site-packages/nvidia/*/include ${VIRTUAL_ENV:+$VIRTUAL_ENV/lib/python3*/site-packages/nvidia/*/include}; do
  [ -n "$d" ] && [ -d "$d" ] && incs+=("-I" "$d")
done
find_header() { for ((i = 1; i < ${#incs[@]}; i += 2)); do [ -f "${incs[$i]}/$1" ] && { echo "${incs[$i]}/$1"; return 0; }; done; return 1; }

out=native-bindings/target/jextract
rm -rf "$out" && mkdir -p "$out"
status=0
#        binding      header             library name for jextract -l
for spec in "CudaRuntime cuda_runtime_api.h cudart" "CudaDriver cuda.h cuda" "Cublas cublas_v2.h cublas" \
            "CublasLt cublasLt.h cublasLt" "Cudnn cudnn.h cudnn" "Nccl nccl.h nccl"; do
  read -r binding header lib <<<"$spec"
  if ! h=$(find_header "$header"); then echo "$binding: skipped ($header not found)"; continue; fi
  pkg=org.vfmtok.cuda.jextract.$(echo "$binding" | tr 'A-Z' 'a-z')
  args=()
  while read -r s; do args+=(--include-function "$s"); done < <(java_cp "$classes" --symbols "$binding")
  while read -r c; do args+=(--include-constant "$c"); done < <(java_cp "$classes" --constants "$binding")
  echo "$binding: jextract $header (${#args[@]} options) -> $out/$lib"
  "$jextract" "${incs[@]}" -l ":lib$lib.so" --target-package "$pkg" --header-class-name "${binding}_h" \
      --output "$out/$lib/src" "${args[@]}" "$h" >"$out/$lib.log" 2>&1 || { echo "$binding: jextract failed, see $out/$lib.log"; status=1; continue; }
  mkdir -p "$out/$lib/classes"
  find "$out/$lib/src" -name '*.java' >"$out/$lib/sources"
  javac -d "$out/$lib/classes" "@$out/$lib/sources" >>"$out/$lib.log" 2>&1 || { echo "$binding: jextract output does not compile, see $out/$lib.log"; status=1; continue; }
  java_cp "$classes:$out/$lib/classes" --compare "$binding" "$pkg.${binding}_h" || status=1
done
echo "signature check:"
java_cp "$classes" "$out/sigcheck" || status=1
exit $status
