//go:build unix

package main

import (
	"io/fs"
	"syscall"
)

// owner returns the user ID that owns fi's file.
func owner(fi fs.FileInfo) (uid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
