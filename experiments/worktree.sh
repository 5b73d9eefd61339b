#!/usr/bin/env bash
# Checks out COMMIT (default HEAD) into a separate worktree DIR with its own node_modules, native
# addon and dist (scripts/setup.sh), so that edits and rebuilds in this checkout cannot change a
# long experiment started there. Nothing is shared: a worktree that linked this checkout's
# native/build once loaded an addon rebuilt from newer sources and failed on resume.
# Usage: bash experiments/worktree.sh DIR [COMMIT]
#   then: cd DIR && nohup bash experiments/queue.sh configs/hours/*.json > queue.log 2>&1 &
set -euo pipefail
dir=${1:?usage: bash experiments/worktree.sh DIR [COMMIT]}
commit=${2:-HEAD}
git worktree add --detach "$dir" "$commit"
bash "$dir/scripts/setup.sh"
echo "worktree $dir at $(git -C "$dir" rev-parse --short HEAD) is ready"
