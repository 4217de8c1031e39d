// Command pulumi-program-gen turns a Pulumi program in PCL (what `pulumi import --out` and `pulumi convert`
// hand to a language host's GenerateProgram) into a TypeScript program, with Pulumi's own Node.js program
// generator (github.com/pulumi/pulumi/pkg/v3/codegen/nodejs, the one the official Node.js language host
// uses). tools/pulumi-language-nodejs (our stand-in host) runs it for GenerateProgram; it is built next to
// the CLI by scripts/install-pulumi-cli.sh from this module (so the same pinned pkg/v3).
//
// Usage: pulumi-program-gen -loader <schema loader gRPC address> [-strict]
//
// stdin:  {"source": {"<file>.pp": "<PCL text>", ...}}
// stdout: {"source": {"index.ts": "<base64>", ...}, "diagnostics": [{"severity", "summary", "detail", "file", "line"}]}
// Exit 0 also when the program has errors: they are in "diagnostics" (the CLI shows them). Exit 1 with a
// message on stderr when it could not run at all.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/pulumi/pulumi/pkg/v3/codegen/hcl2/syntax"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/pcl"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

type request struct {
	Source map[string]string `json:"source"`
}

type diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
}

type response struct {
	Source      map[string][]byte `json:"source"`
	Diagnostics []diagnostic      `json:"diagnostics"`
}

func convert(diags hcl.Diagnostics) []diagnostic {
	out := []diagnostic{}
	for _, d := range diags {
		item := diagnostic{Severity: "warning", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagError {
			item.Severity = "error"
		}
		if d.Subject != nil {
			item.File, item.Line = d.Subject.Filename, d.Subject.Start.Line
		}
		out = append(out, item)
	}
	return out
}

func run() error {
	loaderTarget := flag.String("loader", "", "address of the engine's schema loader (GenerateProgramRequest.loader_target)")
	strict := flag.Bool("strict", false, "bind strictly (GenerateProgramRequest.strict)")
	flag.Parse()
	if *loaderTarget == "" {
		return fmt.Errorf("-loader is required")
	}
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		return fmt.Errorf("reading the request from stdin: %w", err)
	}
	loader, err := schema.NewLoaderClient(*loaderTarget)
	if err != nil {
		return fmt.Errorf("connecting to the schema loader at %s: %w", *loaderTarget, err)
	}
	defer loader.Close()

	parser := syntax.NewParser()
	names := make([]string, 0, len(req.Source))
	for name := range req.Source {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := parser.ParseFile(strings.NewReader(req.Source[name]), name); err != nil {
			return fmt.Errorf("parsing %s: %w", name, err)
		}
	}
	res := response{Source: map[string][]byte{}, Diagnostics: convert(parser.Diagnostics)}
	if parser.Diagnostics.HasErrors() {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	options := []pcl.BindOption{pcl.PreferOutputVersionedInvokes}
	if !*strict {
		options = append(options, pcl.NonStrictBindOptions()...)
	}
	program, diags, err := pcl.BindProgram(parser.Files, schema.NewCachedLoader(loader), options...)
	if err != nil {
		return fmt.Errorf("binding the program: %w", err)
	}
	res.Diagnostics = append(res.Diagnostics, convert(diags)...)
	if diags.HasErrors() {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	files, genDiags, err := nodejs.GenerateProgram(program)
	if err != nil {
		return fmt.Errorf("generating TypeScript: %w", err)
	}
	res.Source = files
	res.Diagnostics = append(res.Diagnostics, convert(genDiags)...)
	return json.NewEncoder(os.Stdout).Encode(res)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-program-gen: %v\n", err)
		os.Exit(1)
	}
}
