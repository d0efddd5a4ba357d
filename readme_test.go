package narvik_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestREADMESnippets compiles every ```go block of README.md, as written,
// against this checkout: a snippet a reader copies must build. Compiler
// errors point at README.md:line:column.
//
// Each block is built as its own package, in a throw-away module outside
// the repository that requires every module of the workspace (go.work) with
// a replace to this checkout (GOWORK=off, so nothing else helps). A block
// is one of:
//
//   - a whole file: it starts with "package"; it is built as it is;
//   - declarations (func, type, var, const): they become a file of their
//     own;
//   - statements: they become the body of a function that returns an
//     error (so a block may return err; it must not end on a return).
//
// Declarations and statements get their imports added from readmeImports,
// by the package names they use (add a line there for a new one), and may
// use the names readmeGiven declares without declaring them: ctx, w, r,
// mux, addr, userID, ip, token, store, clock, auth (a
// *narvik.Narvik[Device]), the handler function me and the data types
// Device and MyData. Every variable a statement block declares counts
// as used, so a block may end on the value it shows.
func TestREADMESnippets(t *testing.T) {
	if testing.Short() {
		t.Skip("builds README.md's snippets against every module: skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	snippets := goBlocks(string(readme))
	if len(snippets) == 0 {
		t.Fatal("README.md has no ```go block; this test would check nothing")
	}

	dir := t.TempDir()
	mods := workspaceModules(t, goBin, root)
	writeModule(t, dir, root, mods)
	for i, s := range snippets {
		pkg := fmt.Sprintf("snippet%02d", i+1)
		src, err := s.file(pkg)
		if err != nil {
			t.Error(err) // and build the others, to report every problem at once
			continue
		}
		write(t, filepath.Join(dir, pkg, "snippet.go"), src)
		if !strings.HasPrefix(strings.TrimSpace(s.code), "package ") {
			write(t, filepath.Join(dir, pkg, "given.go"), "package "+pkg+"\n"+readmeGiven)
		}
	}
	for _, step := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command(goBin, step...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("README.md's Go snippets do not pass go %s as written (%v). Positions are README.md:line:column; "+
				"how blocks are wrapped and which names they may use undeclared is in readme_test.go:\n%s", step[0], err, out)
			return
		}
	}
}

// readmeImports maps the package names README snippets use to their import
// paths.
var readmeImports = map[string]string{
	"bolt":          "go.etcd.io/bbolt",
	"boltstore":     "github.com/narvik-go/narvik/drivers/boltstore",
	"config":        "github.com/aws/aws-sdk-go-v2/config",
	"conformance":   "github.com/narvik-go/narvik/conformance",
	"context":       "context",
	"dualstore":     "github.com/narvik-go/narvik/drivers/dualstore",
	"dynamodb":      "github.com/aws/aws-sdk-go-v2/service/dynamodb",
	"dynamostore":   "github.com/narvik-go/narvik/drivers/dynamostore",
	"errors":        "errors",
	"fmt":           "fmt",
	"http":          "net/http",
	"log":           "log",
	"memstore":      "github.com/narvik-go/narvik/drivers/memstore",
	"mongo":         "go.mongodb.org/mongo-driver/v2/mongo",
	"mongostore":    "github.com/narvik-go/narvik/drivers/mongostore",
	"mysqlstore":    "github.com/narvik-go/narvik/drivers/mysqlstore",
	"narvikotel":    "github.com/narvik-go/narvik/narvikotel",
	"pgxpool":       "github.com/jackc/pgx/v5/pgxpool",
	"postgresstore": "github.com/narvik-go/narvik/drivers/postgresstore",
	"sql":           "database/sql",
	"sqlitestore":   "github.com/narvik-go/narvik/drivers/sqlitestore",
	"narvik":        "github.com/narvik-go/narvik",
	"narvikhttp":    "github.com/narvik-go/narvik/narvikhttp",
	"options":       "go.mongodb.org/mongo-driver/v2/mongo/options",
	"os":            "os",
	"redis":         "github.com/redis/go-redis/v9",
	"redisstore":    "github.com/narvik-go/narvik/drivers/redisstore",
	"slog":          "log/slog",
	"strings":       "strings",
	"testing":       "testing",
	"time":          "time",
}

// readmeGiven declares what README fragments may use without declaring
// it: what the surrounding application would have.
const readmeGiven = `
import (
	"context"
	"net/http"
	"time"

	"github.com/narvik-go/narvik"
)

var (
	ctx    = context.Background()
	w      http.ResponseWriter
	r      *http.Request
	mux    = http.NewServeMux()
	addr   = "127.0.0.1:8080"
	userID = "user-42"
	ip     = "192.0.2.1"
	token  string              // from the request
	store  narvik.SessionStore // any driver
	clock  = time.Now          // a test clock
	auth   *narvik.Narvik[Device]
)

type Device struct{ IP, UserAgent string }

type MyData struct{ Theme string }

func me(w http.ResponseWriter, r *http.Request) {}

var (
	_ = ctx
	_ = w
	_ = r
	_ = mux
	_ = addr
	_ = userID
	_ = ip
	_ = token
	_ = store
	_ = clock
	_ = auth
	_ = me
	_ Device
	_ MyData
)
`

// snippet is one ```go block and the README line of its first line.
type snippet struct {
	line int
	code string
}

// goBlocks returns the ```go blocks of a Markdown text.
func goBlocks(md string) []snippet {
	var out []snippet
	var cur *snippet
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(md))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		fence := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(fence, "```go") && strings.TrimSpace(fence[5:]) == "":
			cur = &snippet{line: n + 1}
			b.Reset()
		case cur != nil && strings.HasPrefix(fence, "```"):
			cur.code = b.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return out
}

