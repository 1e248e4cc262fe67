// Command docblocks is the part of the code-block check that needs no Go test: it writes
// the TypeScript, Python and Go blocks of the repository's markdown out as files for their
// language's checker (tsc against the packed SDK, Python under Pulumi's mocks, the Go
// module the engine suite builds Go programs in), and prints how many blocks of each
// language are checked and by what.
//
//	go run ./tools/docblocks                                   # the summary
//	go run ./tools/docblocks -lang typescript -out DIR         # DIR/*.ts and DIR/tsconfig.json
//	go run ./tools/docblocks -lang python -out DIR             # DIR/*.py
//	go run ./tools/docblocks -lang go -out DIR                 # DIR/<block>/main.go
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/docblocks"
)

// checkers says, for the summary, what checks each language's blocks.
var checkers = map[string]string{
	"typescript": "tsc against the packed npm SDK (make test-docs-nodejs); up, preview, destroy under the real engine (tests/engine)",
	"python":     "run under Pulumi's Python mocks with the wheel (make test-docs-python); up, preview, destroy under the real engine (tests/engine)",
	"go":         "go vet against the checkout's Go SDK (provider/docs_test.go); up, preview, destroy under the real engine (tests/engine)",
	"yaml":       "programs with resources: the real engine (tests/engine); others: the schema (provider/docs_test.go)",
	"sh":         "bash -n (provider/docs_test.go)",
	"json":       "parsed (provider/docs_test.go)",
	"java":       "fragments only (provider/docs_test.go refuses a whole Java program: nothing compiles it)",
	"text":       "not code: output and layouts, shown as they are",
}

func main() {
	root := flag.String("root", ".", "the repository's root")
	lang := flag.String("lang", "", "write this language's blocks to -out: typescript, python or go")
	out := flag.String("out", "", "directory to write the blocks to (emptied first)")
	flag.Parse()
	blocks, err := docblocks.All(*root)
	if err != nil {
		fail(err)
	}
	if *lang == "" {
		summary(blocks)
		return
	}
	if *out == "" {
		fail(fmt.Errorf("-lang %s needs -out", *lang))
	}
	n, err := write(blocks, *lang, *out)
	if err != nil {
		fail(err)
	}
	fmt.Printf("%s: %d blocks written to %s\n", *lang, n, *out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "docblocks:", err)
	os.Exit(1)
}

func summary(blocks []docblocks.Block) {
	counts := docblocks.Counts(blocks)
	var langs []string
	for l := range counts {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	fmt.Printf("code blocks of README.md, docs/ and provider/docs/:\n")
	for _, l := range langs {
		c := counts[l]
		fmt.Printf("  %-10s %3d checked, %2d fragments: %s\n", l, c[0], c[1], checkers[l])
	}
	engine := 0
	for _, b := range blocks {
		if b.Lang == "yaml" && !b.Fragment && resources.MatchString(b.Text) {
			engine++
		}
	}
	fmt.Printf("  (yaml: %d programs with resources run by the engine suite, %d checked by the Go test alone)\n", engine, counts["yaml"][0]-engine)
}

// resources finds a YAML program's resources section, as the engine suite does.
var resources = regexp.MustCompile(`(?m)^resources:`)

// write puts every non-fragment block of lang into dir, one file per block named after
// its markdown file and line, so a compiler's message leads back to the block. A Go block
// is a program (package main) of its own, so each gets a directory: dir/<name>/main.go.
func write(blocks []docblocks.Block, lang, dir string) (int, error) {
	ext := map[string]string{"typescript": ".ts", "python": ".py", "go": ".go"}[lang]
	if ext == "" {
		return 0, fmt.Errorf("-lang %q: only typescript, python and go are written out; the Go test checks the others", lang)
	}
	if err := os.RemoveAll(dir); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var files []string
	for _, b := range blocks {
		if b.Lang != lang || b.Fragment {
			continue
		}
		text := fmt.Sprintf("%s %s\n%s", map[string]string{".ts": "//", ".py": "#", ".go": "//"}[ext], b.Where(), b.Text)
		if lang == "typescript" {
			// Each block is a program of its own: a module, even without imports, so
			// two blocks' top-level names never collide.
			text += "export {};\n"
		}
		name := b.Name() + ext
		if lang == "go" {
			name = filepath.Join(b.Name(), "main.go")
			if err := os.Mkdir(filepath.Join(dir, b.Name()), 0o755); err != nil {
				return 0, err
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil { //nolint:gosec // examples, not secrets
			return 0, err
		}
		files = append(files, name)
	}
	if lang == "typescript" {
		if err := writeTSConfig(dir, files); err != nil {
			return 0, err
		}
	}
	return len(files), nil
}

// writeTSConfig lists exactly the written files, with the strictness of the examples'
// tsconfig and no output: only the types are checked.
func writeTSConfig(dir string, files []string) error {
	config := map[string]any{
		"compilerOptions": map[string]any{
			"strict":           true,
			"noEmit":           true,
			"target":           "es2020",
			"module":           "commonjs",
			"moduleResolution": "node",
			"skipLibCheck":     true,
			"esModuleInterop":  true,
			"types":            []string{"node"},
		},
		"files": files,
	}
	text, err := json.MarshalIndent(config, "", "    ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "tsconfig.json"), append(text, '\n'), 0o644) //nolint:gosec // a build file
}
