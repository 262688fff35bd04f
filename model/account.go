package model

import (
	"fmt"
	"strings"
)

// AccountKind is the kind of security principal a client runs as.
type AccountKind int

// The account kinds BITS treats differently.
const (
	// AccountUser is an ordinary interactive user.
	AccountUser AccountKind = iota
	// AccountAdministrator is an elevated member of Administrators.
	AccountAdministrator
	// AccountLocalSystem is the LocalSystem service account (an administrator).
	AccountLocalSystem
	// AccountLocalService is the LocalService service account.
	AccountLocalService
	// AccountNetworkService is the NetworkService service account.
	AccountNetworkService
)

var accountKindNames = []string{"user", "administrator", "LocalSystem", "LocalService", "NetworkService"}

// String returns "user", "administrator", "LocalSystem", "LocalService" or
// "NetworkService".
func (k AccountKind) String() string { return enumName("AccountKind", accountKindNames, int(k)) }

// ParseAccountKind accepts the names String prints, in any case ("admin" too).
func ParseAccountKind(s string) (AccountKind, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "admin") {
		return AccountAdministrator, nil
	}
	for i, n := range accountKindNames {
		if strings.EqualFold(n, t) {
			return AccountKind(i), nil
		}
	}
	return 0, fmt.Errorf("model: unknown account kind %q (want one of %s)", s, strings.Join(accountKindNames, ", "))
}

// Account is a security principal: a user name and its kind. Two accounts are
// the same principal when their names are equal (case-insensitively, as
// Windows compares account names).
type Account struct {
	Name string
	Kind AccountKind
}

// String returns the account name.
func (a Account) String() string { return a.Name }

// Same reports whether a and b name the same principal.
func (a Account) Same(b Account) bool { return strings.EqualFold(a.Name, b.Name) }

// IsServiceAccount reports whether a is LocalSystem, LocalService or
// NetworkService: such accounts are always logged on, are exempt from the
// per-user limits, and never get command-line notifications.
func (a Account) IsServiceAccount() bool {
	return a.Kind == AccountLocalSystem || a.Kind == AccountLocalService || a.Kind == AccountNetworkService
}

// IsAdmin reports whether a has administrator rights (an elevated
// administrator, or LocalSystem).
func (a Account) IsAdmin() bool {
	return a.Kind == AccountAdministrator || a.Kind == AccountLocalSystem
}

// The built-in service accounts.
var (
	LocalSystem    = Account{Name: "NT AUTHORITY\\SYSTEM", Kind: AccountLocalSystem}
	LocalService   = Account{Name: "NT AUTHORITY\\LOCAL SERVICE", Kind: AccountLocalService}
	NetworkService = Account{Name: "NT AUTHORITY\\NETWORK SERVICE", Kind: AccountNetworkService}
)