// file returns the snippet as a Go file of package pkg, with a //line
// directive so that errors name README.md.
func (s snippet) file(pkg string) (string, error) {
	at := fmt.Sprintf("//line README.md:%d\n", s.line)
	if strings.HasPrefix(strings.TrimSpace(s.code), "package ") {
		return at + s.code, nil
	}
	fset := token.NewFileSet()
	if f, err := parser.ParseFile(fset, "", "package p\n"+s.code, 0); err == nil {
		imports, err := importsFor(f, s.line)
		if err != nil {
			return "", err
		}
		return "package " + pkg + "\n" + imports + at + s.code, nil
	}
	f, err := parser.ParseFile(fset, "", "package p\nfunc _() error {\n"+s.code+"\n}", 0)
	if err != nil {
		return "", fmt.Errorf("README.md:%d: the ```go block is neither a Go file, declarations nor statements: %v", s.line, err)
	}
	imports, err := importsFor(f, s.line)
	if err != nil {
		return "", err
	}
	var used strings.Builder
	for _, name := range declaredIn(f.Decls[0].(*ast.FuncDecl).Body) {
		fmt.Fprintf(&used, "\t_ = %s\n", name)
	}
	return "package " + pkg + "\n" + imports + "func _() error {\n" + at + s.code + "//line readme-wrapper:1\n" + used.String() + "\treturn nil\n}\n", nil
}

// importsFor returns the import block for the package names f uses, from
// readmeImports.
func importsFor(f *ast.File, line int) (string, error) {
	declared := localNames(f)
	var paths []string
	var err error
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok || declared[id.Name] || isGiven(id.Name) {
			return true
		}
		path, ok := readmeImports[id.Name]
		if !ok {
			err = fmt.Errorf("README.md:%d: %s.%s: no import path known for package %q; add it to readmeImports in readme_test.go", line, id.Name, sel.Sel.Name, id.Name)
			return false
		}
		if !slices.Contains(paths, path) {
			paths = append(paths, path)
		}
		return true
	})
	if err != nil {
		return "", err
	}
	if len(paths) == 0 {
		return "", nil
	}
	slices.Sort(paths)
	return "import (\n\t\"" + strings.Join(paths, "\"\n\t\"") + "\"\n)\n", nil
}

// localNames returns every name f declares, at any level: a selector on
// one of them is not a package.
func localNames(f *ast.File) map[string]bool {
	names := map[string]bool{}
	idents := func(list []*ast.Ident) {
		for _, id := range list {
			names[id.Name] = true
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			names[n.Name.Name] = true
		case *ast.Field:
			idents(n.Names)
		case *ast.ValueSpec:
			idents(n.Names)
		case *ast.TypeSpec:
			names[n.Name.Name] = true
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, e := range n.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						names[id.Name] = true
					}
				}
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						names[id.Name] = true
					}
				}
			}
		}
		return true
	})
	return names
}

// isGiven reports whether readmeGiven declares name.
func isGiven(name string) bool {
	switch name {
	case "ctx", "w", "r", "mux", "addr", "userID", "ip", "token", "store", "clock", "auth", "me":
		return true
	}
	return false
}

// declaredIn returns the variables a block declares at its top level.
func declaredIn(body *ast.BlockStmt) []string {
	var names []string
	add := func(id *ast.Ident) {
		if id.Name != "_" && !slices.Contains(names, id.Name) {
			names = append(names, id.Name)
		}
	}
	for _, st := range body.List {
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				for _, e := range st.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						add(id)
					}
				}
			}
		case *ast.DeclStmt:
			if g, ok := st.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, spec := range g.Specs {
					for _, id := range spec.(*ast.ValueSpec).Names {
						add(id)
					}
				}
			}
		}
	}
	return names
}

// workspaceModules returns the module path and folder of every module
// go.work uses.
func workspaceModules(t *testing.T, goBin, root string) map[string]string {
	t.Helper()
	cmd := exec.Command(goBin, "work", "edit", "-json", filepath.Join(root, "go.work"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go work edit -json: %v", err)
	}
	var work struct{ Use []struct{ DiskPath string } }
	if err := json.Unmarshal(out, &work); err != nil {
		t.Fatal(err)
	}
	mods := map[string]string{}
	for _, u := range work.Use {
		d := filepath.Join(root, u.DiskPath)
		out, err := exec.Command(goBin, "mod", "edit", "-json", filepath.Join(d, "go.mod")).Output()
		if err != nil {
			t.Fatalf("go mod edit -json %s: %v", d, err)
		}
		var mod struct{ Module struct{ Path string } }
		if err := json.Unmarshal(out, &mod); err != nil {
			t.Fatal(err)
		}
		mods[mod.Module.Path] = d
	}
	return mods
}

// writeModule writes the go.mod (every workspace module, replaced by its
// folder) and go.sum (all of theirs) of the throw-away module.
func writeModule(t *testing.T, dir, root string, mods map[string]string) {
	t.Helper()
	var mod bytes.Buffer
	fmt.Fprintf(&mod, "module readme.example/snippets\n\ngo 1.25.0\n\n")
	var sums []string
	for _, path := range slices.Sorted(maps.Keys(mods)) {
		fmt.Fprintf(&mod, "require %s v0.0.0-00010101000000-000000000000\nreplace %s => %s\n", path, path, mods[path])
		b, err := os.ReadFile(filepath.Join(mods[path], "go.sum"))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l != "" && !slices.Contains(sums, l) {
				sums = append(sums, l)
			}
		}
	}
	write(t, filepath.Join(dir, "go.mod"), mod.String())
	write(t, filepath.Join(dir, "go.sum"), strings.Join(sums, "\n")+"\n")
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
