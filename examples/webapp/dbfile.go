package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// fileSpec resolves a -store value that names a local database file:
// "bolt" becomes "bolt:" + the default file, and a bbolt or SQLite file is
// checked (checkPrivate). It returns the value to open and the file's path;
// any other store comes back as it is, with path "".
func fileSpec(spec string) (resolved, path string, err error) {
	scheme, path, _ := strings.Cut(spec, ":")
	switch {
	case scheme == "bolt" && path == "":
		if path, err = defaultBoltPath(); err != nil {
			return "", "", err
		}
	case scheme == "sqlite" && path != "" && path != ":memory:":
	case scheme == "bolt":
	default:
		return spec, "", nil
	}
	if err := checkPrivate(path, scheme); err != nil {
		return "", "", err
	}
	return scheme + ":" + path, path, nil
}

// defaultBoltPath is <user cache dir>/narvik/webapp.db, so a run from a
// clone leaves no file in the work tree. Without a user cache directory it
// fails: a shared folder such as the system's temporary one would let
// another user plant the database first.
func defaultBoltPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no folder of yours to keep the sessions in (%w): set XDG_CACHE_HOME or HOME, or pick the file with -store bolt:PATH (or use -store memory)", err)
	}
	dir = filepath.Join(dir, "narvik")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w; pick another file with -store bolt:PATH", dir, err)
	}
	return filepath.Join(dir, "webapp.db"), nil
}

// checkPrivate refuses a database file that another user could have
// planted (its sessions would be accepted) or could replace; scheme ("bolt",
// "sqlite") names the -store form in the messages:
//
//   - its folder must be yours and writable by no one else, so nobody else
//     can create, rename or swap files in it;
//   - the file, if it exists, must be yours and writable by no one else;
//   - every folder above must be yours or root's, and not writable by
//     others unless sticky (as /tmp is), so nobody else can swap the
//     folder itself.
//
// A folder that does not exist is left for bbolt to report. Where the
// system has no owners of this kind (Windows), only the modes are checked.
func checkPrivate(path, scheme string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := private(dir, "folder", "chmod go-w", scheme); err != nil {
		return err
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		if err := safeAncestor(p, dir, scheme); err != nil {
			return err
		}
		if p == filepath.Dir(p) {
			break
		}
	}
	file := filepath.Join(dir, filepath.Base(abs))
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		return nil // bbolt creates it, 0600, in a folder only you can write
	}
	return private(file, "file", "chmod 600", scheme)
}

// private checks that path is yours and writable by you alone.
func private(path, what, chmod, scheme string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if uid, ok := owner(fi); ok && uid != os.Getuid() {
		return fmt.Errorf("the session database %s %s belongs to user %d, not to you (user %d): another user could have planted sessions in it. Use a file in a folder of your own with -store %s:PATH, or, if it is yours, chown %d %s",
			what, path, uid, os.Getuid(), scheme, os.Getuid(), path)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("the session database %s %s can be written by other users (mode %#o): they could plant or replace sessions. Fix it with %s %s, or pick another file with -store %s:PATH",
			what, path, fi.Mode().Perm(), chmod, path, scheme)
	}
	return nil
}

// safeAncestor checks a folder above the database's folder dir.
func safeAncestor(p, dir, scheme string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if uid, ok := owner(fi); ok && uid != os.Getuid() && uid != 0 {
		return fmt.Errorf("the folder %s, above the session database's folder %s, belongs to user %d: that user could swap the folder. Pick a file in a folder of your own with -store %s:PATH",
			p, dir, uid, scheme)
	}
	if fi.Mode().Perm()&0o002 != 0 && fi.Mode()&fs.ModeSticky == 0 {
		return fmt.Errorf("the folder %s, above the session database's folder %s, can be written by anyone (mode %#o): another user could swap the folder. Fix it with chmod o-w %s (or chmod +t %s), or pick another file with -store %s:PATH",
			p, dir, fi.Mode().Perm(), p, p, scheme)
	}
	return nil
}
