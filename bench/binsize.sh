#!/bin/sh
# binsize.sh BINARY [BASELINE] prints the machine code (text symbols) of an unstripped Go
# binary per package group, in KiB, largest first; with BASELINE, what BINARY adds over it.
# Text is what a linked package costs: the line tables (.gopclntab) grow with it, so a
# stripped binary grows by about three to four times the text a package adds.
# Build the binaries with -trimpath and without -s -w so that symbols remain.
set -eu
group() {
	go tool nm -size "$1" | awk '$3 == "T" || $3 == "t" {
		n = $4; sub(/^type:\.eq\./, "", n); sub(/^\(/, "", n); sub(/^\*/, "", n)
		slash = match(n, /\/[^\/]*$/)
		if (slash) { pre = substr(n, 1, slash); rest = substr(n, slash + 1) } else { pre = ""; rest = n }
		dot = index(rest, "."); if (dot) rest = substr(rest, 1, dot - 1)
		g = pre rest
		if (g ~ /^github.com\/pulumi\/pulumi-(aws|kubernetes|tls)\//) { split(g, a, "/"); sub(/^.*\/go\//, "", g); g = a[3] ": " g }
		else if (g ~ /^k8s.io\//) { split(g, a, "/"); g = "k8s.io/" a[2] }
		else if (g ~ /^github.com\/pulumi\/pulumi\/(sdk|pkg)/) { split(g, a, "/"); g = "pulumi/" a[4] }
		else if (g ~ /^github.com\/eksa-irsa\//) g = "eksa-irsa"
		else if (g ~ /^[a-z0-9.-]+\.[a-z]+\//) { split(g, a, "/"); g = a[1] "/" a[2] "/" a[3] }
		else { split(g, a, "/"); g = "std " a[1] }
		s[g] += $2; t += $2 }
	END { for (g in s) printf "%s\t%d\n", g, s[g]; printf "TOTAL\t%d\n", t }' | sort
}
tab=$(printf '\t')
if [ $# -eq 1 ]; then
	group "$1" | awk -F"$tab" '{ printf "%8.0f KiB  %s\n", $2 / 1024, $1 }' | sort -rn
else
	a=$(mktemp); b=$(mktemp); trap 'rm -f "$a" "$b"' EXIT
	group "$1" >"$a"; group "$2" >"$b"
	join -t "$tab" -a 1 -e 0 -o 0,1.2,2.2 "$a" "$b" |
		awk -F"$tab" '$2 - $3 > 8192 { printf "%8.0f KiB  %s\n", ($2 - $3) / 1024, $1 }' | sort -rn
fi
