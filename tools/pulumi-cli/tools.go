//go:build tools

// Package tools pins the Pulumi CLI (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
// so that scripts/install-pulumi-cli.sh can build it from Go modules with
// `go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi` in this module.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
