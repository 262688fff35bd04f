package comserver

import "strings"

// This file has no build constraint: the parsing here is tested on every
// OS. (The BITS_JOB_PROPERTY_VALUE layout is internal/com/bitsabi's.)

// program is a command line's program: its first token, quoted or not.
func program(cmd string) string {
	cmd = strings.TrimSpace(cmd)
	if strings.HasPrefix(cmd, `"`) {
		if i := strings.Index(cmd[1:], `"`); i >= 0 {
			return cmd[1 : i+1]
		}
		return cmd[1:]
	}
	if i := strings.IndexAny(cmd, " \t"); i >= 0 {
		return cmd[:i]
	}
	return cmd
}
