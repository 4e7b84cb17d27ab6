package lmtp

import (
	"errors"
	"syscall"
)

// replyDiskFull is Cyrus's answer when the spool's file system is full.
var replyDiskFull = &reply{451, "4.3.1", "Insufficient system storage"}

// diskReply maps a storage failure to its temporary-failure reply.
func diskReply(err error) *reply {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return replyDiskFull
	}
	return replyTempFail
}
