package docblocks

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	text := strings.Join([]string{
		"# title",
		"```typescript",
		"const a = 1;",
		"```",
		"1. a list item:",
		"   ```yaml",
		"   spec:",
		"     a: b",
		"   ```",
		"<!-- fragment -->",
		"",
		"```go",
		"x := 1",
		"```",
		"```ts fragment",
		"y",
		"```",
		"```",
		"plain",
		"```",
	}, "\n")
	blocks, err := Parse("README.md", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []Block{
		{File: "README.md", Line: 2, Lang: "typescript", Text: "const a = 1;\n"},
		{File: "README.md", Line: 6, Lang: "yaml", Text: "spec:\n  a: b\n"},
		{File: "README.md", Line: 12, Lang: "go", Fragment: true, Text: "x := 1\n"},
		{File: "README.md", Line: 15, Lang: "typescript", Fragment: true, Text: "y\n"},
		{File: "README.md", Line: 18, Lang: "text", Text: "plain\n"},
	}
	if len(blocks) != len(want) {
		t.Fatalf("got %d blocks, want %d: %+v", len(blocks), len(want), blocks)
	}
	for i := range want {
		if blocks[i] != want[i] {
			t.Errorf("block %d: got %+v, want %+v", i, blocks[i], want[i])
		}
	}
	if got := blocks[1].Name(); got != "README_L6" {
		t.Errorf("Name() = %q", got)
	}
	counts := Counts(blocks)
	if counts["typescript"] != [2]int{1, 1} || counts["go"] != [2]int{0, 1} {
		t.Errorf("Counts() = %v", counts)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, text := range map[string]string{
		"unknown language": "```rust\nfn main() {}\n```\n",
		"unclosed":         "```go\nx := 1\n",
		"stray word":       "```go main\nx := 1\n```\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("a.md", []byte(text))
			if err == nil || !strings.HasPrefix(err.Error(), "a.md:1: ") {
				t.Errorf("Parse() error = %v, want one naming a.md:1", err)
			}
		})
	}
}

// TestRepository: the repository's own markdown parses, so the checkers of every
// language have their blocks.
func TestRepository(t *testing.T) {
	blocks, err := All("../..")
	if err != nil {
		t.Fatal(err)
	}
	counts := Counts(blocks)
	for _, lang := range []string{"typescript", "python", "go", "yaml", "sh"} {
		if counts[lang][0] == 0 {
			t.Errorf("no %s block to check in %v", lang, counts)
		}
	}
	for _, b := range blocks {
		t.Logf("%s %s fragment=%v", b.Where(), b.Lang, b.Fragment)
	}
}
