package model

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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

// Account is a client's identity as BITS sees it: the principal (a user name
// and its kind) and the token it runs with (elevated or not).
//
// Two accounts are the same principal when their names are equal under
// Unicode simple case folding (as Windows compares account names
// case-insensitively: "alice", "ALICE" and "aLiCe" are one user, and so are
// "sam" and "ſam") and their kinds are equal: an ordinary user who happens
// to be named "NT AUTHORITY\SYSTEM" is not LocalSystem. Elevation is a
// property of the token, not of the principal: an administrator running
// unelevated is the same principal as when elevated.
type Account struct {
	Name string
	Kind AccountKind
	// Unelevated marks an administrator running with the filtered,
	// standard-user token User Account Control gives it: it has no
	// administrator rights, and it cannot read or change the jobs it
	// created while elevated. The zero value, false, is the elevated token
	// (AccountAdministrator means an elevated administrator unless this is
	// set). It means nothing for the other kinds.
	Unelevated bool
}

// String returns the account name.
func (a Account) String() string { return a.Name }

// Same reports whether a and b are the same principal: equal names under
// Unicode simple case folding, and the same kind.
func (a Account) Same(b Account) bool {
	return a.Kind == b.Kind && strings.EqualFold(a.Name, b.Name)
}

// Key returns a string that is equal for two accounts exactly when Same
// reports them as the same principal: the kind and the name with every
// character replaced by the smallest member of its Unicode simple case
// folding orbit. Use it to key maps by user (slots, limits, tables).
func (a Account) Key() string { return strconv.Itoa(int(a.Kind)) + ":" + FoldName(a.Name) }

// FoldName returns name with every character replaced by the smallest
// character of its Unicode simple case folding orbit, so that two names
// are equal case-insensitively (strings.EqualFold) exactly when their
// folded forms are equal: FoldName("ſam") == FoldName("SAM").
func FoldName(name string) string {
	ascii := true
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		// The smallest member of an ASCII letter's orbit is its upper case.
		return strings.ToUpper(name)
	}
	var sb strings.Builder
	sb.Grow(len(name))
	for _, r := range name {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < m {
				m = f
			}
		}
		sb.WriteRune(m)
	}
	return sb.String()
}

// Elevated reports whether the account's token is elevated: an
// administrator that is not Unelevated, or LocalSystem.
func (a Account) Elevated() bool {
	return a.Kind == AccountAdministrator && !a.Unelevated || a.Kind == AccountLocalSystem
}

// IntegrityLevel is the mandatory integrity level of a token, as
// IBackgroundCopyJob4::GetOwnerIntegrityLevel reports it (the RID of the
// mandatory label SID).
type IntegrityLevel uint32

// The integrity levels of the tokens BITS clients run with.
const (
	IntegrityMedium IntegrityLevel = 0x2000 // SECURITY_MANDATORY_MEDIUM_RID: standard users
	IntegrityHigh   IntegrityLevel = 0x3000 // SECURITY_MANDATORY_HIGH_RID: elevated administrators
	IntegritySystem IntegrityLevel = 0x4000 // SECURITY_MANDATORY_SYSTEM_RID: service accounts
)

// String returns "medium", "high", "system" or the hexadecimal RID.
func (l IntegrityLevel) String() string {
	switch l {
	case IntegrityMedium:
		return "medium"
	case IntegrityHigh:
		return "high"
	case IntegritySystem:
		return "system"
	}
	return fmt.Sprintf("IntegrityLevel(%#x)", uint32(l))
}

// Integrity returns the integrity level of the account's token: system
// for the service accounts, high for an elevated administrator, medium
// otherwise.
func (a Account) Integrity() IntegrityLevel {
	switch {
	case a.IsServiceAccount():
		return IntegritySystem
	case a.Kind == AccountAdministrator && !a.Unelevated:
		return IntegrityHigh
	}
	return IntegrityMedium
}

// IsServiceAccount reports whether a is LocalSystem, LocalService or
// NetworkService: such accounts are always logged on, are exempt from the
// per-user limits, and never get command-line notifications.
func (a Account) IsServiceAccount() bool {
	return a.Kind == AccountLocalSystem || a.Kind == AccountLocalService || a.Kind == AccountNetworkService
}

// IsAdmin reports whether a has administrator rights (an elevated
// administrator, or LocalSystem); an Unelevated administrator has none.
func (a Account) IsAdmin() bool { return a.Elevated() }

// The built-in service accounts.
var (
	LocalSystem    = Account{Name: "NT AUTHORITY\\SYSTEM", Kind: AccountLocalSystem}
	LocalService   = Account{Name: "NT AUTHORITY\\LOCAL SERVICE", Kind: AccountLocalService}
	NetworkService = Account{Name: "NT AUTHORITY\\NETWORK SERVICE", Kind: AccountNetworkService}
)
