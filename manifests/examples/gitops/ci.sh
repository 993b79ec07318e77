#!/usr/bin/env bash
# The one entry point the pipelines call (.gitlab-ci.yml, .github/workflows/mcvirt.yml):
#
#   ci.sh validate   offline checks of the manifests (no node contacted); exit 0, or 1 with file:line:col errors
#   ci.sh plan       plan against the nodes; saves OUT/mcvirt.plan and OUT/plan.md (Markdown, for the merge
#                    request comment); exit 0 with or without changes (OUT/plan.changes says yes or no), 1 on error
#   ci.sh apply      applies the saved OUT/mcvirt.plan exactly (nothing when OUT/plan.changes says no); mcvirt
#                    refuses it when the cluster changed since the plan was made (plan again); exit 0 or 1
#   ci.sh drift      every object in sync and healthy? OUT/drift.xml (JUnit) and OUT/drift.md; exit 0 when
#                    nothing drifted, 2 when something did (so the nightly job fails), 1 on error
#
# Environment:
#   MCVIRT               the mcvirt command, split on blanks (e.g. "java -jar /opt/mcvirt/mcvirt.jar");
#                        default: mcvirt on the PATH
#   MCVIRT_MANIFEST      colon-separated manifest files and directories, replacing the whole layout
#   MCVIRT_NODES         colon-separated paths replacing nodes/ in the layout (e.g. the test lab's nodes file)
#   MCVIRT_OUT           where the artifacts go (default: out/ next to this script)
#   MCVIRT_ALLOW_DESTROY yes: apply may run a plan that destroys (deletes a vm, a disk, a network)
#   MCVIRT_DRBD_SECRET   the DRBD shared secret cluster.yaml names (validate, plan and apply read it)
set -euo pipefail

usage() {
  echo "usage: ci.sh validate|plan|apply|drift" >&2
  exit 64
}

[[ $# -eq 1 ]] || usage
command=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${MCVIRT_OUT:-$root/out}

if [[ -n ${MCVIRT:-} ]]; then
  read -r -a mcvirt <<<"$MCVIRT"
elif command -v mcvirt >/dev/null; then
  mcvirt=(mcvirt)
else
  echo "ci.sh: no mcvirt command: put mcvirt on the PATH or set MCVIRT" >&2
  exit 1
fi

# The layout: cluster.yaml, then each directory (mcvirt reads a directory's *.yaml and *.yml files in name order).
if [[ -n ${MCVIRT_MANIFEST:-} ]]; then
  IFS=: read -r -a manifests <<<"$MCVIRT_MANIFEST"
else
  IFS=: read -r -a nodes <<<"${MCVIRT_NODES:-$root/nodes}"
  manifests=("$root/cluster.yaml" "${nodes[@]}" "$root/networks" "$root/vms")
fi
files=()
for manifest in "${manifests[@]}"; do
  files+=(-f "$manifest")
done

run() {
  echo "+ mcvirt $*" >&2
  "${mcvirt[@]}" --no-color "${files[@]}" "$@"
}

plan_file=$out/mcvirt.plan

case $command in
  validate)
    run validate
    ;;
  plan)
    mkdir -p "$out"
    rm -f "$plan_file" "$out/plan.md" "$out/plan.changes"
    status=0
    run plan --detailed-exitcode --format markdown --out "$plan_file" >"$out/plan.md" || status=$?
    case $status in
      0 | 2)
        # the text form for the job log, from the saved plan (no node contacted again)
        "${mcvirt[@]}" --no-color show "$plan_file"
        if [[ $status -eq 2 ]]; then changes=yes; else changes=no; fi
        echo "$changes" >"$out/plan.changes"
        if [[ -n ${GITHUB_OUTPUT:-} ]]; then
          echo "changes=$changes" >>"$GITHUB_OUTPUT"
        fi
        if [[ $changes == yes ]]; then
          echo "ci.sh: the plan has changes; saved to $plan_file, Markdown in $out/plan.md"
        else
          echo "ci.sh: no changes; the cluster matches the manifests"
        fi
        ;;
      *)
        # plan.md holds whatever the plan printed (its problems, when there are any); mcvirt's errors went to stderr
        echo "ci.sh: plan failed (exit $status)" >&2
        exit 1
        ;;
    esac
    ;;
  apply)
    if [[ ! -f $plan_file ]]; then
      echo "ci.sh: no saved plan $plan_file: run 'ci.sh plan' first (the pipeline passes it on as an artifact)" >&2
      exit 1
    fi
    if [[ $(cat "$out/plan.changes" 2>/dev/null) == no ]]; then
      echo "ci.sh: the saved plan has no changes; nothing to apply"
      exit 0
    fi
    flags=(--auto-approve)
    if [[ ${MCVIRT_ALLOW_DESTROY:-} == yes ]]; then
      flags+=(--allow-destroy)
    fi
    # with -f mcvirt also checks that the manifests are the ones the plan was made from
    run apply "${flags[@]}" "$plan_file"
    ;;
  drift)
    mkdir -p "$out"
    rm -f "$out/drift.xml" "$out/drift.md"
    status=0
    run drift --junit "$out/drift.xml" --markdown "$out/drift.md" || status=$?
    case $status in
      0) echo "ci.sh: no drift" ;;
      2) echo "ci.sh: drift found; the report is $out/drift.xml (JUnit) and $out/drift.md" >&2 ;;
      *) echo "ci.sh: drift failed (exit $status)" >&2 ;;
    esac
    exit "$status"
    ;;
  *)
    usage
    ;;
esac
