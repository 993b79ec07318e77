# shellcheck shell=sh
# $1 lock file, $2 "token" or "text", $3 the holder's token or the file's whole text as shown: removed only when it
# still is that lock (under the guard its holder renews it under); exit status 3 when there is none, 4 when it
# changed since it was shown
test -e "$1" || exit 3
umask 077 # the guard file, like all in the state directory, is for root only
exec 9>>"$1.guard" || exit 5
flock -w 10 9 || exit 5
test -e "$1" || exit 3
case $2 in
    token) grep -qF -- "\"token\":\"$3\"" "$1" || exit 4 ;;
    text) test "$(cat -- "$1")" = "$3" || exit 4 ;;
    *) exit 2 ;;
esac
rm -f -- "$1"
