// Command gen-sdk generates the Go, Node.js, Python, .NET (C#) and Java SDKs of
// the native `cloudpartner` provider from the hand-written schema.json, with
// Pulumi's code generators (all pinned in go.mod):
//   - go, nodejs, python: github.com/pulumi/pulumi/pkg/v3/codegen/...
//   - dotnet: github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3/codegen
//     (moved out of pkg/v3)
//   - java: github.com/pulumi/pulumi-java/pkg/codegen/java
//
// Usage: gen-sdk -schema <schema.json> -out <dir> [-logo <png>]
//
// Generation is offline: the .NET generator downloads the schema's logoUrl to
// ship it as logo.png, so the tool answers that request from the checked-in
// file the URL points at (-logo, default docs/logo.png beside the schema) and
// refuses every other HTTP request. The output depends on the inputs alone.
//
// It writes <dir>/go, <dir>/nodejs, <dir>/python, <dir>/dotnet and <dir>/java,
// replacing what was there. The Go SDK's go.mod requires the sdk/v3 this tool
// is linked with (the upstream generator hard-codes an older one) and is then
// completed by `go mod tidy` (go.sum included), so sdk/go builds on its own.
// `npm run gen-sdk` runs it with -out sdk; `npm run check-sdk` runs it into a
// temporary directory and fails when the checked-in sdk/ differs.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/blang/semver"
	dotnet "github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3/codegen"
	"github.com/pulumi/pulumi-java/pkg/codegen/java"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"golang.org/x/mod/modfile"
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
	outDir := flag.String("out", "sdk", "directory that receives go/, nodejs/, python/, dotnet/ and java/")
	logo := flag.String("logo", "", "the PNG the schema's logoUrl points at (default: docs/logo.png beside the schema)")
	flag.Parse()
	if *logo == "" {
		*logo = filepath.Join(filepath.Dir(*schemaPath), "docs", "logo.png")
	}
	if err := run(*schemaPath, *outDir, *logo); err != nil {
		fmt.Fprintf(os.Stderr, "gen-sdk: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, outDir, logoPath string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return fmt.Errorf("read the schema: %w", err)
	}
	var meta struct {
		LogoURL string `json:"logoUrl"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return fmt.Errorf("%s is not valid JSON: %w", schemaPath, err)
	}
	if err := serveOffline(meta.LogoURL, logoPath); err != nil {
		return err
	}
	loader := nullReferenceLoader{schema.NewNullLoader()}
	// Each generator gets a package bound afresh: some (java) write their
	// language options back into the package they are given.
	bind := func() (*schema.Package, error) {
		var spec schema.PackageSpec
		if err := json.Unmarshal(raw, &spec); err != nil {
			return nil, fmt.Errorf("%s is not a valid package schema: %w", schemaPath, err)
		}
		pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
		if err != nil {
			return nil, fmt.Errorf("bind %s: %w", schemaPath, err)
		}
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s has errors: %s", schemaPath, diags.Error())
		}
		return pkg, nil
	}

	generators := []struct {
		lang string
		gen  func(*schema.Package) (map[string][]byte, error)
	}{
		{"go", func(pkg *schema.Package) (map[string][]byte, error) { return gogen.GeneratePackage(tool, pkg, nil) }},
		{"nodejs", func(pkg *schema.Package) (map[string][]byte, error) {
			return nodejs.GeneratePackage(tool, pkg, nil, nil, false, loader)
		}},
		{"python", func(pkg *schema.Package) (map[string][]byte, error) {
			return python.GeneratePackage(tool, pkg, nil, loader)
		}},
		{"dotnet", func(pkg *schema.Package) (map[string][]byte, error) {
			return dotnet.GeneratePackage(tool, pkg, nil, nil)
		}},
		{"java", func(pkg *schema.Package) (map[string][]byte, error) {
			// Not a local package, and the current (non-legacy) build files: Gradle, as published Java SDKs use.
			return java.GeneratePackage(tool, pkg, nil, nil, false, false)
		}},
	}
	for _, g := range generators {
		pkg, err := bind()
		if err != nil {
			return err
		}
		files, err := g.gen(pkg)
		if err != nil {
			return fmt.Errorf("generate the %s SDK: %w", g.lang, err)
		}
		if g.lang == "go" {
			if files["go.mod"], err = pinPulumiSDK(files["go.mod"]); err != nil {
				return err
			}
		}
		dir := filepath.Join(outDir, g.lang)
		if err := writeTree(dir, files); err != nil {
			return err
		}
		if g.lang == "go" {
			if err := tidy(dir); err != nil {
				return err
			}
		}
	}
	return nil
}

// offlineTransport answers the logo download from a local file and refuses
// any other request, so no generator reaches the network.
type offlineTransport struct {
	logoURL string
	logo    []byte
}

func (t offlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && t.logoURL != "" && req.URL.String() == t.logoURL {
		return &http.Response{
			Status:        "200 OK",
			StatusCode:    http.StatusOK,
			Proto:         "HTTP/1.1",
			ProtoMajor:    1,
			ProtoMinor:    1,
			Header:        http.Header{"Content-Type": []string{"image/png"}},
			Body:          io.NopCloser(bytes.NewReader(t.logo)),
			ContentLength: int64(len(t.logo)),
			Request:       req,
		}, nil
	}
	return nil, fmt.Errorf(
		"gen-sdk generates offline and serves only the schema's logoUrl (%q) from the checked-in file; "+
			"a generator asked for %s %s: set logoUrl in schema.json, or teach tools/gen-sdk the new request",
		t.logoURL, req.Method, req.URL)
}

// serveOffline installs offlineTransport as the default HTTP transport.
func serveOffline(logoURL, logoPath string) error {
	if logoURL == "" {
		return fmt.Errorf("schema.json has no logoUrl: the .NET generator would download Pulumi's default logo; " +
			"set logoUrl to the URL of docs/logo.png in the repository")
	}
	rel := filepath.ToSlash(filepath.Base(filepath.Dir(logoPath)) + "/" + filepath.Base(logoPath))
	if !strings.HasSuffix(logoURL, "/"+rel) {
		return fmt.Errorf("schema.json's logoUrl %q does not point at %s (the file shipped as the SDKs' logo); "+
			"make them agree", logoURL, rel)
	}
	logo, err := os.ReadFile(logoPath)
	if err != nil {
		return fmt.Errorf("read the logo the schema's logoUrl points at: %w", err)
	}
	http.DefaultTransport = offlineTransport{logoURL: logoURL, logo: logo}
	return nil
}

const pulumiSDK = "github.com/pulumi/pulumi/sdk/v3"

// linkedPulumiSDK is the version of sdk/v3 this tool is built with (go.mod pins
// it), i.e. one the module proxy is known to serve.
func linkedPulumiSDK() (string, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", fmt.Errorf("no build information in this binary: build it with `go build` from tools/gen-sdk")
	}
	for _, dep := range info.Deps {
		if dep.Path == pulumiSDK {
			if dep.Replace != nil {
				return dep.Replace.Version, nil
			}
			return dep.Version, nil
		}
	}
	return "", fmt.Errorf("%s is not among this binary's dependencies", pulumiSDK)
}

// pinPulumiSDK rewrites the generated go.mod, whose sdk/v3 requirement the
// upstream generator hard-codes (v3.269.0 in pkg v3.274.1, a version that need
// not be served), to the sdk/v3 this tool is linked with.
func pinPulumiSDK(gomod []byte) ([]byte, error) {
	if gomod == nil {
		return nil, fmt.Errorf("the Go generator wrote no go.mod: keep meta.supportPack true in the schema")
	}
	version, err := linkedPulumiSDK()
	if err != nil {
		return nil, err
	}
	f, err := modfile.Parse("go.mod", gomod, nil)
	if err != nil {
		return nil, fmt.Errorf("parse the generated go.mod: %w", err)
	}
	if len(f.Replace) > 0 {
		return nil, fmt.Errorf("the generated go.mod has replace directives; sdk/go must build on its own")
	}
	if err := f.AddRequire(pulumiSDK, version); err != nil {
		return nil, fmt.Errorf("pin %s %s in go.mod: %w", pulumiSDK, version, err)
	}
	return f.Format()
}

// tidy completes sdk/go's go.mod and writes its go.sum (`go mod tidy`, through
// the module proxy and cache like every other Go build here), so that the SDK
// resolves alone.
func tidy(dir string) error {
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go mod tidy in %s (needs the Go module proxy or a warm module cache): %w", dir, err)
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
