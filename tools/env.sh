# Source this for development shells: picks a JDK 25+ the same way ./vfm does.
# shellcheck shell=bash
_vfm_java_ok() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; }
if [ -z "${JAVA_HOME:-}" ] || ! _vfm_java_ok "$JAVA_HOME"; then
  for _j in /usr/lib/jvm/*; do
    if _vfm_java_ok "$_j"; then export JAVA_HOME="$_j"; break; fi
  done
fi
_vfm_java_ok "${JAVA_HOME:-}" || echo "tools/env.sh: no JDK 25 or newer found (set JAVA_HOME)" >&2
export PATH="$JAVA_HOME/bin:$PATH"
