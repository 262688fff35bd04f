//go:build windows

package comserver

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows/registry"

	"github.com/bitssim/bitssim/harness/winbits"
	"github.com/bitssim/bitssim/model"
)

// Register writes the server's own class registration under
// HKLM\Software\Classes (Wine 8.0 ignores per-user classes): CLSID with
// LocalServer32 = command (the quoted executable and its arguments; COM
// appends -Embedding when it starts it). Programs under test on Windows
// take this CLSID from their configuration instead of
// CLSID_BackgroundCopyManager.
func Register(clsid model.GUID, command string) error {
	_, err := winbits.RegisterServer(winbits.ServerRegistration{
		CLSID: clsid, Name: "bitssim BITS simulator", Command: command, Scope: winbits.ScopeMachine,
	})
	if err != nil {
		return fmt.Errorf("comserver: Register: %w", err)
	}
	return nil
}

// Unregister removes what Register wrote.
func Unregister(clsid model.GUID) error {
	if err := winbits.UnregisterServer(clsid, model.GUID{}, winbits.ScopeMachine); err != nil {
		return fmt.Errorf("comserver: Unregister: %w", err)
	}
	return nil
}

// savedAppID is the value Takeover keeps the class's original AppID in, so
// that Release can put it back.
const savedAppID = "bitssimSavedAppID"

// Takeover makes CLSID_BackgroundCopyManager and the versioned manager
// CLSIDs (BITS 1.5 to 10.3) activate command: for each, under
// HKLM\Software\Classes\CLSID, it moves the AppID value aside (the AppID
// names BITS's LocalService, which COM would start instead) and sets
// LocalServer32. Meant for a Wine prefix: run it with the wineserver
// stopped, and check it with CheckTakeover at every start, since
// "wineboot -u" or a Wine upgrade undoes it.
func Takeover(command string) error {
	var errs []error
	for _, c := range ManagerCLSIDs {
		if err := takeover(c.CLSID, c.Name, command); err != nil {
			errs = append(errs, fmt.Errorf("%s %v: %w", c.Name, c.CLSID, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("comserver: Takeover: %w", err)
	}
	return nil
}

func takeover(clsid model.GUID, name, command string) error {
	path := `Software\Classes\CLSID\` + clsid.String()
	k, _, err := registry.CreateKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE|registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf(`create HKLM\%s: %w`, path, err)
	}
	defer k.Close()
	if old, _, err := k.GetStringValue("AppID"); err == nil {
		if err := k.SetStringValue(savedAppID, old); err != nil {
			return err
		}
		if err := k.DeleteValue("AppID"); err != nil {
			return err
		}
	}
	if _, _, err := k.GetStringValue(""); err != nil {
		if err := k.SetStringValue("", name); err != nil {
			return err
		}
	}
	ls, _, err := registry.CreateKey(k, "LocalServer32", registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("create LocalServer32: %w", err)
	}
	defer ls.Close()
	return ls.SetStringValue("", command)
}

// Release undoes Takeover: it removes LocalServer32 and puts back the
// AppID it moved aside (classes Takeover created stay, without a server,
// so that activating them fails as on a BITS without them).
func Release() error {
	var errs []error
	for _, c := range ManagerCLSIDs {
		path := `Software\Classes\CLSID\` + c.CLSID.String()
		k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE|registry.SET_VALUE)
		if err != nil {
			continue
		}
		_ = registry.DeleteKey(k, "LocalServer32")
		if old, _, err := k.GetStringValue(savedAppID); err == nil {
			if err := k.SetStringValue("AppID", old); err != nil {
				errs = append(errs, err)
			}
			_ = k.DeleteValue(savedAppID)
		}
		k.Close()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("comserver: Release: %w", err)
	}
	return nil
}

// CheckTakeover reports whether every manager CLSID still activates
// command's program: an error names each class that does not (its AppID
// back, or its LocalServer32 gone or starting another program).
func CheckTakeover(command string) error {
	var bad []string
	for _, c := range ManagerCLSIDs {
		if why := checkTakeover(c.CLSID, command); why != "" {
			bad = append(bad, fmt.Sprintf("%s %v: %s", c.Name, c.CLSID, why))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("comserver: the takeover of the BITS classes is undone (wineboot -u or a Wine upgrade does that; run the server with -takeover again): %s",
			strings.Join(bad, "; "))
	}
	return nil
}

func checkTakeover(clsid model.GUID, command string) string {
	path := `Software\Classes\CLSID\` + clsid.String()
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE)
	if err != nil {
		return "not registered"
	}
	defer k.Close()
	if app, _, err := k.GetStringValue("AppID"); err == nil {
		return "AppID " + app + " is back"
	}
	ls, err := registry.OpenKey(k, "LocalServer32", registry.QUERY_VALUE)
	if err != nil {
		return "no LocalServer32"
	}
	defer ls.Close()
	v, _, err := ls.GetStringValue("")
	if err != nil {
		return "LocalServer32 has no command"
	}
	if !strings.EqualFold(program(v), program(command)) {
		return fmt.Sprintf("LocalServer32 starts %q", v)
	}
	return ""
}
