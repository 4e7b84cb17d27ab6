package main

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"gocyrus/pkg/procinfo"
)

// printProc prints one line per open session of every daemon process
// answering in procDir, in Cyrus's format; a dead process's socket is
// removed on the way (pkg/procinfo). Each client address is looked up
// once.
func printProc(ctx context.Context, w io.Writer, procDir string) error {
	rows, err := procinfo.List(ctx, procDir)
	if err != nil {
		return err
	}
	names := map[string]string{}
	bw := bufio.NewWriter(w)
	for _, r := range rows {
		name, ok := names[r.Addr]
		if !ok {
			name = procinfo.HostName(ctx, r.Addr)
			names[r.Addr] = name
		}
		fmt.Fprintln(bw, r.String(name))
	}
	return bw.Flush()
}
