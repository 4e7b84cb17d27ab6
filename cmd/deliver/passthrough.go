package main

import (
	"fmt"
	"io"
	"net"

	"gocyrus/internal/tool"
)

// passThrough is deliver -l: the caller speaks LMTP on in/out and every
// byte is relayed to lmtpd on socket and back, so lmtpd's greeting, its
// replies and its rules apply unchanged (the unix socket makes the caller
// postman, as with Cyrus). It returns when lmtpd closes the connection,
// after QUIT or once the caller's end of file has been passed on.
func passThrough(socket string, in io.Reader, out io.Writer) error {
	nc, err := net.DialTimeout("unix", socket, dialTimeout)
	if err != nil {
		// The caller expects an LMTP greeting: refuse the session as a
		// server would.
		fmt.Fprintf(out, "421 4.3.0 deliver: cannot connect to lmtpd: %v\r\n", err)
		return tool.Fail(tool.ExitTempFail, "connecting to lmtpd at %s: %v", socket, err)
	}
	defer nc.Close()
	go func() {
		io.Copy(nc, in)
		if uc, ok := nc.(*net.UnixConn); ok {
			uc.CloseWrite()
		}
	}()
	if _, err := io.Copy(out, nc); err != nil {
		return tool.Fail(tool.ExitTempFail, "relaying lmtpd's replies: %v", err)
	}
	return nil
}
