package narvik_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// packageDoc parses the narvik package's own sources (no tests) into their
// documentation.
func packageDoc(t *testing.T) *doc.Package {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	p, err := doc.NewFromFiles(fset, files, "github.com/narvik-go/narvik")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDocsSayWhatUsersTripOver holds the docs to the facts a newcomer needs
// and once had to find out the hard way: session data is JSON by default
// (unexported fields vanish without an error), and what the conformance
// suite asks of a store given a cancelled context.
func TestDocsSayWhatUsersTripOver(t *testing.T) {
	p := packageDoc(t)
	docOf := map[string]string{}
	for _, f := range p.Funcs {
		docOf[f.Name] = f.Doc
	}
	for _, ty := range p.Types {
		docOf[ty.Name] = ty.Doc
		for _, f := range ty.Funcs {
			docOf[f.Name] = f.Doc
		}
	}
	for _, c := range []struct {
		name  string
		words []string
		why   string
	}{
		{"New", []string{"JSON", "unexported", "WithCodec"}, "session data is JSON by default: unexported fields come back empty"},
		{"Session", []string{"JSON", "unexported", "WithCodec"}, "session data is JSON by default: unexported fields come back empty"},
		{"SessionStore", []string{"conformance", "cancelled", "errors.Is(err, context.Canceled)", "nil", "AllSessions"}, "what the conformance suite checks for cancelled contexts (conformance/more_checks.go, walk_checks.go)"},
	} {
		d, ok := docOf[c.name]
		if !ok {
			t.Errorf("no doc found for %s", c.name)
			continue
		}
		for _, w := range c.words {
			if !strings.Contains(strings.Join(strings.Fields(d), " "), w) {
				t.Errorf("the doc of %s does not mention %q; it must say %s", c.name, w, c.why)
			}
		}
	}
}

// TestNoDocTestsNewAfterValidation: Session.New is set only by
// CreateSession, so "re-set the cookie when s.New || s.Extended" after
// ValidateSession misleads (issue 15, item 9). No doc says it.
func TestNoDocTestsNewAfterValidation(t *testing.T) {
	for _, path := range []string{"README.md", "doc.go", "session.go", "narvikhttp/doc.go", "narvikhttp/middleware.go"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "New || ") || strings.Contains(line, "new || extended") || strings.Contains(line, "new or was extended") {
				t.Errorf("%s:%d: %q: ValidateSession never sets New; test Extended alone", path, i+1, strings.TrimSpace(line))
			}
		}
	}
}
