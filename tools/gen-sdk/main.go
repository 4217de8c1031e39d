// Command gen-sdk generates the Go, Node.js and Python SDKs of the native
// `cloudpartner` provider from the hand-written schema.json, with the code
// generators of github.com/pulumi/pulumi/pkg/v3 (pinned in go.mod).
//
// Usage: gen-sdk -schema <schema.json> -out <dir>
//
// It writes <dir>/go, <dir>/nodejs and <dir>/python, replacing what was there.
// `npm run gen-sdk` runs it with -out sdk; scripts/check-sdk.sh runs it into a
// temporary directory and fails when the checked-in sdk/ differs.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-cloudpartner-gen-sdk"

// nullReferenceLoader is the reference form of schema.NewNullLoader: the
// schema references no other package, so nothing is ever loaded.
type nullReferenceLoader struct{ schema.Loader }

func (l nullReferenceLoader) LoadPackageReference(pkg string, version *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("gen-sdk: schema.json must not reference package %q (version %v)", pkg, version)
}

func (l nullReferenceLoader) LoadPackageReferenceV2(
	_ context.Context, descriptor *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, fmt.Errorf("gen-sdk: schema.json must not reference package %q", descriptor.Name)
}

func main() {
	schemaPath := flag.String("schema", "schema.json", "path of the provider schema")
	outDir := flag.String("out", "sdk", "directory that receives go/, nodejs/ and python/")
	flag.Parse()
	if err := run(*schemaPath, *outDir); err != nil {
		fmt.Fprintf(os.Stderr, "gen-sdk: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, outDir string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return fmt.Errorf("read the schema: %w", err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s is not a valid package schema: %w", schemaPath, err)
	}
	loader := nullReferenceLoader{schema.NewNullLoader()}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("bind %s: %w", schemaPath, err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s has errors: %s", schemaPath, diags.Error())
	}

	generators := []struct {
		lang string
		gen  func() (map[string][]byte, error)
	}{
		{"go", func() (map[string][]byte, error) { return gogen.GeneratePackage(tool, pkg, nil) }},
		{"nodejs", func() (map[string][]byte, error) {
			return nodejs.GeneratePackage(tool, pkg, nil, nil, false, loader)
		}},
		{"python", func() (map[string][]byte, error) { return python.GeneratePackage(tool, pkg, nil, loader) }},
	}
	for _, g := range generators {
		files, err := g.gen()
		if err != nil {
			return fmt.Errorf("generate the %s SDK: %w", g.lang, err)
		}
		if err := writeTree(filepath.Join(outDir, g.lang), files); err != nil {
			return err
		}
	}
	return nil
}

// writeTree replaces dir with exactly the generated files.
func writeTree(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clear %s: %w", dir, err)
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}
