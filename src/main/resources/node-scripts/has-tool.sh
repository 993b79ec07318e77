# shellcheck shell=sh
# $1: a program's name; succeeds when it is on the PATH (sbin included)
command -v "$1"
