#!/usr/bin/env bash
# Make a Pulumi CLI available for `pulumi up` of this project's Node.js
# (TypeScript) programs with dynamic providers and a local file backend.
#
# Prints the directory to put on PATH as the LAST line of stdout; progress goes
# to stderr. Usage:
#   bin_dir="$(scripts/install-pulumi-cli.sh | tail -n1)"; PATH="$bin_dir:$PATH"
# or simply:  source scripts/pulumi-env.sh <state-dir>
#
# 1. If `pulumi` and `pulumi-language-nodejs` are already on PATH (and
#    PULUMI_CLOUDPARTNER_BUILD_CLI is unset), print the directory of `pulumi`.
# 2. Otherwise build `pulumi` from Go modules (tools/pulumi-cli pins
#    github.com/pulumi/pulumi/pkg/v3 and sdk/v3) into a version-keyed cache
#    outside the repository, reused when present:
#      ${PULUMI_CLOUDPARTNER_CACHE:-$HOME/.cache/pulumi-cloudpartner}/pulumi-cli/<version>/bin/pulumi
#    (built into a temporary file, renamed into place).
# 3. The directory printed (and put on PATH) holds the CLI next to
#    tools/pulumi-language-nodejs/pulumi-language-nodejs (our own Node.js
#    language host; the official one is not served as a Go module here) and
#    pulumi-resource-pulumi-nodejs (launcher for the SDK's dynamic provider,
#    resolved from the program's node_modules) and pulumi-program-gen (the
#    host's GenerateProgram, built from tools/pulumi-cli/program-gen):
#      .../pulumi-cli/<version>/hosts/<key>/{pulumi,pulumi-language-nodejs,pulumi-resource-pulumi-nodejs,pulumi-program-gen}
#    <key> is a hash of those three files and of the CLI binary, so each
#    checkout gets the host it carries and never rewrites one in use: the
#    directory is assembled in a temporary directory and renamed into place
#    once (a concurrent install of the same key that loses the rename uses the
#    winner's). `pulumi` there is a hard link (a copy if linking fails), not a
#    symlink: the CLI warns when a bundled plugin resolves to a path other than
#    the one next to its own binary. The old layout (plugins copied into
#    <version>/bin on every run) is left alone for checkouts still using it.
#
# Environment:
#   PULUMI_CLOUDPARTNER_BUILD_CLI=1   ignore any pulumi on PATH, use/build the cached one
#   PULUMI_CLOUDPARTNER_REBUILD=1     rebuild even if the cached binary exists
#   PULUMI_CLOUDPARTNER_CACHE=<dir>   cache root (default ~/.cache/pulumi-cloudpartner)
#   PULUMI_CLOUDPARTNER_BUILD_JOBS=N  go build -p N (default 2)
set -euo pipefail

PULUMI_VERSION="v3.274.1"

log() { printf 'install-pulumi-cli: %s\n' "$*" >&2; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="$repo_root/tools"

cache_root="${PULUMI_CLOUDPARTNER_CACHE:-$HOME/.cache/pulumi-cloudpartner}"
bin_dir="$cache_root/pulumi-cli/$PULUMI_VERSION/bin"

# 1. An existing installation (other than one in our own cache, which may be
#    another checkout's host directory).
if [[ -z "${PULUMI_CLOUDPARTNER_BUILD_CLI:-}" ]] && existing="$(command -v pulumi 2>/dev/null)" &&
	[[ "$(dirname "$existing")" != "$cache_root/pulumi-cli/"* ]]; then
	existing_dir="$(dirname "$existing")"
	if command -v pulumi-language-nodejs >/dev/null 2>&1 || [[ -x "$existing_dir/pulumi-language-nodejs" ]]; then
		log "using pulumi already on PATH: $existing"
		printf '%s\n' "$existing_dir"
		exit 0
	fi
	log "pulumi on PATH ($existing) has no pulumi-language-nodejs; using the project's own build"
fi

mkdir -p "$bin_dir"

# 2. The CLI binary.
cli_ok() {
	[[ -x "$bin_dir/pulumi" ]] && PULUMI_SKIP_UPDATE_CHECK=true "$bin_dir/pulumi" version 2>/dev/null | grep -qx "$PULUMI_VERSION"
}

if [[ -n "${PULUMI_CLOUDPARTNER_REBUILD:-}" ]] || ! cli_ok; then
	command -v go >/dev/null 2>&1 || {
		log "error: go is required to build the Pulumi CLI"
		exit 1
	}
	jobs="${PULUMI_CLOUDPARTNER_BUILD_JOBS:-2}"
	log "building pulumi $PULUMI_VERSION with $(go version | cut -d' ' -f3) (go build -p $jobs); the first build takes several minutes"
	tmp_out="$bin_dir/.pulumi.$$"
	trap 'rm -f "$tmp_out"' EXIT
	start=$(date +%s)
	(
		cd "$tools_dir/pulumi-cli"
		GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" CGO_ENABLED="${CGO_ENABLED:-0}" \
			go build -p "$jobs" -trimpath \
			-ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
			-o "$tmp_out" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
	) >&2
	mv -f "$tmp_out" "$bin_dir/pulumi"
	trap - EXIT
	log "built $bin_dir/pulumi in $(($(date +%s) - start))s"
	cli_ok || {
		log "error: $bin_dir/pulumi does not report version $PULUMI_VERSION"
		exit 1
	}
else
	log "using cached $bin_dir/pulumi"
fi

# 3. The program generator the language host runs for GenerateProgram (`pulumi import --out` of a TypeScript
#    program): tools/pulumi-cli/program-gen, Pulumi's own Node.js program generator from the same pkg/v3,
#    cached by a hash of its sources (seconds with the CLI's build cache warm).
gen_key="$(cat "$tools_dir/pulumi-cli/program-gen/main.go" "$tools_dir/pulumi-cli/go.mod" "$tools_dir/pulumi-cli/go.sum" |
	sha256sum | cut -c1-16)"
