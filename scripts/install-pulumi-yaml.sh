#!/usr/bin/env bash
# Make the Pulumi YAML language host (`pulumi-language-yaml`) available for YAML programs that use the native
# `cloudpartner` provider (examples/yaml-release). It is built with `go install` from the Go module
# github.com/pulumi/pulumi-yaml (pinned below; it pins its own github.com/pulumi/pulumi/pkg/v3) into a
# version-keyed cache outside the repository, next to the project's Pulumi CLI, and reused when present.
# The first build takes about 2 minutes (Go module and build caches: GOMODCACHE/GOCACHE defaults).
#
# Prints the directory holding `pulumi-language-yaml` as the LAST line of stdout; progress goes to stderr:
#   yaml_dir="$(scripts/install-pulumi-yaml.sh | tail -n1)"; PATH="$yaml_dir:$PATH"
#
# Environment:
#   PULUMI_CLOUDPARTNER_REBUILD=1     rebuild even if the cached binary exists
#   PULUMI_CLOUDPARTNER_CACHE=<dir>   cache root (default ~/.cache/pulumi-cloudpartner)
#   PULUMI_CLOUDPARTNER_BUILD_JOBS=N  go build -p N (default 2)
set -euo pipefail

PULUMI_YAML_VERSION="v1.25.0"

log() { printf 'install-pulumi-yaml: %s\n' "$*" >&2; }

cache_root="${PULUMI_CLOUDPARTNER_CACHE:-$HOME/.cache/pulumi-cloudpartner}"
bin_dir="$cache_root/pulumi-yaml/$PULUMI_YAML_VERSION/bin"
bin="$bin_dir/pulumi-language-yaml"

if [[ -n "${PULUMI_CLOUDPARTNER_REBUILD:-}" || ! -x "$bin" ]]; then
	command -v go >/dev/null 2>&1 || {
		log "error: go is required to build pulumi-language-yaml $PULUMI_YAML_VERSION"
		exit 1
	}
	jobs="${PULUMI_CLOUDPARTNER_BUILD_JOBS:-2}"
	log "building pulumi-language-yaml $PULUMI_YAML_VERSION with $(go version | cut -d' ' -f3) (first build: about 2 minutes)"
	mkdir -p "$bin_dir"
	tmp_bin="$(mktemp -d "$bin_dir/.build.XXXXXX")"
	trap 'rm -rf "$tmp_bin"' EXIT
	start=$(date +%s)
	# `go install pkg@version` ignores any go.mod around it and uses the module's own requirements.
	GOBIN="$tmp_bin" CGO_ENABLED="${CGO_ENABLED:-0}" \
		go install -p "$jobs" -trimpath -ldflags "-s -w" \
		"github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$PULUMI_YAML_VERSION" >&2
	mv -f "$tmp_bin/pulumi-language-yaml" "$bin"
	log "built $bin in $(($(date +%s) - start))s"
else
	log "using cached $bin"
fi

printf '%s\n' "$bin_dir"
