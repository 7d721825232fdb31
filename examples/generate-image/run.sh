#!/usr/bin/env bash
# Builds this example against the installed org.vfmtok artifacts and runs it on the module path.
#   examples/generate-image/run.sh [OUT.png [GPT_CHECKPOINT GPT_SIZE TOKENIZER_CHECKPOINT]]
# Needs JAVA_HOME (or java on the PATH) at 25 or newer, and `mvn install` done at the repository root.
set -euo pipefail
cd "$(dirname "$0")"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
mvn -q -B package
[ $# -gt 0 ] || set -- target/image.png
exec "$java" --enable-native-access=org.vfmtok.tensor,org.vfmtok.cuda --module-path target/modules \
    -m com.example.generate/com.example.generate.GenerateImage "$@"
