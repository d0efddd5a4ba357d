package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/narvik-go/narvik/internal/testenv"
)

const otherUser = 4242

// mkdir makes a folder with exactly mode perm (the umask would narrow it).
func mkdir(t *testing.T, path string, perm os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, path string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte("planted"), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

// chown gives path to another user; only root can. CI runs as root (it
// installs packages), so there a missing root fails the test.
func chown(t *testing.T, path string) {
	t.Helper()
	if os.Getuid() != 0 {
		testenv.Missing(t, "giving a file to another user needs root")
	}
	if err := os.Chown(path, otherUser, otherUser); err != nil {
		t.Fatal(err)
	}
}

// TestNoSharedFallback: without XDG_CACHE_HOME and HOME there is no folder
// of the user's own, and the default is refused rather than put in the
// shared temporary folder.
func TestNoSharedFallback(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("os.UserCacheDir reads XDG_CACHE_HOME and HOME on Linux")
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	_, _, err := fileSpec("bolt")
	if err == nil || !strings.Contains(err.Error(), "set XDG_CACHE_HOME or HOME, or pick the file with -store bolt:PATH") {
		t.Fatalf("fileSpec(bolt) without a home: %v", err)
	}
}

// TestRefusesPlantedDatabases plants the database folder or file as
// another local user would, and checks that each is refused with a message
// that says how to fix it.
func TestRefusesPlantedDatabases(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix owners and modes")
	}
	for _, c := range []struct {
		name  string
		plant func(t *testing.T, root string) string // returns the -store value
		want  string
	}{
		{"a folder anyone can write", func(t *testing.T, root string) string {
			return "bolt:" + filepath.Join(mkdir(t, filepath.Join(root, "shared"), 0o777), "s.db")
		}, "can be written by other users (mode 0777): they could plant or replace sessions. Fix it with chmod go-w "},
		{"a group-writable folder", func(t *testing.T, root string) string {
			return "bolt:" + filepath.Join(mkdir(t, filepath.Join(root, "group"), 0o770), "s.db")
		}, "Fix it with chmod go-w "},
		{"the default folder, planted writable", func(t *testing.T, root string) string {
			t.Setenv("XDG_CACHE_HOME", root)
			mkdir(t, filepath.Join(root, "narvik"), 0o777)
			return "bolt"
		}, "chmod go-w " + "ROOT/narvik"},
		{"a folder of another user", func(t *testing.T, root string) string {
			dir := mkdir(t, filepath.Join(root, "theirs"), 0o755)
			chown(t, dir)
			return "bolt:" + filepath.Join(dir, "s.db")
		}, "belongs to user 4242, not to you"},
		{"the default folder, planted by another user", func(t *testing.T, root string) string {
			t.Setenv("XDG_CACHE_HOME", root)
			dir := mkdir(t, filepath.Join(root, "narvik"), 0o700)
			writeFile(t, filepath.Join(dir, "webapp.db"), 0o600)
			chown(t, dir)
			return "bolt"
		}, "chown "},
		{"a file anyone can write", func(t *testing.T, root string) string {
			dir := mkdir(t, filepath.Join(root, "mine"), 0o700)
			writeFile(t, filepath.Join(dir, "s.db"), 0o666)
			return "bolt:" + filepath.Join(dir, "s.db")
		}, "Fix it with chmod 600 "},
		{"a file of another user", func(t *testing.T, root string) string {
			dir := mkdir(t, filepath.Join(root, "mine"), 0o700)
			file := filepath.Join(dir, "s.db")
			writeFile(t, file, 0o600)
			chown(t, file)
			return "bolt:" + file
		}, "session database file ROOT/mine/s.db belongs to user 4242"},
		{"a folder above anyone can write", func(t *testing.T, root string) string {
			up := mkdir(t, filepath.Join(root, "open"), 0o777)
			return "bolt:" + filepath.Join(mkdir(t, filepath.Join(up, "mine"), 0o700), "s.db")
		}, "can be written by anyone (mode 0777): another user could swap the folder. Fix it with chmod o-w ROOT/open"},
		{"a folder above of another user", func(t *testing.T, root string) string {
			up := mkdir(t, filepath.Join(root, "theirs"), 0o755)
			dir := mkdir(t, filepath.Join(up, "mine"), 0o700)
			chown(t, up)
			return "bolt:" + filepath.Join(dir, "s.db")
		}, "the folder ROOT/theirs, above the session database's folder ROOT/theirs/mine, belongs to user 4242"},
		{"a SQLite file in a shared folder", func(t *testing.T, root string) string {
			return "sqlite:" + filepath.Join(mkdir(t, filepath.Join(root, "shared"), 0o777), "s.db")
		}, "Fix it with chmod go-w ROOT/shared, or pick another file with -store sqlite:PATH"},
		{"a link to a shared folder", func(t *testing.T, root string) string {
			shared := mkdir(t, filepath.Join(root, "shared"), 0o777)
			mine := mkdir(t, filepath.Join(root, "mine"), 0o700)
			if err := os.Symlink(shared, filepath.Join(mine, "link")); err != nil {
				t.Fatal(err)
			}
			return "bolt:" + filepath.Join(mine, "link", "s.db")
		}, "folder ROOT/shared can be written by other users"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			spec := c.plant(t, root)
			_, _, err = fileSpec(spec)
			want := strings.ReplaceAll(c.want, "ROOT", root)
			scheme, _, _ := strings.Cut(spec, ":")
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "-store "+scheme+":PATH") {
				t.Fatalf("fileSpec(%q) = %v; want an error saying %q and naming -store %s:PATH", spec, err, want, scheme)
			}
		})
	}
}

func TestAcceptsPrivateDatabases(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir()) // under /tmp: sticky, so fine above
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", filepath.Join(root, "cache"))
	spec, path, err := fileSpec("bolt")
	if want := filepath.Join(root, "cache", "narvik", "webapp.db"); err != nil || path != want || spec != "bolt:"+want {
		t.Fatalf("fileSpec(bolt) = %q, %q, %v; want %q", spec, path, err, want)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the default folder: %v, %v; want mode 0700", fi.Mode(), err)
	}
	mine := mkdir(t, filepath.Join(root, "mine"), 0o755) // readable by others is fine
	writeFile(t, filepath.Join(mine, "s.db"), 0o644)
	for _, spec := range []string{"bolt:" + filepath.Join(mine, "s.db"), "bolt:" + filepath.Join(mine, "new.db"), "sqlite:" + filepath.Join(mine, "s.db"), "sqlite::memory:", "memory", "redis://127.0.0.1:6390/0"} {
		if resolved, _, err := fileSpec(spec); err != nil || resolved != spec {
			t.Errorf("fileSpec(%q) = %q, %v", spec, resolved, err)
		}
	}
}
