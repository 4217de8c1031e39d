#!/usr/bin/env bash
# Generate the native provider's SDKs (sdk/go, sdk/nodejs, sdk/python, sdk/dotnet, sdk/java) from schema.json
# with tools/gen-sdk (Go; pins the code generators of github.com/pulumi/pulumi/pkg/v3, pulumi-dotnet and
# pulumi-java). The tool is built once into a cache outside the repository, keyed by its sources (cold build
# ≈ 3.5 min, then instant). The .NET SDK's logo.png is docs/logo.png, the file the schema's logoUrl names;
# generation is offline and deterministic apart from `go mod tidy` of sdk/go (Go module proxy or cache).
#
#   scripts/gen-sdk.sh           regenerate sdk/ (npm run gen-sdk)
#   scripts/gen-sdk.sh --check   fail when the checked-in sdk/ (any language, any file added, changed or
#                                missing) differs from what schema.json generates (npm run check-sdk; .ci/run)
#
# Environment: PULUMI_CLOUDPARTNER_CACHE=<dir> cache root (default ~/.cache/pulumi-cloudpartner).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool_dir="$repo_root/tools/gen-sdk"
cache_root="${PULUMI_CLOUDPARTNER_CACHE:-$HOME/.cache/pulumi-cloudpartner}"
key="$(cat "$tool_dir/go.mod" "$tool_dir/go.sum" "$tool_dir"/*.go | sha256sum | cut -c1-16)"
bin="$cache_root/gen-sdk/$key/gen-sdk"

if [[ ! -x "$bin" ]]; then
	echo "gen-sdk: building tools/gen-sdk (first time: a few minutes)" >&2
	mkdir -p "$(dirname "$bin")"
	(cd "$tool_dir" && go build -p "${PULUMI_CLOUDPARTNER_BUILD_JOBS:-2}" -o "$bin.tmp" . && mv "$bin.tmp" "$bin")
fi

if [[ "${1:-}" == "--check" ]]; then
	out="$(mktemp -d)"
	trap 'rm -rf "$out"' EXIT
	"$bin" -schema "$repo_root/schema.json" -logo "$repo_root/docs/logo.png" -out "$out"
	if ! diff -r "$out" "$repo_root/sdk" >"$out.diff" 2>&1; then
		head -n 40 "$out.diff" >&2
		rm -f "$out.diff"
		echo "gen-sdk: sdk/ is stale: schema.json (or tools/gen-sdk) changed since the SDKs were generated. Run \`npm run gen-sdk\` and commit sdk/." >&2
		exit 1
	fi
	rm -f "$out.diff"
	echo "gen-sdk: sdk/ matches schema.json"
else
	"$bin" -schema "$repo_root/schema.json" -logo "$repo_root/docs/logo.png" -out "$repo_root/sdk"
	echo "gen-sdk: wrote sdk/go, sdk/nodejs, sdk/python, sdk/dotnet, sdk/java"
fi
