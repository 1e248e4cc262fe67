// Package docblocks finds the fenced code blocks of the repository's markdown, so that
// every example a reader may copy is compiled, run or at least parsed by a test, and a
// block that is deliberately incomplete says so where the reader sees it.
package docblocks

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// FragmentMarker is the HTML comment that, on the line before a fence, declares the block
// a fragment: an excerpt that is not a whole program, so no compiler sees it. The fence's
// info string may say the same with the word "fragment" after the language
// ("```typescript fragment"); both stay invisible in rendered markdown.
const FragmentMarker = "<!-- fragment -->"

// Block is one fenced code block of a markdown file.
type Block struct {
	// File is the markdown file's path as given to Files or Parse.
	File string
	// Line is the 1-based line of the opening fence, for messages a reader can follow.
	Line int
	// Lang is the canonical language (see Languages), "text" when the fence names none.
	Lang string
	// Fragment says the block was marked as deliberately incomplete.
	Fragment bool
	// Text is the block's content with the fence's indentation removed.
	Text string
}

// Name is a stable name for the block, usable as a file name: the markdown path with
// separators replaced, and the line.
func (b Block) Name() string {
	base := strings.NewReplacer("/", "_", ".md", "", ".", "_").Replace(filepath.ToSlash(b.File))
	return fmt.Sprintf("%s_L%d", base, b.Line)
}

// Where is "file:line", the position messages point at.
func (b Block) Where() string {
	return fmt.Sprintf("%s:%d", b.File, b.Line)
}

// Languages maps every info string the repository's markdown may use to the language
// whose checker runs it. A fence naming anything else is an error, so that a block in a
// new language cannot go unchecked.
var Languages = map[string]string{
	"typescript": "typescript",
	"ts":         "typescript",
	"python":     "python",
	"py":         "python",
	"go":         "go",
	"yaml":       "yaml",
	"yml":        "yaml",
	"sh":         "sh",
	"bash":       "sh",
	"shell":      "sh",
	"java":       "java",
	"json":       "json",
	"text":       "text",
	"":           "text",
}

var fence = regexp.MustCompile("^( *)(```+)[ \t]*([^`]*)$")

// Parse returns the fenced blocks of one markdown text. An unclosed fence, an unknown
// language or a stray word after the language is an error naming the line.
func Parse(file string, text []byte) ([]Block, error) {
	lines := strings.Split(string(text), "\n")
	var out []Block
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent, ticks := m[1], m[2]
		words := strings.Fields(m[3])
		b := Block{File: file, Line: i + 1}
		lang := ""
		if len(words) > 0 {
			lang = words[0]
		}
		canonical, ok := Languages[lang]
		if !ok {
			return nil, fmt.Errorf("%s:%d: a code block in %q, which no check knows; use one of %s", file, i+1, lang, strings.Join(knownLanguages(), ", "))
		}
		b.Lang = canonical
		for _, w := range words[min(1, len(words)):] {
			if w != "fragment" {
				return nil, fmt.Errorf("%s:%d: %q after the language; the only word allowed there is \"fragment\"", file, i+1, w)
			}
			b.Fragment = true
		}
		if prev := previousLine(lines, i); strings.TrimSpace(prev) == FragmentMarker {
			b.Fragment = true
		}
		var body []string
		closed := false
		for i++; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) == ticks && strings.HasPrefix(lines[i], indent) {
				closed = true
				break
			}
			body = append(body, strings.TrimPrefix(lines[i], indent))
		}
		if !closed {
			return nil, fmt.Errorf("%s:%d: the code block is never closed", file, b.Line)
		}
		b.Text = strings.Join(body, "\n") + "\n"
		out = append(out, b)
	}
	return out, nil
}

func previousLine(lines []string, i int) string {
	for j := i - 1; j >= 0; j-- {
		if strings.TrimSpace(lines[j]) != "" {
			return lines[j]
		}
	}
	return ""
}

func knownLanguages() []string {
	var out []string
	for k := range Languages {
		if k != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// Files lists the markdown a reader of the repository or the registry sees: README.md,
// every .md under docs/ and the resources' embedded docs (provider/docs/*.md), relative to
// root and sorted.
func Files(root string) ([]string, error) {
	files := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && path == filepath.Join(root, "docs") {
				return filepath.SkipDir
			}
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	embedded, err := filepath.Glob(filepath.Join(root, "provider", "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	for _, f := range embedded {
		rel, err := filepath.Rel(root, f)
		if err != nil {
			return nil, err
		}
		files = append(files, filepath.ToSlash(rel))
	}
	slices.Sort(files)
	return files, nil
}

// All parses every file Files lists under root; the blocks' File is relative to root.
func All(root string) ([]Block, error) {
	files, err := Files(root)
	if err != nil {
		return nil, err
	}
	var out []Block
	for _, f := range files {
		text, err := os.ReadFile(filepath.Join(root, f)) //nolint:gosec // the repository's own markdown
		if err != nil {
			return nil, err
		}
		blocks, err := Parse(f, text)
		if err != nil {
			return nil, err
		}
		out = append(out, blocks...)
	}
	return out, nil
}

// Counts tallies blocks per language as "checked" and "fragment", for the summary each
// checker prints.
func Counts(blocks []Block) map[string][2]int {
	out := map[string][2]int{}
	for _, b := range blocks {
		c := out[b.Lang]
		if b.Fragment {
			c[1]++
		} else {
			c[0]++
		}
		out[b.Lang] = c
	}
	return out
}
