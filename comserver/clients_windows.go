//go:build windows

package comserver

import "golang.org/x/sys/windows"

// processHandle watches a client process through a handle of it, which
// also keeps its process ID from being reused while the server holds it.
type processHandle windows.Handle

// watchProcess opens a watch of process pid; nil when it cannot (pid 0:
// the caller is unknown, or the process denies access).
func watchProcess(pid uint32) process {
	if pid == 0 {
		return nil
	}
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		logf("cannot watch process %d (it will not be forgotten when it ends): %v", pid, err)
		return nil
	}
	return processHandle(h)
}

// Gone reports whether the process has ended.
func (p processHandle) Gone() bool {
	ev, err := windows.WaitForSingleObject(windows.Handle(p), 0)
	return err == nil && ev == windows.WAIT_OBJECT_0
}

// Close closes the handle.
func (p processHandle) Close() error { return windows.CloseHandle(windows.Handle(p)) }
