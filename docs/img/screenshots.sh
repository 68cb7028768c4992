#!/usr/bin/env bash
# Screenshots of each section of an exomir report, for docs/report.md.
# Usage: docs/img/screenshots.sh REPORT.html [OUTDIR]   (OUTDIR: docs/img)
# Each section is shown alone (the rest of the page hidden by an injected
# script) in headless Chromium, figures at 660 px wide, tables at 1000.
set -euo pipefail
report=${1:?usage: screenshots.sh REPORT.html [OUTDIR]}
out=${2:-$(dirname "$0")}
chrome=${CHROMIUM:-chromium}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shoot() { # id height [width]: keep only the element with this id (and, for tables, its tools)
  local id=$1 h=$2 w=${3:-660}
  sed 's|</body>|<script>(function(){var e=document.getElementById("'"$id"'");var keep=[e];if(e.tagName==="H2"){for(var n=e.nextElementSibling;n\&\&n.tagName!=="H2"\&\&n.className!=="figs";n=n.nextElementSibling)keep.push(n)}document.body.replaceChildren.apply(document.body,keep);document.body.style.margin="8px"})()</script></body>|' "$report" >"$tmp/$id.html"
  "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile" \
    --window-size="$w","$h" --screenshot="$out/report-$id.png" "file://$tmp/$id.html" 2>/dev/null
}
shoot qc 300 1000
for id in lengths accounting classes pca volcano ma; do shoot "$id" 470; done
shoot heatmap 640
shoot de 420 1000
# Optional sections: each shot only when the report has it.
for id in trf roc auc spikein clades editlevels isomir sigroc stability; do
  grep -q "<figure id=\"$id\"" "$report" && shoot "$id" 470
done
for id in biomarkers evqc; do
  grep -q "<h2 id=\"$id\"" "$report" && shoot "$id" 260 1000
done
true
ls -l "$out"/report-*.png
