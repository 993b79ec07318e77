# shellcheck shell=sh
# $1 an http(s) URL: asks for its first 104 bytes (a qcow2 header), as the node would download it, and prints three
# lines: "curl STATUS" (curl's exit status; 23 after a server that ignores the range sent more is not an error),
# "headers BASE64" (the response headers, every redirect's) and "start BASE64" (the bytes read); exit status 3 when
# curl is not installed. curl's own deadlines (10 s to connect, 20 s in all) lie within the node command's.
if ! command -v curl >/dev/null 2>&1; then
  echo "curl is not installed on this node, and it downloads images given by URL (apt-get install curl)" >&2
  exit 3
fi
d=$(mktemp -d) || exit 1
t=$d/start
trap 'rm -rf "$d"' EXIT
trap 'exit 143' TERM INT HUP
{
  curl -sSL --proto '=http,https' --proto-redir '=http,https' --connect-timeout 10 --max-time 20 -r 0-103 \
    -D "$d/headers" -- "$1"
  echo "$?" >"$d/status"
} | head -c 104 >"$t"
IFS= read -r status <"$d/status" || status=1
printf 'curl %s\n' "$status"
printf 'headers %s\n' "$(base64 -w0 <"$d/headers" 2>/dev/null)"
printf 'start %s\n' "$(base64 -w0 <"$t")"