gen_bin="$cache_root/pulumi-cli/$PULUMI_VERSION/program-gen/$gen_key/pulumi-program-gen"
if [[ ! -x "$gen_bin" ]]; then
	command -v go >/dev/null 2>&1 || {
		log "error: go is required to build the program generator"
		exit 1
	}
	mkdir -p "$(dirname "$gen_bin")"
	log "building the program generator (tools/pulumi-cli/program-gen)"
	(
		cd "$tools_dir/pulumi-cli"
		GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly" CGO_ENABLED="${CGO_ENABLED:-0}" \
			go build -p "${PULUMI_CLOUDPARTNER_BUILD_JOBS:-2}" -trimpath -ldflags "-s -w" -o "$gen_bin.$$" ./program-gen
	) >&2
	mv -f "$gen_bin.$$" "$gen_bin"
fi

# 4. The CLI next to the plugins it expects, in a directory keyed by all of them.
plugins=("$tools_dir/pulumi-language-nodejs/pulumi-language-nodejs"
	"$tools_dir/pulumi-language-nodejs/pulumi-resource-pulumi-nodejs"
	"$gen_bin")
key="$({
	sha256sum "${plugins[@]}" | cut -d' ' -f1
	stat -L -c '%d:%i:%s:%Y' "$bin_dir/pulumi"
} | sha256sum | cut -c1-16)"
hosts_dir="$cache_root/pulumi-cli/$PULUMI_VERSION/hosts"
host_dir="$hosts_dir/$key"

host_ok() {
	local f
	[[ -x "$1/pulumi" ]] || return 1
	for f in "${plugins[@]}"; do
		[[ -x "$1/$(basename "$f")" ]] && cmp -s "$f" "$1/$(basename "$f")" || return 1
	done
}

if ! host_ok "$host_dir"; then
	mkdir -p "$hosts_dir"
	tmp_dir="$(mktemp -d "$hosts_dir/.tmp.$key.XXXXXX")"
	trap 'rm -rf "$tmp_dir"' EXIT
	ln "$bin_dir/pulumi" "$tmp_dir/pulumi" 2>/dev/null || cp "$bin_dir/pulumi" "$tmp_dir/pulumi"
	for f in "${plugins[@]}"; do
		cp "$f" "$tmp_dir/$(basename "$f")"
		chmod 0755 "$tmp_dir/$(basename "$f")"
	done
	chmod 0755 "$tmp_dir"
	# rename(2) of a directory onto a missing name is atomic; onto an existing (non-empty) one it fails, and
	# the directory already there (a concurrent install of the same key) is used instead.
	if mv -T "$tmp_dir" "$host_dir" 2>/dev/null; then
		trap - EXIT
		log "installed the language host into $host_dir"
	elif host_ok "$host_dir"; then
		log "using $host_dir (installed concurrently)"
	else
		log "error: $host_dir exists but does not hold this checkout's plugins; remove it and run again"
		exit 1
	fi
else
	log "using cached $host_dir"
fi

printf '%s\n' "$host_dir"
