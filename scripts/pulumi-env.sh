# shellcheck shell=bash
# Source this file to use the project's Pulumi CLI offline with a local file
# backend:
#
#   source scripts/pulumi-env.sh [STATE_DIR]
#
# STATE_DIR (default: a new temporary directory) receives the backend state
# (STATE_DIR/backend) and PULUMI_HOME (STATE_DIR/home). It runs
# scripts/install-pulumi-cli.sh (instant once the CLI is cached; builds it
# from Go modules otherwise) and exports:
#
#   PATH                    <cli bin dir>:<repo>/node_modules/.bin:$PATH
#                           (the bin dir holds pulumi, pulumi-language-nodejs and
#                           pulumi-resource-pulumi-nodejs; node_modules/.bin
#                           provides the project's Node 24 as `node`)
#   PULUMI_BACKEND_URL      file://STATE_DIR/backend
#   PULUMI_CONFIG_PASSPHRASE  kept if already set, else a fixed local passphrase
#   PULUMI_HOME             STATE_DIR/home
#   PULUMI_SKIP_UPDATE_CHECK=true
#   PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
#   PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true   never download plugins
#   PULUMI_DISABLE_REGISTRY_RESOLVE=true                never ask the registry
#   PULUMI_CLOUDPARTNER_CLI_BIN, PULUMI_CLOUDPARTNER_STATE_DIR  (for scripts)
#
# Returns non-zero (without exiting the calling shell) if the CLI cannot be had.

_pcp_env() {
	local repo_root state_dir bin_dir
	repo_root="${PULUMI_CLOUDPARTNER_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

	state_dir="${1:-}"
	if [[ -z "$state_dir" ]]; then
		state_dir="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-state.XXXXXX")" || return 1
	fi
	mkdir -p "$state_dir/backend" "$state_dir/home" || return 1
	state_dir="$(cd "$state_dir" && pwd)"

	bin_dir="$("$repo_root/scripts/install-pulumi-cli.sh" | tail -n 1)" || return 1
	if [[ -z "$bin_dir" || ! -x "$bin_dir/pulumi" ]]; then
		echo "pulumi-env.sh: install-pulumi-cli.sh gave no usable directory" >&2
		return 1
	fi

	local p rest=":$PATH:"
	for p in "$bin_dir" "$repo_root/node_modules/.bin"; do
		rest="${rest//:$p:/:}"
	done
	rest="${rest#:}"
	export PATH="$bin_dir:$repo_root/node_modules/.bin${rest:+:${rest%:}}"
	export PULUMI_BACKEND_URL="file://$state_dir/backend"
	export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-pulumi-cloudpartner-local}"
	export PULUMI_HOME="$state_dir/home"
	export PULUMI_SKIP_UPDATE_CHECK=true
	export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
	export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
	export PULUMI_DISABLE_REGISTRY_RESOLVE=true
	export PULUMI_CLOUDPARTNER_CLI_BIN="$bin_dir"
	export PULUMI_CLOUDPARTNER_STATE_DIR="$state_dir"
}

_pcp_env "$@"
_pcp_rc=$?
unset -f _pcp_env
# shellcheck disable=SC2317
return "$_pcp_rc" 2>/dev/null || exit "$_pcp_rc"
