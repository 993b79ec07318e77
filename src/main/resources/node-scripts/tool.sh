# shellcheck shell=sh
# $@: a tool and its arguments, run with standard input from /dev/null (and sbin on the PATH)
exec "$@" </dev/null
