// Command go-golive takes an Azure Marketplace offer live from a Go program, with the native `cloudpartner`
// provider (plugin pulumi-resource-cloudpartner) and its generated Go SDK (sdk/go).
//
// It is a Pulumi Automation API program with an inline Pulumi program: it needs the `pulumi` CLI and the
// plugin on PATH (or installed), but no Go language host. State goes where PULUMI_BACKEND_URL points (for
// instance file://~/.pulumi-local; `pulumi login --local` otherwise); PULUMI_CONFIG_PASSPHRASE protects the
// stack's secrets.
//
//	CLOUDPARTNER_ACCESS_TOKEN=<token> go run . -stack dev -publisher contoso -offer contoso-offer
//
// The token is stored as the secret stack config `cloudpartner:accessToken` (never in plain text).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/pulumi-cloudpartner/pulumi-cloudpartner/sdk/go/cloudpartner"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	stackName := flag.String("stack", "dev", "stack name")
	publisher := flag.String("publisher", "contoso", "publisher id")
	offer := flag.String("offer", "", "offer id (required)")
	endpoint := flag.String("endpoint", "", "CPP endpoint (default https://cloudpartner.azure.com; set for the simulator)")
	poll := flag.Float64("poll-interval", 60, "first poll interval in seconds")
	maxPoll := flag.Float64("max-poll-interval", 900, "longest poll interval in seconds")
	createTimeout := flag.String("create-timeout", "", `customTimeouts create, e.g. "6h" (the wait ends there; the next run resumes)`)
	flag.Parse()
	if *offer == "" {
		fmt.Fprintln(os.Stderr, "go-golive: -offer is required")
		os.Exit(2)
	}

	// The inline program: what a Pulumi Go program's main would hold.
	program := func(ctx *pulumi.Context) error {
		var opts []pulumi.ResourceOption
		if *createTimeout != "" {
			opts = append(opts, pulumi.Timeouts(&pulumi.CustomTimeouts{Create: *createTimeout}))
		}
		live, err := cloudpartner.NewOfferGoLive(ctx, "offer-live", &cloudpartner.OfferGoLiveArgs{
			PublisherId:            pulumi.String(*publisher),
			OfferId:                pulumi.String(*offer),
			PollIntervalSeconds:    pulumi.Float64(*poll),
			MaxPollIntervalSeconds: pulumi.Float64(*maxPoll),
		}, opts...)
		if err != nil {
			return err
		}
		ctx.Export("status", live.Status)
		ctx.Export("operationId", live.OperationId)
		ctx.Export("operationLocation", live.OperationLocation)
		return nil
	}

	ctx := context.Background()
	stack, err := auto.UpsertStackInlineSource(ctx, *stackName, "cloudpartner-go-golive", program)
	if err != nil {
		fail("creating or selecting stack %s: %v", *stackName, err)
	}
	if token := os.Getenv("CLOUDPARTNER_ACCESS_TOKEN"); token != "" {
		if err := stack.SetConfig(ctx, "cloudpartner:accessToken", auto.ConfigValue{Value: token, Secret: true}); err != nil {
			fail("setting cloudpartner:accessToken: %v", err)
		}
	}
	if *endpoint != "" {
		// Provider configuration: the default endpoint of every cloudpartner resource in the stack.
		if err := stack.SetConfig(ctx, "cloudpartner:endpoint", auto.ConfigValue{Value: *endpoint}); err != nil {
			fail("setting cloudpartner:endpoint: %v", err)
		}
	}

	result, err := stack.Up(ctx, optup.ProgressStreams(os.Stdout), optup.ErrorProgressStreams(os.Stderr))
	if err != nil {
		fail("pulumi up: %v", err)
	}
	for _, key := range []string{"status", "operationId", "operationLocation"} {
		fmt.Printf("%s: %v\n", key, result.Outputs[key].Value)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "go-golive: "+format+"\n", args...)
	os.Exit(1)
}
