//go:build windows

package winbits

import (
	"fmt"
	"reflect"
	"time"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/model"
)

// InitCOM makes the process a member of the multithreaded apartment (MTA)
// once, so that every thread, including the ones goroutines migrate to and
// the RPC threads BITS calls back on, may use COM; and it sets the process
// security so that the BITS service can call the process's callback
// objects (authentication CONNECT, impersonation IMPERSONATE, as Wine's
// BITS tests do). Every function of this package calls it; it is
// idempotent.
func InitCOM() error { return com.Init() }

// seconds converts a duration to the whole seconds BITS takes.
func seconds(d time.Duration) (uint32, error) {
	s := d / time.Second
	if d < 0 || s > 0xFFFFFFFF {
		return 0, fmt.Errorf("duration %v: %w", d, model.E_INVALIDARG)
	}
	return uint32(s), nil
}

// filetime converts a FILETIME; zero stays the zero time.
func filetime(f windows.Filetime) time.Time {
	if f.HighDateTime == 0 && f.LowDateTime == 0 {
		return time.Time{}
	}
	return time.Unix(0, f.Nanoseconds()).UTC()
}

// isNilPointer reports whether v holds a nil pointer (or nil map, func...).
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Chan, reflect.Slice, reflect.Interface, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}

// With BITSSIM_HELPER_DEBUG=1 the COM plumbing's diagnostics (the answers
// of QueryInterface, panics in methods) go to the helper's stderr.
func init() {
	if debugging {
		com.SetLog(debugf)
		com.SetTrace(debugf)
	}
}
