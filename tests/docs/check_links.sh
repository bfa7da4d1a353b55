#!/usr/bin/env bash
# The project stands alone: every relative Markdown link in README.md, docs/
# and data/ resolves to a file inside the repository (anchors stripped;
# http(s) and mailto links skipped), and no document points to the folders
# beside the repository. Prints each broken link as FILE: TARGET; exit 1 if
# there is any.
#   tests/docs/check_links.sh [REPO]
set -u
root=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/../..}" && pwd)
cd "$root" || exit 1
bad=0 n=0
for f in README.md docs/*.md data/*.md; do
  [ -f "$f" ] || continue
  dir=$(dirname "$f")
  while IFS= read -r t; do
    t=${t%% *}
    t=${t%%#*}
    case "$t" in '' | http://* | https://* | mailto:*) continue ;; esac
    n=$((n + 1))
    if [ ! -e "$dir/$t" ]; then
      echo "$f: $t (no such file)"
      bad=1
    fi
    case "$(realpath -m "$dir/$t")" in
      "$root" | "$root"/*) ;;
      *) echo "$f: $t (outside the repository)"; bad=1 ;;
    esac
  done < <(grep -o '\]([^)]*)' "$f" | sed 's/^](//; s/)$//')
  if grep -nE '\.\./shared|MODEL\.md|DESIGN\.md' "$f"; then
    echo "$f: names a document outside the repository (above)"
    bad=1
  fi
done
echo "$n relative links checked"
exit $bad
