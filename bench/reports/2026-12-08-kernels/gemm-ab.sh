#!/usr/bin/env bash
# GEMM before this session's kernel changes (aa4a2b1, built in /work/pre) vs after (main's frozen jars), same sitting,
# each against OpenBLAS-OpenMP in the same JVM (GemmBench prints ours, OpenBLAS, ratio, load, steal).
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
J=$JAVA_HOME/bin/java
shapes="1024x1024x1024 576x1024x4096 577x1024x3072T 4616x1024x4096T"
for tree in before after; do
  if [ $tree = before ]; then cp=/work/pre/tensor/target/tensor-0.1.0-SNAPSHOT.jar:/work/pre/bench/target/bench-0.1.0-SNAPSHOT.jar:/work/pre/native-bindings/target/native-bindings-0.1.0-SNAPSHOT.jar
  else cp=/tmp/probe/newjars/tensor-0.1.0-SNAPSHOT.jar:/tmp/probe/newjars/bench-0.1.0-SNAPSHOT.jar:/tmp/probe/newjars/native-bindings-0.1.0-SNAPSHOT.jar; fi
  echo "== $tree"
  $J --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dbench.threads=1,2 -Dbench.reps=5 -cp $cp org.vfmtok.bench.GemmBench $shapes 2>&1 | grep -v WARNING
done
